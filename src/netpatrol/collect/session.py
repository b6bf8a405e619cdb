"""Device sessions: the one place that opens SSH and translates netmiko/paramiko errors.

`device_errors` is the only place a session failure becomes a DeviceError (with its status:
unreachable, auth_failed, timeout, hostkey_changed, error); collect.task.session wraps opening,
the telnet fallback and every command in it, so the layers above only ever see DeviceErrors.

Nornir's `netmiko` connection plugin is replaced by `CheckedNetmiko`, a subclass of nornir-netmiko's
plugin that (a) maps the platform name to netmiko's device type through the platform registry
(netutils names are netmiko names for all supported platforms), (b) checks SSH host keys against
the workspace's known_hosts with trust on first use, and (c) tunnels through `jump_host`
(jump.py). nornir-netmiko's tasks keep working because the plugin keeps its name.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import paramiko
from netmiko import BaseConnection
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoTimeoutException,
    ReadException,
    ReadTimeout,
)
from netmiko.ssh_dispatcher import ssh_dispatcher
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir_netmiko.connections.netmiko import Netmiko as NornirNetmiko

from netpatrol import errors
from netpatrol.collect.hostkeys import HostKeyStore, TrustOnFirstUse, entry_name, fingerprint
from netpatrol.collect.jump import open_channel, parse_jump
from netpatrol.platforms import PLATFORMS, PlatformProfile

CONNECTION_NAME = "netmiko"


@dataclass
class SessionContext:
    """Per-run settings every session needs; stored on Nornir's config.user_defined."""

    hostkeys: HostKeyStore
    conn_timeout: float = 10.0
    auth_timeout: float = 10.0
    read_timeout: float = 60.0
    fast_cli: bool = True
    retries: int = 0
    retry_backoff: float = 2.0


class AeadFirstTransport(paramiko.Transport):
    """paramiko's Transport, offering AES-GCM before AES-CTR+HMAC.

    paramiko checks HMACs in pure Python (byte by byte), a large part of its per-packet CPU;
    GCM authenticates inside the cipher. Devices without GCM still negotiate CTR+HMAC: only the
    order of offers changes, nothing is added or removed.
    """

    # A class attribute paramiko's stubs omit.
    _preferred_ciphers = tuple(sorted(paramiko.Transport._preferred_ciphers, key=lambda c: "-gcm@" not in c))  # type: ignore[attr-defined]


@cache
def _checked_class(base: type[BaseConnection]) -> type[BaseConnection]:
    """A subclass of netmiko's driver whose paramiko client uses our host-key store."""

    def _build_ssh_client(self: Any) -> paramiko.SSHClient:
        client = self._get_ssh_client_instance()
        store: HostKeyStore = self._netpatrol_hostkeys
        # Only this host's keys: copying the whole store into every client was O(N²) per session.
        name = entry_name(self.host, self.port)
        for key_type, key in store.entry(name).items():
            client.get_host_keys().add(name, key_type, key)
        client.set_missing_host_key_policy(TrustOnFirstUse(store))
        return client

    def read_channel(self: Any) -> str:
        data = base.read_channel(self)
        chan = getattr(self, "remote_conn", None)
        # netmiko keeps polling a channel the device has closed until read_timeout runs out,
        # which reports a dropped session as a slow one; fail at once with the right reason.
        if not data and chan is not None and getattr(chan, "closed", False) is False and chan.eof_received and not chan.recv_ready():
            raise EOFError("the device closed the session")
        if not data and chan is not None and getattr(chan, "closed", False):
            raise EOFError("the device closed the session")
        return data

    def strip_ansi_escape_codes(self: Any, string_buffer: str) -> str:
        # netmiko runs ~35 uncompiled re.sub calls on every read; every code it strips starts
        # with ESC, so text without one comes back unchanged (a third of client CPU on the lab).
        if "\x1b" not in string_buffer:
            return string_buffer
        return base.strip_ansi_escape_codes(self, string_buffer)

    def _connect_params_dict(self: Any) -> dict[str, Any]:
        params = base._connect_params_dict(self)
        params.setdefault("transport_factory", AeadFirstTransport)
        return params

    def cleanup(self: Any, *args: Any, **kwargs: Any) -> None:
        # netpatrol never enters configuration mode, so the probe netmiko's cleanup makes first
        # is pointless; on Huawei VRP and Ruijie it waits 2.2 s (read_channel_timing) per session.
        self._netpatrol_closing = True
        base.cleanup(self, *args, **kwargs)

    def check_config_mode(self: Any, *args: Any, **kwargs: Any) -> bool:
        if getattr(self, "_netpatrol_closing", False):
            return False
        return base.check_config_mode(self, *args, **kwargs)

    return type(
        f"Checked{base.__name__}",
        (base,),
        {"_build_ssh_client": _build_ssh_client, "read_channel": read_channel,
         "strip_ansi_escape_codes": strip_ansi_escape_codes, "_connect_params_dict": _connect_params_dict,
         "cleanup": cleanup, "check_config_mode": check_config_mode},
    )


