"""How the parts of the web view meet: the OpenAPI document behind the API's login, an unknown
page answered as a page (JSON under /api/), and the "back up now" button only where it works."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from netpatrol.web.app import create_app
from netpatrol.web.state import ServeOptions, WebState
from netpatrol.workspace.settings import Workspace
from web_fixtures import ALICE, BOB

pytestmark = pytest.mark.usefixtures("quick_argon2")  # real argon2 at a test's cost (web_fixtures)


def _basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def _client(root: Path, allow_backup: bool = False) -> TestClient:
    return TestClient(create_app(WebState(Workspace(root), ServeOptions(allow_backup=allow_backup))),
                      follow_redirects=False, base_url="http://localhost")  # anonymous: a loopback Host


def test_openapi_document_needs_the_api_login_once_users_exist(ws: Path):
    c = _client(ws)
    refused = c.get("/api/v1/openapi.json")
    assert refused.status_code == 401 and "Basic" in refused.headers["www-authenticate"]
    doc = c.get("/api/v1/openapi.json", headers=_basic("bob", BOB))
    assert doc.status_code == 200 and "/api/v1/devices" in doc.json()["paths"]
    assert "/api/v1/openapi.json" not in doc.json()["paths"]


def test_unknown_route_is_a_page_for_people_and_json_for_programs(sample_workspace: Path):
    c = _client(sample_workspace)
    page = c.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>" in page.text and "Content-Security-Policy" in page.headers
    api = c.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    assert c.post("/devices").status_code == 405


@pytest.mark.parametrize(("allow", "who", "shown"), [
    (True, ("alice", ALICE), True), (True, ("bob", BOB), False), (False, ("alice", ALICE), False)])
def test_back_up_now_button_only_for_admins_of_a_server_that_allows_it(ws: Path, allow: bool,
                                                                      who: tuple[str, str], shown: bool):
    c = _client(ws, allow_backup=allow)
    html = c.get("/devices/city-core-01", headers=_basic(*who)).text
    assert ('id="backup-now"' in html) is shown
    if shown:
        assert 'action="/devices/city-core-01/backup"' in html and 'name="csrf" value=""' not in html


def test_backup_status_shows_only_known_words(sample_workspace: Path):
    c = _client(sample_workspace)
    assert 'id="backup-status"' in c.get("/devices/city-core-01?backup=busy").text
    html = c.get("/devices/city-core-01?backup=<script>x</script>").text
    assert 'id="backup-status"' not in html and "<script>x" not in html
