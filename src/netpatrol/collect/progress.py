"""The run's progress bar, and the Nornir processors that feed it and collect results.

Procedures stay plain functions; the CLI decides how results are shown. `task_instance_*` hooks
run on worker threads, so the collector guards its dict with a lock.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from netpatrol.collect.collector import Outcome, ProgressReporter
from netpatrol.workspace.distributed import LOCAL_ZONE


class RichProgress:
    """One bar per run, advanced as each host finishes; drawn on stderr so --json stays clean.

    With `zones` (host -> zone), the bar also counts each zone's finished devices
    (`local 3/3 · county-a 10/20`): a zone that stalls shows at a glance.
    """

    def __init__(self, total: int, description: str, enabled: bool = True, zones: Mapping[str, str] | None = None):
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[zones]}"),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
            transient=False,
        )
        self.zones = dict(zones or {})
        self.zone_totals: dict[str, int] = {}
        for zone in self.zones.values():
            self.zone_totals[zone] = self.zone_totals.get(zone, 0) + 1
        self.zone_done = dict.fromkeys(self.zone_totals, 0)
        # Hosts finish on collector threads (Nornir's, a zone dispatcher's): the counts need one lock.
        self._lock = threading.Lock()
        self._bar = self.progress.add_task(description, total=total, last="", zones=self.zone_counts())

    def zone_counts(self) -> str:
        """`local 3/3 · county-a 10/20`, or "" when every device is local."""
        if not self.zone_totals or set(self.zone_totals) == {LOCAL_ZONE}:
            return ""
        order = sorted(self.zone_totals, key=lambda z: (z != LOCAL_ZONE, z))
        return " · ".join(f"{z} {self.zone_done[z]}/{self.zone_totals[z]}" for z in order)

    def start(self) -> None:
        self.progress.start()

    def advance(self, host: str, ok: bool) -> None:
        with self._lock:
            zone = self.zones.get(host)
            if zone is not None:
                self.zone_done[zone] += 1
            self.progress.update(self._bar, advance=1, last=f"{'✓' if ok else '✗'} {host}", zones=self.zone_counts())

    def stop(self) -> None:
        self.progress.stop()


def progress_bar(total: int, description: str, show: bool | None = None,
                 zones: Mapping[str, str] | None = None) -> RichProgress:
    """The bar of a run over `total` hosts; shown by default only when stderr is a terminal.
    `zones` (host -> zone) adds per-zone counts when any device is outside the local zone."""
    return RichProgress(total, description, enabled=sys.stderr.isatty() if show is None else show, zones=zones)


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
