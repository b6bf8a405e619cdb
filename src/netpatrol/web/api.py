"""The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json, read as a page at /api/v1/docs).

Lists are JSON arrays; a list that grows is paged by `?page=&per_page=`, with a `Link` header
(rel next/prev, and first/last when the total is known) and `X-Total-Count` when it is. Errors
are `{"detail": "..."}`: 404 for a device, version, period that does not exist, 400 for a bad
REF, regex or period (app.py maps them), 422 for a parameter of the wrong type, 401 without
credentials once users exist, 503 when too many searches are running.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from netpatrol.web import api_docs
from netpatrol.web.api_models import (
    ComplianceOut,
    ConfigOut,
    DeviceDetail,
    DeviceOut,
    DiffOut,
    ErrorOut,
    FactsOut,
    InspectionOut,
    PeriodBrief,
    PeriodDeviceOut,
    PeriodOut,
    RepairOut,
    SearchHitOut,
    VersionOut,
)
from netpatrol.web.auth import api_user, web_state
from netpatrol.web.device_list import DeviceRow, device_rows, filter_rows
from netpatrol.web.paging import DEFAULT_PER_PAGE, MAX_ITEMS, MAX_PER_PAGE, Page, paginate
from netpatrol.web.period_view import (
    DeviceInspection,
    device_compliance,
    device_inspections,
    newest_facts,
    period_summary,
    periods,
)
from netpatrol.web.render import page as render_page
from netpatrol.web.search_view import search_configs
from netpatrol.web.state import WebState
from netpatrol.web.versions import device_config, device_diff, device_versions

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_user)], tags=["api"], responses={
    401: {"model": ErrorOut, "description": "Credentials missing or wrong (once users exist): HTTP Basic or a Bearer token"}})

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such device (or version, period)"}}
BAD: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut, "description": "A REF, regex or period that cannot be used"}}
PageQ = Annotated[int, Query(ge=1, le=MAX_ITEMS, description=f"Page number, from 1 (at most {MAX_ITEMS}).")]
PerPageQ = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"Items per page (at most {MAX_PER_PAGE}).")]
PAGED = ("Paged: `Link` header with rel next/prev (first/last and `X-Total-Count` when the total is known).")


@router.get("/devices", response_model=list[DeviceOut], summary="Devices, filtered and paged", description=PAGED)
def devices(request: Request, response: Response,
            site: Annotated[str | None, Query(description="Only this site.")] = None,
            platform: Annotated[str | None, Query(description="Only this platform: its name or an alias (huawei, ios ...).")] = None,
            status: Annotated[Literal["ok", "problems", "failed", "never"] | None, Query(description="Only this status.")] = None,
            q: Annotated[str | None, Query(description="Part of the name or address (any case).")] = None,
            page: PageQ = 1, per_page: PerPageQ = DEFAULT_PER_PAGE) -> list[DeviceOut]:
    rows = filter_rows(device_rows(_state(request)), site, platform, status, q)
    return _paged(request, response, paginate(rows, page, per_page), _device)


@router.get("/devices/{name}", response_model=DeviceDetail, responses=NOT_FOUND,
            summary="One device: archive fields, facts, inspections, compliance")
def device(request: Request, name: str) -> DeviceDetail:
    state = _state(request)
    h = state.host(name)
    row = next(r for r in device_rows(state) if r.name == h.name)
    inspections = device_inspections(state, h.name)
    record = device_compliance(state, h.name)
    data = h.data
    return DeviceDetail(
        **_device(row).model_dump(), groups=list(h.groups), role=h.role or data.role, model=data.model,
        serial=data.serial, os_version=data.os_version, purchase_date=data.purchase_date,
        warranty_until=data.warranty_until, maintainer=data.maintainer, location=data.location, notes=data.notes,
        repairs=[RepairOut(date=r.date, action=r.action, part=r.part, ticket=r.ticket, note=r.note) for r in data.repairs],
        facts=_facts(inspections),
        inspections=[InspectionOut(period=i.period, status=i.status, collected_at=i.collected_at, error=i.error,
                                   problems=dict(Counter(p.severity for p in i.problems))) for i in inspections],
        compliance=None if record is None else ComplianceOut(
            period=record.period, evaluated_at=record.evaluated_at,
            counts=dict(Counter(r.status for r in record.results)),
            failing=[f"{r.pack}/{r.rule}" for r in record.results if r.status == "fail"]),
    )


@router.get("/devices/{name}/versions", response_model=list[VersionOut], responses=NOT_FOUND,
            summary="The commits that changed the device's config, newest first", description=PAGED)
def versions(request: Request, response: Response, name: str, page: PageQ = 1,
             per_page: PerPageQ = DEFAULT_PER_PAGE) -> list[VersionOut]:
    rows = device_versions(_state(request), name, page, per_page)
    return _paged(request, response, rows, lambda v: VersionOut(
        commit=v.commit, date=_utc(v.date), author=v.author, message=v.message, reason=v.reason,
        added=v.added, removed=v.removed))


@router.get("/devices/{name}/config", response_model=ConfigOut, responses={**NOT_FOUND, **BAD},
            summary="The device's stored (sanitised) config at a REF")
def config(request: Request, name: str,
           at: Annotated[str | None, Query(description="Commit, tag, date (YYYY-MM-DD), period (2026Q3) or change id; "
                                                   "default: the latest.")] = None) -> ConfigOut:
    view = device_config(_state(request), name, at)
    return ConfigOut(name=view.host, commit=view.commit, path=view.path, config=view.text)


@router.get("/devices/{name}/diff", response_model=DiffOut, responses={**NOT_FOUND, **BAD},
            summary="Unified diff of the device's config between two REFs")
def diff(request: Request, name: str,
         from_ref: Annotated[str, Query(alias="from", description="The older REF (commit, tag, date, period, change id).")],
         to: Annotated[str | None, Query(description="The newer REF; default: the latest.")] = None) -> DiffOut:
    view = device_diff(_state(request), name, from_ref, to)
    return DiffOut(name=view.host, from_=view.from_commit, to=view.to_commit, diff=view.diff,
                   added=view.added, removed=view.removed)


@router.get("/search", response_model=list[SearchHitOut], responses={
    **BAD, 503: {"model": ErrorOut, "description": "Too many searches running; retry after a moment"}},
    summary="Regex over the latest stored configs (the fields of `search --json`)",
    description=PAGED + " Headers: `X-Truncated` (true when more lines matched than the search keeps), `X-Devices` (devices "
                "with a match), `X-Searched` (configs read), `X-Commit` (the commit searched).")
def search(request: Request, response: Response,
           q: Annotated[str, Query(min_length=1, description="Python regular expression, matched against each line.")],
           i: Annotated[bool, Query(description="Ignore case (q and under).")] = False,
           under: Annotated[str | None, Query(description="Only lines inside sections whose line matches this regex.")] = None,
           site: Annotated[str | None, Query(description="Only this site's devices.")] = None,
           platform: Annotated[str | None, Query(description="Only this platform's devices.")] = None,
           page: PageQ = 1, per_page: PerPageQ = DEFAULT_PER_PAGE) -> list[SearchHitOut]:
    found = search_configs(_state(request), q, ignore_case=i, under=under, site=site, platform=platform)
    response.headers.update({"X-Truncated": str(found.truncated).lower(), "X-Devices": str(found.devices),
                             "X-Searched": str(found.searched), "X-Commit": found.commit or ""})
    return _paged(request, response, paginate(found.hits, page, per_page), lambda h: SearchHitOut(
        host=h.host, site=h.site, platform=h.platform, line_no=h.line_no, line=h.line))


@router.get("/inspections", response_model=list[PeriodBrief], summary="Inspected periods, newest first",
            description=PAGED)
def inspections(request: Request, response: Response, page: PageQ = 1,
                per_page: PerPageQ = DEFAULT_PER_PAGE) -> list[PeriodBrief]:
    state = _state(request)

    def brief(period: str) -> PeriodBrief:
        s = period_summary(state, period)
        return PeriodBrief(period=s.period, previous=s.previous, by_severity=s.by_severity, status=s.status)

    return _paged(request, response, paginate(periods(state), page, per_page), brief)


@router.get("/inspections/{period}", response_model=PeriodOut, responses={**NOT_FOUND, **BAD},
            summary="One period: problems by severity and site, against the previous period",
            description="The counts cover the whole period; `devices` is paged (10,000 devices are over a "
                        "megabyte): " + PAGED)
def inspection(request: Request, response: Response, period: str, page: PageQ = 1,
               per_page: PerPageQ = MAX_PER_PAGE) -> PeriodOut:
    s = period_summary(_state(request), period)
    devices = _paged(request, response, paginate(s.devices, page, per_page), lambda d: PeriodDeviceOut(
        name=d.name, site=d.site, platform=d.platform, status=d.status, problems=d.problems))
    return PeriodOut(period=s.period, previous=s.previous, by_severity=s.by_severity, status=s.status,
                     previous_by_severity=s.previous_by_severity, by_site=s.by_site, new=s.new, resolved=s.resolved,
                     devices=devices)


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Every path of the OpenAPI document as a page: no Swagger UI (its scripts come from a CDN,
    and the pages' CSP allows no script)."""
    return render_page(request, "api_docs.html.j2", operations=api_docs.operations(request.app.openapi()))


