"""The HTML pages through Starlette's TestClient over the two-quarter world in a real Git store:
every page's status and content, the filters and pages of the lists, both languages, the 404 and
400 pages, device text escaped, and reports downloaded as attachments."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from netpatrol.compliance.model import Status
from netpatrol.inspection.results import DeviceStatus
from netpatrol.report.labels import platform_family
from netpatrol.web import render
from netpatrol.web.app import ROUTING_KEYS, create_app
from netpatrol.web.device_list import STATUSES
from netpatrol.web.state import WebState
from netpatrol.workspace.runlog import RunRecord, append_run
from netpatrol.workspace.settings import Workspace
from report_world import HOSTILE_HOST, Q2, Q3

WEB = Path(render.__file__).parent
MINUS = "\N{MINUS SIGN}"  # the diff stat's "+A, minus sign, R"
PAGES = ["/devices", f"/devices/{HOSTILE_HOST}", f"/devices/{HOSTILE_HOST}/config",
         f"/devices/{HOSTILE_HOST}/diff?from={Q2}", "/devices/east-wan-01", "/devices/north-core-01",
         "/search?q=.", "/inspections", f"/inspections/{Q3}", f"/inspections/{Q2}", "/reports", "/runs"]


def client_for(root: Path, lang: str | None = None) -> TestClient:
    """A client of a fresh app over the workspace at `root`, its language switched when asked."""
    if lang:
        settings = root / "netpatrol.yaml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(re.sub(r"(?m)^language: \S+", f"language: {lang}", text), encoding="utf-8")
    return TestClient(create_app(WebState(Workspace(root))), base_url="http://localhost")  # anonymous: a loopback Host


@pytest.fixture
def client(world) -> TestClient:
    return client_for(world[0].root)


class Doc(HTMLParser):
    """The elements of a page: (tag, attributes, own text) in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[int] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("input", "br", "meta", "link", "img"):
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag):
        while self._open:
            if self.elements[self._open.pop()][0] == tag:
                break

    def handle_data(self, data):
        for i in self._open:
            self.elements[i][2].append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[tuple[str, dict[str, str], str]]:
        def fits(a: dict[str, str]) -> bool:
            for k, v in attrs.items():
                key = k.replace("_", "-").removesuffix("-")
                if key == "class":
                    if v not in a.get("class", "").split():
                        return False
                elif a.get(key) != v and not (v == "*" and key in a):
                    return False
            return True
        return [(t, a, "".join(text)) for t, a, text in self.elements if (tag is None or t == tag) and fits(a)]

    def cells(self, tag: str, **attrs: str) -> list[str]:
        """The texts of the cells of the one row `tag, attrs` names."""
        row = self.one(tag, **attrs)
        start = next(i for i, e in enumerate(self.elements) if e[0] == row[0] and e[1] == row[1])
        out = []
        for t, _, text in self.elements[start + 1:]:
            if t == "tr":
                break
            if t in ("td", "th"):
                out.append("".join(text).strip())
        return out

    def one(self, tag: str | None = None, **attrs: str) -> tuple[str, dict[str, str], str]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]


def get(client: TestClient, url: str, status: int = 200) -> Doc:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    return Doc(r.text)


def listed(doc: Doc, table: str = "devices") -> list[str]:
    return [a["data-device"] for t, a, _ in doc.elements if t == "tr" and "data-device" in a
            ] if doc.find("table", id=table) else []


# the catalogue

def test_every_message_has_both_languages_and_every_key_used_exists():
    catalogue = render.messages()
    assert not render.incomplete(catalogue)
    assert render.incomplete({"a": {"zh-CN": "甲", "en": "a"}, "b": {"zh-CN": "乙"}, "c": {"en": "c", "zh-CN": ""}}) == ["b", "c"]
    raw = yaml.safe_load((WEB / "messages.yaml").read_text(encoding="utf-8"))
    assert set(raw) == set(catalogue)
    sources = [p.read_text(encoding="utf-8") for p in [*(WEB / "templates").glob("*.j2"), *WEB.glob("pages*.py")]]
    used = {k for s in sources for k in re.findall(r"""\bt\(["']([a-z_]+\.[a-z0-9_.]+)["']""", s)
            if not k.endswith(("_", "."))}  # a prefix completed from a value: checked below
    assert used and not used - set(catalogue), used - set(catalogue)
    # keys built from a value: every value has its text
    raised_keys = [k for p in WEB.glob("*.py") for k in re.findall(r"""\bkey=["']([a-z_]+\.[a-z0-9_]+)["']""",
                                                                    p.read_text(encoding="utf-8"))]
    assert len(raised_keys) >= 10  # the errors our code raises carry their message keys
    dynamic = ([f"status.{s}" for s in STATUSES] + [f"compliance.{s}" for s in Status.__args__]
               + [f"error.title_{n}" for n in render.ERROR_TITLES] + list(ROUTING_KEYS.values())
               + raised_keys
               + ["error.title", "runs.kind_backup", "runs.kind_inspection"])
    assert not set(dynamic) - set(catalogue)
    # an inspection result's status in the report's own words, in both languages
    for lang in render.LANGS:
        assert all(render.result_label(s, lang) != s for s in DeviceStatus.__args__), lang


