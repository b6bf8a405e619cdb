"""A device's pages: its facts and archive fields, versions, inspections and compliance; its
config at any REF; the diff between two REFs.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from netpatrol.inspection.results import Facts
from netpatrol.web.auth import page_user
from netpatrol.web.backup_action import STATUSES as BACKUP_STATUSES
from netpatrol.web.device_list import device_rows
from netpatrol.web.period_view import DeviceInspection, device_compliance, device_inspections, newest_facts
from netpatrol.web.render import number, page, query
from netpatrol.web.state import WebState
from netpatrol.web.versions import device_config, device_diff, device_versions
from netpatrol.workspace.records import load_device_records

router = APIRouter(dependencies=[Depends(page_user)])

VERSIONS_PER_PAGE = 20
# Compliance verdicts in the order a reader wants them: what fails first.
COMPLIANCE_ORDER = ("fail", "unknown", "pass", "not_applicable")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # the span's classes: add, del, hunk, ctx ("hunk file" for the ---/+++ header)
    text: str


def _state(request: Request) -> WebState:
    return request.app.state.web


@router.get("/devices/{name}", response_class=HTMLResponse, include_in_schema=False)
def device(request: Request, name: str, per_page: str | None = None) -> Response:
    state = _state(request)
    h = state.host(name)
    row = next((r for r in device_rows(state) if r.name == name), None)
    versions = device_versions(state, name, number(request.query_params.get("page"), "page"),
                               number(per_page, "per_page") or VERSIONS_PER_PAGE)
    rows = versions.items
    # "diff with the previous": the next older row, or the parent commit for a page's last row
    # when older versions follow on the next page; the oldest version has none.
    previous = [rows[i + 1].commit if i + 1 < len(rows) else (f"{v.commit}~1" if versions.has_more else None)
                for i, v in enumerate(rows)]
    inspections = device_inspections(state, name)
    compliance = device_compliance(state, name)
    results = sorted(compliance.results, key=lambda r: (COMPLIANCE_ORDER.index(r.status), r.pack, r.rule)) \
        if compliance else []
    counts = {s: sum(1 for r in results if r.status == s) for s in COMPLIANCE_ORDER}
    backup_status = request.query_params.get("backup")
    return page(request, "device.html.j2", h=h, row=row,
                backup_status=backup_status if backup_status in BACKUP_STATUSES else None,
                allow_backup=state.options.allow_backup, facts=_facts(inspections),
                record=load_device_records(state.ws).get(name, {}), versions=versions,
                previous=previous, inspections=inspections, compliance=compliance,
                compliance_results=results, compliance_counts=counts,
                link=lambda n: query(f"/devices/{quote(name, safe='')}", page=n, per_page=per_page))


@router.get("/devices/{name}/config", response_class=HTMLResponse, include_in_schema=False)
def config(request: Request, name: str, at: str | None = None) -> Response:
    view = device_config(_state(request), name, at or None)
    return page(request, "config.html.j2", view=view, at=at or "HEAD")


@router.get("/devices/{name}/diff", response_class=HTMLResponse, include_in_schema=False)
def diff(request: Request, name: str) -> Response:
    # `from` is a Python keyword: read from the query string directly.
    from_ref = request.query_params.get("from") or ""
    to_ref = request.query_params.get("to") or None
    view = device_diff(_state(request), name, from_ref, to_ref)
    return page(request, "diff.html.j2", view=view, from_ref=from_ref, to_ref=to_ref or "HEAD",
                lines=diff_lines(view.diff))


def _facts(inspections: list[DeviceInspection]) -> Facts | None:
    """The facts of the device's newest successful inspection (its one result, at its period's commit)."""
    newest = newest_facts(inspections)
    return newest.facts if newest else None


def diff_lines(text: str) -> list[DiffLine]:
    """A unified diff's lines with the class each is shown in."""
    out = []
    in_header = True
    for line in text.splitlines():
        if line.startswith("@@"):
            in_header, kind = False, "hunk"
        elif in_header and line.startswith(("--- ", "+++ ")):
            kind = "hunk file"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        out.append(DiffLine(kind, line))
    return out
