"""The HTML pages: devices, search, inspections, reports and runs (a device's own pages are in
pages_device.py). Server-rendered, no script; every query parameter is read as text and checked
here, so a bad one is the 400 page rather than a JSON validation error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from netpatrol.errors import UsageError
from netpatrol.report.labels import platform_family, site_name
from netpatrol.web import pages_device
from netpatrol.web.auth import page_user
from netpatrol.web.device_list import STATUSES, device_rows, filter_rows
from netpatrol.web.paging import Page, paginate
from netpatrol.web.period_view import period_summary, periods
from netpatrol.web.render import Translator, number, page, query
from netpatrol.web.report_files import report_file, report_files
from netpatrol.web.search_view import search_configs
from netpatrol.web.state import WebState
from netpatrol.workspace.runlog import recent_runs

router = APIRouter(dependencies=[Depends(page_user)])
router.include_router(pages_device.router)

DEVICES_PER_PAGE = 100
RUNS_PER_PAGE = 50


def _state(request: Request) -> WebState:
    return request.app.state.web


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/devices", status_code=302)


@router.get("/devices", response_class=HTMLResponse, include_in_schema=False)
def devices(request: Request, site: str | None = None, platform: str | None = None, status: str | None = None,
            q: str | None = None, per_page: str | None = None) -> Response:
    if status and status not in STATUSES:
        raise UsageError(f"status: {status[:40]!r} is not one of {', '.join(STATUSES)}")
    state = _state(request)
    rows = device_rows(state)
    chosen = filter_rows(rows, site=site, platform=platform, status=status, text=q)
    pg = paginate(chosen, number(request.query_params.get("page"), "page"),
                  number(per_page, "per_page") or DEVICES_PER_PAGE)
    filters = {"site": site, "platform": platform, "status": status, "q": q}
    return page(request, "devices.html.j2", pg=pg, all=len(rows), f=filters,
                sites=_site_options(state, {r.site for r in rows}),
                platforms=_platform_options({r.platform for r in rows}),
                statuses=[(s, Translator(state.lang)("status." + s)) for s in STATUSES],
                link=lambda n: query("/devices", **filters, page=n, per_page=per_page))


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search(request: Request, q: str | None = None, i: str | None = None, under: str | None = None,
           site: str | None = None, platform: str | None = None) -> Response:
    state = _state(request)
    inv = state.inventory()
    ignore_case = (i or "").lower() in ("1", "on", "true", "yes")
    form = {"q": q or "", "i": ignore_case, "under": under or "", "site": site or "", "platform": platform or ""}
    sites = {h.site for h in inv.hosts.values()}
    platforms = {h.platform for h in inv.hosts.values()}
    context: dict[str, Any] = {"form": form, "sites": _site_options(state, sites), "platforms": _platform_options(platforms),
               "result": None, "groups": [], "error": None}
    if not q:
        return page(request, "search.html.j2", **context)
    try:
        result = search_configs(state, q, ignore_case=ignore_case, under=under or None, site=site or None,
                                platform=platform or None)
    except UsageError as exc:
        return page(request, "search.html.j2", status_code=400, **{**context, "error": str(exc)})
    groups: dict[str, list] = {}
    for hit in result.hits:
        groups.setdefault(hit.host, []).append(hit)
    return page(request, "search.html.j2", **{**context, "result": result, "groups": list(groups.items())})


def _site_options(state: WebState, keys: set[str]) -> list[tuple[str, str]]:
    """(key, label) per site for a filter: the archive name with the key, as the tables show it."""
    archives = state.inventory().sites()
    named = [(k, site_name(k, archives.get(k))) for k in keys]
    return sorted(((k, k if n == k else f"{n} ({k})") for k, n in named), key=lambda x: x[0])


def _platform_options(keys: set[str]) -> list[tuple[str, str]]:
    return sorted(((k, platform_family(k)) for k in keys), key=lambda x: x[1].lower())


@router.get("/inspections", response_class=HTMLResponse, include_in_schema=False)
def inspections(request: Request) -> Response:
    return page(request, "inspections.html.j2", periods=periods(_state(request)))


@router.get("/inspections/{period}", response_class=HTMLResponse, include_in_schema=False)
def inspection(request: Request, period: str) -> Response:
    summary = period_summary(_state(request), period)
    flagged = [d for d in summary.devices if d.status != "ok" or any(d.problems.values())]
    return page(request, "inspection.html.j2", s=summary, flagged=flagged,
                fine=len(summary.devices) - len(flagged))


@router.get("/reports", response_class=HTMLResponse, include_in_schema=False)
def reports(request: Request) -> Response:
    return page(request, "reports.html.j2", files=report_files(_state(request)))


@router.get("/reports/{period}/{name}", include_in_schema=False)
def report_download(request: Request, period: str, name: str) -> Response:
    f = report_file(_state(request), period, name)
    # Always an attachment, HTML too: a report's content must never run in the app's origin.
    return FileResponse(f.path, media_type=f.media_type, filename=f.name, content_disposition_type="attachment")


@router.get("/runs", response_class=HTMLResponse, include_in_schema=False)
def runs(request: Request, per_page: str | None = None) -> Response:
    state = _state(request)
    # The records file keeps the last 1,000 runs: reading it whole is bounded.
    pg: Page = paginate(recent_runs(state.ws, 1000), number(request.query_params.get("page"), "page"),
                        number(per_page, "per_page") or RUNS_PER_PAGE)
    return page(request, "runs.html.j2", pg=pg, link=lambda n: query("/runs", page=n, per_page=per_page))

