"""A Collector that answers from recorded outputs, for service tests without SSH.

`record_workspace` renders, once per device, every command netpatrol sends (the job catalogue's
alternatives, the backup commands) with the lab's own device model (SimulatedDevice.output, the
code the lab server answers with), so the recordings follow the lab's outputs and scenarios.
A test may then edit a recording (change a config, cut a reply short) or make chosen hosts fail
as SSH would (unreachable, auth_failed, timeout) before handing the collector to a service.

RecordedDevice answers like the lab's shell: unknown commands get the platform's error reply
(so the platform profile's rejection patterns judge it, as over SSH), `a ; b` lines are answered
part by part, `| include` filters are applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from netpatrol import errors
from netpatrol.collect.collector import Device, Outcome, Procedure, ProgressReporter, T
from netpatrol.collect.session import CommandOutput
from netpatrol.inspection.catalogue import load_job
from netpatrol.lab.device import DeviceSpec, SimulatedDevice
from netpatrol.lab.labfile import build_specs
from netpatrol.lab.profile import get_profile
from netpatrol.lab.render import FilterError, apply_filters, split_pipes
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import ResolvedHost, load_inventory

FAILURES: dict[str, type[errors.DeviceError]] = {
    "unreachable": errors.Unreachable,
    "auth_failed": errors.AuthFailed,
    "timeout": errors.DeviceTimeout,
    "hostkey_changed": errors.HostKeyMismatch,
}


@dataclasses.dataclass
class Recording:
    """One device's outputs, by command as the device would be asked (pipes and chains excluded)."""

    hostname: str
    platform: str
    outputs: dict[str, str]
    refuse_chained: bool = False  # answer `a ; b` lines with the unknown-command reply
    refuse_all: bool = False  # an account without privilege: every command refused
    cut_running: bool = False  # the running-config reply loses its last third, as a dropped stream

    @property
    def running(self) -> str:
        return self.outputs[PLATFORMS[self.platform].backup.running]

    @running.setter
    def running(self, text: str) -> None:
        self.outputs[PLATFORMS[self.platform].backup.running] = text


class RecordedDevice:
    def __init__(self, recording: Recording, sent: list[str]):
        self.rec = recording
        self.sent = sent
        self.lab = get_profile(recording.platform)
        self.profile = PLATFORMS[recording.platform]

    def send(self, command: str) -> CommandOutput:
        self.sent.append(command)
        text = self._reply(command)
        return CommandOutput(command, text, self.profile.rejected(text))

    def _unknown(self, command: str) -> str:
        prompt = self.lab.prompts.enable.format(hostname=self.rec.hostname, username="netops", ctx="")
        return self.lab.unknown_reply(prompt.split("\n")[-1], command)

    def _reply(self, command: str) -> str:
        if self.rec.refuse_all:
            return self._unknown(command)
        sep = self.lab.command_separator
        parts = [p.strip() for p in command.split(sep.strip())] if sep and sep.strip() in command else [command]
        if len(parts) > 1 and self.rec.refuse_chained:
            return self._unknown(command)
        texts = []
        for part in parts:
            try:
                base, filters = split_pipes(part)
            except FilterError:
                return self._unknown(part)
            if base not in self.rec.outputs:
                return self._unknown(part)
            texts.append(apply_filters(self.rec.outputs[base], filters))
        text = "\n".join(texts)
        if self.rec.cut_running and parts[0] == self.profile.backup.running:
            lines = text.split("\n")
            text = "\n".join(lines[: max(1, len(lines) * 2 // 3)])
        return text


class RecordedCollector:
    """A Collector over recordings; hosts in `failures` fail at connect with that status."""

    def __init__(self, recordings: dict[str, Recording]):
        self.recordings = recordings
        self.failures: dict[str, str] = {}
        self.sent: dict[str, list[str]] = {}  # every command each host was sent, in order

    def fail(self, host: str, status: str) -> None:
        self.failures[host] = status

    def heal(self, host: str) -> None:
        self.failures.pop(host, None)

    def __call__(self, hosts: Sequence[ResolvedHost], procedure: Procedure[T],
                 progress: ProgressReporter) -> dict[str, Outcome[T]]:
        outcomes: dict[str, Outcome[T]] = {}
        progress.start()
        try:
            for h in hosts:
                try:
                    outcome = Outcome(h.name, True, procedure(h, partial(self._connect, h)))
                except errors.DeviceError as exc:
                    outcome = Outcome(h.name, False, None, exc)
                outcomes[h.name] = outcome
                progress.advance(h.name, outcome.ok)
        finally:
            progress.stop()
        return outcomes

    @contextmanager
    def _connect(self, h: ResolvedHost) -> Iterator[Device]:
        status = self.failures.get(h.name)
        if status is not None:
            raise FAILURES[status](h.name, f"recorded failure of {h.hostname}:{h.port} ({status})")
        yield RecordedDevice(self.recordings[h.name], self.sent.setdefault(h.name, []))


def commands_of(platform: str, root: Path) -> set[str]:
    """Every pipe-free command netpatrol may send a device of `platform` in the workspace at `root`."""
    backup = PLATFORMS[platform].backup
    wanted = {backup.running, *backup.sentinel_fallback}
    wanted |= {c for c in (backup.saved, backup.sentinel_command) if c}
    for alternatives in load_job(root, "quarterly").platforms.get(platform, {}).values():
        for command in alternatives:
            try:
                wanted.add(split_pipes(command)[0])
            except FilterError:
                continue
    return wanted


def record_workspace(root: Path, scratch: Path, scenarios: dict[str, list[str]] | None = None) -> dict[str, Recording]:
    """A recording of every inventory host of the workspace at `root`, as its lab.yaml describes
    it (model, version, scenarios; `scenarios` overrides per host). `scratch` holds the configs."""
    inv = load_inventory(root)
    recordings = {}
    for spec in build_specs(inv):
        fields = dataclasses.asdict(spec)
        if scenarios and spec.name in scenarios:
            fields["scenarios"] = scenarios[spec.name]
        fields["faults"] = []
        (scratch / spec.name).mkdir(parents=True, exist_ok=True)
        device = SimulatedDevice(DeviceSpec(**fields), scratch / spec.name)
        outputs = {c: text for c in sorted(commands_of(spec.platform, root)) if (text := device.output(c)) is not None}
        recordings[spec.name] = Recording(device.hostname, spec.platform, outputs)
    return recordings
