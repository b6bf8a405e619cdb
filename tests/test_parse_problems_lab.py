"""Over SSH to the lab: a device answers an item in a layout no template reads; the inspection marks
it unrecognised and counts it, and the report's parse-problems section shows the status, the
command, the template tried and the first line not recognised, as inert text in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import fault_world
from md_check import parse as parse_md
from netpatrol.cli.root import app
from netpatrol.report.inert import REPLACEMENT

pytestmark = pytest.mark.lab
runner = CliRunner()

HOST = "hw-1"
# Device text (a config line the item prints): a formula start, HTML, Markdown and a control character.
LOCATION = "=cmd|'/C calc'!A0 <b>bold</b> `x` [l](http://x) **y**\x02"
COMMAND = "display current-configuration | include sys-info location"
TEMPLATE = "location.textfsm"


def _workspace_item(ws: Path) -> None:
    """A workspace item whose own template expects another layout ("Location: ...")."""
    (ws / "tasks").mkdir()
    (ws / "tasks" / "quarterly.yaml").write_text(
        f"name: quarterly\nextends: quarterly\nplatforms:\n  huawei_vrp:\n    location: [{COMMAND}]\n", encoding="utf-8")
    (ws / "parsers").mkdir()
    (ws / "parsers" / "index").write_text(
        "Template, Hostname, Platform, Command\n\n"
        f"{TEMPLATE}, .*, huawei_vrp, di[[splay]] cu[[rrent-configuration]] \\| i[[nclude]] sys-info location$\n",
        encoding="utf-8")
    (ws / "parsers" / TEMPLATE).write_text("Value LOCATION (.+)\n\nStart\n  ^Location:\\s+${LOCATION} -> Record\n",
                                           encoding="utf-8")


def test_an_unrecognised_layout_is_counted_and_shown_in_the_reports_parse_problems(make_lab, tmp_path, monkeypatch):
    ws = tmp_path / "ws"
    lab = make_lab({HOST: "huawei_vrp"}, workspace=ws)
    fault_world.set_env(monkeypatch)
    lab.set_config(HOST, f"#\nsysname {HOST}\n#\nsnmp-agent sys-info location {LOCATION}\n#\nreturn\n")
    _workspace_item(ws)

    res = runner.invoke(app, ["inspect", "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    item = doc["devices"][0]["items"]["location"]
    shown = LOCATION.replace("\x02", REPLACEMENT)
    assert (item["status"], item["candidates"], item["rows"]) == ("unrecognised", [TEMPLATE], 0)
    assert item["unexplained"] == f"snmp-agent sys-info location {LOCATION}"  # stored as the device printed it
    assert doc["summary"]["parse_problems"] == 1

    res = runner.invoke(app, ["report", "-w", str(ws), "--format", "md,html,xlsx", "--lang", "en", "--json"])
    assert res.exit_code == 0, res.output
    files = {k: Path(v) for k, v in json.loads(res.stdout)["files"].items()}

    md = parse_md(files["md"].read_text(encoding="utf-8"))
    assert md.html == []
    table = next(t for t in md.tables if "Template tried" in t.header)
    row = dict(zip(table.header, next(r for r in table.rows if r[1] == "location"), strict=True))
    assert row["Device"] == HOST and row["Command"] == COMMAND and row["Result"] == "Output not recognised"
    assert row["Template tried"] == TEMPLATE
    # The body gives the reason; the device's line is shown as it was, in the appendix.
    assert row["Reason"].startswith("No parsing template recognised the layout of the output; raw text in appendix A.")
    assert any(f"First line not recognised: snmp-agent sys-info location {shown}" in content for _, content in md.fences)

    html = files["html"].read_text(encoding="utf-8")
    assert "<b>bold" not in html
    assert "First line not recognised: snmp-agent sys-info location =cmd|&#39;/C calc&#39;!A0 &lt;b&gt;bold&lt;/b&gt;" in html
    assert "\x02" not in html

    from openpyxl import load_workbook

    sheet = load_workbook(files["xlsx"])["Parse problems"]
    header = [c.value for c in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["Command"].value == COMMAND and cells["Result"].value == "Output not recognised"
    assert cells["Reason"].value.startswith("No parsing template recognised the layout of the output; raw text in appendix A.")
    raw = load_workbook(files["xlsx"])["Raw error texts"]
    line = next(c for c in raw["E"][1:] if f"snmp-agent sys-info location {shown}" in (c.value or ""))
    assert line.data_type == "s"
