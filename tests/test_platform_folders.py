"""One folder per platform: every registered platform is complete, the registry refuses what it does
not know, and a platform added as a folder from outside the package works end to end (lab device,
backup, inspection) with no code change."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from fault_world import NETPATROL, env, git, write_workspace
from netpatrol.automation.syslog import is_config_change
from netpatrol.backup.sanitize import rules_for, sanitize
from netpatrol.checks.loader import BUILTIN_DIR as PACKS_DIR
from netpatrol.checks.loader import load_packs
from netpatrol.errors import CheckFileError
from netpatrol.inspection.catalogue import builtin_entries, load_job
from netpatrol.inspection.normalise import platform_spec
from netpatrol.inspection.parsing import resolve_template, validate_template_dir
from netpatrol.lab import render
from netpatrol.lab.planted import plant, planted
from netpatrol.lab.profile import get_profile
from netpatrol.lab.testing import free_ports
from netpatrol.platforms import BUILTIN_DIR, ENV_VAR, PLATFORMS, PlatformError, UnknownPlatform, config_patterns, get_platform

CATALOGUE = builtin_entries("quarterly")
BUILTIN_CHECKS = load_packs(sorted(p.stem for p in PACKS_DIR.glob("*.yaml")), None)
CONFIG_CHECKS = {c.id for c in BUILTIN_CHECKS if c.condition.config is not None}


def _items_read_by(spec: object) -> set[str]:
    """Every catalogue item a normaliser field map reads."""
    found: set[str] = set()
    if dataclasses.is_dataclass(spec):
        for f in dataclasses.fields(spec):
            value = getattr(spec, f.name)
            if f.name == "item":
                found.add(value)
            found |= _items_read_by(value)
    elif isinstance(spec, (tuple, list)):
        for value in spec:
            found |= _items_read_by(value)
    elif isinstance(spec, dict):
        for value in spec.values():
            if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], tuple):
                found.add(value[0])  # facts: attribute -> (item, fields)
            found |= _items_read_by(value)
    return found


# --- completeness ------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_folder_has_every_part(platform: str) -> None:
    profile = get_platform(platform)
    assert profile.folder.name == platform and (profile.folder / "platform.yaml").is_file()
    # platform.yaml: session, backup and the knowledge other engines take from it
    assert profile.error_patterns and profile.backup.running and profile.read_only.verbs
    assert profile.telnet_type
    assert rules_for(platform), "no secret rules"
    # config_checks.yaml: every built-in configuration check named, with a pattern or null
    assert (profile.folder / "config_checks.yaml").is_file()
    assert set(profile.config_checks) == CONFIG_CHECKS, "name each built-in config check (null: not checked)"
    assert profile.syslog_changes, "no syslog change patterns"
    assert is_config_change(platform, "unrelated text") is False
    # inspection.yaml: catalogue entries, each command parsed by an own template or a vetted ntc one
    items = CATALOGUE.get(platform)
    assert items, "no entries in inspection.yaml under 'quarterly'"
    commands = sorted({c for alternatives in items.values() for c in alternatives})
    unparsed = [c for c in commands if (t := resolve_template(platform, c)) is None or not t.is_file()]
    assert unparsed == [], "commands without a template"
    if (profile.textfsm_dir / "index").is_file():
        assert validate_template_dir(profile.textfsm_dir, platform_column=False) == []
    # normalise.yaml: loads, and reads only items the catalogue collects
    spec, _ = platform_spec(platform)
    assert _items_read_by(spec) <= set(items), "field map reads items the catalogue does not collect"
    # lab/: a profile, an output for every catalogue command and the config, planted secrets
    lab = get_profile(platform)
    assert lab.platform == platform and lab.default_model and lab.default_version
    no_output = [c for c in commands if not render.template_path(platform, c).is_file()]
    assert no_output == [], "catalogue commands without a lab output"
    assert (profile.lab_dir / "running_config.j2").is_file()
    secrets = planted(platform)
    assert secrets and all(s.value in plant("hostname x\nend\n", platform) for s in secrets)


# Files under src/netpatrol/ outside platforms/ that may name a registered platform, and why.
NAMES_ALLOWED = {
    "cli/common.py": "an example in the --platform help text",
    "workspace/template/inventory/hosts.yaml": "the sample inventory a new workspace starts from (its host and the list of platform names)",
    "workspace/template/compliance/site-baseline.yaml": "a workspace pack names its platforms inline (the commented example)",
}


def test_no_file_outside_the_platform_folders_names_a_platform() -> None:
    package = BUILTIN_DIR.parent
    files = sorted(p for ext in ("*.py", "*.yaml", "*.yml") for p in package.rglob(ext) if not p.is_relative_to(BUILTIN_DIR))
    named = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = sorted(p for p in PLATFORMS if p in text)
        if found:
            named[path.relative_to(package).as_posix()] = found
    assert set(named) - set(NAMES_ALLOWED) == set(), {k: v for k, v in named.items() if k not in NAMES_ALLOWED}
    assert set(NAMES_ALLOWED) <= set(named), "an allowed file no longer names a platform: drop it from NAMES_ALLOWED"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_lab_device_without_a_version_runs_the_lab_profiles_default(platform: str, tmp_path: Path) -> None:
    from netpatrol.lab.device import DeviceSpec, SimulatedDevice

    fields = {"name": "r1", "platform": platform, "address": "127.0.0.1", "port": 10022, "username": "u", "password": "p"}
    unnamed = SimulatedDevice(DeviceSpec(**fields), tmp_path)  # type: ignore[arg-type]
    assert unnamed.version == unnamed.state().version == get_profile(platform).default_version
    named = SimulatedDevice(DeviceSpec(**fields, version="1.2.3"), tmp_path)  # type: ignore[arg-type]
    assert named.version == named.state().version == "1.2.3"


def test_the_lab_file_leaves_unnamed_model_and_version_to_the_lab_profile(sample_workspace: Path) -> None:
    """A host whose inventory and lab.yaml name no model or version runs the profile's defaults."""
    from netpatrol.lab.device import SimulatedDevice
    from netpatrol.lab.labfile import build_specs
    from netpatrol.workspace.inventory import load_inventory

    hosts_file = sample_workspace / "inventory" / "hosts.yaml"
    hosts = yaml.safe_load(hosts_file.read_text(encoding="utf-8"))
    name = next(iter(hosts))
    for key in ("model", "os_version"):
        hosts[name].get("data", {}).pop(key, None)
    hosts_file.write_text(yaml.safe_dump(hosts, allow_unicode=True), encoding="utf-8")
    lab_file = sample_workspace / "lab.yaml"
    lab = yaml.safe_load(lab_file.read_text(encoding="utf-8"))
    lab["devices"][name].pop("version", None)
    lab["devices"][name].pop("model", None)
    lab_file.write_text(yaml.safe_dump(lab, allow_unicode=True), encoding="utf-8")

    spec = next(s for s in build_specs(load_inventory(sample_workspace)) if s.name == name)
    profile = get_profile(spec.platform)
    state = SimulatedDevice(spec, sample_workspace / "configs").state()
    assert (state.model, state.version) == (profile.default_model, profile.default_version)


