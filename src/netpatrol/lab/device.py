"""One simulated device at run time: its spec, its config store (running/saved files) and its outputs.

The config files are the source of truth, the hostname included (read back from the running
config), so changes typed over SSH survive a lab restart: drift tests and the demo rely on that.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from netpatrol.lab import planted, render
from netpatrol.lab.fields import DeviceFields
from netpatrol.lab.profile import LabProfile, get_profile
from netpatrol.lab.state import DeviceState, build_state
from netpatrol.platforms import PLATFORMS

log = logging.getLogger(__name__)

# The faults a device can be given (see control.set_faults).
FAULTS = (
    "refuse_connection",
    "reject_password",
    "hang_after_login",
    "drop_mid_output",
    "truncate_config",
    "error_all",
    "slow",
    # Refuses a line of several `;`-chained commands, as some NX-OS images and AAA setups do.
    "refuse_chained",
)


@dataclass
class DeviceSpec(DeviceFields):
    """The server-side view of one devices.json entry (control.LabDeviceSpec plus revisions)."""

    config_rev: int = 0
    hostkey_rev: int = 0


class SimulatedDevice:
    def __init__(self, spec: DeviceSpec, configs_dir: Path):
        self.spec = spec
        self.profile: LabProfile = get_profile(spec.platform)
        self.backup = PLATFORMS[spec.platform].backup
        self._configs_dir = configs_dir
        self._running: str | None = None
        self._saved: str | None = None

    # -- identity and state -------------------------------------------------------------------

    @property
    def interface_names(self) -> list[str]:
        return self.spec.interfaces if self.spec.interfaces is not None else self.profile.interface_names()

    @property
    def version(self) -> str:
        return self.spec.version or self.profile.default_version

    @property
    def hostname(self) -> str:
        m = re.search(self.profile.config.hostname, self.running, re.MULTILINE)
        return m.group(1) if m else self.spec.name

    def state(self) -> DeviceState:
        # Built per use so `now` and the clock-derived outputs move on; it is cheap (~50 us).
        return build_state(
            self.spec.name,
            self.spec.platform,
            self.spec.model or self.profile.default_model,
            self.version,
            self.interface_names,
            scenarios=list(self.spec.scenarios),
        )

    def now_text(self) -> str:
        return datetime.now(timezone.utc).strftime(self.profile.time_format)

    # -- config store --------------------------------------------------------------------------

    def _path(self, kind: str) -> Path:
        return self._configs_dir / f"{self.spec.name}.{kind}"

    def _load(self) -> None:
        running_path, saved_path = self._path("running"), self._path("saved")
        if running_path.exists():
            self._running = running_path.read_text(encoding="utf-8")
        else:
            self._running = self._initial_config()
            running_path.write_text(self._running, encoding="utf-8")
        if saved_path.exists():
            self._saved = saved_path.read_text(encoding="utf-8")
        else:
            self._saved = self._running
            saved_path.write_text(self._saved, encoding="utf-8")

    def reload_configs(self) -> None:
        """Forget the cached configs; the next use re-reads the files (after control.set_config)."""
        self._running = self._saved = None

    @property
    def running(self) -> str:
        if self._running is None:
            self._load()
        assert self._running is not None
        return self._running

    @property
    def saved(self) -> str:
        if self._saved is None:
            self._load()
        assert self._saved is not None
        return self._saved

    def set_running(self, text: str) -> None:
        self._running = text
        self._path("running").write_text(text, encoding="utf-8")

    def save(self) -> None:
        self._saved = self.running
        self._path("saved").write_text(self._saved, encoding="utf-8")

    def _initial_config(self) -> str:
        ctx = {"state": self.state(), "hostname": self.spec.name}
        text = render.render_template(self.spec.platform, "running_config.j2", {**ctx, "config": "", "saved_config": ""})
        if text is None:
            text = render.string_template(self.profile.config.fallback).render(**ctx)
        if planted.SCENARIO in self.spec.scenarios:
            return planted.plant(text, self.spec.platform)
        return text.rstrip("\n") + "\n"

    # -- outputs -------------------------------------------------------------------------------

    def context(self) -> dict[str, Any]:
        return {"state": self.state(), "config": self.running, "saved_config": self.saved, "hostname": self.hostname}

    def config_kind(self, command: str) -> str | None:
        """'running' / 'saved' when `command` is one of the platform's backup commands."""
        if command == render.normalise(self.backup.running):
            return "running"
        if self.backup.saved and command == render.normalise(self.backup.saved):
            return "saved"
        return None

    def config_output(self, kind: str) -> str:
        text = self.running if kind == "running" else self.saved
        header = self.profile.config.running_header if kind == "running" else self.profile.config.saved_header
        body = text.rstrip("\n")
        # running_config.j2 may already print the device's header ("Building configuration...").
        if header and not body.startswith(header.split("\n", 1)[0]):
            header = header.format(size=len(text.encode()), time=self.now_text(), hostname=self.hostname)
            return f"{header}\n{body}"
        return body

    def output(self, command: str) -> str | None:
        """Output of a pipe-free command; None means the device does not know it."""
        kind = self.config_kind(command)
        if kind is not None:
            return self.config_output(kind)
        try:
            if not render.template_path(self.spec.platform, command).is_file():
                source = self.profile.fallback_outputs.get(command)
                return render.string_template(source).render(**self.context()).rstrip("\n") if source else None
            return render.render_command(self.spec.platform, command, self.context())
        except Exception:  # a broken template must not take the whole lab down
            log.exception("%s: template for %r failed", self.spec.name, command)
            return None
