"""Docs stay true: every command is in the README, every result field in the schema page."""

from __future__ import annotations

from pathlib import Path

import typer.main

from netpatrol import health
from netpatrol.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _commands(group, prefix=""):
    for name, cmd in group.commands.items():
        full = f"{prefix}{name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, full + " ")
        else:
            yield full, cmd


def test_every_command_has_help_and_is_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing_help, missing_doc = [], []
    for name, cmd in _commands(typer.main.get_command(app)):
        if not (cmd.help or "").strip():
            missing_help.append(name)
        top = name.split()[0]
        if f"netpatrol {name}" not in readme and f"`{name.split()[-1]}`" not in readme and f"netpatrol {top}" not in readme:
            missing_doc.append(name)
    assert not missing_help, f"commands without help: {missing_help}"
    assert not missing_doc, f"commands not in README.md: {missing_doc}"


def test_schema_page_lists_every_field():
    page = (ROOT / "docs" / "inspection-schema.md").read_text(encoding="utf-8")
    assert f"version {health.SCHEMA_VERSION}" in page
    models = [getattr(health, n) for n in dir(health) if isinstance(getattr(health, n), type)
              and issubclass(getattr(health, n), health.BaseModel) and getattr(health, n) is not health.BaseModel
              and not n.startswith("_")]
    for model in models:
        assert f"## {model.__name__}" in page, model.__name__
        for field in model.model_fields:
            assert f"`{field}`" in page, f"{model.__name__}.{field}"