@router.get("/openapi.json", include_in_schema=False)
def openapi_document(request: Request) -> JSONResponse:
    """The OpenAPI document, behind the same authentication as the routes it describes."""
    return JSONResponse(request.app.openapi())


def _state(request: Request) -> WebState:
    return web_state(request)


def _device(row: DeviceRow) -> DeviceOut:
    return DeviceOut(name=row.name, site=row.site, platform=row.platform, address=row.address, status=row.status,
                     last_backup=_utc(row.last_backup) if row.last_backup else None,
                     last_inspection=row.last_inspection, open_problems=row.open_problems)


def _facts(inspections: list[DeviceInspection]) -> FactsOut | None:
    newest = newest_facts(inspections)
    if newest is None or newest.facts is None:
        return None
    return FactsOut(period=newest.period, collected_at=newest.collected_at, **newest.facts.model_dump())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _paged(request: Request, response: Response, page: Page, convert: Any) -> Any:
    """The page's items converted, with its Link and X-Total-Count headers set on `response`."""
    links = []
    if page.has_more:
        links.append(_link(request, page.page + 1, page.per_page, "next"))
    if page.page > 1:
        links.append(_link(request, page.page - 1, page.per_page, "prev"))
    if page.total is not None:
        response.headers["X-Total-Count"] = str(page.total)
        links.append(_link(request, 1, page.per_page, "first"))
        links.append(_link(request, page.pages or 1, page.per_page, "last"))
    if links:
        response.headers["Link"] = ", ".join(links)
    return [convert(item) for item in page.items]


def _link(request: Request, number: int, per_page: int, rel: str) -> str:
    # The other parameters kept as sent; urlencode leaves no character that could end the header.
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
    query += [("page", str(number)), ("per_page", str(per_page))]
    return f'<{request.url.path}?{urlencode(query)}>; rel="{rel}"'