def test_the_builtin_job_is_assembled_from_the_platform_folders() -> None:
    job = load_job(None, "quarterly")
    assert sorted(job.platforms) == sorted(PLATFORMS)
    assert job.platforms == CATALOGUE and job.check_packs == ["health", "security"]


# --- the registry ------------------------------------------------------------------------------


def test_an_unknown_platform_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownPlatform) as info:
        get_platform("acme_os")
    assert info.value.exit_code == 2
    assert "'acme_os'" in str(info.value) and all(p in str(info.value) for p in PLATFORMS)


def _copy(source: str, extra: Path, name: str) -> Path:
    target = extra / name
    shutil.copytree(BUILTIN_DIR / source, target, ignore=shutil.ignore_patterns("__pycache__"))
    # The copy is another platform: the names people type for the original stay the original's
    # (the registry refuses an alias two folders claim).
    profile = target / "platform.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(re.sub(r"(?m)^aliases:.*\n", "", text), encoding="utf-8")
    return target


def test_a_folder_from_the_environment_registers_a_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy("cisco_ios", tmp_path, "acme_os")
    assert "acme_os" not in PLATFORMS
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    acme = get_platform("acme_os")
    assert acme.folder == tmp_path / "acme_os" and acme.vendor == "Cisco"
    assert sanitize("snmp-server community s3cret RO\n", "acme_os") == "snmp-server community <removed> RO\n"
    assert builtin_entries("quarterly")["acme_os"] == CATALOGUE["cisco_ios"]
    assert resolve_template("acme_os", "show environment").parent == tmp_path / "acme_os" / "textfsm"
    assert get_profile("acme_os").platform == "acme_os"
    assert config_patterns("telnet_enabled")["acme_os"] == config_patterns("telnet_enabled")["cisco_ios"]
    [telnet] = [c for c in load_packs(["security"], None) if c.id == "telnet_enabled"]
    assert telnet.condition.config and telnet.condition.config.patterns
    assert telnet.condition.config.patterns["acme_os"] == get_platform("cisco_ios").config_checks["telnet_enabled"]
    monkeypatch.delenv(ENV_VAR)
    assert "acme_os" not in PLATFORMS  # the registry follows the variable


