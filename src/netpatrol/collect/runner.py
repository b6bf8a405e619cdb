"""The default Collector: every selected host over SSH through Nornir, sharded over processes.

`default_collector` picks what a service runs when it is given none: this SSH collector, or, when
some device is in another network zone, the zones' dispatcher around it (zones/dispatch.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from nornir.core import Nornir

from netpatrol.collect.build import build_nornir, procedure_task, with_retries
from netpatrol.collect.collector import Collector, Outcome, Procedure, ProgressReporter, T
from netpatrol.collect.progress import ProgressProcessor, ResultCollector
from netpatrol.collect.session import SessionContext
from netpatrol.collect.shard import (
    ClaimRunner,
    ProcessSetting,
    Reporter,
    ShardJob,
    resolve_processes,
    run_sharded,
)
from netpatrol.workspace.distributed import LOCAL_ZONE
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace


class SshCollector:
    """Runs a procedure on each host over its own SSH session, `workers` hosts at a time.

    `processes` (default: the workspace's `processes` setting, "auto") spreads the hosts over
    that many processes (collect.shard); the procedure must then pickle. Workers are the run's
    total: each process runs workers/processes hosts at once.
    """

    def __init__(self, ws: Workspace, workers: int | None = None, processes: ProcessSetting | None = None):
        self.ws = ws
        self.workers = workers
        self.processes = processes

    def __call__(self, hosts: Sequence[ResolvedHost], procedure: Procedure[T],
                 progress: ProgressReporter) -> dict[str, Outcome[T]]:
        hosts = list(hosts)
        nr = build_nornir(self.ws, hosts, self.workers)
        setting = self.processes if self.processes is not None else self.ws.settings.processes
        count = resolve_processes(setting, len(hosts))
        if count > 1:
            return self._sharded(nr, hosts, procedure, count, progress)
        nr.data.reset_failed_hosts()
        collector = ResultCollector()
        ctx: SessionContext = nr.config.user_defined["netpatrol"]
        try:
            nr.with_processors([ProgressProcessor(progress), collector]).run(
                task=with_retries(procedure_task, ctx.retries, ctx.retry_backoff), procedure=procedure)
        finally:
            nr.close_connections(on_good=True, on_failed=True)
        return collector.outcomes

    def _sharded(self, nr: Nornir, hosts: list[ResolvedHost], procedure: Procedure[T], count: int,
                 progress: ProgressReporter) -> dict[str, Outcome[T]]:
        ctx: SessionContext = nr.config.user_defined["netpatrol"]
        total_workers = getattr(nr.runner, "num_workers", None) or self.ws.settings.workers
        job = ShardJob(self.ws, hosts, max(1, -(-total_workers // count)), procedure)
        lock = threading.Lock()

        def advance(outcome: Outcome[Any]) -> None:
            # Hosts finish in other processes too, so the bar is driven here, once per outcome.
            with lock:
                progress.advance(outcome.host, outcome.ok)

        def run_local(runner: ClaimRunner, reporter: Reporter) -> None:
            try:
                nr.with_runner(runner).with_processors([reporter]).run(
                    task=with_retries(procedure_task, ctx.retries, ctx.retry_backoff), procedure=procedure)
            finally:
                nr.close_connections(on_good=True, on_failed=True)

        progress.start()
        try:
            return run_sharded(job, count, run_local, advance)
        finally:
            progress.stop()


def default_collector(ws: Workspace, hosts: Sequence[ResolvedHost], workers: int | None = None,
                      processes: ProcessSetting | None = None) -> Collector:
    """SshCollector when every host is local; else a ZoneCollector, which checks the broker now
    (BrokerError, exit 2), so a service asks for it before it writes anything."""
    local = SshCollector(ws, workers=workers, processes=processes)
    if all(h.zone == LOCAL_ZONE for h in hosts):
        return local
    from netpatrol.workspace.zone_check import check_zones

    # A zone netpatrol.yaml does not declare is a typo no worker serves: refused now (exit 2), not
    # `no_collector` for each of its devices after the wait.
    check_zones(ws.settings, hosts)
    # Imported here: a run without zones never loads Celery.
    from netpatrol.zones.dispatch import ZoneCollector

    return ZoneCollector(ws, local)
