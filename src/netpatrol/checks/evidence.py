"""Evidence sentences: a check's `detail` rendered in every report language.

A detail is `{zh-CN: ..., en: ...}` (or one string, used for both) with the placeholders
`{value}`, `{threshold}` and `{subject}`, and a small fixed set of formats (`{value:duration}`).
Values are written per language: booleans as words (a sentence should not need them), lists
joined as the language joins them, seconds as a duration in words.
"""

from __future__ import annotations

import string
from typing import Any

LANGS = ("zh-CN", "en")
PLACEHOLDERS = frozenset({"value", "threshold", "subject"})
# `{value:duration}`: seconds as "3 小时 17 分" / "3 h 17 min"; `{value:status}`: a component
# status (ok, warning, failed, absent, unknown) as a word of the language.
FORMATS = frozenset({"duration", "status"})
STATUS = {
    "zh-CN": {"ok": "正常", "warning": "告警", "failed": "故障", "absent": "不在位", "unknown": "未知"},
    "en": {"ok": "normal", "warning": "warning", "failed": "failed", "absent": "absent", "unknown": "unknown"},
}

DEFAULT = {
    "zh-CN": "{subject}：{value}（阈值 {threshold}）",  # noqa: RUF001  # full-width marks are Chinese punctuation
    "en": "{subject}: {value} (threshold {threshold})",
}
DEFAULT_NO_SUBJECT = {"zh-CN": "{value}（阈值 {threshold}）", "en": "{value} (threshold {threshold})"}  # noqa: RUF001
DEFAULT_NO_THRESHOLD = {"zh-CN": "{subject}：{value}", "en": "{subject}: {value}"}

_WORDS: dict[str, dict[object, str]] = {
    "zh-CN": {True: "是", False: "否", None: "-", "sep": "、"},
    "en": {True: "yes", False: "no", None: "-", "sep": ", "},
}
_UNITS = {
    "zh-CN": [(86400, "天"), (3600, "小时"), (60, "分"), (1, "秒")],
    "en": [(86400, "d"), (3600, "h"), (60, "min"), (1, "s")],
}


def check_template(text: str) -> None:
    """Raise ValueError when `text` uses an unknown placeholder, format or a conversion."""
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ValueError(f"bad template {text!r}: {exc}") from None
    for name, spec, conv in fields:
        if name not in PLACEHOLDERS:
            raise ValueError(f"unknown placeholder {{{name}}}; use {{value}}, {{threshold}}, {{subject}}")
        if conv:
            raise ValueError(f"{{{name}!{conv}}}: placeholders take no conversion")
        # `{value:>999999999}` would pad every finding to a gigabyte: only the named formats exist.
        if spec and spec not in FORMATS:
            raise ValueError(f"{{{name}:{spec}}}: unknown format {spec!r} (known: {', '.join(sorted(FORMATS))})")


def duration(seconds: Any, lang: str) -> str:
    """Seconds in words, at most the two largest units: "3 小时 17 分" / "3 h 17 min"."""
    try:
        left = int(float(seconds))
    except (TypeError, ValueError):
        return text_of(seconds, lang)
    if left < 60:
        return f"{left} {_UNITS[lang][-1][1]}"
    parts: list[str] = []
    for size, unit in _UNITS[lang]:
        if left >= size and len(parts) < 2:
            parts.append(f"{left // size} {unit}")
            left %= size
        elif parts:
            break
    return " ".join(parts)


def text_of(v: Any, lang: str) -> str:
    words = _WORDS[lang]
    if v is None or isinstance(v, bool):
        return words[v]
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return words["sep"].join(text_of(x, lang) for x in v) if v else words[None]
    return str(v)


class _Value:
    """A value that formats itself for one language (`format_spec` is one of FORMATS)."""

    def __init__(self, v: Any, lang: str):
        self.v, self.lang = v, lang

    def __format__(self, spec: str) -> str:
        if spec == "duration":
            return duration(self.v, self.lang)
        if spec == "status" and isinstance(self.v, str):
            return STATUS[self.lang].get(self.v, self.v)
        return text_of(self.v, self.lang)


def render(detail: str | dict[str, str] | None, value: Any, threshold: Any, subject: str | None) -> dict[str, str]:
    """The evidence sentence in every language."""
    out = {}
    for lang in LANGS:
        if detail is None:
            template = (DEFAULT_NO_THRESHOLD if threshold is None and subject else DEFAULT if subject
                        else DEFAULT_NO_SUBJECT)[lang]
        else:
            template = detail if isinstance(detail, str) else detail.get(lang) or next(iter(detail.values()))
        out[lang] = template.format(value=_Value(value, lang), threshold=_Value(threshold, lang),
                                    subject=subject or "")
    return out
