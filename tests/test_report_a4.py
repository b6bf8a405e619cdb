"""The HTML report fits an A4 page: laid out by headless Chromium at A4 width (210 mm = 794 CSS px),
nothing reaches past the page's printable width (A4 minus the stylesheet's @page margins), with
the widest values the lab's devices give (12-column device table, long serials, versions such as
"7.1.070, Release 6328P03", interface names, configuration lines quoted as evidence).

Skipped with the reason when Chromium is missing (scripts/install-system-deps.sh installs it)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from netpatrol.report import ReportRequest, build_report
from netpatrol.report.model import RawOutput, RecordRow, ReportModel
from netpatrol.report.pdf import pdf_available, write_pdf
from netpatrol.report.render import PACKAGE_TEMPLATES, environment, render_html
from report_world import Q3

pytest_plugins = ["report_world"]

CHROMIUM = "/usr/bin/chromium"
A4_PX = 794  # 210 mm at 96 CSS px per inch
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"needs {CHROMIUM} (Debian package chromium, scripts/install-system-deps.sh)")

# What the lab's devices put into a report (lab.yaml, inventory/): the longest of each kind, and
# unbroken tokens as long as a hashed secret or a Huawei ESN.
VERSIONS = ["7.1.070, Release 6328P03", "V200R021C10SPC600", "RGOS 11.4(1)B12P3", "21.4R3-S5.4", "9.3(10)"]
MODELS = ["RG-S2910-24GT4XS-E", "DCS-7050SX3-48YC8", "N9K-C93180YC-EX", "ISR4331/K9", "S5735-L48T4X-A"]
SERIALS = ["210235A2DQH21B000137", "21980107335GJ8000213", "FDO2236X1ABZ", "JN11D2A9CAFC"]
INTERFACES = ("Ten-GigabitEthernet1/0/49, Ten-GigabitEthernet1/0/50, GigabitEthernet1/0/24, "
              "HundredGigE1/0/1, Bridge-Aggregation10")
CONFIG_LINE = ("snmp-agent community read cipher %^%#Gn7V4qBtC;ZR-9Wfo.(2Xb}B6lB9]P`w\\K3$u/1aYqN2%^%# "
               "acl 2001")
TOKEN = "sha256$" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 2


def widest(report: ReportModel) -> ReportModel:
    """The report with the lab's widest values in every column that shows device text."""
    for i, d in enumerate(report.devices):
        d.version, d.model, d.serial = VERSIONS[i % 5], MODELS[i % 5], SERIALS[i % 4]
        if i == 0:
            d.serial = TOKEN[:40]
        d.record = [RecordRow("interfaces", "接口状态", "abnormal", INTERFACES),
                    RecordRow("config", "配置", "abnormal", CONFIG_LINE),
                    RecordRow("token", "令牌", "normal", TOKEN)]
    evidence = f"{INTERFACES}; {CONFIG_LINE}; {TOKEN}"
    report.findings = [dataclasses.replace(f, detail=evidence, evidence=(INTERFACES, CONFIG_LINE, TOKEN))
                       for f in report.findings]
    for s in report.sites:
        s.findings = [dataclasses.replace(f, detail=evidence) for f in s.findings]
    report.top_risks = [dataclasses.replace(f, detail=evidence) for f in report.top_risks]
    c = report.comparison
    c.new, c.persisting, c.resolved = ([dataclasses.replace(f, detail=evidence) for f in rows]
                                       for rows in (c.new, c.persisting, c.resolved))
    if report.conclusion is not None:
        report.conclusion.key_risks = [dataclasses.replace(f, detail=evidence) for f in report.conclusion.key_risks]
        report.conclusion.actions = [dataclasses.replace(a, title=INTERFACES, recommendation=CONFIG_LINE)
                                     for a in report.conclusion.actions]
    report.appendix = [RawOutput(report.devices[0].host, "display_current_configuration",
                                 f"{CONFIG_LINE}\n{TOKEN}\n interface {INTERFACES}\n")]
    return report


