"""The workspace: where netpatrol.yaml, inventory/, checks/, backups/ ... live, and its settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from netpatrol.errors import WorkspaceError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackupSettings(_Strict):
    secrets: Literal["none", "reversible", "all"] = "all"
    max_shrink: float = Field(0.5, gt=0, le=1, description="fail when a config loses more than this fraction of lines")
    save_saved_config: bool = True
    author_name: str = "netpatrol"
    author_email: str = "netpatrol@localhost"
    remote: str | None = None


class ConnectionSettings(_Strict):
    conn_timeout: float = 10.0
    auth_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = Field(1, ge=0, le=5)
    retry_backoff: float = 2.0
    fast_cli: bool = True


class Settings(_Strict):
    """netpatrol.yaml."""

    client: str = "Client"
    provider: str = "Maintenance provider"
    inspector: str | None = None
    language: Literal["zh-CN", "en"] = "zh-CN"
    workers: int = Field(20, ge=1, le=500)
    connection: ConnectionSettings = Field(default_factory=ConnectionSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    report_formats: list[Literal["html", "md", "xlsx", "pdf"]] = Field(default_factory=lambda: ["html", "md"])
    lab_state_dir: str = ".netpatrol/lab"


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
        path = self.root / "netpatrol.yaml"
        if not path.exists():
            return Settings()
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise WorkspaceError(f"netpatrol.yaml: not valid YAML: {exc}") from None
        try:
            return Settings.model_validate(raw)
        except ValidationError as exc:
            lines = []
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                msg = "unknown key (typo?)" if err["type"] == "extra_forbidden" else err["msg"]
                lines.append(f"  - netpatrol.yaml: field '{loc}': {msg}")
            raise WorkspaceError("netpatrol.yaml is invalid:\n" + "\n".join(lines)) from None

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
        return self.root / "backups"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def ensure_state_dir(self) -> Path:
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self.state_dir
