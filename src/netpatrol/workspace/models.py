"""Typed models of the Nornir SimpleInventory files (hosts.yaml, groups.yaml, defaults.yaml).

Nornir's own loader keeps typos such as `platfrom:` silently and stores `port: "22x"` as a string,
so every file is validated here first, with `extra="forbid"` everywhere a user types keys.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from typing_extensions import TypedDict

from netpatrol.workspace.connect_options import jump_host_value
from netpatrol.workspace.distributed import check_zone_name

ENV_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Contact(_Strict):
    name: str
    role: str | None = None
    phone: str | None = None
    email: str | None = None


class MachineRoom(_Strict):
    """Machine-room environment notes kept in the site archive (机房环境)."""

    location: str | None = None
    power: str | None = None
    ups: str | None = None
    lightning_protection: str | None = None
    grounding: str | None = None
    temperature: str | None = None
    humidity: str | None = None
    dust: str | None = None
    notes: str | None = None


class SiteArchive(_Strict):
    """Archive fields of one client unit (site)."""

    name: str
    unit: str | None = None
    region: str | None = None
    address: str | None = None
    contacts: list[Contact] = Field(default_factory=list)
    machine_room: MachineRoom | None = None
    notes: str | None = None


class RepairRecord(_Strict):
    date: date
    action: str
    part: str | None = None
    serial_old: str | None = None
    serial_new: str | None = None
    ticket: str | None = None
    note: str | None = None


class InspectionScope(_Strict):
    """Per group/host inspection settings: thresholds override check-pack defaults."""

    thresholds: dict[str, float | int | str | list[str]] = Field(default_factory=dict)
    skip_checks: list[str] = Field(default_factory=list)
    critical_ports: list[str] = Field(default_factory=list)
    approved_versions: list[str] = Field(default_factory=list)


class HostData(_Strict):
    role: str | None = None
    zone: Annotated[str, AfterValidator(check_zone_name)] | None = None  # default: inherited, else `local`
    model: str | None = None
    serial: str | None = None
    os_version: str | None = None
    purchase_date: date | None = None
    warranty_until: date | None = None
    maintainer: str | None = None
    location: str | None = None
    repairs: list[RepairRecord] = Field(default_factory=list)
    inspection: InspectionScope | None = None
    notes: str | None = None
    # Anything the team wants to keep that netpatrol does not interpret.
    custom: dict[str, Any] = Field(default_factory=dict)


class GroupData(_Strict):
    site: SiteArchive | None = None
    role: str | None = None
    zone: Annotated[str, AfterValidator(check_zone_name)] | None = None
    inspection: InspectionScope | None = None
    notes: str | None = None
    custom: dict[str, Any] = Field(default_factory=dict)


def _address(value: str) -> str:
    # The address reaches socket calls, syslog sender matching and .netpatrol/known_hosts, whose
    # lines a line break would split (a planted line there is a trusted key for another host).
    if not 1 <= len(value) <= 253 or any(c.isspace() or not c.isprintable() for c in value) or value.startswith("-"):
        raise ValueError(f"{value[:60]!r} is not an IP address or DNS name (at most 253 characters, no spaces, "
                         "line breaks or control characters, not starting with '-')")
    return value


def _one_line(value: str) -> str:
    if any(not c.isprintable() for c in value):
        raise ValueError(f"{value[:60]!r} holds a line break or control character")
    return value


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):  # `port: yes` would otherwise be port 1
        raise ValueError("must be a port number 1-65535, not true/false")
    return value


_Address = Annotated[str, AfterValidator(_address)]
_Name = Annotated[str, AfterValidator(_one_line)]
_AnyPort = Annotated[int, BeforeValidator(_not_bool), Field(ge=1, le=65535)]
_Seconds = Annotated[float, Field(gt=0, le=3600, strict=True)]
_Port = Annotated[int, Field(ge=1, le=65535, strict=True)]


class NetmikoExtras(TypedDict, total=False):
    """Connection options netpatrol passes on to netmiko (ConnectHandler keyword arguments), plus
    `jump_host` (user@host:port) with `jump_password` (${ENV}) or `jump_key_file`: the session is
    tunnelled through that bastion (jump.py). Numbers are bounded so a typo such as a negative
    timeout is refused here, naming the field, instead of failing every session later."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]  # how pydantic configures a TypedDict

    secret: Annotated[str, Field(strict=True)]
    conn_timeout: _Seconds
    auth_timeout: _Seconds
    banner_timeout: _Seconds
    blocking_timeout: _Seconds
    read_timeout_override: _Seconds
    session_timeout: _Seconds
    global_delay_factor: Annotated[float, Field(gt=0, le=100, strict=True)]
    fast_cli: Annotated[bool, Field(strict=True)]
    keepalive: Annotated[int, Field(ge=0, le=3600, strict=True)]
    ssh_config_file: Annotated[str, Field(strict=True)]
    jump_host: Annotated[str, Field(strict=True), AfterValidator(jump_host_value)]
    jump_password: Annotated[str, Field(strict=True)]
    jump_key_file: Annotated[str, Field(strict=True)]
    allow_agent: Annotated[bool, Field(strict=True)]
    use_keys: Annotated[bool, Field(strict=True)]
    key_file: Annotated[str, Field(strict=True)]
    # Telnet only when SSH is refused or unreachable, never after an authentication failure;
    # opt-in per device because it sends the password in clear (tasks/collect.py).
    telnet_fallback: Annotated[bool, Field(strict=True)]
    telnet_port: _Port


NETMIKO_EXTRAS = tuple(NetmikoExtras.__annotations__)


class ConnectionPlugin(_Strict):
    hostname: _Address | None = None
    port: _AnyPort | None = None
    username: _Name | None = None
    password: str | None = None
    platform: str | None = None
    extras: NetmikoExtras = Field(default_factory=dict)  # type: ignore[assignment]  # an empty TypedDict (every key optional)


class _Common(_Strict):
    hostname: _Address | None = None
    port: _AnyPort | None = None
    username: _Name | None = None
    password: str | None = None
    platform: str | None = None
    groups: list[str] = Field(default_factory=list)
    connection_options: dict[str, ConnectionPlugin] = Field(default_factory=dict)

    @field_validator("connection_options")
    @classmethod
    def _known_plugins(cls, v: dict[str, ConnectionPlugin]) -> dict[str, ConnectionPlugin]:
        for name in v:
            if name != "netmiko":
                raise ValueError(f"unknown connection plugin '{name}' (netpatrol connects with netmiko)")
        return v


class HostModel(_Common):
    data: HostData = Field(default_factory=HostData)


class GroupModel(_Common):
    data: GroupData = Field(default_factory=GroupData)


class DefaultsModel(_Strict):
    hostname: _Address | None = None
    port: _AnyPort | None = None
    username: _Name | None = None
    password: str | None = None
    platform: str | None = None
    connection_options: dict[str, ConnectionPlugin] = Field(default_factory=dict)
    data: GroupData = Field(default_factory=GroupData)
