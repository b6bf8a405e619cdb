"""The client's language throughout: the report of the lab world in zh-CN holds no English sentence,
and in en no Chinese one. What may stay in the other script is what people do not translate:
values the devices, the inventory or netpatrol.yaml supply (host, site and client names, models,
serials, versions, sensor and interface names), commands, configuration lines, raw outputs (code
spans and fenced blocks), and a short glossary of technical tokens."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

import pytest

from md_check import parser as md_parser
from netpatrol.inspection.catalogue import load_job
from netpatrol.report import ReportRequest, build_report
from netpatrol.report.model import ReportModel
from netpatrol.report.render import environment, render_html, render_md
from netpatrol.report.results import load_results
from report_world import Q2, Q3

GLOSSARY = {"CPU", "NTP", "SNMP", "SNMPv3", "SSH", "SSHv2", "ACL", "VTY", "UPS", "IP", "MAC", "ARP", "STP", "VRRP",
            "HSRP", "OSPF", "BGP", "LLDP", "CDP", "Telnet", "HTTP", "HTTPS", "AAA", "DNS", "PSU", "CRC", "UTC", "Git",
            "Web", "Word", "up", "down",
            # configuration keywords and values recommendations and check titles quote
            "shutdown", "public", "private", "authPriv",
            # ... and baseline rule titles (the dengbao-l3 pack): protocols, services and commands they name
            "TACACS", "RADIUS", "FTP", "finger", "console", "service", "password", "encryption"}
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _strings(value: object) -> list[str]:
    """Every string inside a model dump (an inventory archive, a result's facts)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def _supplied(world, r: ReportModel, periods: tuple[str, ...] = (Q2, Q3)) -> list[str]:
    """Values the devices, the inventory and netpatrol.yaml supply, longest first."""
    ws, _, store = world
    found = [ws.settings.client, ws.settings.provider, ws.settings.inspector or "", r.timezone]
    for s in r.sites:
        found += [s.key, *(_strings(s.archive.model_dump()) if s.archive else [])]
    for d in r.devices:
        found += [d.host, d.model or "", d.serial or "", d.version or "", d.platform_name]
    for period in periods:
        for res in load_results(store, period).values():
            found += _strings(res.facts.model_dump())
            health = res.health.model_dump()
            found += [x.get(k) or "" for v in health.values() if isinstance(v, list) for x in v if isinstance(x, dict)
                      for k in ("name", "interface", "neighbor")]
            found += [f.subject or "" for f in res.findings]
    # Configuration lines (evidence quotes them) and commands (recommendations name them).
    found += [line.strip() for path in store.list_files() if path.endswith(".cfg") or "config" in path.rsplit("/", 1)[-1]
              for line in store.read_file(path).splitlines()]
    job = load_job(ws.root, "quarterly")
    found += [c for items in job.platforms.values() for alternatives in items.values() for c in alternatives]
    # Identifiers the Markdown shows as code: evidence file names, templates, the document number, the tool.
    found += [o.name for o in r.appendix] + [p.template or "" for d in r.devices for p in d.problems]
    found += [f"NP-{r.period}-{r.scope or 'ALL'}", f"netpatrol {r.tool_version}"]
    found += [f.key for f in [*r.findings, *r.comparison.resolved]]  # the workbook's problem ids
    # Raw texts (device and tool errors, as they were): code blocks in the documents, a sheet of their own.
    found += [line for e in r.raw_errors for line in (e.text, *e.text.splitlines())]
    # A workspace's own job item is named by its key.
    found += [x.item for d in r.devices for x in d.record if x.label == x.item]
    # Baseline compliance: the standard's clauses (one text for every language), the evidence that is
    # device text (config lines with their section path; the engine's notes are in the report's
    # language and are checked like any sentence) and the fix's commands.
    if r.compliance is not None:
        found += [v for d in r.compliance.devices for x in d.rules
                  for v in (x.clause_id or "", *x.lines, *(line.strip() for line in x.remediation))]
    # Short ASCII values ("2", a slot "0/1") would cut words apart, and cannot hide one.
    return sorted({v.strip() for v in found if len(v.strip()) >= 3 or not v.strip().isascii()}, key=len, reverse=True)


class _Text(HTMLParser):
    """The text a reader sees, without <code>, <pre>, <style> and <title> (the title repeats the period key)."""

    SKIP: ClassVar[set[str]] = {"code", "pre", "style", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        self.depth += tag in self.SKIP

    def handle_endtag(self, tag):
        self.depth -= tag in self.SKIP

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def _prose(text: str, html: bool, supplied: list[str]) -> str:
    """The text a reader sees (Markdown read as a GFM renderer reads it), without code spans and
    blocks, and without the supplied values."""
    parser = _Text()
    parser.feed(text if html else md_parser().render(text))
    text = "\n".join(parser.parts)
    for value in supplied:
        text = text.replace(value, " ")
    return text


def _offenders(text: str, lang: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        bad = [w for w in _LATIN_WORD.findall(line) if sum(c.isalpha() for c in w) >= 3 and w not in GLOSSARY] \
            if lang == "zh-CN" else _CJK.findall(line)
        if bad:
            lines.append(f"{bad}: {line.strip()[:160]}")
    return lines


def _docx_text(path) -> str:
    """What Word shows, without the monospace blocks (diffs, raw outputs: they stay as they were)."""
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs if p.style.name != "Code"]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _xlsx_text(path) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    parts = [ws.title for ws in wb.worksheets]
    parts += [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts)


def _plain(text: str, supplied: list[str]) -> str:
    for value in supplied:
        text = text.replace(value, " ")
    return text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_sentence_is_in_the_report_language(world, lang, tmp_path):
    from netpatrol.report.docx import write_docx
    from netpatrol.report.xlsx import write_xlsx

    ws, inv, store = world
    r = build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang=lang, appendix=True, workspace=ws.root))
    supplied = _supplied(world, r)
    for name, text, html in (("md", render_md(r, environment()), False), ("html", render_html(r, environment()), True)):
        offenders = _offenders(_prose(text, html, supplied), lang)
        assert not offenders, f"{lang} {name}: other-language text:\n" + "\n".join(offenders[:20])
    # Word and Excel take their texts from the same catalogues; raw outputs stay in code blocks.
    for name, text in (("docx", _docx_text(write_docx(r, tmp_path / "r.docx"))),
                       ("xlsx", _xlsx_text(write_xlsx(r, tmp_path / "r.xlsx")))):
        offenders = _offenders(_plain(text, supplied), lang)
        assert not offenders, f"{lang} {name}: other-language text:\n" + "\n".join(offenders[:20])


