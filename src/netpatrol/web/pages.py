"""The HTML pages: devices, a device, its config and diffs, search, inspections, reports, runs.

(Interface landed by the lead; the pages work fills in the routes.)
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from netpatrol.web.auth import page_user

router = APIRouter(dependencies=[Depends(page_user)])
