"""`run --due` against the lab when a device reports hostile text, and when the report step fails:
the report stays inert, and a failing step never costs the due backups after it."""

from __future__ import annotations

import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.cli import root as cli
from netpatrol.report.inert import clean_text

HOST = "north-core-01"
VERSION = '=HYPERLINK("http://x","y")\x02V200R022'

pytestmark = pytest.mark.lab
runner = CliRunner()


def np(ws: Path, *args: str):
    return runner.invoke(cli.app, [*args, "-w", str(ws)])


def _edit_yaml(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[dict]] = []

    def do_POST(self):
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    _Collector.bodies = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Collector.bodies
    server.shutdown()
    server.server_close()


def _settings(ws: Path, url: str) -> None:
    _edit_yaml(ws / "netpatrol.yaml", lambda d: d.update(
        report_formats=["md", "xlsx"], language="en",
        connection={"conn_timeout": 4, "auth_timeout": 4, "read_timeout": 8, "retries": 0},
        notify={"webhooks": [{"url": url, "retries": 0}]}))


def test_hostile_version_from_the_device_is_inert_text_in_the_report(lab_workspace, webhook):
    from openpyxl import load_workbook

    url, _ = webhook
    _settings(lab_workspace, url)
    _edit_yaml(lab_workspace / "lab.yaml", lambda d: d["devices"][HOST].update(version=VERSION))
    assert np(lab_workspace, "lab", "up").exit_code == 0  # the running lab takes the new version

    res = np(lab_workspace, "run", "--due", "--host", HOST, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "error" not in doc["report"] and doc["backup"]["counts"]["saved"] == 1
    xlsx = doc["report"]["files"]["xlsx"]
    with zipfile.ZipFile(xlsx) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]
    metrics = {r[1].value: r for r in load_workbook(xlsx)["Device metrics"].iter_rows(min_row=2)}
    version = metrics[HOST][6]
    assert version.data_type == "s" and version.value == clean_text(VERSION) and version.quotePrefix
    md = Path(doc["report"]["files"]["md"]).read_text(encoding="utf-8")
    # Markdown: text, no formula and no link (GitHub would autolink a bare web address).
    assert '| =HYPERLINK("http\\://x","y")\ufffdV200R022 |' in md


def test_a_failing_report_step_does_not_stop_the_due_backups(lab_workspace, webhook):
    url, bodies = webhook
    _settings(lab_workspace, url)
    templates = lab_workspace / "reports" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    # A client template with a bug: Jinja raises ZeroDivisionError at render time, not a netpatrol error.
    (templates / "report.md.j2").write_text("{{ r.devices|length // 0 }}\n", encoding="utf-8")

    res = np(lab_workspace, "run", "--due", "--host", HOST, "--json")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["inspection"]["status"] == {"ok": 1}
    assert "ZeroDivisionError" in doc["report"]["error"]
    assert doc["backup"]["counts"]["saved"] == 1 and doc["backup"]["commit"]
    failed = [b for b in bodies if b["kind"] == "report_failed"]
    assert len(failed) == 1 and "ZeroDivisionError" in failed[0]["reason"] and failed[0]["period"]
    assert [d["event"] for d in doc["notifications"] if not d["ok"]] == []
