"""Reading one period's stored inspection results (and their evidence) back out of the Git store.

A period is read at its `inspection/<period>` tag when it has one, so a report shows what the
inspection recorded even if later runs changed the working tree; untagged periods (an
interrupted run) are read from the working tree.
"""

from __future__ import annotations

from netpatrol.compliance.model import DeviceCompliance
from netpatrol.errors import UsageError
from netpatrol.inspection.results import InspectionResult
from netpatrol.store import layout
from netpatrol.store.documents import read_model
from netpatrol.store.periods import inspected_periods, inspection_tag, parse_period
from netpatrol.store.repo import Store


def period_ref(store: Store, period: str) -> str | None:
    """The commit the period's inspection tag points at, or None (read the working tree)."""
    return store.rev_parse(f"refs/tags/{inspection_tag(period)}")


def latest_period(store: Store) -> str:
    periods = inspected_periods(store)
    if not periods:
        raise UsageError(f"{store.path}: no inspection results yet; run 'netpatrol inspect' first")
    return periods[-1]


def period_before(store: Store, period: str) -> str | None:
    earlier = [p for p in inspected_periods(store) if parse_period(p) < parse_period(period)]
    return earlier[-1] if earlier else None


def load_results(store: Store, period: str) -> dict[str, InspectionResult]:
    """host -> result for one period; a damaged document is a StoreError naming the file."""
    ref = period_ref(store, period)
    results: dict[str, InspectionResult] = {}
    for path in store.list_files(layout.period_dir(period), ref=ref):
        if layout.parse_result_path(path) is None:
            continue  # summary.json and the raw-output directories
        result = read_model(store, path, InspectionResult, ref)
        results[result.host] = result
    return results


def raw_outputs(store: Store, period: str, site: str, host: str) -> list[tuple[str, str]]:
    """(file name, text) of the evidence kept for one device, sorted by name."""
    ref = period_ref(store, period)
    out = []
    for path in store.list_files(layout.evidence_dir(period, site, host), ref=ref):
        if path.endswith(".txt"):
            out.append((path.rpartition("/")[2].removesuffix(".txt"), store.read_file(path, ref)))
    return out


def load_compliance(store: Store, period: str) -> dict[str, DeviceCompliance]:
    """host -> the period's baseline compliance record (`compliance/<period>/<site>/<host>.json`),
    read like the results: at the period's tag when it has one; a damaged record is a StoreError
    naming the file."""
    ref = period_ref(store, period)
    records: dict[str, DeviceCompliance] = {}
    for path in store.list_files(layout.compliance_dir(period), ref=ref):
        if layout.parse_compliance_path(path) is None:
            continue  # summary.json
        record = read_model(store, path, DeviceCompliance, ref)
        records[record.host] = record
    return records
