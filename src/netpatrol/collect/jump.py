"""SSH through a jump host (bastion): the device session runs inside a direct-tcpip channel of an
SSH session to the jump host, opened with paramiko — no OpenSSH client or agent needed, and the
jump host's own key is checked against the same known_hosts store (trust on first use)."""

from __future__ import annotations

import paramiko

from netpatrol import errors
from netpatrol.collect.hostkeys import HostKeyStore, TrustOnFirstUse, entry_name
from netpatrol.workspace.connect_options import JumpHost, parse_jump

__all__ = ["JumpHost", "open_channel", "parse_jump"]


def open_channel(
    jump: JumpHost,
    target: tuple[str, int],
    device: str,
    username: str,
    password: str | None,
    key_file: str | None,
    hostkeys: HostKeyStore,
    timeout: float,
) -> tuple[paramiko.SSHClient, paramiko.Channel]:
    """A connected client to the jump host and a channel to `target` through it."""
    client = paramiko.SSHClient()
    name = entry_name(jump.host, jump.port)
    for key_type, key in hostkeys.entry(name).items():
        client.get_host_keys().add(name, key_type, key)
    client.set_missing_host_key_policy(TrustOnFirstUse(hostkeys))
    try:
        client.connect(
            jump.host, jump.port, username=jump.user or username, password=password, key_filename=key_file,
            timeout=timeout, auth_timeout=timeout, banner_timeout=timeout, allow_agent=False, look_for_keys=False,
        )
        transport = client.get_transport()
        if transport is None:  # connect() returns with a transport or raises; kept for the type
            raise paramiko.SSHException(f"no SSH transport to jump host {jump.host}")
        channel = transport.open_channel("direct-tcpip", target, ("127.0.0.1", 0), timeout=timeout)
    except paramiko.BadHostKeyException:
        client.close()
        raise
    except paramiko.AuthenticationException:
        client.close()
        raise errors.AuthFailed(device, f"jump host {jump} rejected the login") from None
    except paramiko.ChannelException as exc:
        client.close()
        raise errors.Unreachable(device, f"jump host {jump} could not reach {target[0]}:{target[1]} ({exc.text})") from None
    except (TimeoutError, OSError, paramiko.SSHException) as exc:
        client.close()
        raise errors.Unreachable(device, f"jump host {jump} unreachable: {exc}") from None
    return client, channel
