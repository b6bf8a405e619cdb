"""A small generated workspace over lab devices, for the fault, SIGKILL, shard and secrets tests
(the devices come from conftest's `make_lab`; `Lab.write_workspace` calls `write_workspace`).

The inventory holds only `${NP_FAULT_PASSWORD}` references; the value below is what the lab
devices accept, and the secrets scan looks for it everywhere the tests leave artefacts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from netpatrol.lab.control import LabDeviceSpec
from netpatrol.platforms import PLATFORMS as PLATFORM_REGISTRY

PASSWORD_ENV = "NP_FAULT_PASSWORD"
PASSWORD = "fault-lab-Pw-7Qx2v"
ENABLE = "fault-enable-Kp4w9"
ENABLE_ENV = "NP_FAULT_ENABLE"
PLATFORMS = sorted(PLATFORM_REGISTRY)
FAST = {"conn_timeout": 2, "auth_timeout": 2, "read_timeout": 3, "retries": 0, "retry_backoff": 0.1}


def write_workspace(root: Path, devices: list[LabDeviceSpec], connection: dict | None = None,
                    workers: int | None = None, extras: dict[str, dict] | None = None,
                    backup: dict | None = None, settings: dict | None = None) -> Path:
    """netpatrol.yaml + inventory for exactly these devices; `extras[host]` adds netmiko extras,
    `settings` more top-level settings."""
    (root / "inventory").mkdir(parents=True, exist_ok=True)
    doc = {"client": "Fault test", "provider": "Fault test", "language": "en",
           "workers": workers or max(1, len(devices)), "connection": {**FAST, **(connection or {})},
           "lab_state_dir": ".netpatrol/lab", **(settings or {})}
    if backup:
        doc["backup"] = backup
    (root / "netpatrol.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    defaults = {"username": "netops", "password": f"${{{PASSWORD_ENV}}}",
                "connection_options": {"netmiko": {"extras": {"secret": f"${{{ENABLE_ENV}}}"}}}}
    groups = {"site-a": {"data": {"site": {"name": "Site A"}}}}
    hosts = {}
    for s in devices:
        h = {"hostname": s.address, "port": s.port, "platform": s.platform, "groups": ["site-a"]}
        if extras and s.name in extras:
            h["connection_options"] = {"netmiko": {"extras": extras[s.name]}}
        hosts[s.name] = h
    for name, doc in (("defaults", defaults), ("groups", groups), ("hosts", hosts)):
        (root / "inventory" / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return root


def env() -> dict[str, str]:
    return {**os.environ, PASSWORD_ENV: PASSWORD, ENABLE_ENV: ENABLE, "PYTHONDONTWRITEBYTECODE": "1"}


def set_env(monkeypatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(ENABLE_ENV, ENABLE)


# cli.py has no __main__ block; this is what the console script runs.
NETPATROL = [sys.executable, "-c", "from netpatrol.cli.root import main; main()"]


def cli(ws: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`netpatrol ARGS -w WS` in a child process (real exit codes, signals, no shared state)."""
    return subprocess.run([*NETPATROL, *args, "-w", str(ws)], env=env(),
                          capture_output=True, text=True, timeout=timeout)


def popen(ws: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([*NETPATROL, *args, "-w", str(ws)], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def git(ws: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=check, capture_output=True, text=True).stdout


def devices_by_host(doc: dict) -> dict[str, dict]:
    return {d["host"]: d for d in doc["devices"]}


def json_out(proc: subprocess.CompletedProcess) -> dict:
    try:
        return json.loads(proc.stdout)
    except ValueError as exc:
        raise AssertionError(f"not JSON (rc {proc.returncode}): {proc.stdout[-500:]}\n{proc.stderr[-2000:]}") from exc

