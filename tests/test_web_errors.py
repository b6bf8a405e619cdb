"""What the web view answers when something is wrong: the caller's mistake (a bad REF, 400) apart
from the workspace's (a broken inventory or store, 503 naming the file), the last good inventory
served with a warning while an edit does not load, error pages titled in the workspace's language,
and device text made visible by report/inert.py's one definition of the hostile characters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient

from netpatrol.errors import LabError
from netpatrol.report import inert
from netpatrol.web import render
from netpatrol.web.auth import TooManyAttempts
from test_web_pages import Doc, client_for

CHINESE = re.compile(r"[\u3400-\u9fff]")
BROKEN = "  bad: [unclosed\n"


def _break_inventory(root: Path) -> Path:
    hosts = root / "inventory" / "hosts.yaml"
    hosts.write_text(hosts.read_text(encoding="utf-8") + BROKEN, encoding="utf-8")
    return hosts


# finding 1: the workspace's faults are not the caller's

def test_a_broken_inventory_edit_keeps_the_last_good_one_with_a_warning(world):
    client = client_for(world[0].root)
    assert client.get("/devices").status_code == 200 and "X-Netpatrol-Warning" not in client.get("/devices").headers
    hosts = _break_inventory(world[0].root)
    for url in ["/devices", "/devices/city-core-01", "/search?q=^hostname", "/inspections"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        warning = Doc(r.text).one(id="warning")[2]
        assert "hosts.yaml" in warning and "设备清单文件有错误" in warning, url
        assert "hosts.yaml" in r.headers["X-Netpatrol-Warning"]
    api = client.get("/api/v1/devices")
    assert api.status_code == 200 and len(api.json()) == len(world[1].hosts)
    assert "hosts.yaml" in api.headers["X-Netpatrol-Warning"] and api.headers["X-Netpatrol-Warning"].isascii()
    # fixed: the warning goes with the next read
    hosts.write_text(hosts.read_text(encoding="utf-8").removesuffix(BROKEN), encoding="utf-8")
    r = client.get("/devices")
    assert r.status_code == 200 and not Doc(r.text).find(id="warning") and "X-Netpatrol-Warning" not in r.headers


def test_an_inventory_that_never_loaded_is_503_naming_the_file(world):
    _break_inventory(world[0].root)
    client = client_for(world[0].root)
    r = client.get("/devices")
    assert r.status_code == 503 and "hosts.yaml" in Doc(r.text).one(id="error")[2]
    assert Doc(r.text).one("h1")[2] == "暂时无法提供服务"
    api = client.get("/api/v1/devices")
    assert api.status_code == 503 and "hosts.yaml" in api.json()["detail"]


def test_a_store_that_cannot_be_read_is_503(world):
    (world[0].root / "backups" / ".git" / "HEAD").write_text("garbage\n", encoding="utf-8")
    client = client_for(world[0].root)
    for url in ["/devices/city-core-01/config", "/api/v1/devices/city-core-01/config"]:
        r = client.get(url)
        assert r.status_code == 503, (url, r.status_code, r.text[:300])
        assert "backups" in r.text


@pytest.mark.parametrize("ref", ["nosuchref", "HEAD:configs", "HEAD^{tree}", "a..b", "HEAD~999", "1999-13-45",
                                 "2026Q9", "--output=x", "0" * 40])
def test_a_bad_ref_is_still_the_callers_mistake(client_of_world, ref):
    for url in ["/devices/city-core-01/config", "/api/v1/devices/city-core-01/config",
                "/devices/city-core-01/diff", "/api/v1/devices/city-core-01/diff"]:
        r = client_of_world.get(url, params={"at" if url.endswith("config") else "from": ref})
        assert r.status_code in (400, 404), (url, ref, r.status_code, r.text[:300])


@pytest.fixture
def client_of_world(world) -> TestClient:
    return client_for(world[0].root)


# finding 3: error pages in the workspace's language

def _app_with_raisers(root: Path, lang: str) -> TestClient:
    client = client_for(root, lang)
    app = client.app

    def raiser(n: int):
        if n == 500:
            raise LabError("a NetpatrolError that is neither the caller's nor the workspace's")
        if n == 429:
            raise TooManyAttempts(7)  # the real one: the page translates it by its key, not its text
        raise HTTPException(n, "some detail")

    app.add_api_route("/t/raise/{n}", raiser)  # type: ignore[attr-defined]
    return client


TITLES = {400: ("请求有误", "Bad request"), 403: ("无权访问", "Forbidden"), 404: ("未找到", "Not found"),
          405: ("不支持该请求方法", "Method not allowed"), 413: ("请求过大", "Request too large"),
          415: ("请求格式不支持", "Unsupported request format"), 429: ("请求过于频繁", "Too many requests"),
          500: ("服务器内部错误", "Internal server error"), 503: ("暂时无法提供服务", "Service unavailable")}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_error_page_is_titled_in_the_workspace_language(world, lang):
    client = _app_with_raisers(world[0].root, lang)
    zh = lang == "zh-CN"
    answers = {
        400: client.get("/devices?status=bogus"),
        403: client.post("/logout"),  # no form token
        404: client.get("/no/such/page"),
        405: client.post("/devices", data={"csrf": "x"}),
        413: client.get("/t/raise/413"), 415: client.get("/t/raise/415"), 429: client.get("/t/raise/429"),
        500: client.get("/t/raise/500"), 503: client.get("/t/raise/503"),
    }
    for status, r in answers.items():
        assert r.status_code == status, (status, r.text[:300])
        doc = Doc(r.text)
        title = doc.one("h1")[2]
        assert title == TITLES[status][0 if zh else 1], (status, title)
        assert f'lang="{lang}"' in r.text
    # our own fixed sentences are said in the page's language too
    details = {s: Doc(answers[s].text).one(id="error")[2] for s in (403, 404, 405, 429)}
    if zh:
        assert all(CHINESE.search(d) for d in details.values()), details
        assert "7 秒" in details[429]
    else:
        assert not any(CHINESE.search(d) for d in details.values()), details
        assert "reload the page" in details[403] and "no such page" in details[404]


@pytest.mark.parametrize(("url", "zh", "en"), [
    ("/devices/nosuchdevice", "清单中没有设备 nosuchdevice", "No device nosuchdevice in the inventory"),
    ("/inspections/2025Q1", "没有 2025Q1 的巡检结果", "No inspection stored for 2025Q1"),
])
def test_the_views_not_found_sentences_are_translated(world, url, zh, en):
    for lang, text in (("zh-CN", zh), ("en", en)):
        r = client_for(world[0].root, lang).get(url)
        assert r.status_code == 404 and text in Doc(r.text).one(id="error")[2], (lang, r.text[:400])


def test_the_api_keeps_its_english_json_errors(world):
    r = client_for(world[0].root).get("/api/v1/devices/nosuchdevice")
    assert r.status_code == 404 and r.json() == {"detail": "no device 'nosuchdevice' in the inventory"}


# finding 2: one definition of the hostile characters

def test_pages_show_controls_as_inert_does():
    hostile = "x \u202eTDC\u202c \x9b2J \x1b[2J \x00 \x02 \x7f a\tb\r\nc \u2066i\u2069"
    shown = render._visible(hostile)
    assert shown == inert.visible(hostile) == "x \ufffdTDC\ufffd \ufffd2J ␛[2J ␀ ␂ ␡ a\tb\r\nc \ufffdi\ufffd"
    # what the terminal replaces, the page replaces: the same characters, shown differently
    assert [i for i, ch in enumerate(shown) if ch != hostile[i]] == \
        [i for i, ch in enumerate(inert.terminal(hostile)) if ch != hostile[i] and hostile[i] != "\r"]
    html = render._env.from_string("<p>{{ v }}</p>").render(v=hostile)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", html)

