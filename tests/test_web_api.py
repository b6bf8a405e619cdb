"""The JSON API under /api/v1 over report_world's two quarters, through Starlette's TestClient:
every route's status and content against what the world planted, pages and their Link headers,
errors as JSON, hostile device text as JSON strings, and the OpenAPI document and its docs page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from netpatrol.web.app import create_app
from netpatrol.web.state import WebState
from report_world import (
    CHANGED,
    DROPPED,
    HOSTILE_CONFIG,
    HOSTILE_ERROR,
    HOSTILE_HOST,
    HOSTILE_MODEL,
    HOSTILE_SERIAL,
    HOSTILE_VERSION,
    Q2,
    Q3,
)

API = "/api/v1"


def client_of(world) -> TestClient:
    ws, _inv, _store = world
    return TestClient(create_app(WebState(ws)), base_url="http://localhost")  # anonymous: a loopback Host


@pytest.fixture
def api(world) -> TestClient:
    return client_of(world)


def links(response) -> dict[str, str]:
    """rel -> URL of a Link header."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(\w+)"', response.headers.get("link", ""))}


def test_devices_are_the_inventory_with_status_and_problems(api: TestClient, world) -> None:
    _ws, inv, _store = world
    r = api.get(f"{API}/devices")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    rows = {d["name"]: d for d in r.json()}
    assert set(rows) == set(inv.hosts) and r.headers["x-total-count"] == str(len(inv.hosts))
    assert set(rows["city-core-01"]) == {"name", "site", "platform", "address", "status", "last_backup",
                                         "last_inspection", "open_problems"}
    core = rows["city-core-01"]
    assert (core["site"], core["platform"], core["address"]) == ("jc-city", "cisco_nxos", "127.31.1.1")
    assert core["last_inspection"] == Q3 and core["open_problems"]["minor"] == 1 and core["status"] == "problems"
    assert rows["east-wan-01"]["status"] == "failed"  # unreachable in 2026Q3
    assert rows["city-agg-01"]["open_problems"]["major"] == 1
    assert rows["city-acc-01"]["status"] == "ok"  # its fan was fixed in 2026Q3


def test_device_filters(api: TestClient) -> None:
    city = api.get(f"{API}/devices", params={"site": "jc-city"}).json()
    assert city and {d["site"] for d in city} == {"jc-city"}
    assert [d["name"] for d in api.get(f"{API}/devices", params={"status": "failed"}).json()] == ["east-wan-01"]
    assert {d["platform"] for d in api.get(f"{API}/devices", params={"platform": "huawei_vrp"}).json()} == {"huawei_vrp"}
    cores = api.get(f"{API}/devices", params={"q": "CORE-01"}).json()
    assert [d["name"] for d in cores] == ["city-core-01", "east-core-01", "north-core-01"]
    assert api.get(f"{API}/devices", params={"q": "127.31.1.1"}).json()[0]["name"] == "city-core-01"
    assert api.get(f"{API}/devices", params={"site": "nowhere"}).json() == []


def test_device_pages_follow_the_link_header(api: TestClient, world) -> None:
    _ws, inv, _store = world
    everything = [d["name"] for d in api.get(f"{API}/devices").json()]
    seen, url, pages = [], f"{API}/devices?per_page=4&site=", 0
    while url:
        r = api.get(url)
        assert r.status_code == 200 and r.headers["x-total-count"] == str(len(inv.hosts))
        rel = links(r)
        assert rel["first"].endswith("page=1&per_page=4") and "page=4&per_page=4" in rel["last"]
        assert ("prev" in rel) == (pages > 0)
        assert all(u.startswith(f"{API}/devices?site=&") for u in rel.values())  # other parameters kept
        seen += [d["name"] for d in r.json()]
        url, pages = rel.get("next"), pages + 1
    assert seen == everything and pages == 4
    assert api.get(f"{API}/devices", params={"page": 9, "per_page": 4}).json() == []


