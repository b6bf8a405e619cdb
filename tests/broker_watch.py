"""`BrokerWatch`: what a Redis broker holds and is told while a test runs, for secret scans."""

from __future__ import annotations

import base64
import re
import socket
import threading

from redis_server import RedisServer


class BrokerWatch:
    """Everything the broker holds and is told while it runs: every command (Redis MONITOR, from a
    connection of its own) and every key's content, sampled every `every` seconds.

    `find(secrets)` looks for each value in all of it, in the text as sent and inside every
    base64 run decoded (kombu sends message bodies base64-encoded).
    """

    B64 = re.compile(rb"[A-Za-z0-9+/]{16,}={0,2}")

    def __init__(self, redis: RedisServer, every: float = 0.05):
        self.redis = redis
        self.every = every
        self.monitor = bytearray()
        self.seen: dict[tuple[str, bytes], None] = {}  # (key, content) in the order first seen
        self.samples = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> BrokerWatch:
        sock = socket.create_connection(("127.0.0.1", self.redis.port), timeout=5)
        sock.sendall(_resp("AUTH", self.redis.password) + _resp("MONITOR"))
        self._threads = [threading.Thread(target=self._listen, args=(sock,), daemon=True),
                         threading.Thread(target=self._sample, daemon=True)]
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sample()  # what stays after the run
        self._stop.set()
        for t in self._threads:
            t.join(10)

    def _listen(self, sock: socket.socket) -> None:
        sock.settimeout(0.1)
        with sock:
            while not self._stop.is_set():
                try:
                    data = sock.recv(1 << 16)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:  # the server went away (a test stopped it)
                    return
                self.monitor += data

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every)

    def sample(self) -> None:
        try:
            found = self.redis.keys_and_values()
        except Exception:  # noqa: BLE001 - the broker may be down in a fault test
            return
        self.samples += 1
        for item in found.items():
            self.seen.setdefault(item)

    def keys(self) -> set[str]:
        return {key for key, _ in self.seen}

    def haystacks(self) -> list[tuple[str, bytes]]:
        out = [("MONITOR", bytes(self.monitor))]
        out += [(f"key {key!r}", value) for key, value in self.seen]
        return [(where, text + b"\n" + b"\n".join(self._decoded(text))) for where, text in out]

    def _decoded(self, text: bytes) -> list[bytes]:
        out = []
        for run in self.B64.findall(text):
            try:
                out.append(base64.b64decode(run + b"=" * (-len(run) % 4)))
            except ValueError:
                continue
        return out

    def find(self, secrets: dict[str, bytes]) -> list[str]:
        """Where each secret was seen: ["LABEL in WHERE: ...context..."], [] when nowhere."""
        hits = []
        for where, text in self.haystacks():
            for label, value in secrets.items():
                at = text.find(value)
                if at >= 0:
                    hits.append(f"{label} in {where}: {text[max(0, at - 80):at + len(value) + 40]!r}")
        return hits


def _resp(*parts: str) -> bytes:
    out = f"*{len(parts)}\r\n".encode()
    for part in parts:
        data = part.encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out
