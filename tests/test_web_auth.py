"""Who may see the web view: anonymous on loopback without users; with users a session from the
login form, HTTP Basic or a Bearer token; rate limits, CSRF, logout, security headers, and the
admin-only "back up now". Real argon2, real files, the real app through TestClient."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from netpatrol.cli.root import app as cli
from netpatrol.store.repo import Store
from netpatrol.web import users
from netpatrol.web.app import create_app
from netpatrol.web.auth import api_user, csrf_token, page_user
from netpatrol.web.headers import CSP
from netpatrol.web.login import safe_next
from netpatrol.web.state import ServeOptions, WebState
from netpatrol.workspace.settings import Workspace
from web_fixtures import ALICE, BOB

pytestmark = pytest.mark.usefixtures("quick_argon2")  # real argon2 at a test's cost (web_fixtures)


def _whoami(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{request.state.identity.name}|{csrf_token(request)}")


def make_app(root: Path, allow_backup: bool = False, bind: str = "127.0.0.1"):
    """The real app plus one page and one API route (the pages and API are written elsewhere)."""
    app = create_app(WebState(Workspace(root), ServeOptions(bind=bind, allow_backup=allow_backup)))
    app.add_api_route("/t/page", _whoami, dependencies=[Depends(page_user)])
    app.add_api_route("/api/v1/t/me", _whoami, dependencies=[Depends(api_user)])
    return app


def client(app, address: str = "127.0.0.1", trusted: str | None = "127.0.0.1", **kw) -> TestClient:
    """A client from `address` to http://localhost, through uvicorn's proxy-header handling as
    `serve --trusted-proxy TRUSTED` runs it (None: as `serve` without it, the headers ignored)."""
    asgi = app if trusted is None else ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    kw.setdefault("base_url", "http://localhost")
    return TestClient(asgi, client=(address, 40000), follow_redirects=False, **kw)


def login(c: TestClient, name: str, password: str, next_url: str = "/t/page"):
    form = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return c.post("/login", data={"username": name, "password": password, "next": next_url, "csrf": csrf})


def page_csrf(c: TestClient, **kw) -> str:
    return c.get("/t/page", **kw).text.split("|")[1]


def test_without_users_loopback_is_anonymous_and_nothing_else_is(sample_workspace: Path):
    app = make_app(sample_workspace)
    c = client(app)
    assert c.get("/t/page").text == "|"  # anonymous, and no form to post
    assert c.get("/api/v1/t/me").status_code == 200
    assert c.get("/login").headers["location"] == "/"
    # a proxy on this machine forwarding someone else, or a DNS name rebound to 127.0.0.1
    assert c.get("/t/page", headers={"X-Forwarded-For": "192.0.2.7"}).status_code == 303
    assert c.get("/t/page", headers={"Host": "evil.example"}).status_code == 303
    assert c.get("/api/v1/t/me", headers={"Host": "evil.example:8080"}).status_code == 401
    for host in ("netpatrol", "10.1.2.3", "[::2]:8080"):  # not loopback: a proxy's or the LAN's name for us
        assert c.get("/api/v1/t/me", headers={"Host": host}).status_code == 401, host
    for host in ("localhost:8080", "127.0.0.1", "127.1.2.3:80", "[::1]:8080"):
        assert c.get("/api/v1/t/me", headers={"Host": host}).status_code == 200, host
    no_users = c.get("/login", headers={"Host": "evil.example"})
    assert no_users.status_code == 403 and "netpatrol user add" in no_users.text
    # every user removed while serving beyond this machine: nobody gets in
    assert client(make_app(sample_workspace, bind="0.0.0.0")).get("/api/v1/t/me").status_code == 401


def test_with_users_pages_go_to_login_and_the_api_asks_for_credentials(ws: Path):
    c = client(make_app(ws))
    res = c.get("/t/page?x=1")
    assert res.status_code == 303 and res.headers["location"] == "/login?next=%2Ft%2Fpage%3Fx%3D1"
    res = c.get("/api/v1/t/me")
    assert res.status_code == 401 and res.headers["www-authenticate"].startswith("Basic")
    assert (ws / ".netpatrol" / "web-secret").stat().st_mode & 0o777 == 0o600


def test_login_sets_an_httponly_samesite_cookie_and_returns_to_next(ws: Path):
    c = client(make_app(ws))
    form = c.get("/login?next=/t/page")
    assert form.status_code == 200 and 'id="login"' in form.text and 'name="next" value="/t/page"' in form.text
    res = login(c, "alice", ALICE)
    assert res.status_code == 303 and res.headers["location"] == "/t/page"
    cookie = res.headers["set-cookie"]
    assert "netpatrol_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Secure" not in cookie
    assert c.get("/t/page").text.startswith("alice|")
    assert c.get("/api/v1/t/me").status_code == 200  # the browser may open the JSON too
    assert c.get("/login").headers["location"] == "/"


def test_behind_a_tls_proxy_the_cookie_is_secure_and_hsts_is_sent(ws: Path):
    app = make_app(ws)
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}
    c = client(app, headers=https)  # the proxy on 127.0.0.1 talks plain HTTP to the server
    form = c.get("/login")
    assert "Secure" in form.headers["set-cookie"] and "max-age=" in form.headers["strict-transport-security"]
    pre = form.headers["set-cookie"].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    res = c.post("/login", data={"username": "alice", "password": ALICE, "csrf": csrf}, headers={"Cookie": pre})
    assert res.status_code == 303
    assert "Secure" in res.headers["set-cookie"] and "HttpOnly" in res.headers["set-cookie"]
    # the same header from anywhere but the proxy on 127.0.0.1 is not believed
    spoofed = client(app, address="203.0.113.9", headers=https)
    res = login(spoofed, "alice", ALICE)
    assert res.status_code == 303
    assert "Secure" not in res.headers["set-cookie"] and "strict-transport-security" not in res.headers


def test_wrong_login_shows_an_error_and_no_cookie(ws: Path):
    c = client(make_app(ws))
    res = login(c, "alice", "wrong-password")
    assert res.status_code == 401 and 'id="login-error"' in res.text and "netpatrol_session" not in res.headers.get("set-cookie", "")
    assert login(c, "nobody", ALICE).status_code == 401


def test_basic_and_bearer(ws: Path):
    _, token = users.new_token(Workspace(ws), "bob")
    c = client(make_app(ws))
    assert c.get("/api/v1/t/me", auth=("bob", BOB)).text.startswith("bob|")
    assert c.get("/t/page", auth=("bob", BOB)).status_code == 200  # a script may fetch a page too
    assert c.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200  # second time from the cache
    assert c.get("/api/v1/t/me", headers={"Authorization": f"Bearer {token}"}).text.startswith("bob|")
    assert c.get("/api/v1/t/me", auth=("bob", ALICE)).status_code == 401
    assert c.get("/api/v1/t/me", headers={"Authorization": f"Bearer {token[:-2]}xx"}).status_code == 401
    assert c.get("/api/v1/t/me", headers={"Authorization": "Bearer"}).status_code == 401
    assert c.get("/api/v1/t/me", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert c.get("/api/v1/t/me", headers={"Authorization": "Digest x"}).status_code == 401
    # a wrong header is a failure even with a good session
    login(c, "alice", ALICE)
    assert c.get("/api/v1/t/me", auth=("alice", "nope-nope")).status_code == 401
    # a new password ends the cached Basic login; a removed user's token stops
    users.add_user(Workspace(ws), "bob", "new-bob-password", update=True)
    assert c.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 401
    users.remove_user(Workspace(ws), "bob")
    assert c.get("/api/v1/t/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_failed_logins_are_limited_per_address_and_name(ws: Path):
    app = make_app(ws)
    here, there = client(app, headers={"X-Forwarded-For": "192.0.2.1"}), client(app, headers={"X-Forwarded-For": "192.0.2.2"})
    for _ in range(5):
        assert here.get("/api/v1/t/me", auth=("alice", "guess-guess")).status_code == 401
    res = here.get("/api/v1/t/me", auth=("alice", ALICE))  # even the right password now
    assert res.status_code == 429 and 800 < int(res.headers["retry-after"]) <= 900
    form = login(here, "alice", ALICE)  # the login form counts the same failures
    assert form.status_code == 429 and "retry-after" in form.headers and 'id="login-error"' in form.text
    assert here.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200  # another name
    assert there.get("/api/v1/t/me", auth=("alice", ALICE)).status_code == 200  # another address
    for _ in range(5):
        assert login(there, "bob", "guess-guess").status_code == 401
    assert login(there, "bob", BOB).status_code == 429
    assert login(there, "alice", ALICE).status_code == 303


def test_posts_need_the_csrf_token(ws: Path):
    c = client(make_app(ws, allow_backup=True))
    res = c.post("/login", data={"username": "alice", "password": ALICE})
    assert res.status_code == 403 and "Content-Security-Policy" in res.headers
    form = c.get("/login")
    forged = c.post("/login", data={"username": "alice", "password": ALICE, "csrf": "x" * 43})
    assert forged.status_code == 403 and form.status_code == 200
    login(c, "alice", ALICE)
    assert c.post("/logout", data={}).status_code == 403
    assert c.post("/devices/city-core-01/backup", data={"csrf": "not-it"}).status_code == 403
    assert c.post("/logout", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 415


def test_next_is_only_ever_a_local_path(ws: Path):
    for bad in ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
                "/\t/evil.example", "evil.example", "/login?next=//evil", "", None]:
        assert safe_next(bad) == "/", bad
    assert safe_next("/devices/a?site=x#f") == "/devices/a?site=x#f"
    c = client(make_app(ws))
    assert 'name="next" value="/"' in c.get("/login?next=//evil.example").text
    res = login(c, "alice", ALICE, next_url="https://evil.example/")
    assert res.status_code == 303 and res.headers["location"] == "/"


def test_logout_ends_the_session_even_for_a_copied_cookie(ws: Path):
    c = client(make_app(ws))
    login(c, "alice", ALICE)
    cookie = c.cookies["netpatrol_session"]
    res = c.post("/logout", data={"csrf": page_csrf(c)})
    assert res.status_code == 303 and res.headers["location"] == "/login"
    assert c.get("/t/page").status_code == 303
    copy = client(c.app)
    copy.cookies.set("netpatrol_session", cookie)
    assert copy.get("/t/page").status_code == 303


def test_a_removed_user_or_new_password_ends_the_session(ws: Path):
    c = client(make_app(ws))
    login(c, "bob", BOB)
    assert c.get("/t/page").status_code == 200
    users.add_user(Workspace(ws), "bob", "another-password", update=True)
    assert c.get("/t/page").status_code == 303
    login(c, "bob", "another-password")
    assert c.get("/t/page").status_code == 200
    users.remove_user(Workspace(ws), "bob")
    assert c.get("/t/page").status_code == 303


def test_a_tampered_cookie_is_refused(ws: Path):
    c = client(make_app(ws))
    login(c, "bob", BOB)
    payload, mac = c.cookies["netpatrol_session"].split(".")
    import base64
    import json

    doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    doc["u"] = "alice"
    forged = base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    other = client(c.app)
    other.cookies.set("netpatrol_session", f"{forged}.{mac}")
    assert other.get("/t/page").status_code == 303


def test_security_headers_on_every_response(ws: Path):
    c = client(make_app(ws))
    for res in [c.get("/login"), c.get("/t/page"), c.get("/api/v1/t/me"), c.get("/no/such/page"),
                c.get("/api/v1/no/such"), c.post("/login", data={}), c.get("/static/web.css")]:
        assert res.headers["content-security-policy"] == CSP, res.url
        assert "script-src" not in CSP and "default-src 'none'" in CSP
        assert res.headers["x-content-type-options"] == "nosniff"
        assert res.headers["x-frame-options"] == "DENY"
        assert res.headers["referrer-policy"] == "no-referrer"
        assert res.headers["cross-origin-opener-policy"] == "same-origin"
        assert "strict-transport-security" not in res.headers
        if "/static/" not in str(res.url):
            assert res.headers["cache-control"] == "no-store"
    assert c.get("/no/such/page").status_code == 404


def test_serve_beyond_loopback_without_users_exits_2_naming_user_add(sample_workspace: Path):
    res = CliRunner().invoke(cli, ["serve", "--bind", "0.0.0.0", "-w", str(sample_workspace)])
    assert res.exit_code == 2 and "netpatrol user add" in res.output


def test_backup_now_is_admin_only_with_csrf_and_only_when_allowed(ws: Path):
    device = "city-core-01"
    off = client(make_app(ws))
    login(off, "alice", ALICE)
    assert off.post(f"/devices/{device}/backup", data={"csrf": page_csrf(off)}).status_code == 404

    app = make_app(ws, allow_backup=True)
    viewer = client(app)
    login(viewer, "bob", BOB)
    assert viewer.post(f"/devices/{device}/backup", data={"csrf": page_csrf(viewer)}).status_code == 403
    assert client(app).post(f"/devices/{device}/backup").headers["location"].startswith("/login?next=%2Fdevices")
    admin = client(app)
    login(admin, "alice", ALICE)
    assert admin.post(f"/devices/{device}/backup", data={}).status_code == 403
    assert admin.post("/devices/no-such-device/backup", data={"csrf": page_csrf(admin)}).status_code == 404


def test_anonymous_may_not_back_up(sample_workspace: Path):
    c = client(make_app(sample_workspace, allow_backup=True))
    assert c.post("/devices/city-core-01/backup", data={"csrf": ""}).status_code == 403


def test_backup_now_goes_through_the_store_lock(ws: Path):
    """The child is the ordinary `netpatrol backup --host`: with another run holding the lock it
    exits 75 before contacting any device, and the page says busy."""
    store = Store(ws / "backups").open_or_init()
    admin = client(make_app(ws, allow_backup=True))
    login(admin, "alice", ALICE)
    csrf = page_csrf(admin)
    with store.lock(timeout=0):
        res = admin.post("/devices/city-core-01/backup", data={"csrf": csrf}, auth=None)
    store.close()
    assert res.status_code == 303 and res.headers["location"] == "/devices/city-core-01?backup=busy"
    log = (ws / ".netpatrol" / "logs" / "web-backup.log").read_text(encoding="utf-8")
    assert "by alice" in log and "locked" in log
