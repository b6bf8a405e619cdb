"""Nornir processors: a progress bar and a thread-safe result collector.

Tasks stay plain functions; the CLI decides how results are shown. `task_instance_*` hooks run on
worker threads, so the collector guards its dict with a lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Processor:
    """A Nornir processor that does nothing; subclasses override the hooks they need."""

    def task_started(self, task) -> None: ...
    def task_completed(self, task, result) -> None: ...
    def task_instance_started(self, task, host) -> None: ...
    def task_instance_completed(self, task, host, result) -> None: ...
    def subtask_instance_started(self, task, host) -> None: ...
    def subtask_instance_completed(self, task, host, result) -> None: ...


class RichProgress(Processor):
    """One bar per run, advanced as each host finishes; drawn on stderr so --json stays clean."""

    def __init__(self, total: int, description: str, enabled: bool = True):
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
            transient=False,
        )
        self._bar = self.progress.add_task(description, total=total, last="")

    def task_started(self, task) -> None:
        self.progress.start()

    def task_instance_completed(self, task, host, result) -> None:
        mark = "✗" if result.failed else "✓"
        self.progress.update(self._bar, advance=1, last=f"{mark} {host.name}")

    def task_completed(self, task, result) -> None:
        self.progress.stop()


@dataclass
class Outcome:
    host: str
    ok: bool
    value: Any = None
    error: BaseException | None = None


@dataclass
class ResultCollector(Processor):
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def task_instance_completed(self, task, host, result) -> None:
        top = result[0]
        outcome = Outcome(host.name, not result.failed, top.result, top.exception)
        with self._lock:
            self.outcomes[host.name] = outcome
