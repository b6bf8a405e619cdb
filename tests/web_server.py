"""A real `netpatrol serve` for the browser tests: the venv's own command in a subprocess, on a free
loopback port, over a copy of a report_world workspace; users made with `netpatrol user add` as an
operator would. Also the Chromium + chromedriver pair Selenium drives, and a PNG reader for screenshots.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from report_world import PASSWORD

# The console script next to the interpreter running the tests: what `pip install -e .` put in the venv.
NETPATROL = Path(sys.executable).with_name("netpatrol")
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MISSING_BROWSER = (f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium and chromium-driver: "
                   "scripts/install-system-deps.sh)")
# Set by CI (.ci/run): there a missing browser fails the browser tests instead of skipping them.
REQUIRE_BROWSER = "NETPATROL_REQUIRE_BROWSER"


def browser_missing() -> bool:
    return not (CHROMIUM.exists() and CHROMEDRIVER.exists())


def require_browser() -> None:
    """Skip the calling test without Chromium, or fail it where the browser is required."""
    import pytest

    if not browser_missing():
        return
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{MISSING_BROWSER}; {REQUIRE_BROWSER}=1 requires them", pytrace=False)
    pytest.skip(MISSING_BROWSER)


def server_env() -> dict[str, str]:
    # The sample inventory refers to $NETPATROL_PASSWORD; the web view never uses it but the inventory
    # check at start wants it set. No proxy: the browser and the probe talk to loopback directly.
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env[PASSWORD[0]] = PASSWORD[1]
    return env


def copy_world(built: Path, dest: Path) -> Path:
    shutil.copytree(built, dest, symlinks=True)
    return dest


def add_user(ws: Path, name: str, password: str, role: str = "admin") -> None:
    """`netpatrol user add NAME --role ROLE`, the password on standard input."""
    proc = subprocess.run([str(NETPATROL), "user", "add", name, "--role", role, "-w", str(ws)],
                          input=password + "\n", text=True, capture_output=True, env=server_env(), timeout=60)
    assert proc.returncode == 0, f"user add failed ({proc.returncode}): {proc.stdout}{proc.stderr}"


def free_port(bind: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in bind else socket.AF_INET) as s:
        s.bind((bind, 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM and wait; SIGKILL when it has not ended within `timeout`."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass(frozen=True)
class Server:
    url: str  # http://127.0.0.1:PORT (http://[::1]:PORT on IPv6 loopback)
    ws: Path
    log: Path  # the server's standard error


@contextmanager
def serve(ws: Path, log: Path, timeout: float = 30, bind: str = "127.0.0.1",
          options: tuple[str, ...] = ()) -> Iterator[Server]:
    """`netpatrol serve --bind BIND --port PORT -w WS [OPTIONS]` until the block ends; up when it answers HTTP."""
    port = free_port(bind)
    with log.open("wb") as err:
        proc = subprocess.Popen([str(NETPATROL), "serve", "--bind", bind, "--port", str(port), "-w", str(ws), *options],
                                stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT, env=server_env())
    try:
        _wait_until_up(proc, bind, port, log, timeout)
        host = f"[{bind}]" if ":" in bind else bind
        yield Server(f"http://{host}:{port}", ws, log)
    finally:
        stop(proc)


def _wait_until_up(proc: subprocess.Popen, bind: str, port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"netpatrol serve exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        conn = http.client.HTTPConnection(bind, port, timeout=2)
        try:
            conn.request("GET", "/static/web.css")
            conn.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"netpatrol serve not answering on port {port} after {timeout} s:\n"
                                     f"{log.read_text(errors='replace')}") from None
            time.sleep(0.1)
        finally:
            conn.close()


def chrome(profile: Path, attempts: int = 3):
    """Debian's headless Chromium through its chromedriver: no Selenium Manager (no internet), a fresh
    profile, the console log kept for the tests to read. Under a loaded machine (the suite on two
    workers) chromedriver or Chromium sometimes starts too slowly: tried again, each time afresh."""
    from selenium.common.exceptions import WebDriverException

    for attempt in range(1, attempts + 1):
        try:
            return _start_chrome(profile / f"try-{attempt}")
        except WebDriverException:
            if attempt == attempts:
                raise
            time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def _start_chrome(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1280,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(str(CHROMEDRIVER))
    try:
        driver = webdriver.Chrome(options=options, service=service)
    except BaseException:
        with contextlib.suppress(Exception):
            service.stop()  # no chromedriver left behind by a failed start
        raise
    driver.set_page_load_timeout(30)
    return driver


def png_colours(path: Path) -> tuple[str, tuple[int, int], int]:
    """Format, size and number of distinct colours of an image (Pillow: WeasyPrint, a runtime
    dependency, requires it)."""
    from PIL import Image

    with Image.open(path) as img:
        return img.format or "", img.size, len(img.convert("RGB").getcolors(maxcolors=1 << 24) or [])
