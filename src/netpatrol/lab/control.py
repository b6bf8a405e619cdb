"""Start, stop, inspect and change a running lab. The only module that spawns the lab server.

State dir layout: devices.json (0600: it holds passwords), server.pid, ready, applied, hostkeys/,
configs/<name>.running|.saved, server.log. Every change goes through devices.json; the server
notices the new file and writes `applied` with the generation it applied, which we wait for, so a
change is in effect when the call returns.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from netpatrol.errors import LabError
from netpatrol.lab import hostkeys
from netpatrol.lab.device import FAULTS
from netpatrol.lab.endpoints import check_free, check_loopback
from netpatrol.lab.fields import DeviceFields
from netpatrol.lab.profile import load_profiles
from netpatrol.lab.state import SCENARIOS

_SERVER_MODULE = "netpatrol.lab.server"
# Popen objects of servers we started, kept so they are reaped (no zombies, no ResourceWarning).
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass
class LabDeviceSpec(DeviceFields):
    """What `up` needs per device; validated on creation."""


    def __post_init__(self) -> None:
        where = f"lab device {self.name!r}"
        if self.platform not in load_profiles():
            raise LabError(f"{where}: field 'platform' is {self.platform!r}; known: {', '.join(sorted(load_profiles()))}")
        if not 0 < self.port < 65536:
            raise LabError(f"{where}: field 'port' is {self.port}; use 1-65535, e.g. 10022")
        check_loopback(self.name, self.address)
        _check_names(where, "scenarios", self.scenarios, SCENARIOS)
        _check_names(where, "faults", self.faults, FAULTS)


@dataclass(frozen=True)
class DeviceStatus:
    name: str
    platform: str
    address: str
    port: int
    listening: bool
    faults: list[str]
    scenarios: list[str]
    error: str | None = None


@dataclass(frozen=True)
class LabStatus:
    state_dir: Path
    running: bool
    pid: int | None
    devices: list[DeviceStatus]
    start_seconds: float | None = None
    rss_mib: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for `netpatrol lab status --json`)."""
        return {
            "state_dir": str(self.state_dir), "running": self.running, "pid": self.pid,
            "startup_seconds": self.start_seconds, "rss_mib": self.rss_mib,
            "devices": [asdict(d) for d in self.devices],
        }


def _check_names(where: str, field_name: str, given: list[str], known: tuple[str, ...]) -> None:
    unknown = [g for g in given if g not in known]
    if unknown:
        raise LabError(f"{where}: field '{field_name}' has unknown {unknown}; known: {', '.join(known)}")


# -- files ---------------------------------------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_devices(state_dir: Path, doc: dict[str, Any]) -> None:
    path = state_dir / "devices.json"
    tmp = state_dir / "devices.json.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _load_doc(state_dir: Path) -> dict[str, Any]:
    doc = _read_json(Path(state_dir) / "devices.json")
    if doc is None:
        raise LabError(f"{state_dir}: no lab here (devices.json missing); run `netpatrol lab up` first")
    return doc


# -- the server process --------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # A recycled pid belongs to some other program: only our server counts.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z" and _SERVER_MODULE.encode() in cmdline


