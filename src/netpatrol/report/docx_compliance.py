"""The Word document's baseline compliance (安全基线核查) chapter: counts per device, category,
site and pack, the rules newly failing or fixed, and per device its failed rules with the commands
that fix them in monospace lines (device text through `inert.docx_text`, as everywhere in Word)."""

from __future__ import annotations

from typing import Any

from netpatrol.report.docx_style import CODE_STYLE, NOTE_STYLE, Marked, table
from netpatrol.report.inert import docx_text
from netpatrol.report.model import ComplianceCounts

STATUSES = ("pass", "fail", "not_applicable", "unknown")


def write(w: Any) -> None:
    """`w`: the document writer of docx.py (its heading/para/code helpers, site names, translator)."""
    r, t = w.r, w.t
    w.heading(t("compliance.title"), 1)
    cs = r.compliance
    if cs is None:
        w.para(t("compliance.none"))
        return
    c = cs.counts
    w.para(t("compliance.intro", devices=len(cs.devices), packs=t("compliance.pack_sep").join(p.name for p in cs.packs),
             total=c.total, passed=c.passed, failed=c.failed, not_applicable=c.not_applicable, unknown=c.unknown))
    w.para(t("compliance.compared", previous=r.previous_label, new=len(cs.newly_failing), fixed=len(cs.fixed))
           if cs.compared else t("compliance.not_compared"))
    status_cols = [t(f"compliance.status.{s}") for s in STATUSES]
    w.heading(t("compliance.by_device"), 2)
    table(w.doc, [t("col.device"), t("col.site"), *status_cols],
          [[d.host, w.site(d.site), *_counts(d.counts)] for d in cs.devices], widths=(2, 2.4, 1, 1, 1, 1))
    groups = [(t("compliance.by_category"), t("col.category"), cs.categories, False),
              (t("compliance.by_site"), t("col.site"), cs.sites, True),
              (t("compliance.by_pack"), t("col.pack"), cs.packs, False)]
    for title, first, rows, is_site in groups:
        if rows and (len(rows) > 1 or first == t("col.category")):
            w.heading(title, 2)
            table(w.doc, [first, t("col.device_count"), *status_cols],
                  [[w.site(g.key) if is_site else g.name, g.devices, *_counts(g.counts)] for g in rows],
                  widths=(2.6, 1, 1, 1, 1, 1))
    for key, changes in (("newly_failing", cs.newly_failing), ("fixed", cs.fixed)):
        if changes:
            w.heading(t("fmt.count", name=t(f"compliance.{key}"), n=len(changes)), 2)
            table(w.doc, [t("col.device"), t("col.clause"), t("col.requirement"), t("docx.col.level"),
                          t("col.previous"), t("col.current")],
                  [[x.host, x.rule.clause, x.rule.title, x.rule.level,
                    t(f"compliance.status.{x.previous or 'none'}"), t(f"compliance.status.{x.rule.status}")]
                   for x in changes], widths=(1.6, 1.2, 3, 1.2, 1, 1))
    for d in cs.devices:
        w.heading(f"{d.host} · {d.platform_name}", 2)
        w.para(t("compliance.device", site=w.site(d.site), platform=d.platform_name, passed=d.counts.passed,
                 failed=d.counts.failed, not_applicable=d.counts.not_applicable, unknown=d.counts.unknown), NOTE_STYLE)
        if d.failing:
            table(w.doc, ["#", t("col.clause"), t("col.requirement"), t("col.category"), t("docx.col.level"),
                          t("col.evidence")],
                  [[i, x.clause, x.title, x.category_name, Marked(x.level), "\n".join(x.evidence)]
                   for i, x in enumerate(d.failing, 1)], widths=(0.4, 1.2, 2.4, 1.2, 1.1, 3))
            for i, x in enumerate(d.failing, 1):
                w.para(t("compliance.fix_of", n=i, clause=x.clause, title=x.title), bold=True)
                if x.remediation:
                    for line in x.remediation:
                        w.doc.add_paragraph(docx_text(line) or " ", style=CODE_STYLE)
                else:
                    w.para(t("compliance.no_fix"), NOTE_STYLE)
        else:
            w.para(t("compliance.all_pass"))
        for status, key in (("pass", "compliance.passed_list"), ("unknown", "compliance.unknown_list")):
            clauses = d.clauses(status)
            if clauses:
                w.para(t(key, n=d.count(status), clauses=t("compliance.clause_sep").join(clauses)), NOTE_STYLE)


def _counts(c: ComplianceCounts) -> list[object]:
    return [c.passed, Marked(str(c.failed)) if c.failed else 0, c.not_applicable, c.unknown]
