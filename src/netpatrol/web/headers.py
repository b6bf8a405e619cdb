"""Security headers on every response, errors and redirects included.

The pages carry no script at all, so the policy allows none: device text that slipped past the
escaping still could not run. Pages and API answers are never cached (they show configs and who is
logged in); the stylesheet may be. HSTS only over TLS, where a browser will honour it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware): streamed downloads pass through untouched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ours = dict(HEADERS)
                if not static:
                    ours["Cache-Control"] = "no-store"
                if https:
                    ours["Strict-Transport-Security"] = HSTS
                added = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in ours.items()]
                names = {k for k, _ in added}
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if bytes(k).lower() not in names] + added
            await send(message)

        await self.app(scope, receive, with_headers)
