"""Build a Nornir object from the validated inventory: one host per ResolvedHost, the session
plugin registered, host keys and timeouts from the workspace."""

from __future__ import annotations

import logging

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Groups,
    Host,
    Hosts,
    Inventory,
)
from nornir.plugins.runners import ThreadedRunner

from netpatrol.collect.hostkeys import HostKeyStore
from netpatrol.collect.session import SessionContext, register_plugin
from netpatrol.workspace.inventory import SECRET_EXTRAS, ResolvedHost
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
    config = Config(logging={"enabled": False}, user_defined={"netpatrol": ctx, "netpatrol_workspace": ws})
    return Nornir(inventory=inventory, runner=ThreadedRunner(num_workers=workers or settings.workers), config=config)
