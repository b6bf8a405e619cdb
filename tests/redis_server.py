"""A real Redis server for the zones' tests: Debian's `redis-server`, started and stopped here.

Each server listens on a free loopback port with a password of its own and no persistence, so
tests can read every key (`keys_and_values`) and stop or start it again (`stop`, `start`) to
play a broker that went away. Without `redis-server` the tests skip with a reason, except where
NETPATROL_REQUIRE_REDIS=1 (.ci/run), where they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from web_server import free_port, stop

REQUIRE_REDIS = "NETPATROL_REQUIRE_REDIS"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.password = secrets.token_hex(12)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", self.password,
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no",
             "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.proc.stderr.read().decode(errors='replace') if self.proc.stderr else ''}")
            try:
                if self.client().ping():
                    return
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            stop(self.proc)
        self.proc = None

    def client(self):  # -> redis.Redis
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password, socket_timeout=5)

    def flush(self) -> None:
        self.client().flushall()

    def keys_and_values(self) -> dict[str, bytes]:
        """Every key's whole content as bytes (strings, lists, hashes, sets, sorted sets), for secret scans."""
        c = self.client()
        out: dict[str, bytes] = {}
        for key in c.scan_iter(count=1000):
            kind = c.type(key).decode()
            if kind == "string":
                value = c.get(key) or b""
            elif kind == "list":
                value = b"\n".join(c.lrange(key, 0, -1))
            elif kind == "hash":
                value = b"\n".join(k + b"=" + v for k, v in c.hgetall(key).items())
            elif kind == "set":
                value = b"\n".join(sorted(c.smembers(key)))
            elif kind == "zset":
                value = b"\n".join(m for m, _ in c.zrange(key, 0, -1, withscores=True))
            else:
                value = b""
            out[key.decode(errors="replace")] = value
        return out


def redis_available() -> bool:
    return os.access(REDIS_SERVER, os.X_OK)


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A running Redis of this test's own (password set, nothing persisted), stopped afterwards."""
    if not redis_available():
        if os.environ.get(REQUIRE_REDIS) == "1":
            pytest.fail(f"redis-server is required here ({REQUIRE_REDIS}=1) but {REDIS_SERVER} is missing")
        pytest.skip("needs Debian's redis-server (scripts/install-system-deps.sh installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
