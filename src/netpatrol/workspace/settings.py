"""The workspace: where netpatrol.yaml, inventory/, checks/, backups/ ... live, and its settings."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from netpatrol import safe_yaml
from netpatrol.childenv import declare_secret_vars
from netpatrol.errors import WorkspaceError
from netpatrol.store.layout import STORE_DIR
from netpatrol.workspace.contract import Contract
from netpatrol.workspace.distributed import LOCAL_ZONE, DistributedSettings, ZoneSettings, check_zone_name


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackupSettings(_Strict):
    secrets: Literal["none", "reversible", "all"] = "all"
    max_shrink: float = Field(0.5, gt=0, le=1, strict=True, description="fail when a config loses more than this fraction of lines")
    save_saved_config: bool = True
    author_name: str = "netpatrol"
    author_email: str = "netpatrol@localhost"
    remote: str | None = None


# Numbers a typo can make meaningless (a negative timeout, a zero read timeout) are refused here,
# naming the field, rather than making every device fail later with an unrelated reason.
class ConnectionSettings(_Strict):
    conn_timeout: float = Field(10.0, gt=0, le=600, strict=True, description="seconds to open TCP/SSH")
    auth_timeout: float = Field(10.0, gt=0, le=600, strict=True, description="seconds to log in")
    read_timeout: float = Field(60.0, gt=0, le=3600, strict=True, description="seconds to wait for the prompt after a command")
    retries: int = Field(1, ge=0, le=5, strict=True)
    retry_backoff: float = Field(2.0, ge=0, le=600, strict=True, description="seconds before the first retry")
    fast_cli: bool = True


EventName = Literal["config_changed", "backup_failed", "inspection_failed", "report_failed", "findings"]
ReportFormat = Literal["html", "md", "docx", "xlsx", "pdf"]
DEFAULT_REPORT_FORMATS: tuple[ReportFormat, ...] = ("html", "md")
# The client formats when netpatrol.yaml names none: a Chinese client edits, stamps and archives Word
# and PDF. The Markdown is committed to backups/ whatever is chosen.
LANGUAGE_REPORT_FORMATS: dict[str, tuple[ReportFormat, ...]] = {"zh-CN": ("docx", "pdf"), "en": DEFAULT_REPORT_FORMATS}
_ENV_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")
_ENV_IN_TEXT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# ASCII digits only: `\d` (and float()) also take full-width digits such as `\uff12\uff14h`.
_DURATION = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smhdw])\s*")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# A backup interval longer than a year is a typo; beyond ~10^8 days datetime arithmetic overflows.
MAX_DURATION_SECONDS = 366 * 86400


def duration_seconds(value: str) -> float | None:
    """Seconds of `24h`, `7d`, `90m`...; None when `value` is not such a duration."""
    m = _DURATION.fullmatch(value)
    return float(m.group(1)) * DURATION_UNITS[m.group(2)] if m else None


def _check_duration(value: str | None) -> str | None:
    if value is None:
        return value
    seconds = duration_seconds(value)
    if seconds is None:
        raise ValueError(f"{value!r} is not a duration: use a number and a unit s/m/h/d/w, e.g. 24h or 7d")
    if not 0 < seconds <= MAX_DURATION_SECONDS:
        raise ValueError(f"{value!r} must be more than 0 and at most 366d")
    return value


class CadenceRule(_Strict):
    """Cadence for one site or group; unset fields fall back to the schedule's defaults."""

    inspection: Literal["quarterly", "monthly"] | None = None
    backup_interval: str | None = Field(None, description="e.g. 24h, 6h, 7d, 90m")

    _duration = field_validator("backup_interval")(_check_duration)


