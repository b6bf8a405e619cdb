"""Spread one device run over several processes, so a large run is not bound to one core by the GIL.

The parent runs a share of the hosts itself and starts `processes - 1` children. Every process
builds its own Nornir over the same hosts and settings and takes the next unclaimed host from one
shared counter, so a process that started late (a spawned child imports netmiko first, ~1 s) or
drew slow devices simply takes fewer: no static split to get wrong. Children send each host's
outcome (value, or the translated DeviceError) back pickled; the parent alone writes files,
commits and updates records, so a run cut short leaves nothing half-written.

Children are started with `spawn`, not `fork`: the parent holds the workspace lock (an flock that
a forked child would share and keep alive), GitPython state and possibly threads (a syslog
listener, a scheduler). They are daemonic (ended when the parent exits normally), ask the kernel
for SIGKILL when the parent dies (Linux), and ignore SIGINT: on Ctrl-C the parent stops handing
out hosts and terminates them itself.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from nornir.core.task import AggregatedResult, Task

from netpatrol import errors
from netpatrol.collect.build import build_nornir, procedure_task, with_retries
from netpatrol.collect.collector import Outcome, Procedure
from netpatrol.collect.progress import Processor
from netpatrol.collect.threads import run_workers
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace

log = logging.getLogger(__name__)

ProcessSetting = int | Literal["auto"]

# Below this many hosts a second interpreter (≈1 CPU-s of imports) costs more than it saves.
AUTO_MIN_HOSTS = 100
AUTO_MAX_PROCESSES = 4
_PR_SET_PDEATHSIG = 1
_DONE = b"done"


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def resolve_processes(setting: ProcessSetting | None, n_hosts: int, cpus: int | None = None) -> int:
    """How many processes a run of `n_hosts` uses: an explicit number (never more than hosts), or
    for "auto" min(cpus, 4) once there are at least AUTO_MIN_HOSTS hosts, else 1."""
    if n_hosts <= 1:
        return 1
    if setting is None or setting == "auto":
        if n_hosts < AUTO_MIN_HOSTS:
            return 1
        return max(1, min(cpus or available_cpus(), AUTO_MAX_PROCESSES, n_hosts))
    return max(1, min(int(setting), n_hosts))


class ClaimCounter:
    """Index of the next unclaimed host, shared by every process and thread of one run."""

    def __init__(self, value: Any, total: int):
        self._value = value  # a multiprocessing.Value("i") or a local stand-in
        self.total = total

    def claim(self) -> int | None:
        with self._value.get_lock():
            i = self._value.value
            if i >= self.total:
                return None
            self._value.value = i + 1
            return i

    def close(self) -> None:
        """No more hosts for anyone (Ctrl-C): running devices finish, no new ones start."""
        with self._value.get_lock():
            self._value.value = self.total


class ClaimRunner:
    """A Nornir runner whose threads take hosts from a ClaimCounter instead of a fixed list."""

    def __init__(self, counter: ClaimCounter, names: list[str], num_workers: int):
        self.counter = counter
        self.names = names
        self.num_workers = num_workers

    def run(self, task: Task, hosts: list[Any]) -> AggregatedResult:
        by_name = {h.name: h for h in hosts}
        result = AggregatedResult(task.name)
        lock = threading.Lock()

        def work() -> None:
            while (i := self.counter.claim()) is not None:
                host = by_name.get(self.names[i])
                if host is None:  # excluded by Nornir (failed hosts): nobody runs it
                    continue
                r = task.copy().start(host)
                with lock:
                    result[host.name] = r

        try:
            run_workers(work, self.num_workers)  # daemonic: Ctrl-C returns at once (collect/threads.py)
        except BaseException:
            self.counter.close()
            raise
        return result


class Reporter(Processor):
    """Nornir processor: each finished host becomes one Outcome, its error a DeviceError (with_retries)."""

    def __init__(self, deliver: Callable[[Outcome], None]):
        self.deliver = deliver

    def task_instance_completed(self, task, host, result) -> None:
        top = result[0]
        self.deliver(Outcome(host.name, not result.failed, top.result, top.exception))


@dataclass
class ShardJob:
    """Everything a child needs; pickled to it once at start."""

    ws: Workspace
    hosts: list[ResolvedHost]
    workers: int
    procedure: Procedure[Any]


def _encode(outcome: Outcome) -> bytes:
    # Pickled here, in the worker thread, not in the Queue's feeder thread: a value that does not
    # pickle there would only be printed on stderr and the host silently lost.
    try:
        return pickle.dumps(outcome)
    except Exception as exc:  # noqa: BLE001 - any pickling failure becomes this host's error
        err = errors.DeviceError(outcome.host, f"result could not be passed between processes: {type(exc).__name__}")
        return pickle.dumps(Outcome(outcome.host, False, None, err))


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(errors.ExitCode.INTERRUPTED)

    def watch() -> None:  # where prctl is missing: notice re-parenting within a second
        while os.getppid() == parent:
            threading.Event().wait(1.0)
        os._exit(errors.ExitCode.INTERRUPTED)

    if not sys.platform.startswith("linux"):
        threading.Thread(target=watch, daemon=True).start()


def _child(job: ShardJob, value: Any, results: Any, parent: int) -> None:
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    nr = build_nornir(job.ws, job.hosts, job.workers)
    ctx = nr.config.user_defined["netpatrol"]
    counter = ClaimCounter(value, len(job.hosts))
    runner = ClaimRunner(counter, [h.name for h in job.hosts], job.workers)
    try:
        nr.with_runner(runner).with_processors([Reporter(lambda o: results.put(_encode(o)))]).run(
            task=with_retries(procedure_task, ctx.retries, ctx.retry_backoff), procedure=job.procedure)
    finally:
        nr.close_connections(on_good=True, on_failed=True)
        results.put(_DONE)
        results.close()
        results.join_thread()


def run_sharded(
    job: ShardJob,
    processes: int,
    run_local: Callable[[ClaimRunner, Reporter], None],
    on_outcome: Callable[[Outcome], None],
) -> dict[str, Outcome]:
    """Run `job` in this process (through `run_local`) and `processes - 1` children.

    `on_outcome` is called once per finished host, from this process's worker threads and from
    the thread that reads the children's results (so it must be thread-safe).
    """
    try:
        pickle.dumps(job.procedure)
    except Exception as exc:
        func = getattr(job.procedure, "func", job.procedure)  # a functools.partial names its function
        raise TypeError(f"procedure {getattr(func, '__name__', type(func).__name__)!r} or its arguments cannot be sent "
                        f"to shard processes ({exc}); use module-level functions and picklable values") from exc
    mp = multiprocessing.get_context("spawn")
    value = mp.Value("i", 0)
    results = mp.Queue()
    counter = ClaimCounter(value, len(job.hosts))
    names = [h.name for h in job.hosts]
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()

    def record(outcome: Outcome) -> None:
        with lock:
            outcomes[outcome.host] = outcome
        on_outcome(outcome)

    children = [mp.Process(target=_child, args=(job, value, results, os.getpid()), daemon=True,
                           name=f"netpatrol-shard-{n}") for n in range(1, processes)]
    for c in children:
        c.start()
    reader = threading.Thread(target=_drain, args=(results, children, record), daemon=True, name="netpatrol-shard-results")
    reader.start()
    try:
        run_local(ClaimRunner(counter, names, job.workers), Reporter(record))
        reader.join()
    except BaseException:
        counter.close()
        _stop(children, grace=0)
        raise
    finally:
        _stop(children, grace=5)
        results.close()
    for c in children:
        if c.exitcode != 0:
            log.warning("shard process %s ended with exit code %s", c.name, c.exitcode)
    for name in names:
        if name not in outcomes:  # claimed by a child that died before reporting it
            outcomes[name] = Outcome(name, False, None, errors.DeviceError(
                name, "the worker process running this device ended unexpectedly; no result"))
    return outcomes


def _drain(results: Any, children: list[Any], record: Callable[[Outcome], None]) -> None:
    """Pass the children's outcomes on until each has sent its end marker or has died."""
    done = 0
    while done < len(children):
        try:
            item = results.get(timeout=0.5)
        except queue.Empty:
            # A child killed before its end marker: what it sent arrived long before its exit
            # was noticed, so an empty queue with every child gone means nothing more will come.
            if all(c.exitcode is not None for c in children):
                return
            continue
        if item == _DONE:
            done += 1
        else:
            record(pickle.loads(item))


def _stop(children: list[Any], grace: float) -> None:
    """Wait up to `grace` s for children to finish, then terminate, then kill what is left."""
    for c in children:
        c.join(timeout=grace)
    for c in children:
        if c.is_alive():
            c.terminate()
    for c in children:
        c.join(timeout=2)
        if c.is_alive():
            c.kill()
            c.join(timeout=2)


def parse_processes(text: str | None) -> ProcessSetting | None:
    """`--processes` value: None (use netpatrol.yaml), "auto", or a whole number >= 1."""
    if text is None:
        return None
    text = text.strip().lower()
    if text == "auto":
        return "auto"
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise errors.UsageError(f"--processes {text!r}: expected a number >= 1 or 'auto', e.g. --processes 2")
