"""Webhooks: the generic JSON POST, and the presets for WeCom (企业微信) and DingTalk (钉钉) group robots.

`json` posts the event payload and counts any 2xx as delivered. The robots take their documented
`markdown` message and answer HTTP 200 with `{"errcode": 0, "errmsg": "ok"}`; any other errcode is a
failed delivery. A DingTalk robot with signing ("加签") gets `timestamp` (ms) and
`sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))` in the query. The secret
comes from `${ENV}` at send time and never appears in a log line or a Delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from netpatrol.automation import texts
from netpatrol.automation.event import Event
from netpatrol.workspace.settings import WebhookChannel, resolve_reference

# WeCom: markdown.content at most 4096 bytes (UTF-8), as its robot documentation states. DingTalk states
# no figure beside the format; 20000 bytes is the size commonly given for its robot messages.
LIMITS = {"wecom": 4096, "dingtalk": 20000}


def safe_url(url: str) -> str:
    """Webhook URLs often carry an access token in the query or path: show scheme, host, port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/…"


def body(ch: WebhookChannel, event: Event) -> dict[str, Any]:
    """The JSON document posted to the channel."""
    if ch.kind == "json":
        return texts.payload(event)
    title, text = texts.markdown(event, LIMITS[ch.kind])
    if ch.kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value (already URL-encoded) for one timestamp."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _secret(ch: WebhookChannel) -> str | None:
    return resolve_reference(ch.secret, "secret") if ch.secret else None


_ENV_IN_URL = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _url(ch: WebhookChannel) -> str:
    """The URL with its `${ENV}` references (a robot's key or token) filled in from the environment."""
    def value(m: re.Match[str]) -> str:
        return urllib.parse.quote(resolve_reference(m.group(0), "url"), safe="")
    return _ENV_IN_URL.sub(value, ch.url)


def _signed(url: str, secret: str | None) -> str:
    if secret is None:
        return url
    stamp = int(time.time() * 1000)
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"


def _answer(ch: WebhookChannel, status: int, data: bytes) -> str:
    if ch.kind == "json":
        return f"HTTP {status}"
    try:
        doc = json.loads(data.decode("utf-8", "replace"))
        code, message = doc.get("errcode"), str(doc.get("errmsg", ""))
    except (ValueError, AttributeError):
        raise RuntimeError(f"HTTP {status} but not the robot's JSON answer") from None
    if code != 0:
        raise RuntimeError(f"errcode {code}: {message[:200]}")
    return f"HTTP {status} errcode 0"


def post(ch: WebhookChannel, event: Event) -> str:
    """Deliver; a short outcome, or RuntimeError with the reason (never the URL's token or the secret)."""
    data = json.dumps(body(ch, event), ensure_ascii=False).encode("utf-8", "replace")
    secret = _secret(ch)
    url = _url(ch)
    last = ""
    for attempt in range(ch.retries + 1):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 10))
        req = urllib.request.Request(_signed(url, secret), data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "netpatrol"})
        try:
            with urllib.request.urlopen(req, timeout=ch.timeout) as resp:  # http(s) only: the URL scheme is validated
                return _answer(ch, resp.status, resp.read(65536))
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:  # the receiver refused the request: retrying will not help
                break
        except (urllib.error.URLError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
    raise RuntimeError(f"{last} after {attempt + 1} attempt(s)")
