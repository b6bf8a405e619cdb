"""What notifications say, in the workspace language: the catalogue, and the voice that speaks it.

The catalogue, messages.yaml beside this module, holds both languages under one key, so a text
cannot exist in one language only. Device
names, commands, configuration lines and error texts are quoted as they are; everything around
them is in the workspace's language, severities by their contract level, times local with the
offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from functools import cache
from pathlib import Path

import yaml

from netpatrol import localtime
from netpatrol.errors import TemplateError, UsageError
from netpatrol.workspace.contract import Contract

LANGS = ("zh-CN", "en")

CATALOGUE = Path(__file__).with_name("messages.yaml")


@cache
def texts() -> dict[str, dict[str, str]]:
    """key -> {zh-CN: text, en: text}."""
    doc = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")) or {}
    bad = [k for k, v in doc.items() if not isinstance(v, dict) or set(v) != set(LANGS) or
           not all(isinstance(t, str) for t in v.values())]
    if bad:
        raise TemplateError(f"{CATALOGUE}: {', '.join(bad[:5])}: every message needs a zh-CN and an en text")
    return doc


@dataclass(frozen=True)
class Voice:
    """The language, zone and contract one workspace's notifications speak with."""

    lang: str = "en"
    tz: tzinfo | None = None  # None: the machine's zone
    contract: Contract = field(default_factory=Contract)

    def t(self, key: str, **values: object) -> str:
        text = texts()[key]["zh-CN" if self.lang == "zh-CN" else "en"]
        return text.format(**values) if values else text

    def when(self, moment: str | None) -> str:
        """A stored UTC time as people read it: local, with the offset."""
        return localtime.show(moment, self.tz or localtime.zone(None))

    def level(self, severity: str) -> str:
        return self.contract.name(severity, self.lang)

    def status(self, status: str | None) -> str:
        key = f"status.{status}"
        return self.t(key) if key in texts() else str(status or "")

    def period(self, period: str | None) -> str:
        """'2026Q4' -> '2026年第四季度' / 'Q4 2026' (as the report writes it); anything else as it is."""
        # Imported here: the report package brings Jinja2 and the document writers, which a backup's
        # notification does not need.
        from netpatrol.report.periods_label import period_label

        try:
            return period_label(period, self.lang) if period else ""
        except UsageError:
            return period or ""


def voice_of(settings) -> Voice:
    """The voice of a workspace's Settings."""
    return Voice(settings.language, settings.tz, settings.contract)