class CheckedNetmiko(NornirNetmiko):
    def open(self, hostname, username, password, port, platform, extras=None, configuration=None) -> None:
        ctx: SessionContext = configuration.user_defined["netpatrol"]
        profile = PLATFORMS[platform]
        extras = dict(extras or {})
        jump = extras.pop("jump_host", None)
        jump_password = extras.pop("jump_password", None)
        jump_key = extras.pop("jump_key_file", None)
        self._jump_client = None
        if jump:
            self._jump_client, extras["sock"] = open_channel(
                parse_jump(jump), (hostname, port or 22), hostname, username, jump_password, jump_key,
                ctx.hostkeys, ctx.conn_timeout,
            )
        params: dict[str, Any] = {
            "host": hostname,
            "username": username,
            "password": password,
            "port": port or 22,
            "device_type": profile.netmiko_device_type,
            "conn_timeout": ctx.conn_timeout,
            "auth_timeout": ctx.auth_timeout,
            "banner_timeout": ctx.conn_timeout,
            "fast_cli": ctx.fast_cli,
            "allow_agent": False,
            "use_keys": False,
        }
        params.update(profile.netmiko_options)
        params.update(extras)
        # A class is hashable; mypy reads BaseConnection's instance __hash__ here.
        cls = _checked_class(ssh_dispatcher(profile.netmiko_device_type))  # type: ignore[arg-type]
        # _build_ssh_client runs inside __init__, so the store must be reachable from the class:
        # built in two steps, which the type system cannot follow.
        conn: Any = cls.__new__(cls)
        conn._netpatrol_hostkeys = ctx.hostkeys
        conn.__init__(**params)
        if profile.needs_enable and params.get("secret") and not conn.check_enable_mode():
            conn.enable()
        self.connection = conn

    def close(self) -> None:
        try:
            super().close()
        finally:
            jump_client = getattr(self, "_jump_client", None)
            if jump_client is not None:
                jump_client.close()


def register_plugin() -> None:
    """Make `CheckedNetmiko` nornir's `netmiko` connection, the only plugin netpatrol uses (the
    runner and inventory are passed to Nornir as objects, not looked up by name).

    Not ConnectionPluginRegister.auto_register(): it imports the entry point of every installed
    connection plugin (napalm's pulls in junos-eznc, ncclient, pyeapi, lxml) in every process.
    """
    ConnectionPluginRegister.available[CONNECTION_NAME] = CheckedNetmiko


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


@contextmanager
def device_errors(host: str, address: str) -> Iterator[None]:
    """Any failure inside leaves as one DeviceError of `host` with a one-line reason."""
    try:
        yield
    except errors.DeviceError:
        raise
    except Exception as exc:  # noqa: BLE001 - every third-party failure is translated here, once
        raise _translate(exc, host, address) from None