def _server_pid(state_dir: Path) -> int | None:
    try:
        pid = int((Path(state_dir) / "server.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _rss_mib(pid: int | None) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text() if pid else ""
    except OSError:
        return None
    kb = next((int(line.split()[1]) for line in text.splitlines() if line.startswith("VmRSS:")), None)
    return round(kb / 1024, 1) if kb is not None else None


def _log_tail(state_dir: Path, lines: int = 8) -> str:
    try:
        return "\n".join((state_dir / "server.log").read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server.log)"


def _wait_applied(state_dir: Path, generation: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        applied = _read_json(state_dir / "applied")
        if applied and applied.get("generation", -1) >= generation:
            return applied
        if _server_pid(state_dir) is None:
            raise LabError(f"{state_dir}: lab server is not running; last log lines:\n{_log_tail(state_dir)}")
        time.sleep(0.02)
    raise LabError(f"{state_dir}: lab server did not apply the change within {timeout:.0f} s")


def _raise_listen_errors(state_dir: Path, errors: dict[str, str]) -> None:
    if errors:
        shown = "\n".join(f"  - {msg}" for msg in list(errors.values())[:5])
        more = f"\n  ... and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise LabError(f"{state_dir}: {len(errors)} lab device(s) could not start (port taken?):\n{shown}{more}")


# -- public API ----------------------------------------------------------------------------------


def up(state_dir: Path, specs: list[LabDeviceSpec], timeout: float = 60, options: dict[str, Any] | None = None,
       port_field: Callable[[str], str] | None = None) -> LabStatus:
    """Start the lab (or, when it runs, switch it to these devices); returns once all listen.

    `port_field(device)` names where the device's port is set, for the message when another
    process holds an address:port the lab needs.
    """
    state_dir = Path(state_dir).resolve()
    _check_unique(specs)
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    old = _read_json(state_dir / "devices.json") or {}
    # What this lab's own running server listens on is not "another process".
    ours = {(d["address"], d["port"]) for d in old.get("devices", [])} if _server_pid(state_dir) is not None else set()
    check_free([(s.name, s.address, s.port) for s in specs if (s.address, s.port) not in ours], port_field)
    revs = {d["name"]: (d.get("config_rev", 0), d.get("hostkey_rev", 0)) for d in old.get("devices", [])}
    generation = old.get("generation", 0) + 1
    devices = [{**asdict(s), "config_rev": revs.get(s.name, (0, 0))[0], "hostkey_rev": revs.get(s.name, (0, 0))[1]} for s in specs]
    doc = {"generation": generation, "options": options or old.get("options", {}), "devices": devices}
    if _server_pid(state_dir) is not None:
        _write_devices(state_dir, doc)
        _raise_listen_errors(state_dir, _wait_applied(state_dir, generation, timeout).get("errors", {}))
        return status(state_dir)
    for name in ("ready", "applied", "server.pid"):
        (state_dir / name).unlink(missing_ok=True)
    _write_devices(state_dir, doc)
    with open(state_dir / "server.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", _SERVER_MODULE, str(state_dir)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True,
        )
    _children[proc.pid] = proc
    deadline = time.monotonic() + timeout
    while (ready := _read_json(state_dir / "ready")) is None:
        if proc.poll() is not None:
            raise LabError(f"{state_dir}: lab server exited with status {proc.returncode}:\n{_log_tail(state_dir)}")
        if time.monotonic() > deadline:
            _stop(proc.pid)
            raise LabError(f"{state_dir}: lab server not ready within {timeout:.0f} s:\n{_log_tail(state_dir)}")
        time.sleep(0.02)
    if ready.get("errors"):
        down(state_dir)
        _raise_listen_errors(state_dir, ready["errors"])
    return status(state_dir)


def _check_unique(specs: list[LabDeviceSpec]) -> None:
    names, endpoints = set(), set()
    for s in specs:
        if s.name in names:
            raise LabError(f"lab device {s.name!r}: field 'name' is used twice")
        if (s.address, s.port) in endpoints:
            raise LabError(f"lab device {s.name!r}: field 'port' {s.address}:{s.port} is used by another device")
        names.add(s.name)
        endpoints.add((s.address, s.port))


def _stop(pid: int, timeout: float = 10) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait(timeout=timeout)


def down(state_dir: Path) -> None:
    """Stop the lab server (if it runs). Configs, host keys and devices.json stay for the next up."""
    state_dir = Path(state_dir).resolve()
    pid = _server_pid(state_dir)
    if pid is not None:
        _stop(pid)
    for name in ("ready", "applied", "server.pid"):
        (state_dir / name).unlink(missing_ok=True)


def status(state_dir: Path) -> LabStatus:
    state_dir = Path(state_dir).resolve()
    doc = _read_json(state_dir / "devices.json") or {"devices": []}
    pid = _server_pid(state_dir)
    errors = (_read_json(state_dir / "applied") or {}).get("errors", {}) if pid else {}
    ready = _read_json(state_dir / "ready") or {}
    devices = [
        DeviceStatus(
            d["name"], d["platform"], d["address"], d["port"],
            listening=pid is not None and "refuse_connection" not in d["faults"] and d["name"] not in errors,
            faults=d["faults"], scenarios=d["scenarios"], error=errors.get(d["name"]),
        )
        for d in doc["devices"]
    ]
    return LabStatus(state_dir, pid is not None, pid, devices, ready.get("start_seconds"), _rss_mib(pid))


def _update(state_dir: Path, name: str, change: Callable[[dict[str, Any]], None], timeout: float = 10) -> None:
    state_dir = Path(state_dir).resolve()
    doc = _load_doc(state_dir)
    device = next((d for d in doc["devices"] if d["name"] == name), None)
    if device is None:
        raise LabError(f"{state_dir}: no lab device named {name!r}")
    change(device)
    doc["generation"] = doc.get("generation", 0) + 1
    _write_devices(state_dir, doc)
    if _server_pid(state_dir) is not None:
        _raise_listen_errors(state_dir, _wait_applied(state_dir, doc["generation"], timeout).get("errors", {}))


def set_config(state_dir: Path, name: str, text: str, kind: str = "running") -> None:
    """Replace a device's running (or, kind="saved", saved) config, as if typed and applied."""
    if kind not in ("running", "saved"):
        raise LabError(f"set_config: kind must be 'running' or 'saved', not {kind!r}")
    configs = Path(state_dir).resolve() / "configs"
    configs.mkdir(parents=True, exist_ok=True)

    def change(device: dict[str, Any]) -> None:
        (configs / f"{name}.{kind}").write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        device["config_rev"] = device.get("config_rev", 0) + 1

    _update(state_dir, name, change)


def set_scenarios(state_dir: Path, name: str, scenarios: list[str]) -> None:
    _check_names(f"lab device {name!r}", "scenarios", scenarios, SCENARIOS)
    _update(state_dir, name, lambda d: d.update(scenarios=list(scenarios)))


def set_faults(state_dir: Path, name: str, faults: list[str]) -> None:
    _check_names(f"lab device {name!r}", "faults", faults, FAULTS)
    _update(state_dir, name, lambda d: d.update(faults=list(faults)))


def rotate_hostkey(state_dir: Path, name: str) -> None:
    """Give the device a new host key: clients that pinned the old one see a changed key."""

    def change(device: dict[str, Any]) -> None:
        hostkeys.rotate(Path(state_dir).resolve(), name)
        device["hostkey_rev"] = device.get("hostkey_rev", 0) + 1

    _update(state_dir, name, change)
