"""The one helper that opens a device session and runs commands on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from netmiko import BaseConnection
from nornir.core.task import Task

from netpatrol import errors
from netpatrol.connection import CONNECTION_NAME, CommandOutput, send, translate
from netpatrol.platforms import PLATFORMS, PlatformProfile


@contextmanager
def session(task: Task) -> Iterator[tuple[BaseConnection, PlatformProfile]]:
    """Open (or reuse) the host's session; close it when the task is done with the device.

    Closing per task rather than at the end of the run frees the socket and the paramiko
    transport thread early (perf_anchors: 29 % less client CPU at 50 workers).
    """
    host = task.host
    address = f"{host.hostname}:{host.port}"
    try:
        conn = host.get_connection(CONNECTION_NAME, task.nornir.config)
        yield conn, PLATFORMS[host.platform]
    except errors.DeviceError:
        raise
    except Exception as exc:  # noqa: BLE001 - translated into the DeviceError tree here, once
        raise translate(exc, host.name, address) from None
    finally:
        try:
            host.close_connection(CONNECTION_NAME)
        except Exception:  # noqa: BLE001,S110 - the session may already be gone
            pass


def read_timeout(task: Task) -> float:
    return task.nornir.config.user_defined["netpatrol"].read_timeout


def run_commands(task: Task, commands: list[str]) -> dict[str, CommandOutput]:
    """Run each command once; CLI error replies come back marked `rejected`."""
    outputs = {}
    with session(task) as (conn, profile):
        for command in commands:
            outputs[command] = send(conn, profile, command, read_timeout(task))
    return outputs


def show_version(task: Task, command_by_platform: dict[str, str]) -> str:
    """Nornir task: the device's version output (used by `netpatrol facts` and the lab smoke test)."""
    command = command_by_platform[task.host.platform]
    out = run_commands(task, [command])[command]
    if out.rejected:
        raise errors.CommandRejected(task.host.name, f"'{command}' rejected: {out.rejected}")
    if not out.text.strip():
        raise errors.IncompleteOutput(task.host.name, f"'{command}' returned no output")
    return out.text
