"""The maintenance contract's fault levels, from `contract:` in netpatrol.yaml.

Checks speak of four severities (critical, major, minor, info); the client's contract speaks of its
own fault levels (重大一级, 重大二级, 一般故障 ...) with response and resolution times. The contract
maps the first onto the second, and everything a person reads (report, workbook, document,
notifications, command line) names a finding by its contract level: one vocabulary.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SEVERITY_KEYS = ("critical", "major", "minor", "info")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LevelName(_Strict):
    zh_CN: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh_CN if lang == "zh-CN" else self.en


def _duration(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if len(text) < 2 or text[-1] not in _UNITS or not text[:-1].isascii() or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise ValueError(f"{value!r} is not a duration: use a whole number and a unit m/h/d/w, e.g. 10m, 4h, 2d")
    return text


def duration_minutes(value: str | None) -> int | None:
    """'4h' -> 240; None stays None."""
    return None if value is None else int(value[:-1]) * _UNITS[value[-1]] // 60


class Level(_Strict):
    name: LevelName
    response: str | None = Field(None, description="time to respond, e.g. 10m")
    resolution: str | None = Field(None, description="time to resolve, e.g. 4h")

    _check_response = field_validator("response", "resolution")(classmethod(lambda cls, v: _duration(v)))


def _default_levels() -> dict[str, Level]:
    return {
        "major_1": Level(name=LevelName(zh_CN="重大一级", en="Major L1"), response="10m", resolution="4h"),
        "major_2": Level(name=LevelName(zh_CN="重大二级", en="Major L2"), response="10m", resolution="8h"),
        "general": Level(name=LevelName(zh_CN="一般故障", en="General fault"), response="10m"),
        "notice": Level(name=LevelName(zh_CN="提示", en="Notice")),
    }


class Contract(_Strict):
    """`contract:` in netpatrol.yaml: the levels (most severe first) and which severity is which level."""

    levels: dict[str, Level] = Field(default_factory=_default_levels)
    severities: dict[str, str] = Field(
        default_factory=lambda: {"critical": "major_1", "major": "major_2", "minor": "general", "info": "notice"})

    @model_validator(mode="after")
    def _mapping(self) -> Contract:
        unknown = sorted(set(self.severities) - set(SEVERITY_KEYS))
        if unknown:
            raise ValueError(f"severities: unknown severity {unknown} (known: {', '.join(SEVERITY_KEYS)})")
        missing = [s for s in SEVERITY_KEYS if s not in self.severities]
        if missing:
            raise ValueError(f"severities: map every severity to a level; missing {missing}")
        bad = sorted({v for v in self.severities.values() if v not in self.levels})
        if bad:
            raise ValueError(f"severities: level(s) {bad} are not declared under contract.levels "
                             f"(declared: {', '.join(self.levels)})")
        return self

    def level(self, severity: str) -> Level:
        return self.levels[self.severities[severity]]

    def name(self, severity: str, lang: str) -> str:
        """The contract's name for a severity in the report language, e.g. 重大一级."""
        return self.level(severity).name.get(lang)
