"""`netpatrol serve` behind a reverse proxy on the same machine, as the README's nginx block sets it
up: uvicorn (not a test client) reads X-Forwarded-Proto and X-Forwarded-For from 127.0.0.1, so
cookies turn Secure behind TLS and failed logins count against the browser's address, not nginx's.
"""

from __future__ import annotations

import base64
import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from web_server import add_user, copy_world, serve

USER, PASSWORD = "proxy-user", "long-enough-secret"


@pytest.fixture(scope="module")
def server(built: Path, tmp_path_factory: pytest.TempPathFactory):
    ws = copy_world(built, tmp_path_factory.mktemp("web-proxy") / "ws")
    add_user(ws, USER, PASSWORD, role="viewer")
    with serve(ws, ws.parent / "serve.log") as s:
        yield s


def get(server, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"{USER}:{password}".encode()).decode()


def test_cookies_are_secure_only_behind_tls(server):
    proxied = get(server, "/login", {"Host": "netpatrol.example.org", "X-Forwarded-Proto": "https",
                                     "X-Forwarded-For": "198.51.100.4"})
    plain = get(server, "/login", {})
    assert proxied.status == plain.status == 200
    assert proxied.getheader("Set-Cookie") and "; secure" in proxied.getheader("Set-Cookie").lower()
    assert proxied.getheader("Strict-Transport-Security")
    assert plain.getheader("Set-Cookie") and "secure" not in plain.getheader("Set-Cookie").lower()
    assert plain.getheader("Strict-Transport-Security") is None


def test_failed_logins_count_against_the_forwarded_address(server):
    attacker, colleague = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "203.0.113.8"}
    statuses = [get(server, "/devices", {**attacker, "Authorization": basic(f"guess-{i}")}).status for i in range(6)]
    assert statuses[:5] == [303] * 5 and statuses[5] == 429, statuses  # refused, then locked out
    assert get(server, "/devices", {**attacker, "Authorization": basic(PASSWORD)}).status == 429
    # The same name from the colleague's address (nginx's is 127.0.0.1 for both) is not locked.
    assert get(server, "/devices", {**colleague, "Authorization": basic(PASSWORD)}).status == 200
