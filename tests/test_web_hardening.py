"""The web view's defences against what a reviewer tried: a proxy on IPv6 loopback passing for the
local browser, forwarded headers from whoever sends them, a cached Basic login answering a locked-out
guesser, many addresses against one name, argon2 on the event loop, a logout a restart forgets, a
500 without the security headers. Real argon2, real files, the real app; `serve` itself where the
uvicorn wiring is what matters."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
from pathlib import Path

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from netpatrol.cli.root import app as cli
from netpatrol.cli.serve import proxy_settings, url_of
from netpatrol.web import users
from netpatrol.web.auth import page_user
from netpatrol.web.headers import CSP
from netpatrol.web.throttle import Throttle, client_group
from test_web_auth import client, login, make_app, page_csrf
from web_fixtures import ALICE, BOB
from web_server import add_user, copy_world, serve

pytestmark = pytest.mark.usefixtures("quick_argon2")  # real argon2 at a test's cost (web_fixtures)


FORWARDED = [{"X-Forwarded-For": "10.9.9.9"}, {"Forwarded": "for=10.9.9.9"}, {"X-Forwarded-Proto": "https"}]


def test_through_a_proxy_on_ipv6_loopback_nobody_is_anonymous(sample_workspace: Path):
    """`--bind ::1` with no users and no --trusted-proxy, nginx on this machine: every client is ::1."""
    c = client(make_app(sample_workspace, bind="::1"), address="::1", trusted=None)
    for host in ("10.1.2.3", "netpatrol", "netpatrol.example.org", "[::2]:18089"):
        assert c.get("/api/v1/t/me", headers={"Host": host}).status_code == 401, host
    for headers in FORWARDED:
        assert c.get("/api/v1/t/me", headers={"Host": "[::1]:18089", **headers}).status_code == 401, headers
    assert c.get("/api/v1/t/me", headers={"Host": "[::1]:18089"}).status_code == 200  # the browser here
    # a trusted proxy's client is not this machine either
    proxied = client(make_app(sample_workspace, bind="::1"), address="::1", trusted="::1")
    assert proxied.get("/api/v1/t/me", headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 401


def test_forwarded_headers_are_ignored_unless_the_proxy_is_trusted(ws: Path):
    app = make_app(ws)
    local = client(app, trusted=None)  # `serve` without --trusted-proxy: a local account spoofing
    for i in range(5):
        assert local.get("/api/v1/t/me", auth=("alice", "guess"), headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code == 401
    assert local.get("/api/v1/t/me", auth=("alice", ALICE), headers={"X-Forwarded-For": "10.0.0.99"}).status_code == 429
    res = login(client(app, trusted=None, headers={"X-Forwarded-Proto": "https"}), "bob", BOB)
    assert res.status_code == 303 and "Secure" not in res.headers["set-cookie"]
    assert proxy_settings([]) == {"proxy_headers": False}
    assert proxy_settings(["127.0.0.1", "[::1]"])["forwarded_allow_ips"] == "127.0.0.1,::1"
    res = CliRunner().invoke(cli, ["serve", "--trusted-proxy", "*", "-w", str(ws)])
    assert res.exit_code == 2 and "--trusted-proxy *" in res.output


def test_a_locked_out_guesser_learns_nothing_from_a_cached_basic_login(ws: Path):
    app = make_app(ws)
    owner, guesser = (client(app, headers={"X-Forwarded-For": a}) for a in ("192.0.2.1", "192.0.2.66"))
    assert owner.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200  # now cached
    for _ in range(5):
        assert guesser.get("/api/v1/t/me", auth=("bob", "guess-guess")).status_code == 401
    assert guesser.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 429  # right, yet refused
    assert guesser.get("/api/v1/t/me", auth=("bob", "guess-again")).status_code == 429
    assert owner.get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200


def test_many_addresses_get_no_more_guesses_at_one_name(ws: Path):
    app = make_app(ws)
    at = lambda address: client(app, headers={"X-Forwarded-For": address})  # noqa: E731
    assert at("192.0.2.1").get("/api/v1/t/me", auth=("alice", ALICE)).status_code == 200  # her usual address
    for i in range(20):
        assert at(f"198.51.100.{i}").get("/api/v1/t/me", auth=("alice", f"guess-{i}")).status_code == 401
    res = at("198.51.100.200").get("/api/v1/t/me", auth=("alice", ALICE))
    assert res.status_code == 429 and int(res.headers["retry-after"]) > 800
    assert at("192.0.2.1").get("/api/v1/t/me", auth=("alice", ALICE)).status_code == 200  # she still gets in
    assert at("198.51.100.200").get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200  # another name
    # an IPv6 host's whole /64 is one client
    for i in range(5):
        assert at(f"2001:db8:0:1::{i + 1:x}").get("/api/v1/t/me", auth=("bob", "guess")).status_code == 401
    assert at("2001:db8:0:1::ffff").get("/api/v1/t/me", auth=("bob", BOB)).status_code == 429
    assert at("2001:db8:0:2::1").get("/api/v1/t/me", auth=("bob", BOB)).status_code == 200


def test_the_throttle_stays_bounded():
    now = [0.0]
    t = Throttle(max_keys=100, clock=lambda: now[0])
    for i in range(5000):
        t.failed(f"10.{i // 250}.{i % 250}.1", f"user-{i}")
        t.succeeded(f"10.{i // 250}.{i % 250}.2", f"user-{i}")
    assert len(t._failures) <= 100 and len(t._good) <= 100
    assert client_group("2001:db8::1") == client_group("2001:db8::2") == "2001:db8::/64"
    assert client_group("::ffff:192.0.2.1") == "192.0.2.1" and client_group("192.0.2.1") == "192.0.2.1"
    now[0] += 901
    assert t.wait("10.0.0.1", "user-0") == 0


def test_argon2_never_runs_on_the_event_loop(ws: Path, monkeypatch: pytest.MonkeyPatch):
    """POST /login, /logout and the backup button are async routes: a Basic header or a password
    must be checked in a worker thread, or 40 wrong logouts freeze every request."""
    on_loop = []
    verify = users.verify_password

    def watched(*args, **kw):
        try:
            asyncio.get_running_loop()
            on_loop.append(args[1])
        except RuntimeError:
            pass
        return verify(*args, **kw)

    monkeypatch.setattr(users, "verify_password", watched)
    c = client(make_app(ws, allow_backup=True))
    login(c, "alice", ALICE)
    assert c.post("/logout", data={}, auth=("bob", "wrong-password")).status_code == 303
    assert c.post("/devices/city-core-01/backup", data={}, auth=("bob", "wrong-password")).status_code == 303
    assert c.post("/logout", data={"csrf": page_csrf(c)}).status_code == 303
    assert on_loop == []


def test_logout_holds_across_a_restart_and_another_server(ws: Path):
    first, second = make_app(ws), make_app(ws)  # two `serve`s of one workspace, or one restarted
    here, there = client(first), client(second)
    login(here, "alice", ALICE)
    login(there, "alice", ALICE)
    bob = client(second)
    login(bob, "bob", BOB)
    copied = here.cookies["netpatrol_session"]
    assert here.post("/logout", data={"csrf": page_csrf(here)}).status_code == 303
    for app in (first, second, make_app(ws)):
        again = client(app)
        again.cookies.set("netpatrol_session", copied)
        assert again.get("/t/page").status_code == 303
    assert there.get("/t/page").status_code == 303  # every session of alice's ends, on every server
    assert bob.get("/t/page").status_code == 200  # nobody else's
    login(there, "alice", ALICE)
    assert there.get("/t/page").text.startswith("alice|")
    assert client(make_app(ws), cookies={"netpatrol_session": there.cookies["netpatrol_session"]}).get("/t/page").status_code == 200
    logouts = ws / ".netpatrol" / "web-logouts"
    assert logouts.stat().st_mode & 0o777 == 0o600 and set(json.loads(logouts.read_text())) == {"alice"}


def _boom() -> None:
    raise RuntimeError("a bug with a secret in it: lab-test-pw-8f3k")


def test_an_unexpected_exception_is_a_500_with_the_headers_and_a_logged_traceback(ws: Path):
    app = make_app(ws)
    app.add_api_route("/t/boom", _boom, dependencies=[Depends(page_user)])
    app.add_api_route("/api/v1/t/boom", _boom)
    c = TestClient(app, base_url="http://localhost", raise_server_exceptions=False)
    login(c, "alice", ALICE)
    for path, kind in (("/api/v1/t/boom", "application/json"), ("/t/boom", "text/html")):
        res = c.get(path)
        assert res.status_code == 500 and res.headers["content-type"].startswith(kind), path
        assert res.headers["content-security-policy"] == CSP and res.headers["x-content-type-options"] == "nosniff"
        assert res.headers["cache-control"] == "no-store" and "secret" not in res.text and "Traceback" not in res.text
    assert "internal error" in c.get("/api/v1/t/boom").json()["detail"]
    logs = sorted((ws / ".netpatrol" / "logs").glob("web-*.log"))
    assert len(logs) == 3 and all(p.stat().st_mode & 0o777 == 0o600 for p in logs)
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError" in text
    assert "lab-test-pw-8f3k" not in text and "${NETPATROL_PASSWORD}" in text


def test_serve_on_ipv6_loopback_prints_a_bracketed_url_and_trusts_no_proxy(sample_workspace: Path):
    assert url_of("::1", 18089) == "http://[::1]:18089/" and url_of("127.0.0.1", 80) == "http://127.0.0.1:80/"
    with serve(sample_workspace, sample_workspace.parent / "serve.log", bind="::1") as s:
        port = int(s.url.rsplit(":", 1)[1])

        def status(headers: dict[str, str]) -> int:
            conn = http.client.HTTPConnection("::1", port, timeout=10)
            try:
                conn.request("GET", "/api/v1/devices", headers=headers)
                return conn.getresponse().status
            finally:
                conn.close()

        assert status({"Host": "10.1.2.3", "X-Forwarded-For": "10.9.9.9"}) == 401
        assert status({"Host": "netpatrol"}) == 401
        assert status({"Host": f"[::1]:{port}"}) == 200
        assert f"http://[::1]:{port}/" in s.log.read_text(encoding="utf-8")


def test_serve_without_trusted_proxy_ignores_forwarded_headers(built: Path, tmp_path: Path):
    world = copy_world(built, tmp_path / "ws")
    add_user(world, "proxy-user", "long-enough-secret", role="viewer")
    with serve(world, tmp_path / "serve.log") as s:
        port = int(s.url.rsplit(":", 1)[1])
        auth = "Basic " + base64.b64encode(b"proxy-user:guess-guess").decode()
        statuses = []
        for i in range(6):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/api/v1/devices", headers={"Authorization": auth, "X-Forwarded-For": f"203.0.113.{i}",
                                                            "X-Forwarded-Proto": "https"})
            res = conn.getresponse()
            statuses.append((res.status, res.getheader("Strict-Transport-Security")))
            conn.close()
    assert statuses == [(401, None)] * 5 + [(429, None)], statuses  # one client: nginx's, not five


def test_ci_fails_the_browser_tests_instead_of_skipping_them(monkeypatch: pytest.MonkeyPatch):
    import web_server

    monkeypatch.setattr(web_server, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv(web_server.REQUIRE_BROWSER, raising=False)
    with pytest.raises(pytest.skip.Exception):
        web_server.require_browser()
    monkeypatch.setenv(web_server.REQUIRE_BROWSER, "1")
    with pytest.raises(pytest.fail.Exception, match="NETPATROL_REQUIRE_BROWSER=1"):
        web_server.require_browser()
    assert "export NETPATROL_REQUIRE_BROWSER=1" in (Path(__file__).parents[1] / ".ci" / "run").read_text()