class ScheduleSettings(_Strict):
    """What `netpatrol due` and `run --due` consider due; when cron/systemd start `run --due`."""

    inspection: Literal["quarterly", "monthly"] = "quarterly"
    backup_interval: str = "24h"
    run_at: str = Field("02:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="local time HH:MM of the daily run")
    wait: float = Field(600, ge=0, le=86400, strict=True, description="seconds a scheduled run waits for another run's lock")
    sites: dict[str, CadenceRule] = Field(default_factory=dict)
    groups: dict[str, CadenceRule] = Field(default_factory=dict)

    _duration = field_validator("backup_interval")(_check_duration)


class HookChannel(_Strict):
    command: list[str] | str  # argv list (no shell), or a string split like a shell would
    timeout: float = Field(30, gt=0, le=3600)
    events: list[EventName] | None = None


def _secret_reference(value: str | None, what: str = "secret") -> str | None:
    # The value is deliberately not echoed: it may be a real secret typed by mistake.
    if value is not None and not _ENV_REF.match(value):
        raise ValueError(f"must be a ${{ENV_VAR}} reference (e.g. ${{NETPATROL_SMTP_PASSWORD}}), never the {what} itself")
    if value is not None:
        declare_secret_vars([value[2:-1]])  # kept out of git and hook environments
    return value


def resolve_reference(reference: str, field: str) -> str:
    """The value of a `${VAR}` reference at send time; RuntimeError naming the field when unset."""
    var = reference[2:-1]
    value = os.environ.get(var)
    if value is None:
        raise RuntimeError(f"{field} refers to ${{{var}}}, which is not set in the environment")
    return value


class WebhookChannel(_Strict):
    kind: Literal["json", "wecom", "dingtalk"] = Field(
        "json", description="json: the event as JSON; wecom / dingtalk: the group robot's markdown message")
    url: str = Field(pattern=r"^https?://")
    secret: str | None = Field(None, description="dingtalk signing secret: only a ${ENV_VAR} reference")
    timeout: float = Field(10, gt=0, le=600)
    retries: int = Field(2, ge=0, le=10)
    events: list[EventName] | None = None

    _env_reference = field_validator("secret")(classmethod(lambda cls, v: _secret_reference(v)))

    @field_validator("url")
    @classmethod
    def _url_references(cls, value: str) -> str:
        # A robot's URL carries its access key: `${ENV}` in the URL keeps it out of netpatrol.yaml.
        declare_secret_vars(_ENV_IN_TEXT.findall(value))
        return value

    @model_validator(mode="after")
    def _secret_for_dingtalk(self) -> WebhookChannel:
        if self.secret and self.kind != "dingtalk":
            raise ValueError(f"secret signs DingTalk robot messages only; kind is {self.kind}")
        return self


class MailChannel(_Strict):
    host: str
    port: int = Field(25, ge=1, le=65535)
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    starttls: bool = False
    ssl: bool = Field(False, description="implicit TLS from the first byte (SMTPS, usually port 465)")
    username: str | None = None
    password: str | None = Field(None, description="only a ${ENV_VAR} reference, never the password itself")
    timeout: float = Field(20, gt=0, le=600)
    subject_prefix: str = "[netpatrol]"
    events: list[EventName] | None = None

    @field_validator("password")
    @classmethod
    def _env_reference(cls, value: str | None) -> str | None:
        return _secret_reference(value, "password")

    @model_validator(mode="after")
    def _tls_for_login(self) -> MailChannel:
        if self.starttls and self.ssl:
            raise ValueError("starttls and ssl exclude each other: ssl is TLS from the first byte (port 465), "
                             "starttls upgrades a plain connection (port 587)")
        if self.username and not (self.starttls or self.ssl):
            # smtplib would send AUTH PLAIN/LOGIN, i.e. the password, over a plain connection.
            raise ValueError("username is set but neither starttls nor ssl is: the password would cross the "
                             "network in clear; set starttls: true (port 587) or ssl: true (port 465)")
        if self.password and not self.username:
            raise ValueError("password is set but username is not: nothing would log in; set username")
        # Header values: a line break would be refused by the mail library at every send (a
        # notification lost each time), so it is refused here, once.
        for name, value in (("host", self.host), ("from", self.sender), ("subject_prefix", self.subject_prefix),
                            *(("to", v) for v in self.to)):
            if any(not c.isprintable() for c in value):
                raise ValueError(f"{name} {value[:60]!r} holds a line break or control character")
        return self


class NotifySettings(_Strict):
    events: list[EventName] = Field(default_factory=lambda: list(get_args(EventName)))
    min_severity: Literal["critical", "major", "minor", "info"] = "major"
    diff_lines: int = Field(100, ge=0, le=10000, strict=True, description="lines of each device's config diff a message shows (0: none)")
    diff_bytes: int = Field(8192, ge=256, le=1_000_000, strict=True, description="bytes of each device's config diff a message shows")
    hooks: list[HookChannel] = Field(default_factory=list)
    webhooks: list[WebhookChannel] = Field(default_factory=list)
    mail: list[MailChannel] = Field(default_factory=list)


class SyslogRelay(_Strict):
    """A relay (or NAT address) allowed to send syslog on behalf of inventory devices."""

    source: str = Field(description="IP address or network (CIDR) the relay sends from")
    devices: list[str] | Literal["*"] = Field(
        description="inventory names it may speak for; '*' believes the header host name for any device")

    @field_validator("source")
    @classmethod
    def _network(cls, value: str) -> str:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network (e.g. 10.0.0.9 or 10.0.8.0/24)") from None
        return value


class SyslogSettings(_Strict):
    """`netpatrol listen-syslog`: who may trigger backups, and how much it keeps in memory."""

    relays: list[SyslogRelay] = Field(default_factory=list)
    # RFC 5424 section 6.1: receivers must accept 480 octets and should accept 2048; may truncate.
    max_datagram: int = Field(2048, ge=480, le=65535, description="bytes read per datagram; the rest is dropped")
    max_pending: int = Field(10000, ge=1, le=1_000_000, description="devices waiting for their backup at once")
    warn_interval: float = Field(60, gt=0, le=86400, description="seconds between warnings about dropped datagrams")


class Settings(_Strict):
    """netpatrol.yaml."""

    client: str = "Client"
    provider: str = "Maintenance provider"
    inspector: str | None = None
    language: Literal["zh-CN", "en"] = "zh-CN"
    timezone: str | None = Field(None, description="IANA zone of every time shown to a person, e.g. Asia/Shanghai; default: the machine's")
    contract: Contract = Field(default_factory=Contract)
    workers: int = Field(20, ge=1, le=500, strict=True)
    # "auto": min(CPUs, 4) processes once a run has >= 100 hosts, else 1 (see shard.py).
    processes: Annotated[int, Field(ge=1, le=64, strict=True)] | Literal["auto"] = "auto"
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    # None in the file: filled from the language after validation (a default factory reading the
    # validated language would add a second, confusing error whenever another field is invalid).
    report_formats: list[ReportFormat] = Field(  # type: ignore[call-overload]
        None, validate_default=False,
        description="client report formats; default: docx+pdf in zh-CN, html+md in en (the Markdown is committed anyway)")
    lab_state_dir: str = ".netpatrol/lab"
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    syslog: SyslogSettings = Field(default_factory=SyslogSettings)
    zones: dict[str, ZoneSettings] = Field(default_factory=dict, description="network zones served by `netpatrol worker`")
    distributed: DistributedSettings | None = None

    @field_validator("zones", mode="before")
    @classmethod
    def _zones_mapping(cls, value: object) -> object:
        if value is not None and not isinstance(value, dict):  # e.g. `zones: [county-a, county-b]`
            raise ValueError("must be a mapping of zone names, e.g. {county-a: {description: County A site network}}")
        return {} if value is None else value

    @field_validator("zones")
    @classmethod
    def _zone_names(cls, value: dict[str, ZoneSettings]) -> dict[str, ZoneSettings]:
        for name in value:
            check_zone_name(name)
            if name == LOCAL_ZONE:
                raise ValueError(f"'{LOCAL_ZONE}' is this machine's own zone and is not declared")
        return value

    @model_validator(mode="after")
    def _formats_by_language(self) -> Settings:
        if self.report_formats is None:
            # Not through __setattr__: the field stays out of model_fields_set (the formats were not chosen).
            self.__dict__["report_formats"] = list(LANGUAGE_REPORT_FORMATS.get(self.language, DEFAULT_REPORT_FORMATS))
        return self

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        from netpatrol import localtime

        localtime.zone(value)  # raises ValueError naming the zone
        return value

    @property
    def tz(self):  # -> tzinfo
        """The zone times are shown in."""
        from netpatrol import localtime

        return localtime.zone(self.timezone)


@dataclass
class Workspace:
    root: Path

    @classmethod
    def locate(cls, path: str | os.PathLike | None) -> Workspace:
        root = Path(path or os.environ.get("NETPATROL_WORKSPACE") or ".").resolve()
        if not (root / "netpatrol.yaml").exists() and not (root / "inventory" / "hosts.yaml").exists():
            raise WorkspaceError(
                f"{root} is not a netpatrol workspace (no netpatrol.yaml or inventory/hosts.yaml); "
                "create one with 'netpatrol init DIR' or pass -w/--workspace"
            )
        return cls(root)

    @cached_property
    def settings(self) -> Settings:
        try:
            raw = safe_yaml.load_file(self.root / "netpatrol.yaml", "netpatrol.yaml") or {}
        except FileNotFoundError:
            return Settings()
        try:
            return Settings.model_validate(raw)
        except ValidationError as exc:
            lines = []
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                msg = "unknown key (typo?)" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
                if loc == "contract" and msg.startswith("severities: "):  # the contract's own check names its field
                    loc, msg = "contract.severities", msg.removeprefix("severities: ")
                lines.append(f"netpatrol.yaml: field '{loc}': {msg}")
            if len(lines) == 1:  # one line naming the field, as every command prints it
                raise WorkspaceError(lines[0]) from None
            raise WorkspaceError("netpatrol.yaml is invalid:\n" + "\n".join(f"  - {line}" for line in lines)) from None

    @property
    def state_dir(self) -> Path:
        """Machine-local state (host keys, lab): never committed, holds secrets with mode 0600."""
        return self.root / ".netpatrol"

    @property
    def known_hosts(self) -> Path:
        return self.state_dir / "known_hosts"

    @property
    def lab_dir(self) -> Path:
        return self.root / self.settings.lab_state_dir

    @property
    def backups(self) -> Path:
        return self.root / STORE_DIR

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def compliance_dir(self) -> Path:
        """The workspace's own compliance packs (`compliance/*.yaml`), adding to or overriding the built-in ones."""
        return self.root / "compliance"

    @property
    def intended_dir(self) -> Path:
        """Intended configurations: `intended/<platform>.j2`, `intended/hosts/<host>.j2`."""
        return self.root / "intended"

    def ensure_state_dir(self) -> Path:
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        # `lab up` may have made it first (mkdir parents=True gives 0755): it holds host keys
        # and device records, so tighten it whoever created it.
        self.state_dir.chmod(0o700)
        return self.state_dir