def _translate(exc: BaseException, host: str, address: str) -> errors.DeviceError:
    """Map any third-party failure of a session to one DeviceError with a one-line reason."""
    for e in _chain(exc):
        if isinstance(e, errors.DeviceError):
            return e
        if isinstance(e, paramiko.BadHostKeyException):
            return errors.HostKeyMismatch(
                host,
                f"SSH host key of {address} changed (stored {fingerprint(e.expected_key)}, "
                f"device now presents {fingerprint(e.key)}); connection refused. If the device was "
                f"replaced or re-keyed, check the new fingerprint and run 'netpatrol hostkeys accept {host}'",
            )
        refused = isinstance(e, ConnectionRefusedError) or (
            isinstance(e, paramiko.ssh_exception.NoValidConnectionsError)
            and any(isinstance(x, ConnectionRefusedError) or getattr(x, "errno", None) == errno.ECONNREFUSED for x in e.errors.values())
        )
        if refused:
            return errors.Unreachable(host, f"connection to {address} refused (no SSH service listening)")
    for e in _chain(exc):
        if isinstance(e, (NetmikoAuthenticationException, paramiko.AuthenticationException)):
            return errors.AuthFailed(host, f"authentication to {address} failed (username or password rejected)")
        if isinstance(e, ConnectionRefusedError):
            return errors.Unreachable(host, f"connection to {address} refused")
        if isinstance(e, PromptTimeout):
            return errors.DeviceTimeout(host, f"no prompt from {address} within {e.setting} = {e.seconds:g} s "
                                              f"after '{e.command}' (raise it if the device is just slow)")
        if isinstance(e, ReadTimeout):
            return errors.DeviceTimeout(
                host, f"no prompt from {address} within the read timeout (connection.read_timeout in netpatrol.yaml)")
        if isinstance(e, NetmikoTimeoutException):
            text = str(e)
            if "TCP connection to device failed" in text or "DNS failure" in text:
                return errors.Unreachable(host, f"cannot open TCP connection to {address}")
            if "Pattern not detected" in text or "timed-out" in text or "timeout" in text.lower():
                return errors.DeviceTimeout(host, f"{address} did not answer in time (login or prompt)")
            return errors.Unreachable(host, f"SSH session to {address} failed: {text.strip().splitlines()[0]}")
        if isinstance(e, (socket.timeout, TimeoutError)):
            return errors.DeviceTimeout(host, f"{address} timed out")
        if isinstance(e, EOFError):
            return errors.SessionDropped(host, f"session to {address} dropped by the device mid-output")
        if isinstance(e, (ReadException, OSError, paramiko.SSHException)):
            return errors.SessionDropped(host, f"session to {address} closed unexpectedly ({type(e).__name__}: {e})".strip())
    return errors.DeviceError(host, f"{type(exc).__name__}: {exc}")


class PromptTimeout(ReadTimeout):
    """netmiko's ReadTimeout plus the setting that bounded the wait, so the user knows what to raise."""

    def __init__(self, command: str, seconds: float, setting: str):
        super().__init__(f"no prompt within {setting} = {seconds:g} s after {command!r}")
        self.command, self.seconds, self.setting = command, seconds, setting

    def __reduce__(self):
        # Shard children may hand the raw exception to the parent by pickle (see DeviceError).
        return (type(self), (self.command, self.seconds, self.setting))


@dataclass
class CommandOutput:
    command: str
    text: str
    rejected: str | None = None  # the device's error line when the command was refused


def send(conn: BaseConnection, profile: PlatformProfile, command: str, read_timeout: float) -> CommandOutput:
    """Run one command; a CLI error reply is reported as `rejected`, never as normal output."""
    try:
        # Without use_textfsm/ttp/genie netmiko returns the text itself.
        text = cast(str, conn.send_command(
            command,
            read_timeout=read_timeout,
            strip_prompt=True,
            strip_command=True,
            expect_string=_prompt_pattern(conn),
            auto_find_prompt=False,
        ))
    except ReadTimeout as exc:
        # netmiko lets a host's read_timeout_override win over the per-command value.
        override = getattr(conn, "read_timeout_override", None)
        setting = "connection_options.netmiko.extras.read_timeout_override" if override else "connection.read_timeout"
        raise PromptTimeout(command, override or read_timeout, setting) from exc
    return CommandOutput(command, text, profile.rejected(text))


def _prompt_pattern(conn: BaseConnection) -> str:
    """The session's whole prompt, alone on the last line, learnt once per session.

    netmiko otherwise re-finds the prompt before every command by sending a Return; on a slow
    device the extra prompt arrives after the buffer was cleared and every later command gets
    the previous one's output (seen on Comware under load). Anchoring on the whole prompt also
    keeps a hostname inside the output (log lines, descriptions ending in '#') from ending a read.
    """
    pattern = getattr(conn, "_netpatrol_prompt_re", None)
    if pattern is None:
        prompt = conn.find_prompt().strip()
        pattern = r"(?:^|\n)" + re.escape(prompt) + r"\s*$"
        conn._netpatrol_prompt_re = pattern  # type: ignore[attr-defined]  # remembered on the session object
    return pattern


def address_of(hostname: str, port: int) -> str:
    return entry_name(hostname, port)
