"""Declared dependencies and what the product imports agree; only the plugins netpatrol uses load."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib.metadata import entry_points, packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "netpatrol"


def _normalised(name: str) -> str:
    """PEP 503 form: `typing_extensions`, `Typing-Extensions` and `typing.extensions` are one name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalised(re.match(r"[A-Za-z0-9._-]+", req).group(0)) for req in project["dependencies"]}


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level module -> files under src/ importing it (lazy imports inside functions included)."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "netpatrol" and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(str(path.relative_to(REPO)))
    return found


def test_every_declared_dependency_is_imported_and_every_import_declared() -> None:
    declared = _declared()
    dists_of = packages_distributions()
    imports = _third_party_imports()
    provided: dict[str, set[str]] = {}  # distribution -> modules of it that src/ imports
    undeclared = []
    for module, files in sorted(imports.items()):
        dists = {_normalised(d) for d in dists_of.get(module, [])}
        if not dists:
            undeclared.append(f"{module} (not installed; imported by {files[0]})")
            continue
        for dist in dists:
            provided.setdefault(dist, set()).add(module)
        if not dists & declared:
            undeclared.append(f"{module} from {'/'.join(sorted(dists))} (imported by {files[0]})")
    assert not undeclared, f"imported under src/ but not in [project] dependencies: {undeclared}"
    unused = sorted(declared - set(provided))
    assert not unused, f"in [project] dependencies but never imported under src/: {unused}"


SESSION_RUN = """
import json, sys
from pathlib import Path
from nornir.core.plugins.connections import ConnectionPluginRegister
from netpatrol.cli.common import open_workspace
from netpatrol.collect.progress import progress_bar
from netpatrol.collect.runner import SshCollector

ws, inv = open_workspace(Path(sys.argv[1]))
hosts = list(inv.hosts.values())
outcomes = SshCollector(ws, processes=1)(hosts, lambda host, connect: "ok", progress_bar(len(hosts), "noop", False))
print(json.dumps({
    "ok": sorted(name for name, o in outcomes.items() if o.ok),
    "plugins": {name: f"{p.__module__}.{p.__qualname__}" for name, p in ConnectionPluginRegister.available.items()},
    "modules": sorted(sys.modules),
}))
"""


def test_a_run_loads_only_the_connection_plugin_netpatrol_uses(sample_workspace: Path) -> None:
    """Building Nornir and running a task over every host registers netpatrol's session plugin
    alone, and imports no other installed connection plugin (napalm's costs ~1 CPU-s a process)."""
    res = subprocess.run([sys.executable, "-c", SESSION_RUN, str(sample_workspace)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    run = json.loads(res.stdout)
    assert len(run["ok"]) == 15
    assert run["plugins"] == {"netmiko": "netpatrol.collect.session.CheckedNetmiko"}
    modules = set(run["modules"])
    others = {ep.module.split(".")[0] for ep in entry_points(group="nornir.plugins.connections")} - {"nornir_netmiko"}
    assert not modules & (others | {"napalm", "nornir_napalm"}), sorted(modules & (others | {"napalm", "nornir_napalm"}))
