"""Rendering a ReportModel with Jinja2: HTML (one self-contained file) and Markdown.

Templates come from the workspace's `reports/templates/` first and the package second, so a
client's own cover or stylesheet replaces ours file by file (`report.html.j2`, `report.md.j2`,
`report.css`, `archive.md.j2`).

Device text is hostile input. HTML templates autoescape; Markdown templates get the same by
default: every `{{ value }}` that is text is made inert by `inert.md_inline` unless a filter
already shaped it for its place (`cell` in a table, `code` for a code span, `fence` for a block,
`md` for running text), so a client's own template is as safe as ours.

A workspace template is code from whoever handed over the workspace: it runs in Jinja's immutable
sandbox, so `{{ ''.__class__ ... }}` cannot reach Python's internals, and any failure of it is one
TemplateError naming the template (exit 2), never a traceback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from netpatrol.errors import TemplateError
from netpatrol.report import inert, labels
from netpatrol.report.charts import severity_bars, trend_bars
from netpatrol.report.i18n import Translator
from netpatrol.report.model import LevelRow, ReportModel
from netpatrol.sandbox import BoundedSandbox
from netpatrol.workspace.models import MachineRoom

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
ROOM_FIELDS = tuple(MachineRoom.model_fields)
_BLANKS = re.compile(r"\n{3,}")
_DELIMITER_ROW = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")  # | --- | ---: |


def validate_templates(directory: Path, label: str = "reports/templates") -> list[str]:
    """Syntax problems of the workspace's report templates (for `inventory check`)."""
    if not directory.is_dir():
        return []
    env = environment(directory)
    problems = []
    for path in sorted(directory.glob("*.j2")):
        try:
            env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(f"{label}/{path.name}: line {exc.lineno}: {exc.message}")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{label}/{path.name}: cannot be read as UTF-8 text: {_one_line(exc)}")
    return problems


