"""Shared fixtures. `corpus_dir()` finds ../shared/corpus (absent on a user's fresh clone).

The lab: every test that needs simulated devices gets them from one factory, `make_lab`
(function scope) or `make_module_lab` (one lab shared by a module), returning a `Lab` handle.
Such tests must carry `@pytest.mark.lab` (so `pytest -m "not lab"` is the fast tier without
SSH): a test that reaches the factory, starts the lab or opens an SSH session without it fails.
Likewise a test that calls `corpus_dir()` (or uses the `corpus` fixture) without `corpus`.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import fault_world

if TYPE_CHECKING:
    from netpatrol.lab.control import LabDeviceSpec

# report_world: two quarters of inspections in a real Git store (`world`, `hostile_world`);
# web_fixtures: argon2 at a test's cost, two web users (`ws`), a WebState (`state`);
# redis_server: a real Redis (Debian redis-server) of the test's own, for the zones (`redis_server`);
# zone_world: the sample lab split into zones over that Redis, and `netpatrol worker` processes
# (`zone_world`, `make_zone_world`);
# pytester: test_lab_marker.py runs pytest on small test files.
pytest_plugins = ["report_world", "web_fixtures", "redis_server", "zone_world", "pytester"]

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
SKIP_NO_CORPUS = "needs the real-device corpus in ../shared/corpus, which only the project's own machines have"


_corpus_reads: list[bool] = []  # corpus_dir() calls in the running test (the `corpus` marker check)


def corpus_dir() -> Path:
    _corpus_reads.append(True)
    if not CORPUS.is_dir():
        pytest.skip(SKIP_NO_CORPUS)
    return CORPUS


@pytest.fixture
def corpus() -> Path:
    return corpus_dir()


@pytest.fixture
def bare_git_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and no system or user git config: the store must not rely on any of them."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "EMAIL", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
                "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_SSH_COMMAND"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def sample_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's sample workspace (inventory, lab.yaml, settings) in tmp_path."""
    ws = tmp_path / "ws"
    ws.mkdir()
    for name in ("netpatrol.yaml", "lab.yaml"):
        shutil.copy(REPO / name, ws / name)
    for name in ("inventory", "tasks", "checks", "parsers", "intended"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, ws / name)
    monkeypatch.setenv("NETPATROL_PASSWORD", os.environ.get("NETPATROL_PASSWORD", "lab-test-pw-8f3k"))
    return ws


def set_inventory_port(ws: Path, port: int) -> None:
    import yaml

    path = ws / "inventory" / "defaults.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["port"] = port
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


# -- the lab --------------------------------------------------------------------------------------

LAB_FIXTURES = {"make_lab", "make_module_lab"}
LAB_MARKER_MISSING = "starts the lab or speaks SSH without @pytest.mark.lab (add it, module-wide: pytestmark = pytest.mark.lab)"
CORPUS_MARKER_MISSING = "reads ../shared/corpus without @pytest.mark.corpus"


