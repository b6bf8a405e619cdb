"""A real `netpatrol serve` (uvicorn, not a test client) as the README's Web view sets it up.

Behind a reverse proxy on the same machine (`--trusted-proxy 127.0.0.1`), uvicorn reads
X-Forwarded-Proto and X-Forwarded-For from 127.0.0.1, so cookies turn Secure behind TLS and failed logins count against the browser's
address, not nginx's. And every API example the README shows answers.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from web_server import add_user, copy_world, serve

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE = "https://netpatrol.example.org"
USER, PASSWORD = "proxy-user", "long-enough-secret"


@pytest.fixture(scope="module")
def server(built: Path, tmp_path_factory: pytest.TempPathFactory):
    ws = copy_world(built, tmp_path_factory.mktemp("web-proxy") / "ws")
    add_user(ws, USER, PASSWORD, role="viewer")
    with serve(ws, ws.parent / "serve.log", options=("--trusted-proxy", "127.0.0.1")) as s:  # as the README's unit
        yield s


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def getheader(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


def get(server, path: str, headers: dict[str, str]) -> Reply:
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.headers, response.read())
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


def readme_api_examples() -> list[str]:
    """The paths and queries of the README's `curl` examples (`-G --data-urlencode` folded in)."""
    section = README.read_text(encoding="utf-8").split("\n## Web view\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for line in section.splitlines():
        if not line.startswith("curl "):
            continue
        words = shlex.split(line, comments=True)
        (url,) = [w for w in words if w.startswith(EXAMPLE)]
        data = [words[i + 1] for i, w in enumerate(words) if w == "--data-urlencode"]
        query = urlencode([tuple(d.split("=", 1)) for d in data])
        found.append(url.removeprefix(EXAMPLE) + (("&" if "?" in url else "?") + query if query else ""))
    return found


def test_the_readme_api_examples_answer(server):
    examples = readme_api_examples()
    assert len(examples) >= 7 and any(e.startswith("/api/v1/search?q=") for e in examples), examples
    for path in [*examples, "/api/v1/openapi.json"]:
        response = get(server, path, {"Authorization": basic(PASSWORD)})
        assert response.status == 200, (path, response.status)
        assert response.getheader("Content-Type", "").startswith("application/json"), path
        json.loads(response.body)
    docs = get(server, "/api/v1/docs", {"Authorization": basic(PASSWORD)})
    assert docs.status == 200 and docs.getheader("Content-Type", "").startswith("text/html")
    listed = get(server, "/api/v1/devices?per_page=5", {"Authorization": basic(PASSWORD)})
    assert listed.getheader("X-Total-Count") == "15" and re.search(r'rel="next"', listed.getheader("Link") or "")