def test_a_broken_platform_folder_names_file_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy("huawei_vrp", tmp_path, "acme_os")
    doc = yaml.safe_load((folder / "platform.yaml").read_text(encoding="utf-8"))
    doc["error_patterns"] = ["(unclosed"]
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(PlatformError, match=r"acme_os/platform\.yaml: field 'error_patterns'"):
        get_platform("acme_os")
    doc["error_patterns"], doc["secret_rule_sets"] = ["^Error"], ["common", "acme"]
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(PlatformError, match="secret rule set 'acme' does not exist"):
        get_platform("acme_os")
    doc["secret_rule_sets"] = ["common"]
    (folder / "platform.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with (folder / "config_checks.yaml").open("a", encoding="utf-8") as f:
        f.write("site_banner_missing: '^header (unclosed'\n")
    with pytest.raises(PlatformError, match=r"acme_os/config_checks\.yaml: check 'site_banner_missing': bad regex"):
        get_platform("acme_os")


# --- configuration check patterns ---------------------------------------------------------------


def _config_check(cid: str, config: dict) -> dict:
    text = {"zh-CN": "测试", "en": "test"}
    return {"id": cid, "title": text, "severity": "minor", "recommendation": text, "condition": {"config": config}}


def _pack(tmp_path: Path, *checks: dict) -> Path:
    d = tmp_path / "checks"
    d.mkdir(exist_ok=True)
    (d / "site.yaml").write_text(yaml.safe_dump({"checks": list(checks)}), encoding="utf-8")
    return d


def test_a_config_check_takes_its_patterns_from_the_platform_folders_unless_the_pack_gives_them(tmp_path: Path) -> None:
    builtin = {c.id: c for c in BUILTIN_CHECKS}
    for cid in CONFIG_CHECKS:
        named = {p: rx for p in PLATFORMS if (rx := get_platform(p).config_checks[cid])}
        assert builtin[cid].condition.config and builtin[cid].condition.config.patterns == named
    checks = {c.id: c for c in load_packs(["security"], _pack(
        tmp_path,
        {"id": "telnet_enabled", "severity": "critical"},  # an override keeps the folders' patterns
        _config_check("ntp_server_missing", {"mode": "must_match", "patterns": {"cisco_ios": "^ntp peer "}}),
    ))}
    assert checks["telnet_enabled"].severity == "critical"
    assert checks["telnet_enabled"].condition == builtin["telnet_enabled"].condition
    assert checks["ntp_server_missing"].condition.config.patterns == {"cisco_ios": "^ntp peer "}  # type: ignore[union-attr]


def test_a_config_check_without_patterns_that_no_folder_names_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CheckFileError) as info:
        load_packs([], _pack(tmp_path, _config_check("banner_missing", {"mode": "must_match"})))
    assert ("checks/site.yaml: check 'banner_missing': field '(check)': condition.config: give 'patterns' "
            "(no platform folder's config_checks.yaml has one for 'banner_missing')") in str(info.value)


def test_a_registered_folder_may_give_the_pattern_of_a_workspace_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy("huawei_vrp", tmp_path / "extra", "acme_os")
    with (folder / "config_checks.yaml").open("a", encoding="utf-8") as f:
        f.write("banner_missing: '^ ?header login '\n")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "extra"))
    [check] = load_packs([], _pack(tmp_path, _config_check("banner_missing", {"mode": "must_match"})))
    assert check.condition.config and check.condition.config.patterns == {"acme_os": "^ ?header login "}


