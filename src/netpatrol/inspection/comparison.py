"""Comparison of one device's inspection with its previous one: problems and metric trends.

New, resolved and persisting hold problem keys (problems.problem_key): a CPU crossing one more
tier than last time is the same persisting problem. Give a previous result stored before schema
1.3 its keys first (problems.assign_keys).
"""

from __future__ import annotations

from netpatrol.inspection.problems import problem_key
from netpatrol.inspection.results import Comparison, Health, InspectionResult


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
        return Comparison(new=sorted({problem_key(f) for f in current.findings}))
    now = {problem_key(f) for f in current.findings}
    before = {problem_key(f) for f in previous.findings}
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
