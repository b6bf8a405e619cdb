"""One exception root for netpatrol.

Every error carries the ExitCode the command line ends with (cli/boundary.py maps them):

NetpatrolError
├── UsageError              bad command-line use                               (exit 2)
├── WorkspaceError          missing or malformed workspace files               (exit 2)
│   ├── InventoryError      carries a list of InventoryIssue(file, where, field, message)
│   ├── CheckFileError      a check pack that does not validate
│   ├── TemplateError       a TextFSM/Jinja2 template that does not load
│   ├── PlatformError       a platform folder that does not load (platforms/registry.py)
│   └── UnknownPlatform     a platform name no folder provides
├── StoreError              the Git store refused or failed                    (exit 2)
│   └── LockedError         another run holds the workspace lock               (exit 75)
├── DeviceError             one device failed; the run goes on                 (exit 1)
│   ├── Unreachable         status "unreachable"
│   ├── AuthFailed          status "auth_failed"
│   ├── DeviceTimeout       status "timeout"
│   ├── HostKeyMismatch     status "hostkey_changed"
│   ├── SessionDropped      status "error" (the session closed mid-command; retried)
│   ├── CommandRejected     status "error" (the device answered with a CLI error)
│   ├── IncompleteOutput    status "error" (empty, truncated or shrunken output)
│   └── NoCollector         status "no_collector" (the device's zone had no live worker)
├── BrokerError             the zones' broker cannot be reached                (exit 2)
└── LabError                the bundled lab could not start/stop/change        (exit 2)

Third-party exceptions are translated into this tree in one place each (collect/session.py for
device sessions, store/ for Git), so the CLI has one error boundary. Messages never contain
credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError
from enum import IntEnum


class ExitCode(IntEnum):
    """Every status a netpatrol command ends with; the README's exit-code table lists them."""

    OK = 0
    DEVICES_FAILED = 1  # the other devices were processed and stored
    USAGE = 2  # usage, workspace, input or store error, or a path that could not be used
    INTERNAL = 70  # sysexits EX_SOFTWARE: an unexpected exception (a bug); traceback in .netpatrol/logs/
    LOCKED = 75  # sysexits EX_TEMPFAIL: another run holds the lock; cron can tell "busy" from "failed"
    INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C


class NetpatrolError(Exception):
    """Root of every error netpatrol raises on purpose."""

    exit_code: ExitCode = ExitCode.USAGE


class UsageError(NetpatrolError):
    pass


class WorkspaceError(NetpatrolError):
    pass


@dataclass(frozen=True)
class InventoryIssue:
    """One problem in one file: `where` is e.g. "host core-sw1" or "group site-city"."""

    file: str
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        loc = f"{self.file}: {self.where}" if self.where else self.file
        field = f" field '{self.field}'" if self.field else ""
        return f"{loc}:{field} {self.message}"


class InventoryError(WorkspaceError):
    def __init__(self, issues: list[InventoryIssue], hosts_read: int = 0):
        self.issues = issues
        self.hosts_read = hosts_read  # host entries read from hosts.yaml, valid or not
        lines = "\n".join(f"  - {i}" for i in issues)
        super().__init__(f"{len(issues)} problem(s) in the inventory:\n{lines}")


class CheckFileError(WorkspaceError):
    pass


class TemplateError(WorkspaceError):
    pass


class StoreError(NetpatrolError):
    pass


class LockedError(StoreError):
    exit_code = ExitCode.LOCKED


class DeviceError(NetpatrolError):
    """A failure of one device; carries the status string stored in results."""

    exit_code = ExitCode.DEVICES_FAILED
    status = "error"
    # Transient failures are retried (connection.retries); the rest never are: repeating a
    # rejected password risks a lockout, repeating a host-key mismatch defeats the check.
    transient = False

    def __init__(self, host: str, message: str):
        self.host = host
        self.reason = message
        super().__init__(f"{host}: {message}")

    def __reduce__(self):
        # Exception's default pickling re-calls __init__ with self.args (one string), which this
        # 2-argument __init__ refuses; shard processes send DeviceErrors to the parent by pickle.
        # Instance attributes (a reason rewritten by with_retries, any per-instance status) travel
        # in the state dict.
        return (type(self), (self.host, self.reason), dict(self.__dict__))


class Unreachable(DeviceError):
    status = "unreachable"
    transient = True


class AuthFailed(DeviceError):
    status = "auth_failed"


class DeviceTimeout(DeviceError):
    status = "timeout"
    transient = True


class SessionDropped(DeviceError):
    status = "error"
    transient = True


class HostKeyMismatch(DeviceError):
    status = "hostkey_changed"


class CommandRejected(DeviceError):
    status = "error"


class IncompleteOutput(DeviceError):
    status = "error"


def invalid_file(label: str, exc: ValidationError) -> str:
    """`<label> is invalid:` and one line per problem naming the field, for a file's ValidationError."""
    lines = [f"  - {label}: field '{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()]
    return f"{label} is invalid:\n" + "\n".join(lines)


class NoCollector(DeviceError):
    """The device's zone had no live worker (or lost its last one) for the bounded wait."""

    status = "no_collector"


class BrokerError(NetpatrolError):
    """The zones' broker or result backend cannot be reached; its URL is named with the password masked."""


class LabError(NetpatrolError):
    """The bundled lab could not start, stop or change (port taken, server died, bad profile)."""
