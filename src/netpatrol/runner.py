"""Build a Nornir object from the validated inventory and run one task over selected hosts."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
from nornir.plugins.runners import ThreadedRunner

from netpatrol import errors
from netpatrol.connection import SessionContext, register_plugin, translate
from netpatrol.hostkeys import HostKeyStore
from netpatrol.inventory import ResolvedHost
from netpatrol.progress import Outcome, ResultCollector, RichProgress
from netpatrol.workspace import Workspace


# Nornir logs every failed task with its traceback; with no handler configured Python's last-resort
# handler would print them on stderr. Failures are reported once, by the CLI, from the outcomes.
logging.getLogger("nornir").addHandler(logging.NullHandler())
logging.getLogger("nornir").propagate = False


def _nornir_host(h: ResolvedHost, defaults: Defaults) -> Host:
    extras = dict(h.extras)
    secret = h.secret("secret")
    if secret:
        extras["secret"] = secret
    return Host(
        name=h.name,
        hostname=h.hostname,
        username=h.username,
        password=h.secret("password"),
        port=h.port,
        platform=h.platform,
        data={"netpatrol": h},
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
    )
    ws.ensure_state_dir()
    defaults = Defaults()
    inventory = Inventory(
        hosts=Hosts({h.name: _nornir_host(h, defaults) for h in hosts}),
        groups=Groups(),
        defaults=defaults,
    )
    # Nornir's default logging writes nornir.log into the current directory: keep it off.
    config = Config(logging={"enabled": False}, user_defined={"netpatrol": ctx})
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=workers or settings.workers), config=config)


def run_task(
    nr: Nornir,
    task: Callable[..., Any],
    description: str,
    show_progress: bool | None = None,
    **kwargs: Any,
) -> dict[str, Outcome]:
    """Run `task` on every host; each outcome holds the value or one translated DeviceError."""
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    collector = ResultCollector()
    bar = RichProgress(len(nr.inventory.hosts), description, enabled=show_progress)
    nr.data.reset_failed_hosts()
    try:
        nr.with_processors([bar, collector]).run(task=task, **kwargs)
    finally:
        nr.close_connections(on_good=True, on_failed=True)
    for name, outcome in collector.outcomes.items():
        if outcome.error is not None and not isinstance(outcome.error, errors.DeviceError):
            host = nr.inventory.hosts[name]
            outcome.error = translate(outcome.error, name, f"{host.hostname}:{host.port}")
    return collector.outcomes
