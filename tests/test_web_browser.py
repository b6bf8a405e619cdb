"""The web view in a real browser: Debian's headless Chromium, driven through Selenium and its
chromedriver, against `netpatrol serve` running as a subprocess over report_world's two quarters.

A user logs in (a wrong password first), filters the device table, opens a device, compares two of
its versions, searches the configs and screenshots the list; on the hostile world device text
that carries markup stays text. Every page must leave the console empty: no JavaScript error, no
refused resource, no Content-Security-Policy violation.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from netpatrol.store.repo import Store
from netpatrol.web.device_list import device_rows, filter_rows
from netpatrol.web.state import WebState
from netpatrol.workspace.settings import Workspace
from web_server import add_user, chrome, copy_world, png_colours, require_browser, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _chromium():
    """Skipped without Chromium; failed instead in CI, which sets NETPATROL_REQUIRE_BROWSER=1."""
    require_browser()

USER, PASSWORD = "ops-admin", "Correct horse 电池 staple 9"
CORE = "city-core-01"  # report_world: its config gains an NTP server and loses a location line in 2026Q3
ADDED, DROPPED = "ntp server 10.0.0.123", "snmp-server location old-room-301"
# Planted on the hostile world as a config line and a backup reason: if any of it ran, the title or
# window.__pwned would show it.
PWN = '<script>window.__pwned=1;document.title="pwned"</script><img src=x onerror="window.__pwned=2">'
WAIT = 15


@pytest.fixture(scope="module")
def server(built: Path, tmp_path_factory: pytest.TempPathFactory):
    ws = copy_world(built, tmp_path_factory.mktemp("web") / "ws")
    add_user(ws, USER, PASSWORD)
    with serve(ws, ws.parent / "serve.log") as s:
        yield s


@pytest.fixture(scope="module")
def hostile_server(built_hostile: Path, tmp_path_factory: pytest.TempPathFactory):
    """The hostile world plus PWN in CORE's config and a backup reason; no users (loopback, anonymous)."""
    ws = copy_world(built_hostile, tmp_path_factory.mktemp("web-hostile") / "ws")
    store = Store(ws / "backups").open_or_init()
    path = _config_path(ws, CORE)
    store.write_file(path, (ws / "backups" / path).read_text(encoding="utf-8") + f"description {PWN}\n")
    store.commit(f"backup: 1 changed ({CORE})\n\nreason: CHG-66 {PWN}\nchanged:\n  {CORE}\n", paths=["configs"],
                 when=datetime(2026, 10, 2, 2, 0, tzinfo=timezone.utc))
    store.close()
    with serve(ws, ws.parent / "serve.log") as s:
        yield s


