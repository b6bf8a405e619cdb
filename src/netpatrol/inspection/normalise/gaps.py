"""What the normaliser could not use, per catalogue item: rows it skipped (and why), and items whose
rows gave none of the facts the platform's field map reads from them.

Rows a template returned but the field map cannot read (a `fan_id` column where the map reads
`fan`, every temperature `NA`) would otherwise leave the item `parsed` with nothing in the health
model: a silent gap the report would show as "—". The service turns an item that gave nothing into
a parse problem.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from netpatrol.inspection.normalise._build import Notes, clock, health_from
from netpatrol.inspection.normalise._build import facts as _facts
from netpatrol.inspection.normalise._spec import FactsMap, Hook, Parsed, PlatformSpec, Raw
from netpatrol.inspection.results import Facts, Health

# Items the normaliser reads without a map in normalise.yaml.
_IMPLICIT = {"clock": ("year", "month", "day", "time", "timezone")}
_SHOWN = 5  # skipped-row reasons kept per item; the rest are counted


@dataclasses.dataclass(frozen=True)
class Unused:
    """One item's rows the normaliser could not (entirely) use."""

    item: str
    rows: int  # rows the template gave for the item
    no_facts: bool  # none of the facts the field map reads from this item came out of them
    skipped: tuple[str, ...] = ()  # why single rows were skipped: "row 2: no temperature value 'NA'"
    expected: tuple[str, ...] = ()  # the row fields the field map reads from this item
    found: tuple[str, ...] = ()  # the fields the rows filled

    @property
    def reason(self) -> str:
        """One line for the result and the report."""
        shown = "; ".join(self.skipped[:_SHOWN]) + (f"; {len(self.skipped) - _SHOWN} more" if len(self.skipped) > _SHOWN else "")
        if not self.no_facts:
            return f"rows skipped: {shown}"
        why = f"{self.rows} row(s) gave none of the item's facts"
        if shown:
            return f"{why}: {shown}"
        return (f"{why}: the field map reads {', '.join(self.expected) or 'nothing'}; "
                f"the rows fill {', '.join(self.found) or 'nothing'}")


def _fields(m: object) -> Iterator[str]:
    for f in dataclasses.fields(m):  # type: ignore[arg-type]  # every map is a (pydantic) dataclass
        value = getattr(m, f.name)
        if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            yield from value


def mapped_fields(spec: PlatformSpec) -> dict[str, tuple[str, ...]]:
    """Item -> the row fields the platform's field map reads from it (every map of the spec, so a
    map added to the schema is covered without being named here)."""
    out: dict[str, list[str]] = {item: list(fields) for item, fields in _IMPLICIT.items()}

    def add(item: str, fields) -> None:
        seen = out.setdefault(item, [])
        for f in fields:
            if f not in seen:
                seen.append(f)

    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if isinstance(value, FactsMap):
            for source, fields in value.fields.values():
                add(source, fields)
            if value.uptime:
                add(*value.uptime)
            continue
        for m in _maps(value):
            add(m.item, _fields(m))
    return {item: tuple(fields) for item, fields in out.items()}


def _maps(value: object) -> Iterator:
    """The field maps in a spec value: a map, a tuple of maps, or a group of maps (`protocols`)."""
    for m in value if isinstance(value, tuple) else (value,):
        if not dataclasses.is_dataclass(m) or isinstance(m, type):
            continue
        if isinstance(getattr(m, "item", None), str):
            yield m
        else:
            for f in dataclasses.fields(m):
                yield from _maps(getattr(m, f.name))


def _gives_facts(spec: PlatformSpec, hooks: tuple[Hook, ...], item: str, rows: list[dict], raw: Raw) -> bool:
    """Whether this item's rows alone give any fact or health value."""
    only = {item: rows}
    facts, health = _facts(spec.facts, only), health_from(spec, only)
    health.clock = clock(only)
    for hook in hooks:
        hook(facts, health, only, {item: raw[item]} if item in raw else {})
    return facts != Facts() or health != Health()


def _filled(rows: list[dict]) -> tuple[str, ...]:
    return tuple(sorted({k for r in rows for k, v in r.items() if v not in (None, "", [])}))


def unused_items(spec: PlatformSpec, hooks: tuple[Hook, ...], parsed: Parsed, raw: Raw,
                 notes: Notes) -> dict[str, Unused]:
    """Per item with rows: what could not be used. Items no field map reads (a workspace item a
    check counts rows of) are not judged: their rows are for the checks."""
    mapped = mapped_fields(spec)
    out: dict[str, Unused] = {}
    for item, rows in parsed.items():
        if not rows or item not in mapped:
            continue
        no_facts = not _gives_facts(spec, hooks, item, rows, raw)
        skipped = tuple(notes.get(item, ()))
        if no_facts or skipped:
            out[item] = Unused(item, len(rows), no_facts, skipped, mapped[item], _filled(rows))
    return out
