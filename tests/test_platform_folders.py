"""One folder per platform: every registered platform is complete, the registry refuses what it does
not know, and a platform added as a folder from outside the package works end to end (lab device,
backup, inspection) with no code change."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from fault_world import NETPATROL, env, git, write_workspace
from netpatrol.automation.syslog import is_config_change
from netpatrol.backup.sanitize import rules_for, sanitize
from netpatrol.inspection.catalogue import builtin_entries, load_job
from netpatrol.inspection.normalise import platform_spec
from netpatrol.inspection.parsing import resolve_template, validate_template_dir
from netpatrol.lab import render
from netpatrol.lab.planted import plant, planted
from netpatrol.lab.profile import get_profile
from netpatrol.lab.testing import free_ports
from netpatrol.platforms import BUILTIN_DIR, ENV_VAR, PLATFORMS, PlatformError, UnknownPlatform, get_platform

CATALOGUE = builtin_entries("quarterly")


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
    assert profile.telnet_type and profile.lab_version
    assert rules_for(platform), "no secret rules"
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
    assert lab.platform == platform and lab.default_model
    no_output = [c for c in commands if not render.template_path(platform, c).is_file()]
    assert no_output == [], "catalogue commands without a lab output"
    assert (profile.lab_dir / "running_config.j2").is_file()
    secrets = planted(platform)
    assert secrets and all(s.value in plant("hostname x\nend\n", platform) for s in secrets)


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
    return target


def test_a_folder_from_the_environment_registers_a_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _copy("cisco_ios", tmp_path, "acme_os")
    assert "acme_os" not in PLATFORMS
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    acme = get_platform("acme_os")
    assert acme.folder == tmp_path / "acme_os" and acme.vendor == "Cisco"
    assert sanitize("snmp-server community s3cret RO\n", "acme_os") == "snmp-server community <removed> RO\n"
    assert builtin_entries("quarterly")["acme_os"] == CATALOGUE["cisco_ios"]
    assert resolve_template("acme_os", "show environment") == tmp_path / "acme_os" / "textfsm" / "cisco_ios_show_environment.textfsm"
    assert get_profile("acme_os").platform == "acme_os"
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
    [port] = free_ports(1)
    device = SimpleNamespace(name="acme-sw1", platform="acme_os", address="127.0.0.1", port=port)
    ws = write_workspace(tmp_path / "ws", [device])  # type: ignore[list-item]

    refused = _run(ws, None, "inventory", "check")
    assert refused.returncode == 2
    assert "inventory/hosts.yaml: host acme-sw1: field 'platform' unknown platform 'acme_os'" in refused.stdout + refused.stderr

    up = _run(ws, extra, "lab", "up")  # the lab server inherits the variable
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        backup = _run(ws, extra, "backup", "--json")
        assert backup.returncode == 0, backup.stdout + backup.stderr
        doc = json.loads(backup.stdout)
        assert doc["counts"] == {"saved": 1, "unchanged": 0, "failed": 0} and doc["commit"]
        assert git(ws, "show", "--name-only", "--format=", doc["commit"]).split() == ["configs/site-a/acme-sw1.cfg"]
        stored = (ws / "backups" / "configs" / "site-a" / "acme-sw1.cfg").read_text(encoding="utf-8")
        assert "hostname acme-sw1" in stored and stored.rstrip().endswith("end")

        inspect = _run(ws, extra, "inspect", "--json")
        assert inspect.returncode == 0, inspect.stdout + inspect.stderr
        [result] = json.loads(inspect.stdout)["devices"]
        assert result["host"] == "acme-sw1" and result["platform"] == "acme_os" and result["status"] == "ok", result
        assert result["facts"]["vendor"] == "Cisco" and result["health"]["cpu_percent"] is not None, result
    finally:
        _run(ws, extra, "lab", "down")
