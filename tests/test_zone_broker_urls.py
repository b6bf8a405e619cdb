"""Broker URLs and broker errors as messages show them: one masking helper that never raises.

Passwords from a secrets manager are often base64 (`/`, `+`, `=`) or hold `#`, `?`, `@`, `:`, `%`;
kombu's sanitiser raised ValueError on those (exit 70 printing the start of the password) and
leaked the second password of a multi-host `sentinel://` URL. A `${ENV}` password is %-encoded
into the URL, so such a password also works against a real Redis.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import fault_world
from netpatrol.workspace.distributed import DistributedSettings, masked_url
from redis_server import RedisServer

ODD = ["ab/cd+ef==", "p#ss?w@rd:1%41", "x%2Fy@z:w/v#u?t", "se;mi@colon", "@:/#?%"]


@pytest.mark.parametrize("password", ODD)
def test_a_password_of_any_characters_is_masked_never_raising(password: str):
    from netpatrol.workspace.distributed import masked_text

    for url in (f"redis://:{password}@10.0.0.5:6379/0", f"rediss://netpatrol:{password}@redis.example:6380/1",
                f"sentinel://:{password}@a:26379;sentinel://:{password}@b:26379;sentinel://:other@c:26379"):
        shown = masked_url(url)
        assert password not in shown and "other" not in shown, shown
        assert "10.0.0.5:6379/0" in shown or "redis.example:6380/1" in shown or shown.count("@") == 3, shown
    sentence = f"Error 111 connecting to redis://:{password}@10.0.0.5:6379/0. Connection refused."
    assert password not in masked_text(sentence)
    assert masked_text(sentence).startswith("Error 111 connecting to redis://:**@10.0.0.5:6379/0")


def test_multi_host_urls_mask_every_part_and_keep_env_references():
    from netpatrol.workspace.distributed import masked_text

    url = "sentinel://:pw-one@a:26379;sentinel://:pw-two@b:26379"
    assert masked_url(url) == "sentinel://:**@a:26379;sentinel://:**@b:26379"
    assert masked_url("redis://:${NP_BROKER_PASSWORD}@h:6379/0") == "redis://:${NP_BROKER_PASSWORD}@h:6379/0"
    for text in ("", "garbage", "redis://h:6379/0", "redis://:@h", "://", "a://b@c:d@e", "redis://user@h"):
        masked_url(text)
        masked_text(text)


def test_a_broker_error_text_loses_the_resolved_password_wherever_it_is(monkeypatch):
    from netpatrol.zones.app import shown_error

    password = "p#ss?w@rd:1%41/x"
    monkeypatch.setenv("NP_TEST_BROKER_PW", password)
    dist = DistributedSettings(broker="redis://:${NP_TEST_BROKER_PW}@127.0.0.1:1/0")
    for text in (f"AUTH failed for {password} at host", f"bad url 'redis://:{password}@127.0.0.1:1/0'",
                 "redis://:p%23ss%3Fw%40rd%3A1%2541%2Fx@127.0.0.1:1/0 refused", f"tail {password[:20]}"):
        assert "p#ss" not in shown_error(dist, text) and "p%23ss" not in shown_error(dist, text), shown_error(dist, text)


@pytest.mark.parametrize("password", ["ab/cd+ef==", "p#ss?w@rd:%41;x"])
def test_a_real_redis_with_an_odd_password_works_and_stays_hidden(tmp_path: Path, redis_server: RedisServer, password: str):
    from test_zone_worker import write_plain_workspace

    redis_server.client().config_set("requirepass", password)
    redis_server.password = password
    ws = write_plain_workspace(tmp_path / "ws", f"redis://:${{NP_TEST_BROKER_PW}}@127.0.0.1:{redis_server.port}/0")
    env = {**fault_world.env(), "NP_TEST_BROKER_PW": password}
    res = subprocess.run([*fault_world.NETPATROL, "workers", "-w", str(ws), "--json"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["broker"] == f"redis://:**@127.0.0.1:{redis_server.port}/0" and password not in res.stdout + res.stderr

    redis_server.stop()
    for command in (["workers"], ["worker", "--zone", "north"]):
        res = subprocess.run([*fault_world.NETPATROL, *command, "-w", str(ws)], env=env,
                             capture_output=True, text=True, timeout=60)
        assert res.returncode == 2, (res.stdout, res.stderr)
        assert f"redis://:**@127.0.0.1:{redis_server.port}/0" in res.stderr
        assert password[:4] not in res.stdout + res.stderr
