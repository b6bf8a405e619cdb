"""The collection step of a run, as a parameter of the services (as an HTTP client takes a transport).

A service says what to do on one device as a *procedure*: a picklable callable
`procedure(host, connect)` that opens the device with `connect()`, sends commands through the
`Device` it gets, and turns the replies into a typed value (a FetchedConfig, a RawCollection).
A `Collector` runs one procedure on every selected host and returns one `Outcome` per host: the
value, or the one DeviceError (with its status) that ended that device's work.

The default collector is SSH through Nornir, sharded over processes (collect.runner.SshCollector);
tests pass a collector that answers from recorded outputs, so storage, comparison, records and
exit codes are exercised without a network. Everything a procedure does after its last command
(cleaning, completeness checks, sanitising) runs wherever the collector runs it: in a shard
process for SSH, so the parent only writes files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from netpatrol.collect.session import CommandOutput
from netpatrol.errors import DeviceError
from netpatrol.workspace.inventory import ResolvedHost

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Device(Protocol):
    """An open session on one device."""

    def send(self, command: str) -> CommandOutput:
        """The reply to one command; a CLI error reply comes back as `rejected`, never raised."""
        ...


# Opens the device; leaving the context closes the session (raises DeviceError when it cannot open).
Connect = Callable[[], AbstractContextManager[Device]]


class Procedure(Protocol[T_co]):
    """One device's work: may raise DeviceError, which becomes that host's failed Outcome."""

    def __call__(self, host: ResolvedHost, connect: Connect, /) -> T_co: ...


class ProgressReporter(Protocol):
    """Told when the run starts, as each host finishes (from any thread), and when it ends."""

    def start(self) -> None: ...
    def advance(self, host: str, ok: bool) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Outcome(Generic[T]):
    host: str
    ok: bool
    value: T | None = None
    error: DeviceError | None = None


class Collector(Protocol):
    """Runs `procedure` on every host of `hosts`: one Outcome per host name, none left out."""

    def __call__(self, hosts: Sequence[ResolvedHost], procedure: Procedure[T],
                 progress: ProgressReporter) -> dict[str, Outcome[T]]: ...


def failure_of(outcome: Outcome | None) -> tuple[str, str]:
    """(status, reason) of a failed outcome, as results and records store them."""
    err = outcome.error if outcome else None
    return getattr(err, "status", "error"), getattr(err, "reason", None) or str(err)
