"""`netpatrol worker --zone Z` processes for the zones' tests, each in a process group of its own.

`ZoneWorkers(ws, logs_dir, broker_url, env)`: `start_worker(zone)` / `start_workers(north=2)` return
once Celery says each consumes its zone's queue (nodes matched by the pid in `ZONE.PID@HOST`);
`wait_busy(zone)` until one runs a task; `close()` SIGKILLs every group still running. Used by
tests/zone_world.py's ZoneWorld (a subclass) and by the dispatch tests on their own workspaces.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from fault_world import NETPATROL

LOG_TAIL = 4000


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


class ZoneWorkers:
    """The worker processes of one workspace; `env()` is their environment (the passwords they need)."""

    def __init__(self, ws: Path, logs_dir: Path, broker_url: str, env: dict[str, str] | None = None):
        self.ws = ws
        self.logs_dir = logs_dir
        self.broker_url = broker_url
        self._env = env
        self.workers: list[WorkerProcess] = []
        self._app = None

    @property
    def prefix(self) -> str:
        doc = yaml.safe_load((self.ws / "netpatrol.yaml").read_text(encoding="utf-8"))
        return str(doc["distributed"].get("queue_prefix", "netpatrol"))

    def env(self) -> dict[str, str]:
        return dict(self._env if self._env is not None else os.environ)

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

            self._app = Celery("zone-world", broker=self.broker_url, set_as_current=False)
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