def test_device_filters_stay_in_the_links(api: TestClient) -> None:
    r = api.get(f"{API}/devices", params={"site": "jc-city", "q": "a b&c=d", "per_page": 1, "page": 1})
    assert r.json() == [] and r.headers["x-total-count"] == "0"
    r = api.get(f"{API}/devices", params={"site": "jc-city", "per_page": 2, "page": 2})
    rel = links(r)
    assert rel["next"] == f"{API}/devices?site=jc-city&page=3&per_page=2"
    assert rel["prev"] == f"{API}/devices?site=jc-city&page=1&per_page=2"


def test_device_detail(api: TestClient) -> None:
    r = api.get(f"{API}/devices/city-core-01")
    assert r.status_code == 200
    d = r.json()
    assert d["name"] == "city-core-01" and d["model"] == "N9K-C93180YC-EX" and d["purchase_date"] == "2023-04-18"
    assert d["groups"] == ["jc-city", "core"] and d["maintainer"] == "青禾网络 二线"
    assert d["facts"]["period"] == Q3 and d["facts"]["model"] == "MODEL-city-core-01"
    assert [i["period"] for i in d["inspections"]] == [Q3, Q2]
    assert d["inspections"][0]["problems"] == {"minor": 1}
    assert d["compliance"] is None
    repairs = api.get(f"{API}/devices/city-acc-01").json()["repairs"]
    assert repairs == [{"date": "2025-08-14", "action": "更换风扇模块", "part": "FAN-40B-1-A",
                        "ticket": "RMA-2025-0814", "note": None}]
    down = api.get(f"{API}/devices/east-wan-01").json()
    assert down["status"] == "failed" and down["inspections"][0]["status"] == "unreachable"
    assert down["facts"]["period"] == Q2  # the newest inspection that reached it


def test_versions_newest_first_and_paged(api: TestClient) -> None:
    r = api.get(f"{API}/devices/city-core-01/versions")
    assert r.status_code == 200 and "x-total-count" not in r.headers and "link" not in r.headers
    versions = r.json()
    assert [v["message"] for v in versions] == ["backup: 2 changed", "backup: all"]
    assert (versions[0]["added"], versions[0]["removed"]) == (1, 1)
    assert versions[0]["date"] == "2026-08-01T02:00:00Z" and set(versions[0]) == {
        "commit", "date", "author", "message", "reason", "added", "removed"}
    first = api.get(f"{API}/devices/city-core-01/versions", params={"per_page": 1})
    assert [v["commit"] for v in first.json()] == [versions[0]["commit"]]
    rel = links(first)
    assert set(rel) == {"next"} and rel["next"] == f"{API}/devices/city-core-01/versions?page=2&per_page=1"
    second = api.get(rel["next"])
    assert [v["commit"] for v in second.json()] == [versions[1]["commit"]] and set(links(second)) == {"prev"}
    assert len(api.get(f"{API}/devices/city-acc-02/versions").json()) == 1  # never changed


def test_config_at_refs(api: TestClient) -> None:
    now = api.get(f"{API}/devices/city-core-01/config").json()
    assert now["name"] == "city-core-01" and now["path"] == "configs/jc-city/city-core-01.cfg"
    assert CHANGED["city-core-01"] in now["config"] and DROPPED["city-core-01"] not in now["config"]
    then = api.get(f"{API}/devices/city-core-01/config", params={"at": Q2}).json()
    assert DROPPED["city-core-01"] in then["config"] and then["commit"] != now["commit"]
    by_commit = api.get(f"{API}/devices/city-core-01/config", params={"at": then["commit"][:12]}).json()
    assert by_commit == then
    assert api.get(f"{API}/devices/city-core-01/config", params={"at": "2026-06-01"}).json()["config"] == then["config"]


def test_diff_shows_the_planted_change(api: TestClient) -> None:
    r = api.get(f"{API}/devices/city-core-01/diff", params={"from": Q2, "to": Q3})
    assert r.status_code == 200
    d = r.json()
    assert set(d) == {"name", "from", "to", "diff", "added", "removed"} and (d["added"], d["removed"]) == (1, 1)
    assert f"-{DROPPED['city-core-01']}" in d["diff"] and f"+{CHANGED['city-core-01']}" in d["diff"]
    assert d["diff"].startswith("--- a/configs/jc-city/city-core-01.cfg\n+++ b/configs/jc-city/city-core-01.cfg\n")
    same = api.get(f"{API}/devices/city-acc-02/diff", params={"from": Q2}).json()
    assert same["diff"] == "" and same["added"] == same["removed"] == 0
    assert api.get(f"{API}/devices/city-core-01/diff").status_code == 422  # `from` is required


