"""The offline bundle (scripts/make-offline-bundle.sh) installs and runs with every package index
disabled: built once per module for this machine, extracted, installed into a fresh virtual
environment by its own install-offline.sh, then the INSTALLED copy (not the repository's editable
one) checks a copy of the sample workspace and backs up a lab device; the same bundle installed
again into that environment upgrades it in place.

A bundle for a stated target (another Python version, manylinux tags) is checked from its archive
alone: installing it needs that target's Python, which this machine has not, so the tests only
show that install-offline.sh refuses it here before creating anything."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from conftest import REPO, _free_port_on, set_inventory_port

pytestmark = [pytest.mark.offline, pytest.mark.lab]

PDF_DEBS = ("fonts-noto-cjk", "libpango-1.0-0", "libpangoft2-1.0-0")
# pip may reach no index: none configured, none in a pip.conf, a dead one should anything ask.
NO_INDEX = {"PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/", "PIP_CONFIG_FILE": "/dev/null"}
PASSWORD = "lab-offline-pw-4Jq"
HERE_PY = sys.version_info[:2]
# A stated target unlike this machine: another CPython, and the manylinux tags a Debian 12 x86_64
# server's pip accepts (pip takes each stated tag literally, so both are listed).
TARGET_PY = (3, 13) if HERE_PY == (3, 12) else (3, 12)
TARGET_PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64")


def _dotted(python: tuple[int, ...]) -> str:
    return f"{python[0]}.{python[1]}"


def _cp(python: tuple[int, ...]) -> str:
    return f"cp{python[0]}{python[1]}"


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
    """The extracted bundle for this machine's Python and platform."""
    (root,) = (_shared_build(tmp_path_factory, worker_id, "offline-bundle", []) / "x").iterdir()
    return root