@dataclass
class Lab:
    """A running lab: where its state lives, its devices (in creation order) and, when it was made
    from or with one, the workspace whose inventory names them."""

    state_dir: Path
    devices: dict[str, LabDeviceSpec]
    workspace: Path | None = None

    @property
    def specs(self) -> list[LabDeviceSpec]:
        return list(self.devices.values())

    def __getitem__(self, name: str) -> LabDeviceSpec:
        return self.devices[name]

    def set_faults(self, name: str, modes: list[str]) -> None:
        from netpatrol.lab import control

        control.set_faults(self.state_dir, name, modes)

    def set_config(self, name: str, text: str, kind: str = "running") -> None:
        from netpatrol.lab import control

        control.set_config(self.state_dir, name, text, kind=kind)

    def config(self, name: str, kind: str = "running") -> str:
        return (self.state_dir / "configs" / f"{name}.{kind}").read_text(encoding="utf-8")

    def log(self) -> str:
        """server.log: one `auth NAME accepted|rejected` line per login, forwards, generations."""
        try:
            return (self.state_dir / "server.log").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_mark(self) -> int:
        """Where the log ends now: `wait_for_log(..., after=mark)` looks only at what comes later."""
        return len(self.log())

    def wait_for_log(self, *needles: str, after: int = 0, timeout: float = 60) -> None:
        """Until every needle appears in server.log past `after` (a device saw a login, ...)."""
        deadline = time.monotonic() + timeout
        while not all(n in (text := self.log()[after:]) for n in needles):
            if time.monotonic() > deadline:
                raise AssertionError(f"not in the lab's server.log within {timeout:g} s: {needles}\n{text[-1500:]}")
            time.sleep(0.02)

    def auth_attempts(self, name: str) -> int:
        return sum(1 for line in self.log().splitlines() if f" auth {name} " in line + " ")

    def write_workspace(self, root: Path, names: list[str] | None = None, **kw: Any) -> Path:
        """A generated workspace (fault_world.write_workspace) over some of these devices (default: all)."""
        return fault_world.write_workspace(root, [self.devices[n] for n in names or self.devices], **kw)


class LabFactory:
    """`make_lab(hosts, platforms=..., scenarios=..., faults=..., options=..., workspace=...)`;
    every lab it started is stopped when the fixture that owns it ends."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        self._tmp = tmp_path_factory
        self._started: list[Path] = []

    def __call__(self, hosts: int | list[str] | dict[str, str] | None = None, *,
                 platforms: list[str] | None = None,
                 scenarios: list[str] | dict[str, list[str]] | None = None,
                 faults: dict[str, list[str]] | None = None,
                 options: dict[str, Any] | None = None,
                 fields: dict[str, dict[str, Any]] | None = None,
                 workspace: Path | None = None,
                 username: str = "netops", password: str = fault_world.PASSWORD,
                 enable_secret: str | None = fault_world.ENABLE,
                 timeout: float = 120, **workspace_kw: Any) -> Lab:
        """`hosts`: a count (names lab-<platform>-<i>), names, or {name: platform}; without a
        mapping, `platforms` (default: every registered one) are cycled. `scenarios`: for every
        device, or {name: [...]}; `faults`: {name: [...]}; `fields[name]`: any other LabDeviceSpec
        field of one device. The credentials are those fault_world's workspaces refer to. With
        `workspace`, a generated workspace over every device is written there (`workspace_kw` go to
        fault_world.write_workspace) and the lab lives in its .netpatrol/lab."""
        from netpatrol.lab.control import LabDeviceSpec
        from netpatrol.lab.testing import free_ports
        from netpatrol.platforms import PLATFORMS

        cycle = platforms or sorted(PLATFORMS)
        if hosts is None:
            hosts = len(cycle)
        if isinstance(hosts, int):
            hosts = {f"lab-{cycle[i % len(cycle)].replace('_', '-')}-{i}": cycle[i % len(cycle)] for i in range(hosts)}
        elif not isinstance(hosts, dict):
            hosts = {n: cycle[i % len(cycle)] for i, n in enumerate(hosts)}
        scenarios, faults, fields = scenarios or {}, faults or {}, fields or {}
        specs = [LabDeviceSpec(**{
            "name": n, "platform": p, "address": "127.0.0.1", "port": port, "username": username,
            "password": password, "enable_secret": enable_secret,
            "scenarios": list(scenarios.get(n, []) if isinstance(scenarios, dict) else scenarios),
            "faults": list(faults.get(n, [])), **fields.get(n, {})})
                 for (n, p), port in zip(hosts.items(), free_ports(len(hosts)), strict=True)]
        if workspace is not None:
            fault_world.write_workspace(workspace, specs, **workspace_kw)
            state_dir = workspace / ".netpatrol" / "lab"
        else:
            state_dir = self._tmp.mktemp("lab") / "lab"
        return self._up(Lab(state_dir, {s.name: s for s in specs}, workspace), timeout, options)

    def from_workspace(self, ws: Path, timeout: float = 60) -> Lab:
        """The lab the workspace at `ws` describes (its lab.yaml and inventory, e.g. a copy of the
        sample workspace), moved to a port free on every device address."""
        from netpatrol.lab.labfile import build_specs
        from netpatrol.workspace.inventory import load_inventory
        from netpatrol.workspace.settings import Workspace

        addresses = sorted({h.hostname for h in load_inventory(ws).hosts.values()})
        set_inventory_port(ws, _free_port_on(addresses))
        specs = build_specs(load_inventory(ws))
        return self._up(Lab(Workspace(ws).lab_dir, {s.name: s for s in specs}, ws), timeout, None)

    def _up(self, lab: Lab, timeout: float, options: dict[str, Any] | None) -> Lab:
        from netpatrol.lab import control

        control.up(lab.state_dir, lab.specs, timeout=timeout, options=options)
        self._started.append(lab.state_dir)
        return lab

    def close(self) -> None:
        from netpatrol.lab import control

        for state_dir in reversed(self._started):
            control.down(state_dir)


@pytest.fixture
def make_lab(tmp_path_factory: pytest.TempPathFactory):
    """A lab for this test only (see LabFactory)."""
    factory = LabFactory(tmp_path_factory)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def make_module_lab(tmp_path_factory: pytest.TempPathFactory):
    """A lab shared by the module's tests, which each write their own workspace over it."""
    factory = LabFactory(tmp_path_factory)
    yield factory
    factory.close()


