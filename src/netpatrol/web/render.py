"""Pages rendered through Jinja2 with autoescaping on for every template: device text is escaped
by default, and nothing is marked safe that came from a device.

(Interface landed by the lead; the pages work fills in the templates and messages.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`template` rendered with the request's identity, language and translator."""
    state = request.app.state.web
    context.setdefault("lang", state.lang)
    context.setdefault("identity", getattr(request.state, "identity", None))
    html = _env.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)