@pytest.fixture(scope="module")
def target_archive(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The archive for the stated target TARGET_PY on TARGET_PLATFORMS (published wheels only)."""
    args = ["--python-version", _dotted(TARGET_PY), "--no-debs"]
    for tag in TARGET_PLATFORMS:
        args += ["--platform", tag]
    (archive,) = _shared_build(tmp_path_factory, worker_id, "offline-bundle-target", args).glob("*.tar.gz")
    return archive


def _shared_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str, key: str, args: list[str]) -> Path:
    """The directory holding the archive built with `args` and its extraction (x/), built once per
    run: xdist's workers share one build (the first builds under a lock, the others find it)."""
    import fcntl

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out = shared / key
    with open(shared / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "built").exists():
            _build(out, args)
        outcome = (out / "built").read_text()
    if outcome.startswith("skip:"):
        pytest.skip(outcome[5:])
    return out


def _build(out: Path, args: list[str]) -> None:
    """Builds and extracts into out/x; out/built says `ok`, or `skip: REASON` when the network the
    build needs is unreachable (a failure for another reason fails the test)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    built = subprocess.run(["bash", str(REPO / "scripts" / "make-offline-bundle.sh"), *args, "--out", str(out)],
                           cwd=out, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True)
    if built.returncode != 0:
        if not (_reachable("pypi.org", 443) and ("--no-debs" in args or _reachable("deb.debian.org", 80))):
            tail = built.stderr.strip()[-300:]
            (out / "built").write_text(f"skip:building the bundle needs PyPI and a Debian mirror, unreachable here: {tail}")
            return
        pytest.fail(f"make-offline-bundle.sh {' '.join(args)} failed:\n{built.stderr}")
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


def _small_bundle(where: Path, manifest: str) -> Path:
    """A bundle of the same shape as a built one, with one tiny wheel and a right SHA256SUMS."""
    (where / "wheels").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "offline" / "install-offline.sh", where / "install-offline.sh")
    (where / "MANIFEST").write_text(manifest)
    (where / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"wheel")
    sums = "".join(f"{hashlib.sha256((where / f).read_bytes()).hexdigest()}  {f}\n"
                   for f in ("MANIFEST", "install-offline.sh", "wheels/x-1.0-py3-none-any.whl"))
    (where / "SHA256SUMS").write_text(sums)
    return where


def test_install_refuses_a_changed_file_before_installing(tmp_path: Path) -> None:
    """A small bundle of the same shape: one byte changed on the way stops it, naming the file."""
    small = _small_bundle(tmp_path / "b", "netpatrol: 0.1.0\npython: 3.11 (cp311)\n")
    (small / "wheels" / "x-1.0-py3-none-any.whl").write_bytes(b"whee1")
    res = subprocess.run(["bash", str(small / "install-offline.sh"), "--venv", str(tmp_path / "v"), "--no-system"],
                         cwd=tmp_path, env=_clean_env(tmp_path), capture_output=True, text=True)
    assert res.returncode == 2
    assert "wheels/x-1.0-py3-none-any.whl: FAILED" in res.stdout + res.stderr
    assert "does not match SHA256SUMS" in res.stderr
    assert not (tmp_path / "v").exists()


def test_install_refuses_a_bundle_for_another_architecture(tmp_path: Path) -> None:
    """pip would fail halfway with "no matching distribution"; the MANIFEST's platforms stop it
    first, before any Debian package or virtual environment."""
    other = "x86_64" if os.uname().machine == "aarch64" else "aarch64"
    py = _dotted(HERE_PY)
    small = _small_bundle(tmp_path / "b", f"netpatrol: 0.1.0\npython: {py} ({_cp(HERE_PY)})\n"
                                          f"platforms: manylinux2014_{other}\n")
    res = subprocess.run(["bash", str(small / "install-offline.sh"), "--venv", str(tmp_path / "v")],
                         cwd=tmp_path, env=_clean_env(tmp_path), capture_output=True, text=True)
    assert res.returncode == 2, res.stdout + res.stderr
    assert res.stderr == (f"install-offline: this bundle was built for manylinux2014_{other}, this machine is "
                          f"{os.uname().machine}: build the bundle again for {os.uname().machine}\n")
    assert not (tmp_path / "v").exists()


def _accepted(python: tuple[int, int], platforms: tuple[str, ...]) -> set[Tag]:
    """The wheel tags pip accepts on that target (packaging, pip's own tag logic, comes with pytest)."""
    return set(cpython_tags(python, platforms=platforms)) | set(compatible_tags(python, _cp(python), platforms))


def _members(archive: Path) -> dict[str, bytes]:
    """Every file of the archive by its path inside the bundle's folder."""
    with tarfile.open(archive) as tar:
        return {m.name.split("/", 1)[1]: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}


def test_a_stated_target_gets_only_wheels_that_install_there(target_archive: Path) -> None:
    """Checked from the archive alone. Installing it cannot be shown here: it needs the target's
    Python, which this machine has not (the next test shows install-offline.sh refusing it)."""
    cp, here_cp = _cp(TARGET_PY), _cp(HERE_PY)
    assert target_archive.name.startswith(f"netpatrol-offline-{_version()}-{cp}-{TARGET_PLATFORMS[0]}")
    files = _members(target_archive)
    accepted = _accepted(TARGET_PY, TARGET_PLATFORMS)
    projects = set()
    for name in files:
        if name.startswith("wheels/"):
            project, _, _, tags = parse_wheel_filename(name.removeprefix("wheels/"))
            assert tags & accepted, f"{name} does not install on {cp} {' '.join(TARGET_PLATFORMS)}"
            assert not any(t.abi == here_cp for t in tags), f"{name} is for this machine's Python ({here_cp})"
            projects.add(project)
    assert {"netpatrol", "pip", "pydantic-core", "lxml", "weasyprint", "netmiko"} <= projects
    manifest = files["MANIFEST"].decode()
    assert f"\npython: {TARGET_PY[0]}.{TARGET_PY[1]} ({cp})\n" in manifest
    assert f"\nplatforms: {' '.join(TARGET_PLATFORMS)}\n" in manifest
    assert "\ndebian: none (built with --no-debs)\n" in manifest
    listed = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(listed) == set(files) - {"SHA256SUMS"}
    assert {name: hashlib.sha256(data).hexdigest() for name, data in files.items() if name != "SHA256SUMS"} == listed


def test_install_refuses_a_bundle_for_another_python_before_creating_anything(target_archive: Path,
                                                                              tmp_path: Path) -> None:
    """This machine's python3 (no PYTHON set) against the stated-target bundle."""
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(home)
    del env["PYTHON"]
    here = subprocess.run(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], env=env,
                          capture_output=True, text=True, check=True).stdout.strip()
    want = _dotted(TARGET_PY)
    if here == want:
        pytest.skip(f"this machine's python3 is the target's Python {want}")
    root = target_archive.parent / "x" / target_archive.name.removesuffix(".tar.gz")
    res = subprocess.run(["bash", str(root / "install-offline.sh"), "--venv", str(tmp_path / "venv")],
                         cwd=home, env=env, capture_output=True, text=True)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "bundle verified" in res.stdout
    assert res.stderr == (f"install-offline: this bundle was built for Python {want}, python3 is Python {here}: "
                          f"set PYTHON=/path/to/python{want}, or build the bundle again with --python-version {here}\n")
    assert not (tmp_path / "venv").exists()


def test_a_target_without_a_wheel_for_a_dependency_is_refused_naming_it(target_archive: Path, tmp_path: Path) -> None:
    """PyPI takes no linux_armv6l wheels, so the first compiled dependency pip meets has none: one
    line names it and the target, and no archive is left. (Needs the network the target build
    needed: its fixture skips this when that is unreachable.)"""
    want = _dotted(TARGET_PY)
    res = subprocess.run(["bash", str(REPO / "scripts" / "make-offline-bundle.sh"), "--python-version", want,
                          "--platform", "linux_armv6l", "--no-debs", "--out", str(tmp_path / "out")],
                         cwd=tmp_path, env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    building, refusal = res.stderr.strip().splitlines()
    assert building.startswith("building the netpatrol")
    named = re.fullmatch(rf"make-offline-bundle: no wheel of '([A-Za-z0-9._-]+)[^']*' is published for Python "
                         rf"{re.escape(want)} \(cp\d+\) on linux_armv6l: .*--platform", refusal)
    assert named, refusal
    # What it names is a dependency published only as platform wheels (the stated target's are).
    compiled = set()
    for name in _members(target_archive):
        if name.startswith("wheels/"):
            project, _, _, tags = parse_wheel_filename(name.removeprefix("wheels/"))
            if all(t.platform != "any" for t in tags):
                compiled.add(project)
    assert canonicalize_name(named.group(1)) in compiled
    assert not list((tmp_path / "out").glob("*.tar.gz*"))


def _install(bundle: Path, venv: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(bundle / "install-offline.sh"), "--venv", str(venv), *args],
                          cwd=home, env=_clean_env(home), capture_output=True, text=True)


@pytest.fixture(scope="module")
def usb_bundle(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle as on a USB stick mounted at a path with a space and a Chinese character
    (hard links: no copy of its 100 MB)."""
    mount = tmp_path_factory.mktemp("media") / "U 盘"
    mount.mkdir()
    subprocess.run(["cp", "-al", str(bundle), str(mount)], check=True)
    return mount / bundle.name


@pytest.fixture(scope="module")
def installed(usb_bundle: Path) -> tuple[Path, Path]:
    """(venv, home): the bundle installed by its install-offline.sh into a new virtual environment,
    both under the USB path with a space and a Chinese character."""
    base = usb_bundle.parent
    home, venv = base / "home", base / "venv 环境"
    home.mkdir()
    res = _install(usb_bundle, venv, home, "--no-system")
    assert res.returncode == 0, res.stderr
    assert "bundle verified" in res.stdout and "netpatrol init" in res.stdout
    path_line = next(line for line in res.stdout.splitlines() if "export PATH=" in line)
    assert shlex.split(path_line) == ["export", f"PATH={venv / 'bin'}:$PATH"], "pastes as printed"
    return venv, home


def _installed_package(venv: Path, home: Path) -> Path:
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import netpatrol; print(netpatrol.__file__)"],
                           cwd=home, env=_clean_env(home), capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(venv), f"netpatrol imported from {where}, not the new venv"
    return Path(where.strip()).parent


def test_installed_copy_checks_the_inventory_and_backs_up_a_lab_device(installed: tuple[Path, Path],
                                                                       sample_workspace: Path) -> None:
    venv, home = installed
    _installed_package(venv, home)

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


def test_the_same_bundle_installed_again_upgrades_the_environment_in_place(usb_bundle: Path,
                                                                          installed: tuple[Path, Path]) -> None:
    """As with a newer bundle later: its install-offline.sh with the same --venv. A rebuilt bundle of
    the same version number still replaces the installed code (a local edit there is gone)."""
    venv, home = installed
    init = _installed_package(venv, home) / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\nLOCAL_EDIT = 1\n", encoding="utf-8")
    res = _install(usb_bundle, venv, home, "--no-system")
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"netpatrol {_version()}" in res.stdout.splitlines()
    assert (f"netpatrol in {venv} upgraded in place: {_version()}, replaced by this bundle's build"
            in res.stdout), res.stdout
    assert "LOCAL_EDIT" not in init.read_text(encoding="utf-8")
    assert _installed_package(venv, home) == init.parent


def test_deb_step_installs_only_what_is_missing(bundle: Path, installed: tuple[Path, Path]) -> None:
    """Into the module's environment: its venv step is then an in-place upgrade, quicker than a new one."""
    if os.geteuid() != 0:
        pytest.skip("dpkg -i needs root; without root install-offline.sh only prints the command")
    venv, home = installed
    missing = [p for p in PDF_DEBS if "install ok installed" not in subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout]
    res = _install(bundle, venv, home)
    assert res.returncode == 0, res.stdout + res.stderr
    if not missing:
        assert "Debian packages: all" in res.stdout and "nothing to install" in res.stdout
    for name in PDF_DEBS:
        status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True).stdout
        assert status == "install ok installed"


def test_without_root_missing_packages_stop_with_the_dpkg_command(usb_bundle: Path, tmp_path: Path) -> None:
    """As a user other than root on a machine without the packages (`id` and `dpkg-query` answer
    so): the exact `dpkg -i` command, every path quoted (the bundle sits under "U 盘"), exit 1, and
    no virtual environment begun."""
    shims, home = tmp_path / "bin", tmp_path / "home"
    shims.mkdir()
    home.mkdir()
    (shims / "id").write_text("#!/bin/sh\necho 1000\n")
    (shims / "dpkg-query").write_text("#!/bin/sh\nexit 1\n")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    env = _clean_env(home)
    env["PATH"] = f"{shims}:{env['PATH']}"
    res = subprocess.run(["bash", str(usb_bundle / "install-offline.sh"), "--venv", str(tmp_path / "venv")],
                         cwd=home, env=env, capture_output=True, text=True)
    assert res.returncode == 1, res.stdout + res.stderr
    command = next(line.strip() for line in res.stderr.splitlines() if line.strip().startswith("dpkg -i "))
    assert sorted(shlex.split(command)[2:]) == sorted(str(p) for p in (usb_bundle / "debs").glob("*.deb"))
    assert "--no-system" in res.stderr
    assert not (tmp_path / "venv").exists()


# Fake packages for the dependency check: (package, bundled version, Depends) and what the shimmed
# dpkg database says is installed. np-old is installed older than bundled and nothing needs more.
FAKE_DEBS = (("np-new", "1.0", "np-lib (>= 2.0), libc6 | np-virtual"), ("np-plain", "1.0", ""),
             ("np-lib", "2.0", ""), ("np-old", "1.0", ""))


def _fake_deb_bundle(where: Path, installed: dict[str, str], fail: bool = False) -> tuple[Path, dict[str, str]]:
    """A bundle of FAKE_DEBS, with shims: `id` says root, `dpkg-query` answers from a state file,
    `dpkg -i` records its arguments (and with `fail` leaves np-new unpacked and fails) instead of
    touching this machine; every other dpkg call is the real one (--compare-versions)."""
    codename = re.search(r"^VERSION_CODENAME=(.*)$", Path("/etc/os-release").read_text(), re.M)
    py = _dotted(HERE_PY)
    debs = where / "b" / "debs"
    debs.mkdir(parents=True)
    for name, version, depends in FAKE_DEBS:
        src = where / "src" / name / "DEBIAN"
        src.mkdir(parents=True)
        (src / "control").write_text(f"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: t <t@t>\n"
                                     f"Description: t\n" + (f"Depends: {depends}\n" if depends else ""))
        subprocess.run(["dpkg-deb", "--build", str(src.parent), str(debs / f"{name}_{version}_all.deb")],
                       check=True, capture_output=True)
    bundle = _small_bundle(where / "b", f"netpatrol: 0.1.0\npython: {py} ({_cp(HERE_PY)})\nplatforms: "
                                        f"linux_{os.uname().machine}\ndebian: Debian ({codename and codename[1]}) x\n")
    (bundle / "SHA256SUMS").write_text((bundle / "SHA256SUMS").read_text() + "".join(
        f"{hashlib.sha256(d.read_bytes()).hexdigest()}  debs/{d.name}\n" for d in sorted(debs.iterdir())))
    shims, state = where / "bin", where / "state"
    shims.mkdir()
    state.write_text("".join(f"{name} {version} ii\n" for name, version in installed.items()))
    (shims / "id").write_text("#!/bin/sh\necho 0\n")
    (shims / "dpkg-query").write_text(f"""#!/bin/sh
case "$*" in *Architecture*) awk '{{print $1, "all", $2, $3}}' '{state}' ;; *) awk '{{print $1, $3}}' '{state}' ;; esac
""")
    (shims / "dpkg").write_text(f"""#!/bin/sh
if [ "$1" = -i ]; then
  shift; for f in "$@"; do basename "$f"; done >'{where / "dpkg-i"}'
  {"echo 'np-new 1.0 iU' >>'" + str(state) + "'; exit 1" if fail else "exit 0"}
fi
exec /usr/bin/dpkg "$@"
""")
    for shim in shims.iterdir():
        shim.chmod(0o755)
    env = _clean_env(where)
    env["PATH"] = f"{shims}:{env['PATH']}"
    return bundle, env


@pytest.mark.parametrize("case", ["needs-newer", "upgrade-system", "only-missing", "dpkg-fails", "bundle-too-old"])
def test_deb_step_installs_only_missing_packages_and_checks_their_dependencies_first(tmp_path: Path,
                                                                                      case: str) -> None:
    installed = {"np-lib": "2.0" if case in ("only-missing", "dpkg-fails") else "1.0", "np-old": "0.9", "libc6": "2.36-9"}
    bundle, env = _fake_deb_bundle(tmp_path, installed, fail=case == "dpkg-fails")
    if case == "bundle-too-old":  # np-new needs more than the bundle's np-lib 2.0
        ctl = tmp_path / "src" / "np-new" / "DEBIAN" / "control"
        ctl.write_text(ctl.read_text().replace(">= 2.0", ">= 3.0"))
        deb = bundle / "debs" / "np-new_1.0_all.deb"
        subprocess.run(["dpkg-deb", "--build", str(ctl.parent.parent), str(deb)], check=True, capture_output=True)
        sums = [line for line in (bundle / "SHA256SUMS").read_text().splitlines() if "np-new" not in line]
        (bundle / "SHA256SUMS").write_text("\n".join([*sums, f"{hashlib.sha256(deb.read_bytes()).hexdigest()}  "
                                                      f"debs/{deb.name}"]) + "\n")
    args = ["--upgrade-system"] if case == "upgrade-system" else []
    res = subprocess.run(["bash", str(bundle / "install-offline.sh"), "--venv", str(tmp_path / "venv"), *args],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    out = res.stdout + res.stderr
    called = (tmp_path / "dpkg-i").read_text().split() if (tmp_path / "dpkg-i").exists() else None
    if case == "needs-newer":
        assert res.returncode == 1, out
        assert "  np-new needs np-lib (>= 2.0), installed is 1.0, the bundle has 2.0\n" in res.stderr
        assert "--upgrade-system" in res.stderr and called is None
    elif case == "bundle-too-old":
        assert res.returncode == 2, out
        assert "  np-new needs np-lib (>= 3.0), installed is 1.0, the bundle has 2.0\n" in res.stderr
        assert "nothing was installed" in res.stderr and called is None
    elif case == "dpkg-fails":
        assert res.returncode == 2, out
        assert "  np-new (unpacked, not configured)\n" in res.stderr and "dpkg --configure -a" in res.stderr
        assert "np-plain" not in res.stderr.split("dpkg left:")[1].split("To finish")[0]
        assert sorted(called or []) == ["np-new_1.0_all.deb", "np-plain_1.0_all.deb"]
    else:
        # Past the Debian step: the small bundle has no pip wheel, so the venv step stops there.
        assert "no pip wheel" in res.stderr, out
        want = ["np-new_1.0_all.deb", "np-plain_1.0_all.deb"]
        if case == "upgrade-system":
            want.append("np-lib_2.0_all.deb")
            assert "installing 2 missing and upgrading 1 (--upgrade-system); 1 installed left as they are" in out
        else:
            assert "installing 2 missing; 2 installed left as they are" in out
        assert sorted(called or []) == sorted(want), "np-old (installed, older than bundled) is never touched"
    assert not (tmp_path / "venv").exists() or case in ("upgrade-system", "only-missing")


def _version() -> str:
    import re

    return re.search(r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
