"""Build a Nornir object from the validated inventory and run one task over selected hosts."""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from nornir.core import Nornir
from nornir.core.configuration import Config, LoggingConfig
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Groups,
    Host,
    Hosts,
    Inventory,
)
from nornir.plugins.runners import ThreadedRunner

from netpatrol import errors
from netpatrol.collect.session import SessionContext, register_plugin
from netpatrol.collect.hostkeys import HostKeyStore
from netpatrol.workspace.inventory import SECRET_EXTRAS, ResolvedHost
from netpatrol.collect.progress import Outcome, ResultCollector, RichProgress
from netpatrol.collect.shard import ProcessSetting, ShardJob, resolve_processes, run_sharded
from netpatrol.workspace.settings import Workspace

# Nornir logs every failed task with its traceback; with no handler configured Python's last-resort
# handler would print them on stderr. Failures are reported once, by the CLI, from the outcomes.
logging.getLogger("nornir").addHandler(logging.NullHandler())
logging.getLogger("nornir").propagate = False


# Inventory connection options that are netpatrol's, not netmiko's: kept out of netmiko's kwargs.
TELNET_OPTIONS = ("telnet_fallback", "telnet_port")


def _nornir_host(h: ResolvedHost, defaults: Defaults) -> Host:
    extras = dict(h.extras)
    telnet = {k: extras.pop(k) for k in TELNET_OPTIONS if k in extras}
    for name in SECRET_EXTRAS:
        value = h.secret(name)
        if value:
            extras[name] = value
    return Host(
        name=h.name,
        hostname=h.hostname,
        username=h.username,
        password=h.secret("password"),
        port=h.port,
        platform=h.platform,
        data={"netpatrol": h, "telnet": telnet if telnet.get("telnet_fallback") else None},
        connection_options={"netmiko": ConnectionOptions(extras=extras)},
        defaults=defaults,
    )


def build_nornir(ws: Workspace, hosts: list[ResolvedHost], workers: int | None = None) -> Nornir:
    register_plugin()
    settings = ws.settings
    ctx = SessionContext(
        hostkeys=HostKeyStore(ws.known_hosts),
        conn_timeout=settings.connection.conn_timeout,
        auth_timeout=settings.connection.auth_timeout,
        read_timeout=settings.connection.read_timeout,
        fast_cli=settings.connection.fast_cli,
        retries=settings.connection.retries,
        retry_backoff=settings.connection.retry_backoff,
    )
    ws.ensure_state_dir()
    defaults = Defaults()
    inventory = Inventory(
        hosts=Hosts({h.name: _nornir_host(h, defaults) for h in hosts}),
        groups=Groups(),
        defaults=defaults,
    )
    # Nornir's default logging writes nornir.log into the current directory: keep it off.
    # The workspace rides along so run_task can give shard processes the same settings.
    config = Config(logging=LoggingConfig(enabled=False), user_defined={"netpatrol": ctx, "netpatrol_workspace": ws})
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=workers or settings.workers), config=config)


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


def with_retries(task: Callable[..., Any], retries: int, backoff: float) -> Callable[..., Any]:
    """`task`, re-run up to `retries` times after a transient DeviceError, waiting backoff·2^n s.

    The whole task is repeated (a fresh session each time: collect.session closes its own), so a
    dropped session never leaves half an output behind. Authentication failures, host-key
    mismatches and refused or incomplete outputs are final at once.
    """

    @functools.wraps(task)
    def run(t: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            try:
                return task(t, **kwargs)
            except errors.DeviceError as err:
                if not err.transient or attempt >= retries:
                    if attempt:
                        err.reason = f"{err.reason} (after {attempt + 1} attempts)"
                        err.args = (f"{err.host}: {err.reason}",)
                    raise err from None
            except Exception as exc:  # noqa: BLE001 - a failure outside the device session
                # e.g. a fault in netpatrol's own handling of one device's output: that device
                # fails with status "error", the others go on.
                raise errors.DeviceError(t.host.name, f"{type(exc).__name__}: {exc}") from None
            time.sleep(backoff * 2**attempt)
            attempt += 1

    return run