def test_inspections(api: TestClient) -> None:
    r = api.get(f"{API}/inspections")
    assert r.status_code == 200 and r.headers["x-total-count"] == "2"
    assert [(p["period"], p["previous"]) for p in r.json()] == [(Q3, Q2), (Q2, None)]
    q3 = api.get(f"{API}/inspections/{Q3}").json()
    assert q3["by_severity"] == {"critical": 1, "major": 1, "minor": 2, "info": 1}
    assert q3["previous_by_severity"] == {"critical": 0, "major": 1, "minor": 2, "info": 0}
    assert q3["status"] == {"ok": 14, "unreachable": 1} and q3["previous"] == Q2
    assert q3["by_site"]["jc-east"]["critical"] == 1 and len(q3["devices"]) == 15
    assert {d["name"]: d["status"] for d in q3["devices"]}["east-wan-01"] == "unreachable"
    assert api.get(f"{API}/inspections/{Q2}").json()["by_severity"]["major"] == 1  # the failed fan


@pytest.mark.parametrize(("url", "status"), [
    ("/devices/no-such-device", 404),
    ("/devices/no-such-device/versions", 404),
    ("/devices/no-such-device/config", 404),
    ("/devices/..%2F..%2Fnetpatrol.yaml/config", 404),
    ("/devices/..%2F..", 404),
    ("/devices/city-core-01%00", 404),
    ("/devices/%2e%2e/config", 404),
    ("/devices/city-core-01/config?at=no-such-ref", 400),
    ("/devices/city-core-01/config?at=--output=/tmp/x", 400),
    ("/devices/city-core-01/config?at=../../netpatrol.yaml", 400),
    ("/devices/city-core-01/config?at=HEAD:configs/jc-city/city-core-01.cfg", 400),  # a blob, not a commit
    ("/devices/city-core-01/config?at=2020-01-01", 400),  # before the first backup
    ("/devices/city-core-01/diff?from=nope", 400),
    ("/inspections/2025Q1", 404),
    ("/inspections/2026Q9", 400),
    ("/inspections/..%2F..", 404),
    ("/devices?per_page=0", 422),
    ("/devices?per_page=100000", 422),
    ("/devices?page=x", 422),
    ("/devices?status=bogus", 422),
    ("/search", 422),
    ("/search?q=(", 400),
    ("/no-such-route", 404),
])
def test_errors_are_json(api: TestClient, url: str, status: int) -> None:
    r = api.get(API + url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json" and "detail" in r.json()


def test_hostile_text_comes_back_as_json_strings(hostile_world) -> None:
    api = client_of(hostile_world)
    r = api.get(f"{API}/devices/{HOSTILE_HOST}")
    assert r.headers["content-type"] == "application/json"
    facts = r.json()["facts"]
    assert (facts["model"], facts["os_version"], facts["serial"]) == (HOSTILE_MODEL, HOSTILE_VERSION, HOSTILE_SERIAL)
    assert "\\u0002" in r.text and "\x02" not in r.text  # a control character escaped by JSON
    down = api.get(f"{API}/devices/east-wan-01").json()
    assert down["inspections"][0]["error"] == HOSTILE_ERROR
    config = api.get(f"{API}/devices/{HOSTILE_HOST}/config").json()["config"]
    assert config.endswith(HOSTILE_CONFIG + "end\n")
    diff = api.get(f"{API}/devices/{HOSTILE_HOST}/diff", params={"from": Q2})
    assert diff.headers["content-type"] == "application/json" and "+```" in diff.json()["diff"]
    name = "<img src=x onerror=alert(1)>"
    missing = api.get(f"{API}/devices/{name}")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert name in missing.json()["detail"]


def test_openapi_lists_every_route_with_its_responses(api: TestClient) -> None:
    doc = api.get(f"{API}/openapi.json").json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"] == "netpatrol"
    paths = doc["paths"]
    expected = {"/devices", "/devices/{name}", "/devices/{name}/versions", "/devices/{name}/config",
                "/devices/{name}/diff", "/search", "/inspections", "/inspections/{period}"}
    assert {p for p in paths if p.startswith(API)} == {API + p for p in expected}
    schemas = doc["components"]["schemas"]
    refs = re.findall(r'"\$ref": ?"#/components/schemas/([^"]+)"', api.get(f"{API}/openapi.json").text)
    assert refs and set(refs) <= set(schemas)  # every reference resolves
    for path in expected:
        op = paths[API + path]["get"]
        assert op["summary"] and op["operationId"]
        assert {"200", "401", "422"} <= set(op["responses"]), path
        assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
        assert all(p["in"] in ("path", "query") and "schema" in p for p in op.get("parameters", []))
        if "{" in path:
            assert "404" in op["responses"], path
    assert {"400", "503"} <= set(paths[f"{API}/search"]["get"]["responses"])
    assert set(schemas["DeviceOut"]["properties"]) == {"name", "site", "platform", "address", "status", "last_backup",
                                                        "last_inspection", "open_problems"}
    assert set(schemas["DiffOut"]["properties"]) == {"name", "from", "to", "diff", "added", "removed"}
    assert set(schemas["SearchHitOut"]["properties"]) == {"host", "site", "platform", "line_no", "line"}
    assert set(schemas["VersionOut"]["properties"]) == {"commit", "date", "author", "message", "reason", "added", "removed"}
    listing = paths[f"{API}/devices"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listing["type"] == "array" and listing["items"]["$ref"].endswith("/DeviceOut")
    diff_params = {p["name"] for p in paths[f"{API}/devices/{{name}}/diff"]["get"]["parameters"]}
    assert diff_params == {"name", "from", "to"}


def test_docs_page_lists_every_path_parameter_and_field(api: TestClient) -> None:
    doc = api.get(f"{API}/openapi.json").json()
    r = api.get(f"{API}/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script" not in html.lower()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert f'data-method="{method.upper()}" data-path="{path}"' in html
            for p in op.get("parameters", []):
                assert f'data-param="{p["name"]}"' in html
    for field in ("last_backup", "open_problems", "line_no", "diff", "by_severity", "detail"):
        assert f'data-field="{field}"' in html
    assert "array of DeviceOut" in html


def test_every_route_needs_credentials_once_users_exist(world) -> None:
    from netpatrol.web import users

    ws, _inv, _store = world
    users.add_user(ws, "carol", "carol-password-16")
    api = client_of(world)
    urls = ["/devices", "/devices/city-core-01", "/devices/city-core-01/versions", "/devices/city-core-01/config",
            f"/devices/city-core-01/diff?from={Q2}", "/search?q=ntp", "/inspections", f"/inspections/{Q3}", "/docs"]
    for url in urls:
        r = api.get(API + url)
        assert r.status_code == 401 and r.headers["content-type"] == "application/json", url
        assert r.headers["www-authenticate"].startswith("Basic")
    for url in urls:
        assert api.get(API + url, auth=("carol", "carol-password-16")).status_code == 200, url


def test_search_pages_follow_their_links_to_every_hit(api: TestClient) -> None:
    whole = api.get(f"{API}/search", params={"q": "^interface", "per_page": 500})
    assert whole.status_code == 200 and len(whole.json()) > 3
    assert whole.headers["x-total-count"] == str(len(whole.json()))
    seen, url = [], f"{API}/search?q=%5Einterface&per_page=2"
    while url:
        r = api.get(url)
        seen += r.json()
        url = links(r).get("next")
    assert seen == whole.json()


def test_a_periods_devices_come_in_pages_and_its_counts_cover_the_whole_period(api: TestClient) -> None:
    whole = api.get(f"{API}/inspections/{Q3}").json()
    first = api.get(f"{API}/inspections/{Q3}", params={"per_page": 4})
    assert first.status_code == 200 and first.headers["x-total-count"] == str(len(whole["devices"]))
    assert first.json()["by_severity"] == whole["by_severity"] and len(first.json()["devices"]) == 4
    seen, url = [], f"{API}/inspections/{Q3}?per_page=4"
    while url:
        r = api.get(url)
        seen += r.json()["devices"]
        url = links(r).get("next")
    assert seen == whole["devices"]
