"""Zone workspaces over the lab and real `netpatrol worker` processes, for the zones' tests.

`make_zone_world(...)` (fixture) -> `ZoneWorld`: a copy of the sample workspace with its whole lab
running, its sites split into zones — jc-north in `north`, jc-east in `east`, jc-city stays
`local` — declared in netpatrol.yaml, with `distributed:` pointing at this test's `redis_server`
(the password as `${NP_BROKER_PASSWORD}`, short timings for tests) and a few devices per zone whose
configs hold the lab's planted secrets. `zone_world` is `make_zone_world()`.

Workers: `world.start_workers(north=2, east=2)` runs `netpatrol worker --zone Z -w WS` processes,
each in a process group of its own, with the device and broker passwords in its environment only
(the workspace names them as `${ENV}`), and returns once Celery says each consumes its zone's queue.
`WorkerProcess.kill()` SIGKILLs the whole group, `kill_pool_child()` one prefork child. Every
worker still running is SIGKILLed at teardown; their logs go into a failing test's report.

Central runs: `world.cli("backup", "--json")` / `world.popen(...)` run the CLI in a child
process with the same environment. `world.slow(hosts)` makes devices slow enough to act mid-batch.
`world.secrets()` lists what must never reach the broker; `BrokerWatch` (tests/broker_watch.py)
records what did. The worker processes themselves are tests/zone_workers.py's.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from broker_watch import BrokerWatch
from fault_world import NETPATROL
from redis_server import RedisServer
from zone_workers import WorkerProcess, ZoneWorkers

__all__ = ["BrokerWatch", "WorkerProcess", "ZoneWorld"]

BROKER_PASSWORD_ENV = "NP_BROKER_PASSWORD"
DEVICE_PASSWORD_ENV = "NETPATROL_PASSWORD"  # the sample inventory's password and enable secret
SITE_ZONES = {"jc-north": "north", "jc-east": "east"}  # jc-city stays local
ZONE_DESCRIPTIONS = {"north": "北山县 site network (tests)", "east": "东河县 site network (tests)"}
# Devices whose lab config carries every planted secret form of its platform: two per zone.
PLANTED = ["city-acc-02", "city-core-01", "north-wan-01", "north-core-01", "east-core-01", "east-acc-02"]
# visibility_timeout short enough for a test to see a redelivery; batch_time_limit under it (the
# settings demand it) and longer than any batch takes (a slow batch of two devices ~6 s).
# no_worker_wait 10 s: several inspect rounds (1 s each) even on two loaded cores, so a zone whose
# workers are live is never given up for one late reply.
TEST_DISTRIBUTED = {"batch_size": 2, "visibility_timeout": 15, "batch_time_limit": 12, "no_worker_wait": 10,
                    "connect_timeout": 2}
_LIVE: list[ZoneWorld] = []  # this process's worlds now, for the failure report hook


class ZoneWorld(ZoneWorkers):
    def __init__(self, ws: Path, lab: Any, redis: RedisServer, device_password: str, logs_dir: Path):
        super().__init__(ws, logs_dir, redis.url)
        self.lab = lab  # conftest.Lab
        self.redis = redis
        self.device_password = device_password

    # -- the workspace ---------------------------------------------------------------------------

    def settings(self) -> dict:
        return yaml.safe_load((self.ws / "netpatrol.yaml").read_text(encoding="utf-8"))

    def zone_of(self) -> dict[str, str]:
        """host -> zone, as the inventory says (read back through netpatrol's own loader)."""
        from netpatrol.workspace.inventory import load_inventory

        return {h.name: h.zone for h in load_inventory(self.ws, need_secrets=False).hosts.values()}

    def hosts(self, zone: str) -> list[str]:
        return sorted(h for h, z in self.zone_of().items() if z == zone)

    def platform_of(self) -> dict[str, str]:
        return {name: spec.platform for name, spec in self.lab.devices.items()}

    def slow(self, hosts: list[str], line_delay: float = 0.01) -> None:
        """The lab's `slow` fault on `hosts`: every output of 10+ lines comes `line_delay` s per line
        (a batch of two then takes ~6 s at 0.01), so a test can act while their batch runs."""
        from netpatrol.lab import control

        control.up(self.lab.state_dir, self.lab.specs, options={"slow_line_delay": line_delay})
        for host in hosts:
            self.lab.set_faults(host, ["slow"])

    def set_distributed(self, **values: Any) -> None:
        """Change `distributed:` keys (workers started later read the new values)."""
        doc = self.settings()
        doc["distributed"].update(values)
        (self.ws / "netpatrol.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def env(self) -> dict[str, str]:
        """The environment of the central run and of every worker: the passwords the workspace refers to."""
        return {**os.environ, DEVICE_PASSWORD_ENV: self.device_password, BROKER_PASSWORD_ENV: self.redis.password,
                "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}

    def secrets(self) -> dict[str, bytes]:
        """What must never be on the broker or in a result: label -> value."""
        from netpatrol.lab.planted import planted

        out = {"device password": self.device_password.encode(), "broker password": self.redis.password.encode()}
        for host in PLANTED:
            for s in planted(self.lab.devices[host].platform):
                out[f"planted {s.platform}/{s.form} ({host})"] = s.value.encode()
        return out

    # -- central runs ----------------------------------------------------------------------------

    def cli(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([*NETPATROL, *args, "-w", str(self.ws)], env=self.env(), capture_output=True,
                              text=True, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([*NETPATROL, *args, "-w", str(self.ws)], env=self.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)

    # -- workers ---------------------------------------------------------------------------------



def write_zone_workspace(ws: Path, redis: RedisServer, distributed: dict[str, Any] | None = None,
                         planted: list[str] | None = None) -> None:
    """Turn a copy of the sample workspace into the zone world's (zones, broker, planted secrets)."""
    path = ws / "netpatrol.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["zones"] = {zone: {"description": text} for zone, text in ZONE_DESCRIPTIONS.items()}
    doc["distributed"] = {"broker": f"redis://:${{{BROKER_PASSWORD_ENV}}}@127.0.0.1:{redis.port}/0",
                          **TEST_DISTRIBUTED, **(distributed or {})}
    doc["workers"] = 8
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    path = ws / "inventory" / "groups.yaml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))
    for group, zone in SITE_ZONES.items():
        groups[group].setdefault("data", {})["zone"] = zone
    path.write_text(yaml.safe_dump(groups, allow_unicode=True, sort_keys=False), encoding="utf-8")

    path = ws / "lab.yaml"
    lab = yaml.safe_load(path.read_text(encoding="utf-8"))
    for host in PLANTED if planted is None else planted:
        entry = lab["devices"].setdefault(host, {})
        entry["scenarios"] = [*entry.get("scenarios", []), "planted_secrets"]
    path.write_text(yaml.safe_dump(lab, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def make_zone_world(sample_workspace: Path, make_lab, redis_server: RedisServer,
                    tmp_path: Path) -> Iterator[Any]:
    """`make_zone_world(distributed={...}, planted=[...])` -> a ZoneWorld (one per test)."""
    worlds: list[ZoneWorld] = []

    def make(distributed: dict[str, Any] | None = None, planted: list[str] | None = None) -> ZoneWorld:
        assert not worlds, "one zone world per test: its lab and broker are the test's own"
        write_zone_workspace(sample_workspace, redis_server, distributed, planted)
        lab = make_lab.from_workspace(sample_workspace)
        logs = tmp_path / "worker-logs"
        logs.mkdir(exist_ok=True)
        world = ZoneWorld(sample_workspace, lab, redis_server, os.environ[DEVICE_PASSWORD_ENV], logs)
        worlds.append(world)
        _LIVE.append(world)
        return world

    yield make
    for world in worlds:
        _LIVE.remove(world)
        world.close()


@pytest.fixture
def zone_world(make_zone_world) -> ZoneWorld:
    """The default zone world (see the module's docstring); no worker runs until the test starts some."""
    return make_zone_world()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failing zone test's report carries every worker's log."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when in ("setup", "call"):
        for world in _LIVE:
            if world.workers:
                report.sections.append(("zone workers' logs", world.worker_logs()))
