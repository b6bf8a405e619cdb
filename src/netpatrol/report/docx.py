"""The report as a Word document (python-docx): the Markdown/HTML report's content in its order,
editable (every word is text, no images), with Word's own heading styles so its navigation pane and
the TOC field work, tables whose header row repeats across pages, CJK fonts and A4 pages.

Every label comes from the message catalogue; every value from a device goes through
`inert.docx_text` (in docx_style) before it reaches python-docx.
"""

from __future__ import annotations

from pathlib import Path

from netpatrol.report import docx_compliance
from netpatrol.report.docx_style import CODE_STYLE, NOTE_STYLE, Marked, add_field, core_properties, page_frame, setup, table
from netpatrol.report.i18n import Translator
from netpatrol.report.inert import docx_text
from netpatrol.report.labels import level_names, platform_label, severities_of, site_names
from netpatrol.report.model import DeviceRow, FindingRow, ReportModel
from netpatrol.report.render import ROOM_FIELDS, baseline_intro, host_list, sections

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
DIFF_MAX_LINES = 300  # per device; the full diff is in Git
OUTPUT_MAX_LINES = 500  # per raw output in the appendix


def write_docx(report: ReportModel, path: Path) -> Path:
    from docx import Document

    doc = Document()
    t = Translator(report.lang)
    setup(doc, report.lang)
    w = _Writer(doc, report, t)
    w.cover()
    w.toc()
    for part in (w.conclusion, w.summary, w.sites, w.records, w.findings, w.compliance, w.changes, w.comparison,
                 w.problems, w.appendix):
        part()
    page_frame(doc, f"{report.client} · {t('doc.title')} · {w.period}", t("docx.page"))
    core_properties(doc, title=f"{report.client} · {t('doc.title')} · {w.period}", author=report.provider,
                    subject=f"{t('doc.title')} {w.period}", language=report.lang,
                    comments=t("cover.tool", version=report.tool_version), day=report.report_date)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


