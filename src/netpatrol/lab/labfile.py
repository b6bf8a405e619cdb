"""Turn the workspace inventory plus its lab.yaml into the lab's device specs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from netpatrol import safe_yaml
from netpatrol.errors import WorkspaceError, invalid_file
from netpatrol.workspace.inventory import Inventory, ResolvedHost


class LabFileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str | None = None
    version: str | None = None
    scenarios: list[str] = Field(default_factory=list)
    faults: list[str] = Field(default_factory=list)
    interfaces: list[str] | None = None


class LabFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    devices: dict[str, LabFileEntry] = Field(default_factory=dict)


def load_lab_file(root: Path) -> LabFile:
    try:
        return LabFile.model_validate(safe_yaml.load_file(root / "lab.yaml", "lab.yaml") or {})
    except FileNotFoundError:
        return LabFile()
    except ValidationError as exc:
        raise WorkspaceError(invalid_file("lab.yaml", exc)) from None


def build_specs(inv: Inventory, hosts: list[ResolvedHost] | None = None):
    from netpatrol.lab.control import LabDeviceSpec
    from netpatrol.lab.state import SCENARIOS

    lab = load_lab_file(inv.root)
    unknown = sorted(set(lab.devices) - set(inv.hosts))
    if unknown:
        raise WorkspaceError(f"lab.yaml: devices not in the inventory: {', '.join(unknown)}")
    specs = []
    for h in hosts or list(inv.hosts.values()):
        dev = lab.devices.get(h.name, LabFileEntry())
        bad = [s for s in dev.scenarios if s not in SCENARIOS]
        if bad:
            raise WorkspaceError(f"lab.yaml: device {h.name}: field 'scenarios': unknown {bad} (known: {', '.join(SCENARIOS)})")
        password = h.secret("password")
        if not password:
            raise WorkspaceError(f"host {h.name}: its password variable is not set; the lab needs it to accept logins")
        specs.append(
            LabDeviceSpec(
                name=h.name,
                platform=h.platform,
                address=h.hostname,
                port=h.port,
                username=h.username,
                password=password,
                enable_secret=h.secret("secret"),
                model=dev.model or h.data.model,  # None: the lab profile's default_model
                version=dev.version or h.data.os_version,  # None: the lab profile's default_version
                interfaces=dev.interfaces,
                scenarios=list(dev.scenarios),
                faults=list(dev.faults),
            )
        )
    return specs


def port_field(inv: Inventory) -> Callable[[str], str]:
    """For a host name: the inventory file and field its port comes from (host, group or defaults)."""
    hosts_file = inv.root / "inventory" / "hosts.yaml"
    raw = safe_yaml.load_file(hosts_file, "inventory/hosts.yaml") if hosts_file.exists() else {}

    def where(name: str) -> str:
        if isinstance((raw or {}).get(name), dict) and "port" in raw[name]:
            return f"'port' of host {name} in inventory/hosts.yaml"
        h = inv.hosts.get(name)
        for group in inv.ancestry(h.groups) if h else []:
            if inv.groups[group].port is not None:
                return f"'port' of group {group} in inventory/groups.yaml"
        return "'port' in inventory/defaults.yaml"

    return where
