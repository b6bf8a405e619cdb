"""Nornir over the selected hosts, and the task that runs a procedure on each over an SSH session.

`procedure_task` is the one Nornir task of every run: it hands the procedure the host's
ResolvedHost and a `connect` that opens the SSH session (collect.task.session) as a Device.
`with_retries` repeats it after transient failures. Used in the parent and in shard processes
alike (collect.runner, collect.shard).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from nornir.core.task import Task

from netpatrol import errors
from netpatrol.collect.collector import Device, Procedure
from netpatrol.collect.hostkeys import HostKeyStore
from netpatrol.collect.session import (
    CommandOutput,
    SessionContext,
    register_plugin,
    send,
)
from netpatrol.collect.task import read_timeout, session
from netpatrol.collect.threads import DaemonThreadRunner
from netpatrol.platforms import PlatformProfile
from netpatrol.workspace.inventory import SECRET_EXTRAS, ResolvedHost
from netpatrol.workspace.settings import Workspace

# Nornir logs every failed task with its traceback; with no handler configured Python's last-resort
# handler would print them on stderr. Failures are reported once, by the CLI, from the outcomes.
# Paramiko's transport threads log their own failures (a banner read cut short by Ctrl-C, say) with
# a traceback; netpatrol reports each device's failure itself, once.
for _name in ("nornir", "paramiko"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


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
    # The workspace rides along so the collector can give shard processes the same settings.
    config = Config(logging=LoggingConfig(enabled=False), user_defined={"netpatrol": ctx, "netpatrol_workspace": ws})
    return Nornir(inventory=inventory, runner=DaemonThreadRunner(num_workers=workers or settings.workers), config=config)


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


class SshDevice:
    """A Device over an open netmiko session; every command bounded by the read timeout."""

    def __init__(self, conn: Any, profile: PlatformProfile, timeout: float):
        self.conn, self.profile, self.timeout = conn, profile, timeout

    def send(self, command: str) -> CommandOutput:
        return send(self.conn, self.profile, command, self.timeout)


@contextmanager
def _ssh_device(task: Task) -> Iterator[Device]:
    with session(task) as (conn, profile):
        yield SshDevice(conn, profile, read_timeout(task))


def procedure_task(task: Task, procedure: Procedure[Any]) -> Any:
    """The Nornir task of every run: `procedure` on this host, over an SSH session it opens."""
    return procedure(task.host.data["netpatrol"], functools.partial(_ssh_device, task))