class _Writer:
    def __init__(self, doc, report: ReportModel, t: Translator) -> None:
        self.doc, self.r, self.t = doc, report, t
        self.names = site_names(report.sites)
        self.levels = level_names(report)
        self.period = report.period_label or report.period
        self.number = 0

    # -- helpers ------------------------------------------------------------------------------
    def heading(self, text: str, level: int) -> None:
        if level == 1:
            self.number += 1
            text = f"{self.number} {text}"
        self.doc.add_heading(docx_text(text), level=level)

    def para(self, text: str, style: str | None = None, bold: bool = False) -> None:
        paragraph = self.doc.add_paragraph(style=style)
        paragraph.add_run(docx_text(text)).bold = bold

    def site(self, key: str) -> str:
        return self.names.get(key, key)

    def level(self, f: FindingRow) -> str:
        """A problem's level as the contract names it."""
        return f.level or self.levels.get(f.severity, f.severity)

    def code(self, text: str, limit: int, note_key: str) -> None:
        """Monospace lines (a diff, a raw output), cut at `limit` lines with a note saying so."""
        lines = text.rstrip("\n").split("\n")
        for line in lines[:limit]:
            self.doc.add_paragraph(docx_text(line) or " ", style=CODE_STYLE)
        if len(lines) > limit:
            self.para(self.t(note_key, total=len(lines), shown=limit), NOTE_STYLE)

    # -- cover and contents -------------------------------------------------------------------
    def cover(self) -> None:
        r, t = self.r, self.t
        self.doc.add_paragraph(docx_text(r.client), style="Title")
        self.doc.add_paragraph(docx_text(t("doc.title")), style="Title")
        scope = f" · {self.site(r.scope)}" if r.scope else ""
        self.doc.add_paragraph(docx_text(self.period + scope), style="Subtitle")
        dates = r.inspection_start or "—"
        if r.inspection_end and r.inspection_end != r.inspection_start:
            dates += f" ~ {r.inspection_end}"
        table(self.doc, [t("cover.item"), t("cover.value")], [
            [t("cover.client"), r.client], [t("cover.provider"), r.provider], [t("cover.period"), self.period],
            [t("cover.inspection_dates"), dates], [t("cover.inspector"), r.inspector],
            [t("cover.report_date"), r.report_date], [t("cover.doc_no"), f"NP-{r.period}-{r.scope or 'ALL'}"],
            [t("cover.tool_label"), f"netpatrol {r.tool_version}"]], widths=(1, 3), header_column=True)
        self.para("")
        self.para(t("signoff.title"), bold=True)
        self.para(t("signoff.text", period=r.period))
        table(self.doc, [" ", t("signoff.provider"), t("signoff.client")], [
            [t("signoff.unit"), r.provider, r.client], [t("signoff.signature"), " ", " "],
            [t("signoff.date"), " ", " "], [t("signoff.seal"), "\n\n", "\n\n"]], widths=(1, 2, 2), header_column=True)
        self.para(t("cover.confidential"), NOTE_STYLE)
        self.doc.add_page_break()

    def toc(self) -> None:
        self.doc.add_paragraph(docx_text(self.t("docx.toc")), style="TOC Heading")
        add_field(self.doc.add_paragraph(), TOC_INSTRUCTION, self.t("docx.toc_hint"))
        self.doc.add_page_break()

    # -- sections -----------------------------------------------------------------------------
    def conclusion(self) -> None:
        r, t, c = self.r, self.t, self.r.conclusion
        self.heading(t("docx.conclusion"), 1)
        if c is None:
            return
        self.para(c.overall)
        if c.baseline:
            self.para(c.baseline)
        if c.sites:
            names = [lv.name for lv in r.levels]
            baseline = [t("col.baseline_failed")] if r.compliance else []
            self.heading(t("docx.site_states"), 2)
            table(self.doc, [t("col.site"), t("docx.col.state"), t("summary.devices"), t("summary.inspected"), *names,
                             *baseline],
                  [[s.name, t(f"state.{s.state}"), s.devices, s.inspected,
                    *[sum(s.problems.get(sev, 0) for sev in severities_of(lv)) for lv in r.levels],
                    *(["—" if s.baseline_failed is None else s.baseline_failed] if baseline else [])]
                   for s in c.sites])
        self.heading(t("summary.top_risks"), 2)
        if c.key_risks:
            table(self.doc, ["#", t("docx.col.level"), t("col.device"), t("col.issue"), t("col.detail")],
                  [[i, self.level(f), f.host, f.title, _evidence(f)]
                   for i, f in enumerate(c.key_risks, 1)], widths=(0.5, 1.3, 1.6, 2.5, 4))
        else:
            self.para(t("summary.no_risks"))
        if c.actions:
            self.heading(t("docx.actions"), 2)
            table(self.doc, ["#", t("docx.col.level"), t("col.device"), t("col.issue"), t("col.recommendation"),
                             t("col.target")],
                  [[i, a.level, a.host, a.title, a.recommendation, a.due] for i, a in enumerate(c.actions, 1)],
                  widths=(0.5, 1.3, 1.6, 2.2, 3, 2))
        if c.baseline_actions:
            self.heading(t("conclusion.baseline_actions"), 2)
            self.para(baseline_intro(r, t, sections(r, t)))
            table(self.doc, ["#", t("docx.col.level"), t("col.clause"), t("col.requirement"), t("col.baseline_devices")],
                  [[i, a.level, a.clause, a.title, host_list(a, t)] for i, a in enumerate(c.baseline_actions, 1)],
                  widths=(0.5, 1.3, 1.2, 3, 4))

    def summary(self) -> None:
        r, t = self.r, self.t
        self.heading(t("summary.title"), 1)
        table(self.doc, [t("cover.item"), t("cover.value")], [
            [t("summary.devices"), len(r.devices)], [t("summary.inspected"), len(r.inspected)],
            [t("summary.not_inspected"), len(r.not_inspected)], [t("summary.findings"), len(r.findings)],
            [t("summary.changed_devices"), len(r.config_changes)],
            *([[t("summary.baseline"), t("summary.baseline_counts", failed=r.compliance.counts.failed,
                                          total=r.compliance.counts.total)]] if r.compliance else [])],
              widths=(2, 1), header_column=True)
        if r.timezone:
            self.para(t("docx.timezone", zone=r.timezone), NOTE_STYLE)
        if r.levels:
            self.heading(t("summary.targets_title"), 2)
            table(self.doc, [t("docx.col.level"), t("col.count"), t("docx.col.response"), t("docx.col.resolution")],
                  [[lv.name, lv.count, lv.response, lv.resolution] for lv in r.levels], widths=(2, 1, 1.5, 1.5))
        self.heading(t("summary.not_inspected_title"), 2)
        if r.not_inspected:
            table(self.doc, [t("col.device"), t("col.site"), t("col.status"), t("col.reason")],
                  [[d.host, self.site(d.site), t(f"status.{d.status}"), d.note or "—"] for d in r.not_inspected],
                  widths=(1.5, 1.5, 1.2, 3))
        else:
            self.para(t("summary.all_inspected"))

    def sites(self) -> None:
        t = self.t
        self.heading(t("sites.title"), 1)
        for s in self.r.sites:
            self.heading(self.site(s.key), 2)
            if s.archive:
                a = s.archive
                contacts = "\n".join(" ".join(x for x in (c.name, c.role, c.phone, c.email) if x) for c in a.contacts)
                rows: list[list[object]] = [[t("site.unit"), a.unit], [t("site.address"), a.address],
                                            [t("site.contacts"), contacts]]
                room = a.machine_room
                rows += [[t(f"room.{f}"), getattr(room, f)] for f in ROOM_FIELDS if room and getattr(room, f)]
                table(self.doc, [t("cover.item"), t("cover.value")], rows, widths=(1, 3), header_column=True)
            else:
                self.para(t("site.no_archive"))
            self.para("")
            table(self.doc, [t("col.device"), t("col.platform"), t("col.model"), t("col.serial"), t("col.version"),
                             t("col.last_backup")],
                  [[self._host(d), platform_label(d), d.model, d.serial, d.version, d.last_backup or t("fmt.no_backup")]
                   for d in s.devices], widths=(1.6, 1.4, 1.4, 1.3, 1.5, 1.2))
            self.para("")
            table(self.doc, [t("col.device"), t("col.uptime"), t("col.cpu"), t("col.memory"), t("col.temperature"),
                             t("col.fans"), t("col.psus"), t("col.interfaces")],
                  [self._metrics(d) for d in s.devices], widths=(1.6, 1.3, 0.8, 0.8, 0.9, 0.8, 0.8, 1))
            self.para(t("sites.table_note"), NOTE_STYLE)

    def _host(self, d: DeviceRow) -> str:
        return d.host if d.inspected else f"{d.host} ({self.t(f'status.{d.status}')})"

    def _metrics(self, d: DeviceRow) -> list[object]:
        t = self.t

        def mark(text: str, *prefixes: str) -> str:
            return Marked(text) if any(d.flagged(p) for p in prefixes) else text

        interfaces = "—" if d.interfaces_up is None else f"{d.interfaces_up} / {d.interfaces_down}"
        return [d.host, mark(t.duration(d.uptime_seconds), "recently_rebooted", "unexpected_reboot"),
                mark(t.percent(d.cpu), "cpu"), mark(t.percent(d.memory), "memory"),
                mark(t.celsius(d.temperature), "temperature"), mark(t.ratio(d.fans), "fan"),
                mark(t.ratio(d.psus), "power"), interfaces]

    def records(self) -> None:
        t = self.t
        self.heading(t("docx.records"), 1)
        self.para(t("docx.records_intro"))
        for s in self.r.sites:
            self.heading(self.site(s.key), 2)
            for d in s.devices:
                self.heading(f"{d.host} · {platform_label(d)}", 3)
                if not d.record:
                    self.para(t("docx.no_record") if d.inspected else f"{t('docx.no_record')} ({t(f'status.{d.status}')})")
                    continue
                table(self.doc, ["#", t("col.item"), t("docx.col.result"), t("col.value")],
                      [[i, x.label, t(f"record.status.{x.status}"), x.value] for i, x in enumerate(d.record, 1)],
                      widths=(0.4, 1.6, 0.9, 4))

    def findings(self) -> None:
        r, t = self.r, self.t
        self.heading(t("findings.title"), 1)
        if not r.findings:
            self.para(t("findings.none"))
            return
        for lv in r.levels:
            group = [f for f in r.findings if f.severity in severities_of(lv)]
            if not group:
                continue
            self.heading(f"{lv.name} ({len(group)})", 2)
            table(self.doc, ["#", t("col.device"), t("col.issue"), t("col.detail"), t("col.recommendation"),
                             t("col.change")],
                  [[i, f"{f.host}\n{self.site(f.site)}", f.title, _evidence(f), f.recommendation,
                    t(f"change.{f.change}")] for i, f in enumerate(group, 1)], widths=(0.4, 1.5, 1.6, 2.6, 2.6, 1))

    def compliance(self) -> None:
        docx_compliance.write(self)

    def changes(self) -> None:
        r, t = self.r, self.t
        self.heading(t("changes.title"), 1)
        if r.config_range:
            self.para(t("changes.range", since=r.config_range[0], until=r.config_range[1],
                        previous=r.previous_period or "—"))
        if not r.config_changes:
            self.para(t("changes.baseline_missing") if r.comparison.baseline_missing else t("changes.none"))
            return
        table(self.doc, [t("col.device"), t("col.site"), t("col.change_status"), t("col.added"), t("col.removed")],
              [[c.host, self.site(c.site), t(f"drift.{c.status}"), f"+{c.added}", f"-{c.removed}"]
               for c in r.config_changes], widths=(2, 2, 1.5, 1, 1))
        for c in r.config_changes:
            self.heading(t("changes.diff_of", host=c.host), 2)
            self.code(c.diff, DIFF_MAX_LINES, "docx.diff_truncated")

    def comparison(self) -> None:
        t, c = self.t, self.r.comparison
        self.heading(t("compare.title"), 1)
        if c.previous_period:
            self.para(t("compare.intro", previous=c.previous_period, new=len(c.new), resolved=len(c.resolved),
                        persisting=len(c.persisting)))
        else:
            self.para(t("compare.none"))
        for name, rows in (("new", c.new), ("resolved", c.resolved), ("persisting", c.persisting)):
            if rows:
                self.heading(f"{t(f'change.{name}')} ({len(rows)})", 2)
                table(self.doc, [t("docx.col.level"), t("col.device"), t("col.issue"), t("col.detail")],
                      [[self.level(f), f.host, f.title, _evidence(f)] for f in rows], widths=(1.2, 1.6, 2.2, 4))
        if c.trends:
            self.heading(t("compare.trends"), 2)
            table(self.doc, [t("col.device"), t("compare.cpu_previous"), t("compare.cpu_current"), t("compare.trend"),
                             t("compare.memory_previous"), t("compare.memory_current"), t("compare.trend")],
                  [[x.host, t.percent(x.cpu_previous), t.percent(x.cpu), t.delta(x.cpu_previous, x.cpu),
                    t.percent(x.memory_previous), t.percent(x.memory), t.delta(x.memory_previous, x.memory)]
                   for x in c.trends], widths=(2, 1, 1, 1, 1, 1, 1))

    def problems(self) -> None:
        r, t = self.r, self.t
        self.heading(t("problems.title"), 1)
        self.para(t("problems.intro"))
        if not r.with_problems:
            self.para(t("problems.none"))
            return
        # Device text (its error, the first line no template read) is in the appendix; here the reason.
        table(self.doc, [t("col.device"), t("col.item"), t("col.command"), t("col.result"), t("col.template"),
                         t("col.reason")],
              [[d.host, p.label, p.command, t(f"item.{p.status}"), p.template,
                f"{p.reason}{t('fmt.evidence_sep')}{p.note}" if p.note else p.reason]
               for d in r.with_problems for p in d.problems], widths=(1.3, 1.1, 1.4, 1, 1.6, 2.2))

    def appendix(self) -> None:
        r, t = self.r, self.t
        if not r.appendix and not r.raw_errors:
            return
        self.heading(t("appendix.title"), 1)
        if r.raw_errors:
            self.heading(t("appendix.errors"), 2)
            self.para(t("appendix.errors_intro"))
            for e in r.raw_errors:
                self.heading(" · ".join(x for x in (f"{e.ref} {e.host}", e.what, e.command) if x), 3)
                self.code(e.text, OUTPUT_MAX_LINES, "docx.output_truncated")
        if r.appendix:
            self.heading(t("appendix.outputs"), 2)
            self.para(t("appendix.intro"))
            for o in r.appendix:
                self.heading(f"{o.host} · {o.name}", 3)
                self.code(o.text, OUTPUT_MAX_LINES, "docx.output_truncated")


def _evidence(f: FindingRow) -> str:
    return "\n".join(f.evidence) if f.evidence else f.detail
