"""Message catalogues (zh-CN, en) and the value formatting that depends on the language.

Catalogues are flat YAML maps in `messages/<lang>.yaml`; a key missing from the chosen catalogue is
an error, not a silent fallback, so a report never mixes languages (a test keeps both in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from netpatrol.errors import TemplateError, UsageError

LANGUAGES = ("zh-CN", "en")
MESSAGES_DIR = Path(__file__).parent / "messages"


def pick_text(texts: Mapping[str, str] | None, lang: str) -> str:
    """A {zh-CN: ..., en: ...} text of a check or rule in `lang`, else the other language's."""
    if not texts:
        return ""
    return texts.get(lang) or next((v for _, v in sorted(texts.items()) if v), "")


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown report language {lang!r}: expected one of {', '.join(LANGUAGES)}")
    path = MESSAGES_DIR / f"{lang}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise TemplateError(f"{path}: expected a flat map of message key -> text")
    return doc


@dataclass(frozen=True)
class Translator:
    lang: str

    def __call__(self, key: str, **values: object) -> str:
        try:
            text = catalogue(self.lang)[key]
        except KeyError:
            raise TemplateError(f"messages/{self.lang}.yaml: no message '{key}'") from None
        return text.format(**values) if values else text

    def get(self, key: str, **values: object) -> str | None:
        """The message, or None when the catalogue has no such key (a workspace's own item names)."""
        text = catalogue(self.lang).get(key)
        return None if text is None else text.format(**values) if values else text

    def pick(self, texts: Mapping[str, str] | None) -> str:
        """A {zh-CN:..., en:...} text from a check pack, in this language when it has one."""
        return pick_text(texts, self.lang)

    def duration(self, seconds: int | None) -> str:
        if seconds is None:
            return "—"
        days, rest = divmod(int(seconds), 86400)
        hours = rest // 3600
        return self("fmt.days_hours", days=days, hours=hours) if days else self("fmt.hours", hours=hours)

    def minutes(self, minutes: int | None) -> str | None:
        """A contract time: "4 小时" / "4 hours", "10 分钟" / "10 minutes"; None stays None."""
        if minutes is None:
            return None
        for one, many, size in (("fmt.week", "fmt.weeks", 10080), ("fmt.day", "fmt.days", 1440),
                                ("fmt.hour", "fmt.hours_n", 60), ("fmt.minute", "fmt.minutes", 1)):
            if minutes % size == 0:
                n = minutes // size
                return self(one if n == 1 else many, n=n)
        raise AssertionError("every whole number of minutes divides by 1")

    def percent(self, value: float | None) -> str:
        return "—" if value is None else f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"

    def celsius(self, value: float | None) -> str:
        return "—" if value is None else f"{value:g} ℃"

    def ratio(self, pair: tuple[int, int] | None) -> str:
        """'2/2' working of present; the template marks anything short of all."""
        return "—" if pair is None else f"{pair[0]}/{pair[1]}"

    def yes_no(self, value: bool | None) -> str:
        return "—" if value is None else self("fmt.yes") if value else self("fmt.no")

    def delta(self, previous: float | None, current: float | None) -> str:
        """'↑ 12.0' style trend text; '—' without both values."""
        if previous is None or current is None:
            return "—"
        d = round(current - previous, 1)
        arrow = "↑" if d > 0 else "↓" if d < 0 else "→"
        return f"{arrow} {abs(d):g}"
