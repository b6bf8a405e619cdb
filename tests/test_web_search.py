"""GET /api/v1/search: the same answer as `netpatrol search --json` on the same workspace, and
safe for a server: a regex that backtracks without end is stopped (400) within its limit, a child
that does not answer is killed, output is bounded, and a burst is told the server is busy."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from netpatrol.cli.root import app as cli
from netpatrol.store.layout import config_path
from netpatrol.web import search_view
from netpatrol.web.app import create_app
from netpatrol.web.state import WebState
from netpatrol.workspace.settings import Workspace
from report_world import HOSTILE_CONFIG, HOSTILE_HOST, REPO, copy_sample

SEARCH = "/api/v1/search"
# `(a+)+$` tries every way of splitting the a's before failing at the "!": 2^40 steps.
CATASTROPHIC = "(a+)+$"
LONG_LINE = "a" * 40 + "!"


def client_of(world) -> TestClient:
    return TestClient(create_app(WebState(world[0])), base_url="http://localhost")  # anonymous: a loopback Host


def cli_json(ws, *args: str) -> list[dict]:
    res = CliRunner().invoke(cli, ["search", "--json", "-w", str(ws.root), *args])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.stdout) if res.exit_code == 0 else []


def plant(world, host: str, extra: str) -> None:
    """A new backup commit in which `host`'s config ends with `extra`."""
    _ws, inv, store = world
    h = inv.hosts[host]
    path = config_path(h.site, h.name)
    store.write_file(path, store.read_file(path, "HEAD") + extra)
    store.commit("backup: 1 changed\n", paths=[path], when=datetime(2026, 10, 1, tzinfo=timezone.utc))


@pytest.mark.parametrize(("params", "args"), [
    ({"q": "ntp"}, ["ntp"]),
    ({"q": "^interface"}, ["^interface"]),
    ({"q": "DESCRIPTION", "i": "true"}, ["-i", "DESCRIPTION"]),
    ({"q": "description", "under": "^interface"}, ["description", "--under", "^interface"]),
    ({"q": "^hostname", "site": "jc-north"}, ["^hostname", "--site", "jc-north"]),
    ({"q": "end", "platform": "huawei_vrp"}, ["end", "--platform", "huawei_vrp"]),
    ({"q": "no such line"}, ["no such line"]),
])
def test_same_hits_as_the_cli(world, params: dict, args: list[str]) -> None:
    r = client_of(world).get(SEARCH, params=params)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == cli_json(world[0], *args)
    assert r.headers["x-truncated"] == "false" and r.headers["x-commit"] == world[2].head()


def test_headers_count_devices_and_configs(world) -> None:
    r = client_of(world).get(SEARCH, params={"q": "^hostname"})
    assert len(r.json()) == 15 and r.headers["x-devices"] == "15" and r.headers["x-searched"] == "15"
    assert r.json()[0] == {"host": "city-acc-01", "site": "jc-city", "platform": "hp_comware", "line_no": 1,
                           "line": "hostname city-acc-01"}


def test_hostile_config_lines_are_json_strings(hostile_world) -> None:
    r = client_of(hostile_world).get(SEARCH, params={"q": "```|^#"})
    assert r.headers["content-type"] == "application/json"
    lines = [hit["line"] for hit in r.json()]
    assert lines == [ln for ln in HOSTILE_CONFIG.splitlines() if ln.startswith(("```", "#"))]
    assert {hit["host"] for hit in r.json()} == {HOSTILE_HOST}


def test_bad_regexes_are_400(world) -> None:
    api = client_of(world)
    for params in ({"q": "("}, {"q": "x", "under": "[a"}, {"q": "x{99999999999}"}):
        r = api.get(SEARCH, params=params)
        assert r.status_code == 400 and "not a valid Python regular expression" in r.json()["detail"]


def test_catastrophic_regex_is_stopped_and_the_server_still_answers(world, monkeypatch) -> None:
    plant(world, "city-acc-02", LONG_LINE + "\n")
    monkeypatch.setattr(search_view, "SEARCH_SECONDS", 1.0)
    api = client_of(world)
    start = time.monotonic()
    r = api.get(SEARCH, params={"q": CATASTROPHIC})
    took = time.monotonic() - start
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    detail = r.json()["detail"]
    assert "ran longer than 1 s (it was reading city-acc-02's config)" in detail and "backtracks" in detail
    assert took < 1.0 + search_view.KILL_GRACE
    assert api.get("/api/v1/devices").status_code == 200
    assert api.get(SEARCH, params={"q": "^a+!$"}).json()[0]["host"] == "city-acc-02"
    assert not multiprocessing.active_children()


