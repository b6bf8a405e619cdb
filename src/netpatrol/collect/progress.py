"""The run's progress bar, and the Nornir processors that feed it and collect results.

Procedures stay plain functions; the CLI decides how results are shown. `task_instance_*` hooks
run on worker threads, so the collector guards its dict with a lock.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from netpatrol.collect.collector import Outcome, ProgressReporter


class RichProgress:
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

    def start(self) -> None:
        self.progress.start()

    def advance(self, host: str, ok: bool) -> None:
        self.progress.update(self._bar, advance=1, last=f"{'✓' if ok else '✗'} {host}")

    def stop(self) -> None:
        self.progress.stop()


def progress_bar(total: int, description: str, show: bool | None = None) -> RichProgress:
    """The bar of a run over `total` hosts; shown by default only when stderr is a terminal."""
    return RichProgress(total, description, enabled=sys.stderr.isatty() if show is None else show)


class Processor:
    """A Nornir processor that does nothing; subclasses override the hooks they need."""

    def task_started(self, task) -> None: ...
    def task_completed(self, task, result) -> None: ...
    def task_instance_started(self, task, host) -> None: ...
    def task_instance_completed(self, task, host, result) -> None: ...
    def subtask_instance_started(self, task, host) -> None: ...
    def subtask_instance_completed(self, task, host, result) -> None: ...


class ProgressProcessor(Processor):
    """Drives a ProgressReporter from Nornir's hooks."""

    def __init__(self, reporter: ProgressReporter):
        self.reporter = reporter

    def task_started(self, task) -> None:
        self.reporter.start()

    def task_instance_completed(self, task, host, result) -> None:
        self.reporter.advance(host.name, not result.failed)

    def task_completed(self, task, result) -> None:
        self.reporter.stop()


@dataclass
class ResultCollector(Processor):
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def task_instance_completed(self, task, host, result) -> None:
        top = result[0]
        outcome = Outcome(host.name, not result.failed, top.result, top.exception)
        with self._lock:
            self.outcomes[host.name] = outcome