def environment(workspace_templates: Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if workspace_templates is not None and workspace_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(workspace_templates)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = BoundedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(md=md_inline, cell=md_cell, code=md_code, fence=md_fence, diff_html=diff_html)
    return env


class Inert(str):
    """Markdown a filter has already made inert for its place; `_finalize` passes it unchanged."""


@jinja2.pass_eval_context
def _finalize(ctx: jinja2.nodes.EvalContext, value: object) -> object:
    if not isinstance(value, str) or isinstance(value, (Inert, Markup)):
        return value  # numbers cannot inject anything; Markup is our own HTML (charts, diffs)
    if ctx.autoescape:
        return inert.clean_text(value)  # Jinja escapes it next; a control character is invalid HTML
    return inert.md_inline(value)


def render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"report template {exc.name!r} not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}: line {exc.lineno}: {exc.message}") from None
    except jinja2.sandbox.SecurityError as exc:
        raise TemplateError(f"report template {name}: unsafe: {_one_line(exc)} (templates run sandboxed)") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"report template {name}: {exc.message}") from None
    except TemplateError:
        raise
    except Exception as exc:  # noqa: BLE001 - a workspace template may fail in any way Python can
        raise TemplateError(f"report template {name}: line {_template_line(exc, name)}: "
                            f"{type(exc).__name__}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


def _template_line(exc: BaseException, name: str) -> str:
    """The template line being rendered when `exc` was raised (Jinja maps its frames to them)."""
    tb, line = exc.__traceback__, "?"
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = str(tb.tb_lineno)
        tb = tb.tb_next
    return line


def render_html(report: ReportModel, env: jinja2.Environment) -> str:
    t = Translator(report.lang)
    ctx = _context(report, t)
    legend = (t("compare.previous_short"), t("compare.current_short"))
    rows = report.comparison.trends
    ctx.update(
        severity_chart=Markup(severity_bars({lv.severity: lv.count for lv in report.levels},
                                            {lv.severity: lv.name for lv in report.levels})),
        cpu_chart=Markup(trend_bars([(x.host, x.cpu_previous, x.cpu) for x in rows], legend, t("compare.cpu"))),
        memory_chart=Markup(trend_bars([(x.host, x.memory_previous, x.memory) for x in rows], legend, t("compare.memory"))),
    )
    return render(env, "report.html.j2", **ctx)


def render_md(report: ReportModel, env: jinja2.Environment) -> str:
    return tidy_markdown(render(env, "report.md.j2", **_context(report, Translator(report.lang))))


def tidy_markdown(text: str) -> str:
    """Blank lines around headings and tables, none doubled, no trailing spaces; fenced blocks
    (device output) untouched. Template whitespace control is fiddly, and a paragraph glued to a
    table becomes a table row (so does a second table's header glued to the first table: GitHub
    then drops the columns the first table lacks), so the layout is settled here once for every
    template."""
    out: list[str] = []
    fence: str | None = None
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if fence is not None:
            out.append(raw)
            if line == fence:
                fence = None
            continue
        prev = out[-1] if out else ""
        new_table = line.startswith("|") and i + 1 < len(lines) and bool(_DELIMITER_ROW.match(lines[i + 1]))
        block = line.startswith("#") or (line.startswith("|") != prev.startswith("|")) or new_table
        if line and prev and (block or prev.startswith("#")):
            out.append("")
        if line.startswith("```"):
            fence = line[: len(line) - len(line.lstrip("`"))]  # the opening run of backticks
        out.append(line)
    return _BLANKS.sub("\n\n", "\n".join(out)).strip("\n") + "\n"


# The report's sections in order: (id, title key). The ids are the HTML anchors the stylesheet's
# PDF table of contents points at; the appendix is there only when it has something to show.
SECTIONS = (("s-conclusion", "conclusion.title"), ("s-summary", "summary.title"), ("s-sites", "sites.title"),
            ("s-records", "records.title"), ("s-findings", "findings.title"), ("s-compliance", "compliance.title"),
            ("s-changes", "changes.title"), ("s-comparison", "compare.title"), ("s-problems", "problems.title"))


@dataclass(frozen=True)
class Section:
    id: str  # the HTML anchor
    title: str  # the heading, numbered: "1 巡检结论"
    anchor: str  # the Markdown anchor GitHub gives that heading
    number: str = ""  # "6": what the section's numbered subheadings start with; "" for the appendix


def gfm_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    kept = (ch for ch in heading.strip().lower()
            if ch in " -" or unicodedata.category(ch)[0] in "LMN" or unicodedata.category(ch) == "Pc")
    return "".join(kept).replace(" ", "-")


def sections(report: ReportModel, t: Translator) -> list[Section]:
    out = [Section(sid, f"{n} {t(key)}", gfm_anchor(f"{n} {t(key)}"), str(n)) for n, (sid, key) in enumerate(SECTIONS, 1)]
    if report.raw_errors or report.appendix:
        out.append(Section("s-appendix", t("appendix.title"), gfm_anchor(t("appendix.title"))))
    return out


def _context(report: ReportModel, t: Translator) -> dict[str, object]:
    site_names = labels.site_names(report.sites)
    by_level = [(lv, [f for f in report.findings if f.severity in lv.severities]) for lv in report.levels]
    states = report.conclusion.sites if report.conclusion else []
    toc = sections(report, t)
    return {
        "r": report,
        "t": t,
        "site_names": site_names,
        "scope_name": site_names.get(report.scope) if report.scope else None,
        "room_fields": ROOM_FIELDS,
        "findings_by_level": [(lv, group) for lv, group in by_level if group],
        "level_of": {s: lv for lv in report.levels for s in lv.severities},
        "site_levels": {st.key: [sum(st.problems.get(s, 0) for s in lv.severities) for lv in report.levels]
                        for st in states},
        "conclusion": conclusion(report, t),
        "toc": toc,
        "section": {s.id: s for s in toc},
        "doc_no": f"NP-{report.period}-{report.scope or 'ALL'}",
        "level_times": lambda lv: level_times(lv, t),
    }


def level_times(lv: LevelRow, t: Translator) -> str:
    """The contract's times of a level in one sentence."""
    if lv.response and lv.resolution:
        return t("findings.level_times", response=lv.response, resolution=lv.resolution)
    if lv.response or lv.resolution:
        return t("findings.level_response" if lv.response else "findings.level_resolution",
                 time=lv.response or lv.resolution)
    return t("findings.level_no_times")


def conclusion(report: ReportModel, t: Translator) -> str:
    """The overall verdict paragraph (巡检结论)."""
    return report.conclusion.overall if report.conclusion else ""


def md_inline(value: object) -> Inert:
    """Running text: one line, every Markdown/HTML metacharacter escaped."""
    return Inert(inert.md_inline(value))


def md_cell(value: object) -> Inert:
    """Text safe inside one Markdown table cell."""
    return Inert(inert.md_cell(value))


def md_code(value: object, table: bool = False) -> Inert:
    """An inline code span (pass table=True inside a table cell)."""
    return Inert(inert.md_code(value, table))


def md_fence(text: object, lang: str = "") -> Inert:
    """A fenced block longer than any backtick run inside, so device output cannot close it."""
    return Inert(inert.md_fence(text, lang))


def diff_html(diff: str) -> Markup:
    """A unified diff with added/removed/hunk lines marked for the stylesheet."""
    out = []
    for line in diff.splitlines():
        css = "add" if line.startswith("+") and not line.startswith("+++") else \
            "del" if line.startswith("-") and not line.startswith("---") else \
            "hunk" if line.startswith("@@") else None
        text = escape(inert.clean_text(line))
        out.append(f'<span class="{css}">{text}</span>' if css else f"{text}\n")
    return Markup("".join(out))
