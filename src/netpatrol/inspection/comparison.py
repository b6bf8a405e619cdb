"""Comparison of one device's inspection with its previous one: findings and metric trends."""

from __future__ import annotations

from netpatrol.inspection.results import Comparison, Health, InspectionResult, finding_key


def _metrics(h: Health) -> dict[str, float | None]:
    temps = [s.celsius for s in h.temperatures if s.celsius is not None]
    errors = [sum(x for x in (i.in_errors, i.crc, i.out_errors) if x) for i in h.interfaces]
    return {
        "cpu_percent": h.cpu_percent,
        "memory_percent": h.memory_percent,
        "storage_percent": h.storage_percent,
        "max_temperature": max(temps) if temps else None,
        "interface_errors": float(sum(errors)) if h.interfaces else None,
        "interfaces_up": float(sum(1 for i in h.interfaces if i.oper_up)) if h.interfaces else None,
    }


def compare(current: InspectionResult, previous: InspectionResult | None) -> Comparison:
    if previous is None:
        return Comparison(new=sorted({finding_key(f) for f in current.findings}))
    now = {finding_key(f) for f in current.findings}
    before = {finding_key(f) for f in previous.findings}
    cur, prev = _metrics(current.health), _metrics(previous.health)
    metrics = {}
    for name, value in cur.items():
        old = prev.get(name)
        delta = round(value - old, 2) if value is not None and old is not None else None
        metrics[name] = {"previous": old, "current": value, "delta": delta}
    return Comparison(
        previous_period=previous.period,
        new=sorted(now - before),
        resolved=sorted(before - now),
        persisting=sorted(now & before),
        metrics=metrics,
    )