@pytest.fixture
def lab_workspace(sample_workspace: Path, make_lab: LabFactory) -> Path:
    """The sample workspace with its whole lab running on a port of its own."""
    return make_lab.from_workspace(sample_workspace).workspace


@pytest.fixture
def faults(lab: Lab):
    """set(name, [faults]) on the requesting module's `lab` (a Lab); cleared after the test."""
    touched: list[str] = []

    def set_(name: str, modes: list[str]) -> None:
        touched.append(name)
        lab.set_faults(name, modes)

    yield set_
    for name in touched:
        lab.set_faults(name, [])


def _free_port_on(addresses: list[str]) -> int:
    """A port free on every given loopback address (the sample lab gives each device its own)."""
    import random
    import socket

    for _ in range(200):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for addr in addresses:
                s = socket.socket()
                socks.append(s)
                s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture is set up: a test reaching the lab factory must be marked `lab`."""
    if LAB_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("lab") is None:
        pytest.fail(f"{item.nodeid} {LAB_MARKER_MISSING}", pytrace=False)


@pytest.fixture(autouse=True)
def _markers_stay_true(request: pytest.FixtureRequest):
    """In a test not marked `lab`, starting a lab or an SSH session in this process fails the test
    (caught here even if the code under test swallows the exception); in one not marked `corpus`,
    reading the corpus does."""
    _corpus_reads.clear()
    if request.node.get_closest_marker("lab") is not None:
        yield
    else:
        yield from _refusing_the_lab(request)
    if _corpus_reads and request.node.get_closest_marker("corpus") is None:
        pytest.fail(f"{request.node.nodeid}: {CORPUS_MARKER_MISSING}", pytrace=False)


def _refusing_the_lab(request: pytest.FixtureRequest):
    import paramiko

    from netpatrol.lab import control, testing

    caught: list[str] = []

    def refuse(what: str):
        def guard(*args: Any, **kwargs: Any):
            caught.append(what)
            raise RuntimeError(f"{what}: this test {LAB_MARKER_MISSING}")
        return guard

    saved = [(control, "up", control.up), (testing, "up", testing.up),
             (paramiko.Transport, "start_client", paramiko.Transport.start_client)]
    control.up = testing.up = refuse("lab up")
    paramiko.Transport.start_client = refuse("SSH session")
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
    if caught:
        pytest.fail(f"{request.node.nodeid}: {caught[0]}: {LAB_MARKER_MISSING}", pytrace=False)