def test_a_name_defined_twice_or_a_missing_directory_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy("cisco_ios", tmp_path, "cisco_ios")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(PlatformError, match="'cisco_ios' is defined twice"):
        len(PLATFORMS)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(PlatformError, match="nowhere: not a directory"):
        len(PLATFORMS)


def test_inventory_check_reports_a_broken_part_of_a_registered_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_workspace: Path
) -> None:
    from netpatrol.workspace.validate import validate_workspace

    folder = _copy("hp_comware", tmp_path, "acme_os")
    (folder / "normalise.yaml").write_text("facts: {fields: {}}\ncpu: {averge: [cpu]}\n", encoding="utf-8")
    (folder / "textfsm" / "index").write_text("Template, Command\nmissing.textfsm, di[[splay]] x$\n", encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    problems = [str(p) for p in validate_workspace(sample_workspace)[0]]
    assert any("acme_os/normalise.yaml: field 'cpu.averge'" in p for p in problems), problems
    assert any("acme_os/textfsm/index:2: template missing.textfsm does not exist" in p for p in problems), problems


# --- a new platform end to end, through the CLI ---------------------------------------------------


def _run(ws: Path, extra: Path | None, *args: str) -> subprocess.CompletedProcess:
    child = {**env(), ENV_VAR: str(extra)} if extra else {k: v for k, v in env().items() if k != ENV_VAR}
    return subprocess.run([*NETPATROL, *args, "-w", str(ws)], env=child, capture_output=True, text=True, timeout=180)


@pytest.mark.lab
def test_a_platform_added_as_a_folder_is_backed_up_and_inspected(tmp_path: Path) -> None:
    extra = tmp_path / "extra-platforms"
    _copy("cisco_ios", extra, "acme_os")
    ports = free_ports(2)
    # A device of the copied platform beside one of the platform it copies, both with weak security.
    devices = [SimpleNamespace(name=n, platform=p, address="127.0.0.1", port=port)
               for (n, p), port in zip([("acme-sw1", "acme_os"), ("ios-sw1", "cisco_ios")], ports, strict=True)]
    ws = write_workspace(tmp_path / "ws", devices)  # type: ignore[arg-type]
    lab_file = {"devices": {d.name: {"scenarios": ["weak_security"]} for d in devices}}
    (ws / "lab.yaml").write_text(yaml.safe_dump(lab_file), encoding="utf-8")

    refused = _run(ws, None, "inventory", "check")
    assert refused.returncode == 2
    assert "inventory/hosts.yaml: host acme-sw1: field 'platform' unknown platform 'acme_os'" in refused.stdout + refused.stderr

    up = _run(ws, extra, "lab", "up")  # the lab server inherits the variable
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        backup = _run(ws, extra, "backup", "--json", "--platform", "acme_os")
        assert backup.returncode == 0, backup.stdout + backup.stderr
        doc = json.loads(backup.stdout)
        assert doc["counts"] == {"saved": 1, "unchanged": 0, "failed": 0} and doc["commit"]
        # With its at-backup compliance verdicts (`unknown`: no pack has a rule for the platform).
        assert git(ws, "show", "--name-only", "--format=", doc["commit"]).split() == [
            "compliance/backup/site-a/acme-sw1.json", "configs/site-a/acme-sw1.cfg"]
        stored = (ws / "backups" / "configs" / "site-a" / "acme-sw1.cfg").read_text(encoding="utf-8")
        assert "hostname acme-sw1" in stored and stored.rstrip().endswith("end")

        inspect = _run(ws, extra, "inspect", "--json")
        assert inspect.returncode == 0, inspect.stdout + inspect.stderr
        by_host = {d["host"]: d for d in json.loads(inspect.stdout)["devices"]}
        result = by_host["acme-sw1"]
        assert result["platform"] == "acme_os" and result["status"] == "ok", result
        assert result["facts"]["vendor"] == "Cisco" and result["health"]["cpu_percent"] is not None, result
        # the copied config_checks.yaml: the security findings of the platform it copies
        security = {c.id for c in BUILTIN_CHECKS if c.category == "security"}

        def findings(host: str) -> set[tuple[str, str]]:
            return {(f["check"], f["severity"]) for f in by_host[host]["findings"] if f["check"] in security}

        assert {"telnet_enabled", "snmp_default_community"} <= {c for c, _ in findings("acme-sw1")}
        assert findings("acme-sw1") == findings("ios-sw1")
    finally:
        _run(ws, extra, "lab", "down")
