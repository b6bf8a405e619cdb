"""Pages rendered through Jinja2 with autoescaping on for every template: device text is escaped
by default, and nothing is marked safe that came from a device.

Every page gets the workspace language, its translator `t` (web/messages.yaml: both languages
under one key, so a label cannot exist in one language only), times in the workspace's zone,
severities by their contract level, and the form token `csrf`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from netpatrol import localtime
from netpatrol.errors import NetpatrolError, TemplateError, UsageError
from netpatrol.inspection.results import SEVERITIES
from netpatrol.report.i18n import pick_text
from netpatrol.report.inert import visible
from netpatrol.report.labels import platform_family, site_name
from netpatrol.web.auth import csrf_token

TEMPLATES = Path(__file__).parent / "templates"
MESSAGES = Path(__file__).with_name("messages.yaml")
LANGS = ("zh-CN", "en")



def _visible(value: Any) -> Any:
    """Every `{{ ... }}` value before escaping (report/inert.py's one definition of the controls
    and bidi overrides a device may send); markup the templates built is left alone."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, finalize=_visible)


def incomplete(doc: Mapping[str, Any]) -> list[str]:
    """The keys of a catalogue that lack a text in one of LANGS (or hold something else)."""
    return [k for k, v in doc.items() if not isinstance(v, dict) or set(v) != set(LANGS)
            or not all(isinstance(x, str) and x for x in v.values())]


@cache
def messages() -> dict[str, dict[str, str]]:
    """key -> {zh-CN: text, en: text}; TemplateError when a key lacks a language."""
    doc = yaml.safe_load(MESSAGES.read_text(encoding="utf-8")) or {}
    bad = incomplete(doc)
    if bad:
        raise TemplateError(f"{MESSAGES}: {', '.join(bad[:5])}: every message needs a zh-CN and an en text")
    return doc


@dataclass(frozen=True)
class Translator:
    lang: str

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = messages()[key]["zh-CN" if self.lang == "zh-CN" else "en"]
        except KeyError:
            raise TemplateError(f"web/messages.yaml: no message {key!r}") from None
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in messages()

    def pick(self, texts: Mapping[str, str] | None) -> str:
        """A {zh-CN: ..., en: ...} text of a check or rule in this language, else the other one."""
        return pick_text(texts, self.lang)


@dataclass(frozen=True)
class Clock:
    """Stored UTC times as people read them: the workspace's zone, with the offset."""

    tz: tzinfo

    def when(self, moment: str | datetime | None) -> str:
        return localtime.show(moment, self.tz)

    def day(self, moment: str | datetime | None) -> str:
        return localtime.show_date(moment, self.tz)


def query(base: str, **params: object) -> str:
    """`base?k=v...` with the empty and None values left out (a link that keeps a page's filters)."""
    kept = {k: v for k, v in params.items() if v not in (None, "", False)}
    return f"{base}?{urlencode(kept)}" if kept else base


def number(value: str | None, what: str) -> int | None:
    """A whole-number query parameter; UsageError (a 400 page) for anything else."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise UsageError(f"{what}: {value[:40]!r} is not a whole number")
    return int(text)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered with the request's identity, language, translator, clock and form token."""
    state = request.app.state.web
    settings = state.ws.settings
    lang = context.setdefault("lang", state.lang)
    context.setdefault("identity", getattr(request.state, "identity", None))
    context.setdefault("t", Translator(lang))
    context.setdefault("csrf", csrf_token(request))
    clock = Clock(settings.tz)
    context.setdefault("when", clock.when)
    context.setdefault("day", clock.day)
    context.setdefault("level", lambda severity: settings.contract.name(severity, lang))
    context.setdefault("period_label", lambda period: _period_label(period, lang))
    context.setdefault("client", settings.client or "")
    context.setdefault("query", query)
    context.setdefault("severities", SEVERITIES)
    context.setdefault("result_label", lambda status: result_label(status, lang))
    context.setdefault("site_name", lambda key: site_name(key, _archives(state).get(key)))
    context.setdefault("platform_name", platform_family)
    context.setdefault("warning", state.warning)
    html = _env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def result_label(status: str, lang: str) -> str:
    """An inspection result's status in the report's own words (report/messages), so the web and
    the signed report say the same thing."""
    from netpatrol.report.i18n import Translator as ReportTranslator

    return ReportTranslator(lang).get(f"status.{status}") or status


def _archives(state: Any) -> dict[str, Any]:
    try:
        return state.inventory().sites()
    except NetpatrolError:  # an error page while no inventory loads: the keys stand in
        return {}


# Every status the page has its own title for; any other gets the generic "Error (status)".
ERROR_TITLES = (400, 403, 404, 405, 413, 415, 429, 500, 503)


def error_page(request: Request, status: int, detail: str, key: str | None = None,
               values: Mapping[str, object] | None = None) -> HTMLResponse:
    """The error page: a title for the status, and the detail said by its message key in the
    workspace's language; without a key (a bad REF, a workspace file's problem) the detail as
    raised, since only our own fixed sentences have a translation."""
    t = Translator(request.app.state.web.lang)
    message = t(key, **(values or {})) if key else detail
    title = t(f"error.title_{status}") if status in ERROR_TITLES else t("error.title", status=status)
    return page(request, "error.html.j2", status_code=status, message=message, status=status, title=title)


def _period_label(period: str | None, lang: str) -> str:
    # Imported here: the report package's label helper, without the report writers.
    from netpatrol.report.periods_label import period_label

    try:
        return period_label(period, lang)
    except UsageError:
        return period or "—"
