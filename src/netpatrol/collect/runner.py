"""Run one task over the hosts of a Nornir object (collect.build), in this process or sharded."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from nornir.core import Nornir

from netpatrol.collect.build import with_retries
from netpatrol.collect.progress import Outcome, ResultCollector, RichProgress
from netpatrol.collect.session import SessionContext
from netpatrol.collect.shard import ProcessSetting, ShardJob, resolve_processes, run_sharded
from netpatrol.workspace.settings import Workspace


def run_task(
    nr: Nornir,
    task: Callable[..., Any],
    description: str,
    show_progress: bool | None = None,
    processes: ProcessSetting | None = None,
    **kwargs: Any,
) -> dict[str, Outcome]:
    """Run `task` on every host; each outcome holds the value or one DeviceError (with_retries).

    `processes` (default: the workspace's `processes` setting, "auto") spreads the hosts over
    that many processes (shard.py); the task and its kwargs must then pickle. Workers are the
    run's total: each process runs workers/processes hosts at once.
    """
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    ws: Workspace | None = nr.config.user_defined.get("netpatrol_workspace")
    n = len(nr.inventory.hosts)
    if processes is None and ws is not None:
        processes = ws.settings.processes
    count = resolve_processes(processes, n) if ws is not None else 1
    bar = RichProgress(n, description, enabled=show_progress)
    nr.data.reset_failed_hosts()
    if count > 1 and ws is not None:
        return _run_sharded(nr, ws, task, count, bar, kwargs)
    collector = ResultCollector()
    ctx: SessionContext = nr.config.user_defined["netpatrol"]
    try:
        nr.with_processors([bar, collector]).run(task=with_retries(task, ctx.retries, ctx.retry_backoff), **kwargs)
    finally:
        nr.close_connections(on_good=True, on_failed=True)
    return collector.outcomes


def _run_sharded(nr: Nornir, ws: Workspace, task: Callable[..., Any], count: int, bar: RichProgress,
                 kwargs: dict[str, Any]) -> dict[str, Outcome]:
    ctx: SessionContext = nr.config.user_defined["netpatrol"]
    total_workers = getattr(nr.runner, "num_workers", None) or ws.settings.workers
    hosts = [h.data["netpatrol"] for h in nr.inventory.hosts.values()]
    job = ShardJob(ws, hosts, max(1, -(-total_workers // count)), task, kwargs)
    bar_lock = threading.Lock()

    def advance(outcome: Outcome) -> None:
        # The bar is a Nornir processor; it is driven here because hosts finish in other processes.
        with bar_lock:
            bar.task_instance_completed(None, SimpleNamespace(name=outcome.host), SimpleNamespace(failed=not outcome.ok))

    def run_local(runner: Any, reporter: Any) -> None:
        try:
            nr.with_runner(runner).with_processors([reporter]).run(
                task=with_retries(task, ctx.retries, ctx.retry_backoff), **kwargs)
        finally:
            nr.close_connections(on_good=True, on_failed=True)

    bar.task_started(None)
    try:
        return run_sharded(job, count, run_local, advance)
    finally:
        bar.task_completed(None, None)