# Written into a copy of the report, last in its body: it measures the laid-out page (asking for a
# box lays the page out first) and leaves its verdict in the DOM, which `chromium --dump-dom` prints
# once the page has loaded.
PROBE = """<script>
(() => {
  const mm = n => { const d = document.createElement('div'); d.style.width = n; document.body.append(d);
                    const w = d.getBoundingClientRect().width; d.remove(); return w; };
  let left = 0, right = 0;
  for (const sheet of document.styleSheets) for (const rule of sheet.cssRules)
    if (rule instanceof CSSPageRule && !rule.selectorText) {
      left = mm(rule.style.marginLeft); right = mm(rule.style.marginRight); }
  const html = document.documentElement, body = document.body, bs = getComputedStyle(body);
  const content = body.getBoundingClientRect();
  const start = content.left + parseFloat(bs.paddingLeft), end = content.right - parseFloat(bs.paddingRight);
  const over = [];
  for (const el of document.querySelectorAll('table, pre, svg, img, code, nav, section, div')) {
    const r = el.getBoundingClientRect();
    const inner = el.tagName === 'TABLE' || el.tagName === 'PRE' ? el.scrollWidth - el.clientWidth : 0;
    if (r.right > end + 0.5 || r.left < start - 0.5 || inner > 0)
      over.push({tag: el.tagName, cls: el.className.baseVal ?? el.className, right: Math.round(r.right),
                 width: Math.round(r.width), scroll: el.scrollWidth, text: el.textContent.slice(0, 60)});
  }
  const out = document.createElement('output');
  out.id = 'a4-verdict';
  out.textContent = JSON.stringify({viewport: html.clientWidth, scroll: html.scrollWidth, page_left: left,
    page_right: right, start, end, over});
  body.append(out);
})();
</script>"""


def a4_layout(html: str, tmp_path: Path) -> dict:
    page = tmp_path / "a4.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={A4_PX},1123", "--dump-dom", page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    found = re.search(r'<output id="a4-verdict">(.*?)</output>', proc.stdout, re.S)
    assert found, f"no verdict from chromium: {proc.stderr[-2000:]}"
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


@needs_chromium
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_html_report_fits_a4_width(world, tmp_path, lang):
    ws, inv, store = world
    report = widest(build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang=lang, appendix=True)))
    verdict = a4_layout(render_html(report, environment()), tmp_path)
    assert verdict["viewport"] == A4_PX
    # The screen layout is the print layout: the page's text column is A4 minus the @page margins.
    assert verdict["page_left"] > 0 and verdict["page_right"] > 0
    assert abs(verdict["end"] - verdict["start"] - (A4_PX - verdict["page_left"] - verdict["page_right"])) < 1
    assert verdict["scroll"] <= verdict["viewport"], verdict
    assert verdict["over"] == [], json.dumps(verdict["over"][:8], ensure_ascii=False, indent=1)


def _page_margins_pt() -> tuple[float, float]:
    """(left, right) of the stylesheet's @page margin, in PDF points."""
    page = re.search(r"@page\s*\{[^}]*?margin:\s*([^;]+);", (PACKAGE_TEMPLATES / "report.css").read_text(encoding="utf-8"))
    assert page, "report.css sets no @page margin"
    mm = [float(v.removesuffix("mm")) for v in page[1].split()]
    right, left = {1: (mm[0], mm[0]), 2: (mm[1], mm[1]), 3: (mm[1], mm[1]), 4: (mm[1], mm[3])}[len(mm)]
    return left * 72 / 25.4, right * 72 / 25.4


@pytest.mark.skipif(pdf_available() is not None, reason=f"PDF needs weasyprint with pango: {pdf_available()}")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (Debian poppler-utils) to read the PDF")
def test_pdf_text_stays_inside_the_page_margins(world, tmp_path):
    ws, inv, store = world
    report = widest(build_report(ws.settings, inv, store, ReportRequest(period=Q3, lang="zh-CN", appendix=True)))
    pdf = write_pdf(render_html(report, environment()), tmp_path / "report.pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    left, right = _page_margins_pt()
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', boxes, re.S):
        width = float(page[1])
        for word in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page[2]):
            if float(word[1]) < left - 1 or float(word[2]) > width - right + 1:
                outside.append((word[3], round(float(word[1])), round(float(word[2])), round(width - right)))
    assert boxes.count("<page ") > 5
    assert outside == [], outside[:10]