def test_a_child_that_does_not_answer_is_killed(world, monkeypatch) -> None:
    """The alarm inside the child stops a regex; the kill stops anything else (here the parent
    gives up before the child's own alarm)."""
    plant(world, "city-acc-02", LONG_LINE + "\n")
    monkeypatch.setattr(search_view, "SEARCH_SECONDS", 30.0)
    monkeypatch.setattr(search_view, "KILL_GRACE", -29.0)
    api = client_of(world)
    start = time.monotonic()
    r = api.get(SEARCH, params={"q": CATASTROPHIC})
    assert r.status_code == 400 and "ran longer than 30 s" in r.json()["detail"]
    assert time.monotonic() - start < 5
    assert not multiprocessing.active_children()
    assert search_view.SLOTS.acquire(timeout=0)  # the slot was given back
    search_view.SLOTS.release()
    assert api.get(SEARCH, params={"q": "^hostname"}).status_code == 200


def test_output_is_bounded(world, monkeypatch) -> None:
    api = client_of(world)
    monkeypatch.setattr(search_view, "MAX_LINES", 3)
    r = api.get(SEARCH, params={"q": "."})
    assert r.status_code == 200 and len(r.json()) == 3 and r.headers["x-truncated"] == "true"
    assert r.json() == cli_json(world[0], ".")[:3]
    monkeypatch.setattr(search_view, "MAX_LINES", 5000)
    plant(world, "city-acc-01", "x" * 100_000 + "\n")
    monkeypatch.setattr(search_view, "MAX_CHARS", 50_000)
    r = api.get(SEARCH, params={"q": "x"})
    assert r.headers["x-truncated"] == "true" and all(len(hit["line"]) < 50_000 for hit in r.json())


def test_a_burst_is_told_the_server_is_busy(world, monkeypatch) -> None:
    api = client_of(world)
    monkeypatch.setattr(search_view, "QUEUE_SECONDS", 0.2)
    held = 0
    try:
        while search_view.SLOTS.acquire(timeout=0):  # every slot taken, as by long searches
            held += 1
        assert held == search_view.MAX_RUNNING
        r = api.get(SEARCH, params={"q": "ntp"})
        assert r.status_code == 503 and r.headers["retry-after"] and "searches are running" in r.json()["detail"]
        page = api.get("/search", params={"q": "ntp"})  # the page says it too, as a page
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    finally:
        for _ in range(held):
            search_view.SLOTS.release()
    assert api.get(SEARCH, params={"q": "ntp"}).status_code == 200


def test_searches_at_once_share_the_slots(world) -> None:
    api = client_of(world)
    answers: list[int] = []

    def one() -> None:
        answers.append(api.get(SEARCH, params={"q": "^interface"}).status_code)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [200] * 4


def test_in_a_thread_the_same_as_in_a_child(world) -> None:
    _ws, inv, store = world
    job = search_view.Job(store.path, store.head(), [(h.name, h.site, h.platform) for h in inv.hosts.values()],
                          "^ ?(description|ntp)", True, None, 5.0, 100, 10_000)
    here: list = []
    t = threading.Thread(target=lambda: here.append(search_view.run(job)))
    t.start()
    t.join()
    hits, devices, searched, truncated = here[0]
    there = search_view.in_child(job)
    assert [tuple(vars(h).values()) for h in there.hits] == hits
    assert (there.devices, there.searched, there.truncated) == (devices, searched, truncated) == (15, 15, False)


def test_before_the_first_backup(tmp_path) -> None:
    ws = Workspace(copy_sample(REPO, tmp_path / "ws"))
    api = TestClient(create_app(WebState(ws)), base_url="http://localhost")
    r = api.get(SEARCH, params={"q": "x"})
    assert r.status_code == 200 and r.json() == [] and r.headers["x-searched"] == "0"
    assert api.get(SEARCH, params={"q": "("}).status_code == 400
