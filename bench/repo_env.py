"""Run a benchmark with the repository's own environment, wherever the clone is.

Imported first by every bench script: when the running interpreter cannot import netpatrol, the
script re-runs itself with the clone's `.venv/bin/python` (what scripts/test.sh and
scripts/lab-demo.sh create), or stops with how to create it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"


def use_repo_venv() -> None:
    if importlib.util.find_spec("netpatrol") is not None:
        return
    if VENV_PYTHON.exists() and Path(sys.executable).absolute() != VENV_PYTHON.absolute():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    sys.exit(f"netpatrol is not importable by {sys.executable}; create the repository's environment first:\n"
             f"  python3 -m venv {REPO}/.venv && {REPO}/.venv/bin/pip install -e '{REPO}[test]'")


def netpatrol_argv() -> list[str]:
    """The `netpatrol` command of the interpreter running the bench (its console script when
    installed beside it, else the same entry point through that interpreter)."""
    script = Path(sys.executable).with_name("netpatrol")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from netpatrol.cli.root import main; main()"]


use_repo_venv()
