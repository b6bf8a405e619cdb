"""The run's worker threads leave SIGINT to the main thread (collect/threads.py).

Linux delivers a process's SIGINT to any thread that does not block it; only the main thread turns
it into KeyboardInterrupt, and only a signal delivered to it interrupts its wait for the workers.
"""

from __future__ import annotations

import signal
import threading

import pytest

from netpatrol.collect.threads import run_workers

pytestmark = pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="no per-thread signal masks here")


def _blocks_sigint() -> bool:
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_workers_and_the_threads_they_start_block_sigint_and_the_main_thread_does_not():
    seen: list[tuple[str, bool]] = []
    lock = threading.Lock()

    def note(who: str) -> None:
        with lock:
            seen.append((who, _blocks_sigint()))

    def work() -> None:
        note("worker")
        # as paramiko starts its transport thread from inside a session
        inner = threading.Thread(target=note, args=("started by a worker",))
        inner.start()
        inner.join()

    run_workers(work, 3)
    assert sorted(seen) == [("started by a worker", True)] * 3 + [("worker", True)] * 3
    assert not _blocks_sigint()


def test_every_worker_runs_and_the_call_returns_when_all_have_ended():
    ran = []
    lock = threading.Lock()

    def work() -> None:
        with lock:
            ran.append(threading.current_thread().name)

    run_workers(work, 4)
    assert sorted(ran) == [f"netpatrol-{n}" for n in range(4)]
    assert not [t for t in threading.enumerate() if t.name.startswith("netpatrol-")]
