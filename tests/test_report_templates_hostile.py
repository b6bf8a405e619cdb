"""A workspace's own report templates (reports/templates/, possibly from a client or a colleague)
are rendered in Jinja's sandbox, and a broken one is a one-line error naming it, exit 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app

ESCAPE = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
RUN = "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}"


def run_report(ws, fmt="md"):
    return CliRunner().invoke(app, ["report", "-w", str(ws.root), "--format", fmt, "--lang", "en"])


def reports_state(ws) -> list[str]:
    return sorted(str(p.relative_to(ws.reports)) for p in ws.reports.rglob("*") if "templates" not in p.parts)


@pytest.mark.parametrize("name,body", [
    ("report.md.j2", ESCAPE),
    ("report.md.j2", RUN),
    ("report.html.j2", RUN),
    # Resource exhaustion the sandbox alone allows (kept small enough to be harmless unrefused).
    ("report.md.j2", "{{ 'x' * 3000000 }}"),
    ("report.md.j2", "{{ [1, 2] * 2000000 }}"),
    ("report.md.j2", "{{ 7 ** 123456 }}"),
])
def test_hostile_workspace_templates_are_refused(world, tmp_path, name, body):
    ws, _, _ = world
    marker = tmp_path / "ran"
    (ws.reports / "templates").mkdir(parents=True)
    (ws.reports / "templates" / name).write_text(body.replace("MARKER", str(marker)), encoding="utf-8")
    before = reports_state(ws)
    res = run_report(ws, "md" if name.startswith("report.md") else "html")
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert name in res.output and "unsafe" in res.output
    assert "subclasses" not in res.output.replace(body, "")  # nothing of Python's internals leaked
    assert res.output.count("error:") == 1
    assert not marker.exists()
    assert reports_state(ws) == before


@pytest.mark.parametrize("body,fragments", [
    ("\n{{ 1 / 0 }}", ("report.md.j2", "line 2", "division by zero")),
    ("{% for x in 5 %}{{ x }}{% endfor %}", ("report.md.j2", "not iterable")),
    ("{{ no_such_name.field }}", ("report.md.j2", "no_such_name")),
    ("{% include 'nothing-here.j2' %}", ("nothing-here.j2", "not found")),
    ("{% if %}", ("report.md.j2", "line 1")),
])
def test_broken_workspace_templates_are_one_line_errors(world, body, fragments):
    ws, _, _ = world
    (ws.reports / "templates").mkdir(parents=True)
    (ws.reports / "templates" / "report.md.j2").write_text(body, encoding="utf-8")
    res = run_report(ws)
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert all(f in res.output for f in fragments), res.output
    assert len(res.output.strip().splitlines()) == 1


def test_broken_workspace_template_is_found_by_inventory_check(world):
    ws, _, _ = world
    (ws.reports / "templates").mkdir(parents=True)
    (ws.reports / "templates" / "report.md.j2").write_text("# {{ title\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(ws.root)])
    assert res.exit_code == 2, res.output
    assert "reports/templates/report.md.j2" in res.output and "line 1" in res.output
