"""The offline bundle (scripts/make-offline-bundle.sh) installs and runs with every package index
disabled: built once per module for this machine, extracted, installed into a fresh virtual
environment by its own install-offline.sh, then the INSTALLED copy (not the repository's editable
one) checks a copy of the sample workspace and backs up a lab device."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, _free_port_on, set_inventory_port

pytestmark = [pytest.mark.offline, pytest.mark.lab]

PDF_DEBS = ("fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0")
# pip may reach no index: none configured, none in a pip.conf, a dead one should anything ask.
NO_INDEX = {"PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/", "PIP_CONFIG_FILE": "/dev/null"}
PASSWORD = "lab-offline-pw-4Jq"


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    """No proxy, no PIP_* of the caller, no VIRTUAL_ENV or PYTHONPATH pointing into the repository."""
    return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home),
            "LANG": "C.UTF-8", "PYTHON": sys.executable, **NO_INDEX, **extra}


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The extracted bundle for this machine's Python and platform, built once per run: xdist's
    workers share one build (the first builds under a lock, the others find it)."""
    import fcntl

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out = shared / "offline-bundle"
    with open(shared / "offline-bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "built").exists():
            _build(out)
        outcome = (out / "built").read_text()
    if outcome.startswith("skip:"):
        pytest.skip(outcome[5:])
    (root,) = (out / "x").iterdir()
    return root


def _build(out: Path) -> None:
    """Builds and extracts into out/x; out/built says `ok`, or `skip: REASON` when the network the
    build needs is unreachable (a failure for another reason fails the test)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    built = subprocess.run(["bash", str(REPO / "scripts" / "make-offline-bundle.sh"), "--out", str(out)],
                           cwd=out, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True)
    if built.returncode != 0:
        if not (_reachable("pypi.org", 443) and _reachable("deb.debian.org", 80)):
            tail = built.stderr.strip()[-300:]
            (out / "built").write_text(f"skip:building the bundle needs PyPI and a Debian mirror, unreachable here: {tail}")
            return
        pytest.fail(f"make-offline-bundle.sh failed:\n{built.stderr}")
    archive = Path(built.stdout.strip().splitlines()[-1])
    assert archive.parent == out and archive.name.endswith(".tar.gz")
    (out / "x").mkdir()
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(out / "x")], check=True)
    (root,) = (out / "x").iterdir()
    assert archive.name == f"{root.name}.tar.gz"
    (out / "built").write_text("ok")


def test_bundle_holds_runtime_wheels_pdf_debs_and_checksums(bundle: Path) -> None:
    wheels = {p.name.split("-")[0].lower() for p in (bundle / "wheels").glob("*.whl")}
    assert {"netpatrol", "netmiko", "weasyprint", "pydantic_core", "hier_config"} <= wheels
    assert not wheels & {"pytest", "ruff", "mypy", "hypothesis"}, "test extras in the bundle"
    debs = {}
    for deb in (bundle / "debs").glob("*.deb"):
        info = subprocess.run(["dpkg-deb", "--info", str(deb)], capture_output=True, text=True, check=True).stdout
        debs[deb.name.split("_")[0]] = info
    for name in PDF_DEBS:
        assert f"Package: {name}\n" in debs[name]
    assert "libc6" not in debs and "dpkg" not in debs, "what every Debian system has is not bundled"
    listed = dict(reversed(line.split("  ", 1)) for line in (bundle / "SHA256SUMS").read_text().splitlines())
    files = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    deb = next((bundle / "debs").glob("fonts-noto-cjk_*.deb"))
    assert listed[f"debs/{deb.name}"] == hashlib.sha256(deb.read_bytes()).hexdigest()
    manifest = (bundle / "MANIFEST").read_text()
    assert f"python: {sys.version_info[0]}.{sys.version_info[1]} " in manifest
    assert "(bookworm)" in manifest or "debian: " in manifest


def test_install_refuses_a_changed_file_before_installing(tmp_path: Path) -> None:
    """A small bundle of the same shape: one byte changed on the way stops it, naming the file."""
    small = tmp_path / "b"
    (small / "wheels").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "offline" / "install-offline.sh", small / "install-offline.sh")
    (small / "MANIFEST").write_text("netpatrol: 0.1.0\npython: 3.11 (cp311)\n")
    (small / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"wheel")
    sums = "".join(f"{hashlib.sha256((small / f).read_bytes()).hexdigest()}  {f}\n"
                   for f in ("MANIFEST", "install-offline.sh", "wheels/x-1.0-py3-none-any.whl"))
    (small / "SHA256SUMS").write_text(sums)
    (small / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"whee1")
    res = subprocess.run(["bash", str(small / "install-offline.sh"), "--venv", str(tmp_path / "v"), "--no-system"],
                         cwd=tmp_path, env=_clean_env(tmp_path), capture_output=True, text=True)
    assert res.returncode == 2
    assert "wheels/x-1.0-py3-none-any.whl: FAILED" in res.stdout + res.stderr
    assert "does not match SHA256SUMS" in res.stderr
    assert not (tmp_path / "v").exists()


def _install(bundle: Path, venv: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(bundle / "install-offline.sh"), "--venv", str(venv), *args],
                          cwd=home, env=_clean_env(home), capture_output=True, text=True)


def test_installed_copy_checks_the_inventory_and_backs_up_a_lab_device(bundle: Path, tmp_path: Path,
                                                                       sample_workspace: Path) -> None:
    home, venv = tmp_path / "home", tmp_path / "venv"
    home.mkdir()
    res = _install(bundle, venv, home, "--no-system")
    assert res.returncode == 0, res.stderr
    assert "bundle verified" in res.stdout and "netpatrol init" in res.stdout
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import netpatrol; print(netpatrol.__file__)"],
                           cwd=home, env=_clean_env(home), capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv), f"netpatrol imported from {where}, not the new venv"

    ws = sample_workspace
    # A port free on every device address of the sample: parallel workers run their own labs.
    import yaml

    hosts = yaml.safe_load((ws / "inventory" / "hosts.yaml").read_text(encoding="utf-8"))
    set_inventory_port(ws, _free_port_on(sorted({h["hostname"] for h in hosts.values()})))
    host = sorted(hosts)[0]

    env = _clean_env(home, NETPATROL_PASSWORD=PASSWORD)

    def np(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / "netpatrol"), *argv, "-w", str(ws)] if argv[0] != "--version"
                              else [str(venv / "bin" / "netpatrol"), "--version"],
                              cwd=home, env=env, capture_output=True, text=True, timeout=300)

    assert np("--version").stdout.strip() == f"netpatrol {_version()}"
    assert np("inventory", "check").returncode == 0
    try:
        up = np("lab", "up")
        assert up.returncode == 0, up.stdout + up.stderr
        backup = np("backup", "--host", host)
        assert backup.returncode == 0, backup.stdout + backup.stderr
    finally:
        down = np("lab", "down")
    assert down.returncode == 0, down.stderr
    stored = list((ws / "backups").rglob(f"{host}.cfg"))
    assert stored and stored[0].read_text(encoding="utf-8").strip()


def test_deb_step_installs_only_what_is_missing(bundle: Path, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("dpkg -i needs root; without root install-offline.sh only prints the command")
    home = tmp_path / "home"
    home.mkdir()
    missing = [p for p in PDF_DEBS if "install ok installed" not in subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout]
    res = _install(bundle, tmp_path / "venv", home)
    assert res.returncode == 0, res.stdout + res.stderr
    if not missing:
        assert "Debian packages: all" in res.stdout and "nothing to install" in res.stdout
    for name in PDF_DEBS:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True).stdout
        assert status == "install ok installed"


def test_without_root_missing_packages_stop_with_the_dpkg_command(bundle: Path, tmp_path: Path) -> None:
    """As a user other than root on a machine without the packages (`id` and `dpkg-query` answer
    so): the exact `dpkg -i` command, exit 1, and no virtual environment begun."""
    shims, home = tmp_path / "bin", tmp_path / "home"
    shims.mkdir()
    home.mkdir()
    (shims / "id").write_text("#!/bin/sh\necho 1000\n")
    (shims / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    env = _clean_env(home)
    env["PATH"] = f"{shims}:{env['PATH']}"
    res = subprocess.run(["bash", str(bundle / "install-offline.sh"), "--venv", str(tmp_path / "venv")],
                         cwd=home, env=env, capture_output=True, text=True)
    assert res.returncode == 1, res.stdout + res.stderr
    command = next(line.strip() for line in res.stderr.splitlines() if line.strip().startswith("dpkg -i "))
    assert sorted(command.split()[2:]) == sorted(str(p) for p in (bundle / "debs").glob("*.deb"))
    assert "--no-system" in res.stderr
    assert not (tmp_path / "venv").exists()


def _version() -> str:
    import re

    return re.search(r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
