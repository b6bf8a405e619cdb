"""One exception root for netpatrol.

NetpatrolError
├── UsageError              bad command-line use                               (exit 2)
├── WorkspaceError          missing or malformed workspace files               (exit 2)
│   ├── InventoryError      carries a list of InventoryIssue(file, where, field, message)
│   ├── CheckFileError      a check pack that does not validate
│   └── TemplateError       a TextFSM/Jinja2 template that does not load
├── StoreError              the Git store refused or failed                    (exit 2)
│   └── LockedError         another run holds the workspace lock
├── DeviceError             one device failed; the run goes on                 (exit 1)
│   ├── Unreachable         status "unreachable"
│   ├── AuthFailed          status "auth_failed"
│   ├── DeviceTimeout       status "timeout"
│   ├── HostKeyMismatch     status "hostkey_changed"
│   ├── SessionDropped      status "error" (the session closed mid-command; retried)
│   ├── CommandRejected     status "error" (the device answered with a CLI error)
│   └── IncompleteOutput    status "error" (empty, truncated or shrunken output)
└── LabError                the bundled lab could not start/stop/change        (exit 2)

Third-party exceptions (netmiko, paramiko, socket, GitPython) are translated into this tree in
exactly one place each (collect/session.py for devices, store/repo.py for Git), so the CLI has one error
boundary. Messages never contain credentials.
"""

from __future__ import annotations

from dataclasses import dataclass


class NetpatrolError(Exception):
    """Root of every error netpatrol raises on purpose."""

    exit_code = 2


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
    pass


class DeviceError(NetpatrolError):
    """A failure of one device; carries the status string stored in results."""

    exit_code = 1
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


class LabError(NetpatrolError):
    """The bundled lab could not start, stop or change (port taken, server died, bad profile)."""
