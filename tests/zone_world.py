"""Zone workspaces over the lab and real `netpatrol worker` processes, for the zones' tests.

`make_zone_world(...)` (fixture) -> `ZoneWorld`: a copy of the sample workspace with its whole lab
running, its sites split into zones — jc-north in `north`, jc-east in `east`, jc-city stays
`local` — declared in netpatrol.yaml, with `distributed:` pointing at this test's `redis_server`
(the password as `${NP_BROKER_PASSWORD}`, short timings for tests) and a few devices per zone whose
configs hold the lab's planted secrets. `zone_world` is `make_zone_world()`.

Workers: `world.start_workers(north=2, east=2)` runs `netpatrol worker --zone Z -w WS` processes,
each in a process group of its own, with the device and broker passwords in its environment only
(the workspace names them as `${ENV}`), and returns once Celery says each consumes its zone's queue.
`WorkerProcess.kill()` SIGKILLs the whole group, `kill_pool_child()` one prefork child. Every
worker still running is SIGKILLed at teardown; their logs go into a failing test's report.

Central runs: `world.cli("backup", "--json")` / `world.popen(...)` run the CLI in a child
process with the same environment. `world.slow(hosts)` makes devices slow enough to act mid-batch.
`world.secrets()` lists what must never reach the broker; `BrokerWatch` records what did.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from fault_world import NETPATROL
from redis_server import RedisServer

BROKER_PASSWORD_ENV = "NP_BROKER_PASSWORD"
DEVICE_PASSWORD_ENV = "NETPATROL_PASSWORD"  # the sample inventory's password and enable secret
SITE_ZONES = {"jc-north": "north", "jc-east": "east"}  # jc-city stays local
ZONE_DESCRIPTIONS = {"north": "北山县 site network (tests)", "east": "东河县 site network (tests)"}
# Devices whose lab config carries every planted secret form of its platform: two per zone.
PLANTED = ["city-acc-02", "city-core-01", "north-wan-01", "north-core-01", "east-core-01", "east-acc-02"]
# Short enough for a test to see a redelivery, longer than any batch takes (a slow batch of two
# devices ~6 s): a batch running past visibility_timeout is given again, and again, to its own
# worker, which then starves the zone's other batches.
TEST_DISTRIBUTED = {"batch_size": 2, "visibility_timeout": 15, "no_worker_wait": 4, "connect_timeout": 2}
LOG_TAIL = 4000
_LIVE: list[ZoneWorld] = []  # this process's worlds now, for the failure report hook


@dataclass
class WorkerProcess:
    """One `netpatrol worker --zone ZONE` process group; `node` is its Celery name once live."""

    zone: str
    concurrency: int
    proc: subprocess.Popen
    log: Path
    node: str | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def group(self) -> list[int]:
        """Every live process in the worker's process group (the main process and its pool)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.pid and _state(int(entry.name)) != "Z":
                        pids.append(int(entry.name))
                except (ProcessLookupError, FileNotFoundError):
                    continue
        return sorted(pids)

    def pool_children(self) -> list[int]:
        """The prefork pool's processes: the main process's children."""
        return _children(self.pid)

    def kill(self) -> None:
        """SIGKILL the whole group (main process and pool at once), as a power cut would."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)

    def kill_pool_child(self, pid: int | None = None) -> int:
        """SIGKILL one pool child (`pid`, else the first), leaving the main process; returns its pid."""
        children = self.pool_children()
        assert children, f"worker {self.node or self.pid} has no pool child\n{self.log_text()[-LOG_TAIL:]}"
        victim = pid if pid is not None else children[0]
        assert victim in children, f"{victim} is not a pool child of worker {self.node} ({children})"
        os.kill(victim, signal.SIGKILL)
        return victim

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM (Celery's warm shutdown: running tasks finish) and wait; SIGKILL after `timeout`."""
        if self.alive:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        return self.proc.returncode

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return sorted(c for c in set(out) if _state(c) not in ("Z", None))


def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