def test_the_check_catches_a_sentence_in_the_other_language(world):
    """The checker itself: an English evidence sentence in a zh-CN report is found, and so is a
    Chinese one in an en report."""
    ws, inv, store = world
    r = build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang="zh-CN", workspace=ws.root))
    supplied = _supplied(world, r)
    md = render_md(r, environment()) + "\nCPU utilisation above the threshold\n"
    assert any("utilisation" in line for line in _offenders(_prose(md, False, supplied), "zh-CN"))
    assert _offenders(_prose("Compared with the 上期 result", False, []), "en")


@pytest.mark.lab
def test_a_real_inspection_reads_in_each_language(lab_workspace):
    """The sample workspace inspected against the lab (planted faults: CPU, memory, fans, PSUs,
    interface errors, NTP, logs, VRRP, STP, weak security): the evidence the checks write."""
    from typer.testing import CliRunner

    from netpatrol.cli.root import app
    from netpatrol.store.repo import Store
    from netpatrol.workspace.inventory import load_inventory
    from netpatrol.workspace.settings import Workspace

    for command in (["backup"], ["inspect", "--period", "2026Q3", "--backfill"]):  # backup: the config lines
        res = CliRunner().invoke(app, [*command, "-w", str(lab_workspace), "--json"])
        assert res.exit_code == 0, res.output
    ws = Workspace(lab_workspace)
    inv, store = load_inventory(lab_workspace), Store(lab_workspace / "backups").open_or_init()
    try:
        for lang in ("zh-CN", "en"):
            r = build_report(ws.settings, inv, store, ReportRequest(period="2026Q3", lang=lang))
            assert len(r.findings) > 10
            # The lab's weak-security device: its configuration row is abnormal, from the config checks.
            wan = next(d for d in r.devices if d.host == "north-wan-01")
            assert next(x.status for x in wan.record if x.item == "running_config") == "abnormal"
            # The sample workspace's own item and check (tasks/, checks/): its row is abnormal too.
            core = next(d for d in r.devices if d.host == "north-core-01")
            assert next(x.status for x in core.record if x.item == "unused_ports") == "abnormal"
            supplied = _supplied((ws, inv, store), r, periods=("2026Q3",))
            offenders = _offenders(_prose(render_md(r, environment()), False, supplied), lang)
            assert not offenders, f"{lang}: other-language text:\n" + "\n".join(offenders[:30])
    finally:
        store.close()