def _config_path(ws: Path, host: str) -> str:
    site = WebState(Workspace(ws)).host(host).site
    return f"configs/{site}/{host}.cfg"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    driver = chrome(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


class Console:
    """The browser's console log of one test. A page answered with an error status on purpose (a
    wrong password's 401, a bad regex's 400) is logged by Chromium as a failed resource: a test
    declares those with `expect(path, status)`; anything else logged fails the test."""

    # Chromium asks every origin for /favicon.ico by itself; no page refers to it.
    ALWAYS = (("/favicon.ico", 404),)

    def __init__(self, driver):
        self.driver, self.expected = driver, list(self.ALWAYS)

    def expect(self, path: str, status: int) -> None:
        self.expected.append((path, status))

    def unexpected(self) -> list[str]:
        out = []
        for e in self.driver.get_log("browser"):
            url, _, rest = e["message"].partition(" - ")
            failed = re.fullmatch(r"Failed to load resource: the server responded with a status of (\d+) \(.*\)", rest)
            target = urlsplit(url).path
            if e["source"] == "network" and failed and (target, int(failed[1])) in self.expected:
                continue
            out.append(f"{e['level']} {e['source']} {e['message']}")
        return out


@pytest.fixture(autouse=True)
def console(browser):
    """Whatever a test does, the console stays empty: no JavaScript error, no console output, no
    Content-Security-Policy report, no resource that failed to load."""
    browser.get_log("browser")  # what an earlier test left is that test's business
    watch = Console(browser)
    yield watch
    left = watch.unexpected()
    assert not left, "console messages:\n" + "\n".join(left)


# --- helpers ------------------------------------------------------------------------------------

def css(driver, selector: str):
    return driver.find_element(By.CSS_SELECTOR, selector)


def css_all(driver, selector: str):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def submit(driver, form) -> None:
    """Press the form's submit button and wait for the page it loads."""
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"], input[type="submit"]').click()
    WebDriverWait(driver, WAIT).until(lambda _: gone(form))
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")


def gone(element) -> bool:
    """Whether the page that held `element` has been replaced. While Chromium swaps documents,
    chromedriver may report the old node as "does not belong to the document" (a plain
    WebDriverException) instead of a stale reference: both mean the old page is gone."""
    try:
        element.is_enabled()
    except (StaleElementReferenceException, WebDriverException):
        return True
    return False


def log_in(driver, base: str, password: str = PASSWORD) -> None:
    form = css(driver, "form#login")
    user, secret = form.find_element(By.NAME, "username"), form.find_element(By.NAME, "password")
    user.clear()
    user.send_keys(USER)
    secret.clear()
    secret.send_keys(password)
    submit(driver, form)


@pytest.fixture
def logged_in(browser, server):
    """A fresh session of USER, whatever an earlier test (maybe on another worker) did."""
    browser.delete_all_cookies()
    browser.get(server.url + "/login")
    log_in(browser, server.url)
    assert css(browser, "#whoami").text.strip() == USER
    return browser


def shown_devices(driver) -> list[str]:
    return [r.get_attribute("data-device") for r in css_all(driver, "table#devices tr[data-device]") if r.is_displayed()]


def expected_devices(server, **filters: str) -> list[str]:
    return [r.name for r in filter_rows(device_rows(WebState(Workspace(server.ws))), **filters)]


def git_log(ws: Path, path: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(ws / "backups"), "log", "--format=%H", "--", path],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


# --- the signed-in user's tour ------------------------------------------------------------------

def test_login_refuses_a_wrong_password_then_lands_where_it_was_going(browser, server, console):
    console.expect("/login", 401)  # the refused login's page
    browser.delete_all_cookies()
    browser.get(server.url + "/devices?site=jc-city")
    assert urlsplit(browser.current_url).path == "/login"
    assert css(browser, 'form#login input[name="next"]').get_attribute("value") == "/devices?site=jc-city"
    assert not css_all(browser, "#login-error")

    log_in(browser, server.url, password="not-" + PASSWORD)
    assert urlsplit(browser.current_url).path == "/login"
    assert css(browser, "#login-error").is_displayed() and css(browser, "#login-error").text.strip()
    assert not css_all(browser, "#whoami")

    log_in(browser, server.url)
    assert urlsplit(browser.current_url).path == "/devices"
    assert parse_qs(urlsplit(browser.current_url).query) == {"site": ["jc-city"]}
    assert css(browser, "#whoami").text.strip() == USER
    assert css_all(browser, "form#logout")
    cookies = browser.get_cookies()
    assert cookies and all(c["httpOnly"] for c in cookies), cookies


def test_filters_by_site_then_status(logged_in, server):
    driver = logged_in
    driver.get(server.url + "/devices")
    assert shown_devices(driver) == expected_devices(server)
    Select(css(driver, 'form#filters select[name="site"]')).select_by_value("jc-east")
    submit(driver, css(driver, "form#filters"))
    east = expected_devices(server, site="jc-east")
    assert shown_devices(driver) == east and "east-wan-01" in east
    assert str(len(east)) in css(driver, "#count").text

    # The site stays chosen on the filtered page, so the status narrows the east devices only.
    Select(css(driver, 'form#filters select[name="status"]')).select_by_value("ok")
    submit(driver, css(driver, "form#filters"))
    east_ok = expected_devices(server, site="jc-east", status="ok")
    assert shown_devices(driver) == east_ok
    assert east_ok and set(east_ok) < set(east) and "east-wan-01" not in east_ok  # unreachable in 2026Q3
    assert set(east_ok) < set(expected_devices(server, status="ok"))
    assert parse_qs(urlsplit(driver.current_url).query) == {"site": ["jc-east"], "status": ["ok"]}  # blanks dropped


def test_open_a_device_and_compare_two_versions(logged_in, server):
    driver = logged_in
    driver.get(server.url + "/devices")
    css(driver, f'table#devices tr[data-device="{CORE}"] a').click()
    WebDriverWait(driver, WAIT).until(lambda d: urlsplit(d.current_url).path == f"/devices/{CORE}")
    assert css(driver, "h1").text.strip() == CORE
    assert css_all(driver, "table#facts") and css_all(driver, "table#inspections")

    commits = git_log(server.ws, _config_path(server.ws, CORE))
    rows = [r.get_attribute("data-commit") for r in css_all(driver, "table#versions tr[data-commit]")]
    assert rows == commits and len(commits) == 2, (rows, commits)
    new, old = commits
    css(driver, f'form#compare tr[data-commit="{old}"] input[type="radio"][name="from"]').click()
    css(driver, f'form#compare tr[data-commit="{new}"] input[type="radio"][name="to"]').click()
    submit(driver, css(driver, "form#compare"))

    url = urlsplit(driver.current_url)
    assert url.path == f"/devices/{CORE}/diff"
    assert {k: v[0] for k, v in parse_qs(url.query).items()} == {"from": old, "to": new}
    added = [s.text for s in css_all(driver, "pre#diff span.add")]
    removed = [s.text for s in css_all(driver, "pre#diff span.del")]
    assert any(ADDED in line for line in added), added
    assert any(DROPPED in line for line in removed), removed
    assert not any(ADDED in line for line in removed) and not any(DROPPED in line for line in added)
    stat = css(driver, "#diff-stat").text.replace("\u2212", "-").split()
    assert stat == ["+1", "-1"], stat


def test_search_lists_the_matching_lines(logged_in, server, console):
    console.expect("/search", 400)  # the bad regex's page
    driver = logged_in
    driver.get(server.url + "/devices")
    css(driver, 'nav#nav a[href="/search"]').click()
    WebDriverWait(driver, WAIT).until(lambda d: urlsplit(d.current_url).path == "/search")
    form = css(driver, "form#search")
    form.find_element(By.NAME, "q").send_keys("^NTP SERVER 10\\.")
    checkbox = form.find_element(By.NAME, "i")
    if not checkbox.is_selected():
        checkbox.click()
    submit(driver, form)
    sections = css_all(driver, "#results section.device[data-device]")
    assert [s.get_attribute("data-device") for s in sections] == [CORE]
    lines = [m.text for m in sections[0].find_elements(By.CSS_SELECTOR, ".match")]
    assert len(lines) == 1 and ADDED in lines[0], lines
    assert not css_all(driver, "#search-error")

    form = css(driver, "form#search")
    form.find_element(By.NAME, "q").clear()
    form.find_element(By.NAME, "q").send_keys("(unclosed")
    submit(driver, form)
    assert css(driver, "#search-error").text.strip()
    assert not css_all(driver, "#results .match")


def test_screenshot_of_the_device_list(logged_in, server, tmp_path: Path):
    driver = logged_in
    driver.get(server.url + "/devices")
    shot = tmp_path / "devices.png"
    assert driver.save_screenshot(str(shot))
    kind, (width, height), colours = png_colours(shot)
    assert kind == "PNG" and width >= 800 and height >= 600, (kind, width, height)
    # Text is antialiased: a rendered table has dozens of shades; a blank or error page a handful.
    assert colours > 32, f"{shot}: {colours} colours, looks blank"


# --- hostile device text stays text ---------------------------------------------------------------

def test_hostile_device_text_never_runs(browser, hostile_server):
    base = hostile_server.url
    path = _config_path(hostile_server.ws, CORE)
    new, old = git_log(hostile_server.ws, path)[:2]
    pages = ["/devices", f"/devices/{CORE}", "/devices/east-wan-01", "/devices/north-core-01",
             f"/devices/{CORE}/config?at={new}", f"/devices/{CORE}/diff?from={old}&to={new}",
             "/search?q=__pwned", "/inspections/2026Q3"]
    literal = {f"/devices/{CORE}/config?at={new}": "pre#config", f"/devices/{CORE}/diff?from={old}&to={new}": "pre#diff",
               "/search?q=__pwned": "#results"}
    for page in pages:
        browser.get(base + page)
        title = browser.title
        assert "pwned" not in title, page
        assert browser.execute_script("return typeof window.__pwned") == "undefined", page
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018 - reading it is what raises when no alert is open
        planted = browser.execute_script(
            "return [...document.scripts].filter(s => /alert\\(1\\)|__pwned/.test(s.text)).length"
            " + document.querySelectorAll('img[src=\"x\"], [onerror]').length")
        assert planted == 0, page
        if page in literal:
            assert PWN in css(browser, literal[page]).text, page
    browser.get(f"{base}/devices/{CORE}")
    assert "<script>" in css(browser, "table#versions").text  # the backup reason, shown as typed
