"""A Nornir runner whose worker threads are daemonic, so Ctrl-C ends a run at once.

Nornir's ThreadedRunner leaves a `with ThreadPoolExecutor()` block on KeyboardInterrupt only after
every running task has finished: a device that accepted the connection and then says nothing holds
the interrupted run for its whole login budget. Here the main thread waits on `join()`, which a
signal interrupts, and the sessions die with the process (the store's writes are atomic and its
lock is an flock, so nothing half-written is kept). Worker threads block SIGINT, and so do the
threads they start (paramiko's transports inherit the mask): Linux hands a process's signal to any
thread that does not block it, and only the main thread's wait can turn it into KeyboardInterrupt.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable
from typing import Any

from nornir.core.task import AggregatedResult, MultiResult, Task


class DaemonThreadRunner:
    def __init__(self, num_workers: int = 20) -> None:
        self.num_workers = num_workers

    def run(self, task: Task, hosts: list[Any]) -> AggregatedResult:
        pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for host in hosts:
            pending.put(host)
        done: dict[str, MultiResult] = {}
        lock = threading.Lock()

        def work() -> None:
            while True:
                try:
                    host = pending.get_nowait()
                except queue.Empty:
                    return
                outcome = task.copy().start(host)
                with lock:
                    done[host.name] = outcome

        run_workers(work, max(1, min(self.num_workers, len(hosts))))
        result = AggregatedResult(task.name)
        for host in hosts:  # in inventory order, as Nornir's own runner gives them
            if host.name in done:
                result[host.name] = done[host.name]
        return result


def run_workers(work: Callable[[], None], count: int) -> None:
    """`work` in `count` daemonic threads that block SIGINT; returns when all have ended."""

    def worker() -> None:
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        work()

    threads = [threading.Thread(target=worker, daemon=True, name=f"netpatrol-{n}") for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