def test_a_missing_language_is_an_error(monkeypatch, tmp_path):
    bad = tmp_path / "messages.yaml"
    bad.write_text('nav.devices: {zh-CN: "设备"}\n', encoding="utf-8")
    monkeypatch.setattr(render, "MESSAGES", bad)
    render.messages.cache_clear()
    try:
        with pytest.raises(Exception, match=r"nav\.devices.*zh-CN and an en"):
            render.messages()
    finally:
        render.messages.cache_clear()


# devices

def test_home_redirects_to_the_devices(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"] == "/devices"


def test_device_list_shows_every_device_with_its_columns(world, client):
    doc = get(client, "/devices")
    hosts = world[1].hosts
    assert sorted(listed(doc)) == sorted(hosts)
    assert doc.one(id="count")[2] == str(len(hosts))
    for name in ("city-core-01", "east-wan-01"):
        h = hosts[name]
        row = doc.one("tr", data_device=name)
        # the site by its archive name with the key, the platform by its family, as the report names them
        assert row[2].count(h.site) and h.hostname in row[2]
        assert h.site_archive and doc.cells("tr", data_device=name)[1] == f"{h.site_archive.name} {h.site}"
        assert doc.cells("tr", data_device=name)[2] == platform_family(h.platform) != h.platform
    cells = {c: [x[2].strip() for x in doc.find("td", class_=c)] for c in ("site", "platform", "last-inspection", "problems")}
    assert all(len(v) == len(hosts) for v in cells.values())
    assert set(cells["last-inspection"]) == {"2026年第三季度"}
    # the unreachable device is failed with its critical problem; city-core-01 has one minor
    assert "重大一级 1" in doc.one("tr", data_device="east-wan-01")[2]
    assert "失败" in doc.one("tr", data_device="east-wan-01")[2]
    assert "一般故障 1" in doc.one("tr", data_device="city-core-01")[2]
    for name in ("filters",):
        form = doc.one("form", id=name)
        assert form[1]["action"] == "/devices" and form[1]["method"] == "get"
    for field in ("site", "platform", "status"):
        assert doc.find("select", name=field)
    assert doc.find("input", name="q") and doc.find("button", type="submit")


@pytest.mark.parametrize(("query", "expected"), [
    ("site=jc-east", lambda h: h.site == "jc-east"),
    ("platform=huawei_vrp", lambda h: h.platform == "huawei_vrp"),
    ("q=core", lambda h: "core" in h.name),
    ("q=127.31.2.", lambda h: h.hostname.startswith("127.31.2.")),
    ("site=jc-city&platform=cisco_nxos", lambda h: h.site == "jc-city" and h.platform == "cisco_nxos"),
])
def test_filters_narrow_the_table(world, client, query, expected):
    doc = get(client, f"/devices?{query}")
    want = sorted(n for n, h in world[1].hosts.items() if expected(h))
    assert want and len(want) < len(world[1].hosts)
    assert sorted(listed(doc)) == want
    assert doc.one(id="count")[2] == str(len(want))


def test_status_filter(client):
    assert listed(get(client, "/devices?status=failed")) == ["east-wan-01"]
    problems = listed(get(client, "/devices?status=problems"))
    assert sorted(problems) == ["city-agg-01", "city-core-01", "east-acc-02", "north-acc-01"]
    assert get(client, "/devices?status=never").one(id="count")[2] == "0"
    doc = get(client, "/devices?status=bogus", 400)
    assert "bogus" in doc.one(id="error")[2]


def test_device_list_pages_keep_the_filters(world, client):
    everyone = sorted(world[1].hosts, key=lambda n: (world[1].hosts[n].site, n))
    first = get(client, "/devices?per_page=4&site=")
    assert listed(first) == everyone[:4] and first.one(id="count")[2] == str(len(everyone))
    nxt = first.one("a", rel="next")[1]["href"]
    assert "page=2" in nxt and "per_page=4" in nxt and not first.find("a", rel="prev")
    second = get(client, nxt)
    assert listed(second) == everyone[4:8]
    assert second.one("a", rel="prev")[1]["href"].endswith("page=1&per_page=4")
    last = get(client, "/devices?per_page=4&page=4")
    assert listed(last) == everyone[12:] and not last.find("a", rel="next")
    city = get(client, "/devices?site=jc-city&per_page=2")
    assert "site=jc-city" in city.one("a", rel="next")[1]["href"]
    get(client, "/devices?page=two", 400)


# one device

def test_device_page_facts_versions_inspections(world, client):
    doc = get(client, "/devices/city-core-01")
    assert doc.one("h1")[2] == "city-core-01"
    facts = doc.one("table", id="facts")[2]
    for text in ("jc-city", "江川市水务局 市中心机房", "Cisco NX-OS", "MODEL-city-core-01", "15.2(7)E9", "2023-04-18", "青禾网络 二线"):
        assert text in facts
    assert "江川市水务局信息中心" in doc.one("table", id="site-archive")[2]
    versions = doc.find("tr", data_commit="*")
    assert len(versions) == 2
    newest, oldest = (a["data-commit"] for _, a, _ in versions)
    form = doc.one("form", id="compare")[1]
    assert form["action"] == "/devices/city-core-01/diff" and form["method"] == "get"
    assert {a["value"] for _, a, _ in doc.find("input", name="from")} == {newest, oldest}
    assert {a["value"] for _, a, _ in doc.find("input", name="to")} == {newest, oldest}
    assert doc.one("input", name="from", checked="")[1]["value"] == oldest
    assert doc.one("input", name="to", checked="")[1]["value"] == newest
    row = versions[0][2]
    assert "2026-08-01 10:00 +08:00" in row and "+1" in row and f"{MINUS}1" in row and "backup: 2 changed" in row
    hrefs = [a["href"] for _, a, _ in doc.find("a") if "href" in a]
    assert f"/devices/city-core-01/config?at={newest}" in hrefs
    assert f"/devices/city-core-01/diff?from={oldest}&to={newest}" in hrefs
    inspections = doc.one("table", id="inspections")[2]
    assert "2026年第三季度" in inspections and "2026年第二季度" in inspections
    assert "CPU 利用率偏高" in inspections and "CPU 利用率 82% ≥ 75%" in inspections
    assert "尚无基线核查结果" in doc.one(id="compliance")[2]
    assert "更换风扇模块" in get(client, "/devices/city-acc-01").one("table", id="repairs")[2]


def test_device_versions_are_paged(client):
    first = get(client, "/devices/city-core-01?per_page=1")
    (commit,) = (a["data-commit"] for _, a, _ in first.find("tr", data_commit="*"))
    # the page's last row diffs with its parent, the previous version being on the next page
    assert f"/devices/city-core-01/diff?from={commit}~1&to={commit}" in [a.get("href") for _, a, _ in first.find("a")]
    second = get(client, first.one("a", rel="next")[1]["href"])
    (older,) = (a["data-commit"] for _, a, _ in second.find("tr", data_commit="*"))
    assert older != commit and not second.find("a", rel="next")
    diff = get(client, f"/devices/city-core-01/diff?from={commit}~1&to={commit}")
    assert diff.one(id="diff-stat")[2] == f"+1 {MINUS}1"


def test_compliance_of_the_latest_period(compliance_world):
    doc = get(client_for(compliance_world[0].root), "/devices/city-core-01")
    section = doc.one(id="compliance")[2]
    assert "2026年第三季度" in section and "不符合 2" in section and "符合 3" in section
    failing = {a["data-rule"] for _, a, _ in doc.find("tr", data_rule="*") if "cst-row-fail" in a["class"]}
    assert failing == {"no-telnet", "logging-host"}
    assert "日志发送到日志服务器" in section and "logging host 10.0.0.5" in section


def test_config_at_a_ref(client):
    now = get(client, "/devices/city-core-01/config").one("pre", id="config")[2]
    assert "ntp server 10.0.0.123" in now and "old-room-301" not in now
    then = get(client, f"/devices/city-core-01/config?at={Q2}").one("pre", id="config")[2]
    assert "old-room-301" in then and "ntp server" not in then
    assert "old-room-301" in get(client, "/devices/city-core-01/config?at=2026-06-01").one("pre", id="config")[2]
    assert "nosuchref" in get(client, "/devices/city-core-01/config?at=nosuchref", 400).one(id="error")[2]
    get(client, "/devices/nosuchdevice/config", 404)


def test_diff_between_two_refs(client):
    doc = get(client, f"/devices/city-core-01/diff?from={Q2}&to={Q3}")
    assert doc.one(id="diff-stat")[2] == f"+1 {MINUS}1"
    pre = doc.one("pre", id="diff")
    assert [x[2] for x in doc.find("span", class_="add")] == ["+ntp server 10.0.0.123\n"]
    assert [x[2] for x in doc.find("span", class_="del")] == ["-snmp-server location old-room-301\n"]
    assert doc.find("span", class_="hunk") and doc.find("span", class_="ctx")
    assert "interface Gi0/1" in pre[2]
    same = get(client, f"/devices/city-core-01/diff?from={Q3}&to={Q3}")
    assert same.one(id="diff-stat")[2] == f"+0 {MINUS}0" and not same.find("span", class_="add")
    get(client, "/devices/city-core-01/diff", 400)
    get(client, "/devices/city-core-01/diff?from=--output=x", 400)
    get(client, f"/devices/nosuchdevice/diff?from={Q2}", 404)


def test_unknown_device_is_404(client):
    doc = get(client, "/devices/nosuchdevice", 404)
    assert "nosuchdevice" in doc.one(id="error")[2] and doc.one("nav", id="nav")


# search

def test_search_lists_matches_per_device(world, client):
    doc = get(client, "/search")
    form = doc.one("form", id="search")[1]
    assert form["action"] == "/search" and form["method"] == "get"
    assert doc.find("input", name="q") and doc.find("input", name="i", type="checkbox") and doc.find("input", name="under")
    assert not doc.find(id="results")
    doc = get(client, "/search?q=^ntp server")
    assert [a["data-device"] for _, a, _ in doc.find("section", data_device="*")] == ["city-core-01"]
    assert [x[2] for x in doc.find("li", class_="match")] == ["5ntp server 10.0.0.123"]
    every = get(client, "/search?q=^hostname")
    assert sorted(a["data-device"] for _, a, _ in every.find("section", data_device="*")) == sorted(world[1].hosts)
    assert not get(client, "/search?q=^HOSTNAME").find("li", class_="match")
    assert len(get(client, "/search?q=^HOSTNAME&i=1").find("li", class_="match")) == len(world[1].hosts)
    east = get(client, "/search?q=^hostname&site=jc-east")
    assert {a["data-device"] for _, a, _ in east.find("section", data_device="*")} == {
        n for n, h in world[1].hosts.items() if h.site == "jc-east"}
    under = get(client, "/search?q=description&under=^interface")
    assert len(under.find("li", class_="match")) == len(world[1].hosts)


def test_search_with_a_bad_regex_is_400(client):
    doc = get(client, "/search?q=(unclosed", 400)
    assert doc.one(id="search-error") and doc.one("input", name="q")[1]["value"] == "(unclosed"


# inspections

def test_inspection_periods(client):
    doc = get(client, "/inspections")
    assert [a["data-period"] for _, a, _ in doc.find("tr", data_period="*")] == [Q3, Q2]
    assert f"/inspections/{Q3}" in [a.get("href") for _, a, _ in doc.find("a")]


def test_inspection_period_summary_beside_the_previous(client):
    doc = get(client, f"/inspections/{Q3}")
    # 2026Q3: down (critical), hot board (major), CPU and memory (minor), reboot (info);
    # 2026Q2: fan (major), CPU and memory (minor)
    numbers = {sev: doc.cells("tr", data_severity=sev)[1:] for sev in ("critical", "major", "minor", "info")}
    assert numbers == {"critical": ["1", "0", "+1"], "major": ["1", "1", "0"], "minor": ["2", "2", "0"],
                       "info": ["1", "0", "+1"]}
    assert "2026年第二季度" in doc.one("table", id="by-severity")[2]
    assert {a["data-site"] for _, a, _ in doc.find("tr", data_site="*")} == {"jc-city", "jc-east", "jc-north"}
    assert doc.cells("tr", data_site="jc-east") == ["东河县水务局 jc-east", "1", "0", "0", "1", "2"]
    assert "Juniper Junos" in doc.one("tr", data_device="east-wan-01")[2]
    flagged = {a["data-device"] for _, a, _ in doc.find("tr", data_device="*")}
    assert flagged == {"east-wan-01", "city-agg-01", "city-core-01", "north-acc-01", "east-acc-02"}
    assert doc.one(id="new") and doc.one(id="resolved")
    older = get(client, f"/inspections/{Q2}")
    assert "没有更早的巡检周期" in older.one("main")[2]
    get(client, "/inspections/2025Q1", 404)
    get(client, "/inspections/notaperiod", 400)


# reports

@pytest.fixture
def rendered(world) -> Path:
    folder = world[0].root / "reports" / Q3
    folder.mkdir(parents=True)
    (folder / "巡检报告.html").write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    (folder / "report.xlsx").write_bytes(b"PK\x03\x04xlsx")
    (world[0].root / "reports" / "secret.md").write_text("not listed", encoding="utf-8")
    return folder


def test_reports_listed_and_downloaded_as_attachments(client, rendered):
    doc = get(client, "/reports")
    links = sorted(a["href"] for _, a, _ in doc.find("a", class_="download"))
    assert links == [f"/reports/{Q3}/%E5%B7%A1%E6%A3%80%E6%8A%A5%E5%91%8A.html", f"/reports/{Q3}/report.xlsx"]
    for href in links:
        r = client.get(href)
        assert r.status_code == 200
        assert r.headers["content-disposition"].startswith("attachment;")
    html = client.get(links[0])
    assert html.headers["content-type"].startswith("text/html") and "filename*=utf-8''%E5%B7%A1" in html.headers["content-disposition"]
    assert html.content == (rendered / "巡检报告.html").read_bytes()
    xlsx = client.get(links[1])
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content == b"PK\x03\x04xlsx"


@pytest.mark.parametrize("url", [f"/reports/{Q3}/missing.pdf", "/reports/2025Q1/report.xlsx",
                                 f"/reports/{Q3}/..%2F..%2Fnetpatrol.yaml", "/reports/x/secret.md"])
def test_unknown_report_is_404(client, rendered, url):
    assert client.get(url).status_code == 404


def test_no_reports_yet(client):
    assert "尚未生成报告" in get(client, "/reports").one("main")[2]


# runs

def test_runs_table(world, client):
    assert not get(client, "/runs").find("tr", data_kind="*") and get(client, "/runs").one("table", id="runs")
    ws = world[0]
    append_run(ws, RunRecord("backup", "2026-09-01T02:00:00+00:00", "2026-09-01T02:01:00+00:00", 15,
                             {"saved": 2, "unchanged": 12, "failed": 1}, commit="a" * 40, reason="nightly"))
    append_run(ws, RunRecord("inspection", "2026-09-20T01:00:00+00:00", "2026-09-20T01:05:00+00:00", 15,
                             {"ok": 14, "unreachable": 1}, period=Q3, tag=f"inspection/{Q3}"))
    doc = get(client, "/runs")
    rows = doc.find("tr", data_kind="*")
    assert [a["data-kind"] for _, a, _ in rows] == ["inspection", "backup"]
    assert "2026-09-20 09:00 +08:00" in rows[0][2] and "不可达 1" in rows[0][2] and "2026年第三季度" in rows[0][2]
    assert "已保存 2" in rows[1][2] and "nightly" in rows[1][2] and "aaaaaaaaaa" in rows[1][2]
    paged = get(client, "/runs?per_page=1")
    assert len(paged.find("tr", data_kind="*")) == 1 and "page=2" in paged.one("a", rel="next")[1]["href"]


# languages

def _data_of(world_root: Path) -> list[str]:
    """Every text the workspace supplies (names, sites, archive fields, commit subjects): not labels."""
    from netpatrol.workspace.inventory import load_inventory

    ws = Workspace(world_root)
    values = ["netpatrol", ws.settings.client, "backup: all", "backup: 2 changed", "HEAD"]
    for h in load_inventory(world_root).hosts.values():
        values += [h.name, h.site, h.platform, platform_family(h.platform),
                   h.hostname, h.role or "", *h.groups, *_strings(h.data.model_dump()),
                   *_strings(h.site_archive.model_dump() if h.site_archive else {})]
    return sorted({v for v in values if v}, key=len, reverse=True)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _own_text(html: str, data: list[str]) -> str:
    """A page's visible text without the workspace's data, codes (<code>, <pre>), a device's
    evidence, models and ids."""
    html = re.sub(r"(?s)<(code|pre)\b.*?</\1>|<span class=\"ev\">.*?</span>", " ", html)
    text = re.sub(r"(?s)<head>.*?</head>|<[^>]+>", " ", html)
    text = re.sub(r"\b[0-9a-f]{7,40}\b|MODEL-\S+|\b\d{4}Q\d\b", " ", text)
    for value in data:
        text = text.replace(value, " ")
    return text


LABEL_PAGES = ["/devices", "/devices/city-acc-01", f"/devices/city-core-01/diff?from={Q2}", "/devices/city-core-01/config",
               "/search?q=^hostname", "/search?q=(", "/inspections", f"/inspections/{Q3}", "/reports", "/runs",
               "/devices/nosuchdevice"]


def test_zh_pages_have_no_english_labels(world):
    client = client_for(world[0].root)
    data = _data_of(world[0].root)
    for url in LABEL_PAGES:
        r = client.get(url)
        assert 'lang="zh-CN"' in r.text
        words = set(re.findall(r"[A-Za-z]{2,}", _own_text(r.text, data)))
        # an error message quotes the CLI's own (English) error; the page around it is Chinese
        if r.status_code >= 400:
            words -= set(re.findall(r"[A-Za-z]{2,}", Doc(r.text).one(id="error" if "search" not in url else "search-error")[2]))
        assert not words, (url, words)


def test_en_pages_have_no_chinese_labels(world):
    client = client_for(world[0].root, "en")
    data = _data_of(world[0].root)
    for url in LABEL_PAGES:
        r = client.get(url)
        assert 'lang="en"' in r.text
        chinese = re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+", _own_text(r.text, data))
        assert not chinese, (url, chinese)
    doc = get(client, f"/inspections/{Q3}")
    assert "Inspection Q3 2026" in doc.one("h1")[2] and "Major L1" in doc.one("table", id="by-severity")[2]
    device = get(client, "/devices/city-core-01")
    assert "CPU utilisation high" in device.one("table", id="inspections")[2]
    assert "CPU 82% ≥ 75%" in device.one("table", id="inspections")[2]


def test_times_in_the_workspace_zone(world):
    settings = world[0].root / "netpatrol.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("Asia/Shanghai", "Europe/London"), encoding="utf-8")
    doc = get(client_for(world[0].root), "/devices/city-core-01")
    assert "2026-08-01 03:00 +01:00" in doc.one("table", id="versions")[2]


# hostile device text, and the pages' own markup

def test_hostile_device_text_is_escaped_everywhere(hostile_world):
    client = client_for(hostile_world[0].root)
    seen = ""
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 200, url
        body = r.text
        assert "<script" not in body.lower() and "<img" not in body.lower() and "<b>" not in body, url
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body), url
        seen += body
    # the text is there, inert
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in seen
    assert "&lt;img src=x onerror=alert(1)&gt;" in seen
    assert "=cmd|&#39;/C calc&#39;!A0␂" in seen
    assert "MODEL-" in seen and "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in seen


def test_compliance_evidence_is_escaped(compliance_world):
    body = client_for(compliance_world[0].root).get("/devices/city-core-01").text
    assert "<script" not in body.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "_u_␛[2J␂" in body


def test_no_inline_style_or_script_anywhere(world):
    client = client_for(world[0].root)
    for url in [*PAGES, "/devices/nosuchdevice", "/search?q=("]:
        body = client.get(url).text
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", body, re.I), url
        assert '<link rel="stylesheet" href="/static/web.css">' in body
        nav = Doc(body).one("nav", id="nav")
        assert nav
    hrefs = {a["href"] for _, a, _ in Doc(client.get("/devices").text).find("a") if "href" in a}
    assert {"/devices", "/search", "/inspections", "/reports", "/runs"} <= hrefs
    css = client.get("/static/web.css")
    assert css.status_code == 200 and "#1f4e79" in css.text and "sev-critical" in css.text
