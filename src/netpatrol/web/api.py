"""The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json).

(Interface landed by the lead; the API work fills in the routes.)
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from netpatrol.web.auth import api_user

router = APIRouter(prefix="/api/v1", dependencies=[Depends(api_user)])