@dataclass
class ZoneWorld:
    ws: Path
    lab: Any  # conftest.Lab
    redis: RedisServer
    device_password: str
    logs_dir: Path
    workers: list[WorkerProcess] = field(default_factory=list)
    _app: Any = None

    # -- the workspace ---------------------------------------------------------------------------

    @property
    def prefix(self) -> str:
        return str(self.settings()["distributed"].get("queue_prefix", "netpatrol"))

    def settings(self) -> dict:
        return yaml.safe_load((self.ws / "netpatrol.yaml").read_text(encoding="utf-8"))

    def zone_of(self) -> dict[str, str]:
        """host -> zone, as the inventory says (read back through netpatrol's own loader)."""
        from netpatrol.workspace.inventory import load_inventory

        return {h.name: h.zone for h in load_inventory(self.ws, need_secrets=False).hosts.values()}

    def hosts(self, zone: str) -> list[str]:
        return sorted(h for h, z in self.zone_of().items() if z == zone)

    def platform_of(self) -> dict[str, str]:
        return {name: spec.platform for name, spec in self.lab.devices.items()}

    def slow(self, hosts: list[str], line_delay: float = 0.01) -> None:
        """The lab's `slow` fault on `hosts`: every output of 10+ lines comes `line_delay` s per line
        (a batch of two then takes ~6 s at 0.01), so a test can act while their batch runs."""
        from netpatrol.lab import control

        control.up(self.lab.state_dir, self.lab.specs, options={"slow_line_delay": line_delay})
        for host in hosts:
            self.lab.set_faults(host, ["slow"])

    def set_distributed(self, **values: Any) -> None:
        """Change `distributed:` keys (workers started later read the new values)."""
        doc = self.settings()
        doc["distributed"].update(values)
        (self.ws / "netpatrol.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def env(self) -> dict[str, str]:
        """The environment of the central run and of every worker: the passwords the workspace refers to."""
        return {**os.environ, DEVICE_PASSWORD_ENV: self.device_password, BROKER_PASSWORD_ENV: self.redis.password,
                "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}

    def secrets(self) -> dict[str, bytes]:
        """What must never be on the broker or in a result: label -> value."""
        from netpatrol.lab.planted import planted

        out = {"device password": self.device_password.encode(), "broker password": self.redis.password.encode()}
        for host in PLANTED:
            for s in planted(self.lab.devices[host].platform):
                out[f"planted {s.platform}/{s.form} ({host})"] = s.value.encode()
        return out

    # -- central runs ----------------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([*NETPATROL, *args, "-w", str(self.ws)], env=self.env(), capture_output=True,
                              text=True, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([*NETPATROL, *args, "-w", str(self.ws)], env=self.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)

    # -- workers ---------------------------------------------------------------------------------

    def start_worker(self, zone: str, concurrency: int = 1, wait: bool = True, timeout: float = 60) -> WorkerProcess:
        n = sum(1 for w in self.workers if w.zone == zone)
        log = self.logs_dir / f"worker-{zone}-{n}.log"
        with open(log, "ab") as out:
            proc = subprocess.Popen([*NETPATROL, "worker", "--zone", zone, "--concurrency", str(concurrency), "-w", str(self.ws)],
                                    env=self.env(), stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True, close_fds=True)
        worker = WorkerProcess(zone, concurrency, proc, log)
        self.workers.append(worker)
        if wait:
            self.wait_live([worker], timeout)
        return worker

    def start_workers(self, timeout: float = 90, concurrency: int = 1, **per_zone: int) -> list[WorkerProcess]:
        """`start_workers(north=2, east=2)`: started together, returned once every one is live."""
        started = [self.start_worker(zone, concurrency, wait=False) for zone, n in per_zone.items() for _ in range(n)]
        self.wait_live(started, timeout)
        return started

    def app(self):  # -> celery.Celery, this test's own view of the broker
        if self._app is None:
            from celery import Celery

            self._app = Celery("zone-world", broker=self.redis.url, set_as_current=False)
        return self._app

    def consumers(self, timeout: float = 0.5) -> dict[str, list[str]]:
        """Celery node -> the queues it consumes, for every worker that answers now."""
        try:
            replies = self.app().control.inspect(timeout=timeout).active_queues() or {}
        except Exception:  # noqa: BLE001 - the broker may be down in a fault test
            return {}
        return {node: [q["name"] for q in queues] for node, queues in replies.items()}

    def active(self, timeout: float = 0.5) -> dict[str, list[dict]]:
        """Celery node -> the tasks it runs now (each with `args` and the pool child's `worker_pid`)."""
        try:
            return dict(self.app().control.inspect(timeout=timeout).active() or {})
        except Exception:  # noqa: BLE001 - the broker may be down in a fault test
            return {}

    def wait_busy(self, zone: str, timeout: float = 60) -> tuple[WorkerProcess, dict]:
        """Until a worker of `zone` runs a task: (that worker, the task as Celery shows it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for node, tasks in self.active().items():
                worker = next((w for w in self.workers if w.node == node and w.zone == zone and w.alive), None)
                if worker and tasks:
                    return worker, tasks[0]
            time.sleep(0.05)
        raise AssertionError(f"no worker of zone {zone} ran a task within {timeout:g} s\n{self.worker_logs()}")

    def wait_live(self, workers: list[WorkerProcess], timeout: float = 90) -> None:
        """Until each of `workers` consumes its zone's queue (nodes matched by the pid in `ZONE.PID@HOST`)."""
        deadline = time.monotonic() + timeout
        while True:
            dead = [w for w in workers if not w.alive]
            if dead:
                raise AssertionError(f"worker for zone {dead[0].zone} exited with {dead[0].proc.returncode} before it was live\n"
                                     f"{dead[0].log_text()[-LOG_TAIL:]}")
            taken = {w.node for w in self.workers if w.node}
            for node, queues in self.consumers().items():
                for w in workers:
                    if w.node is None and node not in taken and f"{self.prefix}.{w.zone}" in queues and \
                            (f".{w.pid}@" in node or node.split("@")[0].rsplit(".", 1)[-1] in map(str, w.group())):
                        w.node = node
                        taken.add(node)
            if all(w.node for w in workers):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"workers not live within {timeout:g} s: "
                                     f"{[w.zone for w in workers if not w.node]}\n{self.worker_logs()}")
            time.sleep(0.2)

    def worker_of(self, node: str) -> WorkerProcess:
        return next(w for w in self.workers if w.node == node)

    def stop_workers(self) -> None:
        for w in self.workers:
            if w.alive:
                w.kill()

    def worker_logs(self, tail: int = LOG_TAIL) -> str:
        return "\n".join(f"--- worker {w.zone} pid {w.pid} node {w.node} rc {w.proc.poll()} ({w.log.name}) ---\n"
                         f"{w.log_text()[-tail:]}" for w in self.workers)

    def close(self) -> None:
        self.stop_workers()
        if self._app is not None:
            self._app.close()


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


def write_zone_workspace(ws: Path, redis: RedisServer, distributed: dict[str, Any] | None = None,
                         planted: list[str] | None = None) -> None:
    """Turn a copy of the sample workspace into the zone world's (zones, broker, planted secrets)."""
    path = ws / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["zones"] = {zone: {"description": text} for zone, text in ZONE_DESCRIPTIONS.items()}
    doc["distributed"] = {"broker": f"redis://:${{{BROKER_PASSWORD_ENV}}}@127.0.0.1:{redis.port}/0",
                          **TEST_DISTRIBUTED, **(distributed or {})}
    doc["workers"] = 8
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    path = ws / "inventory" / "groups.yaml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))
    for group, zone in SITE_ZONES.items():
        groups[group].setdefault("data", {})["zone"] = zone
    path.write_text(yaml.safe_dump(groups, allow_unicode=True, sort_keys=False), encoding="utf-8")

    path = ws / "lab.yaml"
    lab = yaml.safe_load(path.read_text(encoding="utf-8"))
    for host in PLANTED if planted is None else planted:
        entry = lab["devices"].setdefault(host, {})
        entry["scenarios"] = [*entry.get("scenarios", []), "planted_secrets"]
    path.write_text(yaml.safe_dump(lab, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def make_zone_world(sample_workspace: Path, make_lab, redis_server: RedisServer,
                    tmp_path: Path) -> Iterator[Any]:
    """`make_zone_world(distributed={...}, planted=[...])` -> a ZoneWorld (one per test)."""
    worlds: list[ZoneWorld] = []

    def make(distributed: dict[str, Any] | None = None, planted: list[str] | None = None) -> ZoneWorld:
        assert not worlds, "one zone world per test: its lab and broker are the test's own"
        write_zone_workspace(sample_workspace, redis_server, distributed, planted)
        lab = make_lab.from_workspace(sample_workspace)
        logs = tmp_path / "worker-logs"
        logs.mkdir(exist_ok=True)
        world = ZoneWorld(sample_workspace, lab, redis_server, os.environ[DEVICE_PASSWORD_ENV], logs)
        worlds.append(world)
        _LIVE.append(world)
        return world

    yield make
    for world in worlds:
        _LIVE.remove(world)
        world.close()


@pytest.fixture
def zone_world(make_zone_world) -> ZoneWorld:
    """The default zone world (see the module's docstring); no worker runs until the test starts some."""
    return make_zone_world()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failing zone test's report carries every worker's log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when in ("setup", "call"):
        for world in _LIVE:
            if world.workers:
                report.sections.append(("zone workers' logs", world.worker_logs()))
