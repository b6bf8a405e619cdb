"""Platform names as people type them (`huawei`, `h3c`, `NX-OS`, netutils' library names) choose
the platform folder wherever a platform is typed, the folder name is what is stored and shown, and
an unknown name gets one line with the known names and a "did you mean"."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import netutils.lib_mapper
import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.checks.loader import load_packs as load_check_packs
from netpatrol.cli.root import app
from netpatrol.compliance.loader import ComplianceError
from netpatrol.compliance.loader import load_packs as load_compliance_packs
from netpatrol.errors import CheckFileError, WorkspaceError
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.pairs import read_pairs
from netpatrol.platforms import BUILTIN_DIR, ENV_VAR, PLATFORMS, PlatformError, canonical_platform, get_platform, unknown_platform
from netpatrol.platforms import aliases as aliases_module
from netpatrol.platforms.model import name_key
from netpatrol.workspace.inventory import load_inventory

runner = CliRunner()
KNOWN = ", ".join(sorted(PLATFORMS))

# The names issue 15 lists, and what people type for the same platforms.
TYPED = {
    "huawei": "huawei_vrp", "vrp": "huawei_vrp",
    "h3c": "hp_comware", "comware": "hp_comware", "hp_comware": "hp_comware", "hpe_comware": "hp_comware",
    "h3c_comware": "hp_comware",
    "ruijie": "ruijie_os", "rgos": "ruijie_os",
    "ios": "cisco_ios", "ios-xe": "cisco_ios",
    "nxos": "cisco_nxos", "nx-os": "cisco_nxos", "cisco_nexus": "cisco_nxos",
    "eos": "arista_eos", "arista": "arista_eos",
    "junos": "juniper_junos", "juniper": "juniper_junos",
}
# Names only netutils' tables give: scrapli, pyats, napalm, ansible, pyntc, ncclient, nist.
NETUTILS = {
    "cisco_iosxe": "cisco_ios", "iosxe": "cisco_ios", "nxos_ssh": "cisco_nxos", "cisco.nxos.nxos": "cisco_nxos",
    "junipernetworks.junos.junos": "juniper_junos", "arista_eos_eapi": "arista_eos", "hpcomware": "hp_comware",
    "cisco:nx-os": "cisco_nxos",
}


@pytest.mark.parametrize(("typed", "folder"), sorted({**TYPED, **NETUTILS}.items()))
def test_every_listed_alias_and_netutils_name_chooses_its_folder(typed: str, folder: str) -> None:
    assert canonical_platform(typed) == folder
    assert get_platform(typed).name == folder


@pytest.mark.parametrize(("typed", "folder"), [
    ("HUAWEI", "huawei_vrp"), ("Huawei VRP", "huawei_vrp"), ("huawei-vrp", "huawei_vrp"), ("H3C", "hp_comware"),
    ("Nx-Os", "cisco_nxos"), ("nx os", "cisco_nxos"), ("NX_OS", "cisco_nxos"), ("Cisco-Nexus", "cisco_nxos"),
    (" junos ", "juniper_junos"), ("RGOS", "ruijie_os"), ("IOS-XE", "cisco_ios"), ("Arista_EOS", "arista_eos"),
])
def test_case_dashes_underscores_and_spaces_are_alike(typed: str, folder: str) -> None:
    assert canonical_platform(typed) == folder


# `cisco` and `Cisco`: two platforms share the vendor (IOS, NX-OS), so the vendor word chooses
# neither, although netutils maps it to cisco_ios (issue 15 review: cisco + N9K- became IOS).
@pytest.mark.parametrize("typed", ["hp", "hpe", "huawei_vrpv8", "cisco_xr", "acme_os", "", "  ", "huawai", "cisco",
                                   "Cisco"])
def test_names_of_no_platform_and_vendors_of_several_choose_nothing(typed: str) -> None:
    assert canonical_platform(typed) is None


def test_no_name_chooses_two_platforms() -> None:
    owners: dict[str, set[str]] = {}
    for name, profile in PLATFORMS.items():
        for typed in (name, *profile.aliases):
            owners.setdefault(name_key(typed), set()).add(name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    # A vendor with two of our platforms is no name for either, whatever netutils maps it to.
    shared = {name_key(p.vendor) for p in PLATFORMS.values()
              if sum(q.vendor == p.vendor for q in PLATFORMS.values()) > 1}
    assert shared == {"cisco"}
    for table in netutils.lib_mapper.NAME_TO_LIB_MAPPER.values():
        for library_name, normalised in table.items():
            if normalised in PLATFORMS and name_key(library_name) not in owners:
                claims = {n for t in netutils.lib_mapper.NAME_TO_LIB_MAPPER.values()
                          for k, n in t.items() if name_key(k) == name_key(library_name) and n in PLATFORMS}
                chosen = normalised if len(claims) == 1 and name_key(library_name) not in shared else None
                assert canonical_platform(library_name) == chosen, library_name


@pytest.fixture
def fresh_table():
    aliases_module._table.cache_clear()
    yield
    aliases_module._table.cache_clear()


def test_a_netutils_name_two_of_our_platforms_claim_is_dropped_and_an_own_alias_wins(
    monkeypatch: pytest.MonkeyPatch, fresh_table: None
) -> None:
    monkeypatch.setitem(netutils.lib_mapper.NAME_TO_LIB_MAPPER, "lib_a", {"cisco_thing": "cisco_ios", "huawei": "hp_comware"})
    monkeypatch.setitem(netutils.lib_mapper.NAME_TO_LIB_MAPPER, "lib_b", {"Cisco-Thing": "cisco_nxos", "only_a": "arista_eos"})
    assert canonical_platform("cisco_thing") is None
    assert canonical_platform("huawei") == "huawei_vrp"  # huawei_vrp's platform.yaml says so
    assert canonical_platform("ONLY-A") == "arista_eos"


def test_an_unknown_name_gets_one_line_with_the_known_names_and_the_closest() -> None:
    assert unknown_platform("huawai") == f"unknown platform 'huawai' (known: {KNOWN}); did you mean 'huawei_vrp' (huawei)?"
    assert unknown_platform("juniper_jnos") == f"unknown platform 'juniper_jnos' (known: {KNOWN}); did you mean 'juniper_junos'?"
    assert unknown_platform("comwre").endswith("did you mean 'hp_comware' (comware)?")
    # Nothing close: no guess ('nosuch' is as near to 'nxos' as difflib's default would take).
    assert unknown_platform("nosuch") == f"unknown platform 'nosuch' (known: {KNOWN})"
    assert "\n" not in unknown_platform("a\nb")


# --- the registry refuses a name two folders claim ----------------------------------------------


def _folder(extra: Path, name: str, aliases: list[str]) -> Path:
    target = extra / name
    shutil.copytree(BUILTIN_DIR / "cisco_ios", target, ignore=shutil.ignore_patterns("__pycache__"))
    profile = target / "platform.yaml"
    text = re.sub(r"(?m)^aliases:.*$", f"aliases: {json.dumps(aliases)}", profile.read_text(encoding="utf-8"))
    profile.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize(("alias", "what", "other"), [
    ("Huawei", "an alias", "huawei_vrp"), ("nx-os", "an alias", "cisco_nxos"), ("huawei-vrp", "the name", "huawei_vrp")])
def test_the_registry_refuses_an_alias_another_folder_answers_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, alias: str, what: str, other: str
) -> None:
    folder = _folder(tmp_path, "acme_os", ["acme", alias])
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(PlatformError) as info:
        len(PLATFORMS)
    message = str(info.value)
    assert message == (f"{folder / 'platform.yaml'}: alias '{alias}' is already {what} of platform '{other}' "
                       f"({BUILTIN_DIR / other})")
    monkeypatch.delenv(ENV_VAR)
    assert "acme_os" not in PLATFORMS


def test_a_registered_folder_brings_its_own_aliases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _folder(tmp_path, "acme_os", ["acme", "Acme OS 9"])
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert canonical_platform("ACME") == "acme_os" and canonical_platform("acme-os-9") == "acme_os"
    assert unknown_platform("acmee").endswith("did you mean 'acme_os' (acme)?")
    monkeypatch.delenv(ENV_VAR)
    assert canonical_platform("acme") is None


# --- inventory files and --platform ---------------------------------------------------------------


def _workspace(root: Path, hosts: dict, groups: dict | None = None, defaults: dict | None = None) -> Path:
    inv = root / "inventory"
    inv.mkdir(parents=True)
    site = {"site-a": {"data": {"site": {"name": "Site A", "address": "1 Road"}}}}
    docs = {"hosts.yaml": hosts, "groups.yaml": {**site, **(groups or {})},
            "defaults.yaml": {"username": "netops", "password": "${NP_ALIAS_PW}", **(defaults or {})}}
    for name, doc in docs.items():
        (inv / name).write_text(yaml.safe_dump(doc), encoding="utf-8")
    (root / "netpatrol.yaml").write_text("client: Test\n", encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NP_ALIAS_PW", "alias-test-pw")


def test_an_alias_in_the_inventory_is_stored_and_shown_as_the_folder_name(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", hosts={
        "sw1": {"hostname": "192.0.2.1", "platform": "huawei", "groups": ["site-a"]},
        "sw2": {"hostname": "192.0.2.2", "groups": ["site-a", "h3c-access"]},
        "sw3": {"hostname": "192.0.2.3", "groups": ["site-a"]},
    }, groups={"h3c-access": {"platform": "H3C"}}, defaults={"platform": "NX-OS"})
    inv = load_inventory(ws)
    assert {n: h.platform for n, h in inv.hosts.items()} == {"sw1": "huawei_vrp", "sw2": "hp_comware", "sw3": "cisco_nxos"}
    listing = runner.invoke(app, ["inventory", "list", "-w", str(ws), "--json"])
    assert listing.exit_code == 0, listing.output
    assert {d["name"]: d["platform"] for d in json.loads(listing.stdout)} == {
        "sw1": "huawei_vrp", "sw2": "hp_comware", "sw3": "cisco_nxos"}
    assert runner.invoke(app, ["inventory", "check", "-w", str(ws)]).exit_code == 0


def test_a_mistyped_inventory_platform_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", hosts={"sw1": {"hostname": "192.0.2.1", "platform": "huawai", "groups": ["site-a"]}})
    res = runner.invoke(app, ["inventory", "check", "-w", str(ws)])
    assert res.exit_code == 2
    out = " ".join(res.output.split())  # rich may wrap the line
    assert "host sw1: field 'platform' unknown platform 'huawai' (known: " in out, out
    assert "did you mean 'huawei_vrp' (huawei)?" in out, out


def _listed(ws: Path, *args: str) -> list[str]:
    res = runner.invoke(app, ["inventory", "list", "-w", str(ws), "--json", *args])
    assert res.exit_code == 0, res.output
    return sorted(d["name"] for d in json.loads(res.stdout))


def test_the_platform_filter_takes_an_alias(sample_workspace: Path) -> None:
    hosts = load_inventory(sample_workspace, need_secrets=False).hosts.values()
    comware = sorted(h.name for h in hosts if h.platform == "hp_comware")
    nxos = sorted(h.name for h in hosts if h.platform == "cisco_nxos")
    assert comware and nxos
    assert _listed(sample_workspace, "--platform", "h3c") == comware
    assert _listed(sample_workspace, "--platform", "hp_comware") == comware
    assert _listed(sample_workspace, "--platform", "Cisco-Nexus") == nxos


@pytest.mark.parametrize(("typed", "hint"), [("nosuch", ""), ("comwre", "; did you mean 'hp_comware' (comware)?")])
def test_an_unknown_platform_filter_is_a_usage_error_not_an_empty_selection(sample_workspace: Path, typed: str, hint: str) -> None:
    res = runner.invoke(app, ["inventory", "list", "-w", str(sample_workspace), "--platform", typed])
    assert res.exit_code == 2
    assert f"--platform: unknown platform '{typed}' (known: {KNOWN}){hint}" in " ".join(res.output.split())


def test_parse_takes_an_alias_and_shows_the_folder_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETPATROL_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["parse", "--platform", "VRP", "--command", "display clock", "-", "--json"],
                        input="2026-12-05 06:00:00+08:00\nSaturday\nTime Zone(beijing) : UTC+08:00\n")
    assert json.loads(res.stdout)["platform"] == "huawei_vrp", res.output


# --- check packs, job files, compliance packs --------------------------------------------------


def _check_pack(tmp_path: Path, *checks: dict) -> Path:
    d = tmp_path / "checks"
    d.mkdir(exist_ok=True)
    (d / "site.yaml").write_text(yaml.safe_dump({"checks": list(checks)}), encoding="utf-8")
    return d


def test_a_check_pack_takes_aliases_in_scope_and_patterns(tmp_path: Path) -> None:
    text = {"zh-CN": "测试", "en": "test"}
    check = {"id": "site_banner", "title": text, "severity": "minor", "recommendation": text,
             "scope": {"platforms": ["h3c", "Huawei", "huawei_vrp"]},
             "condition": {"config": {"mode": "must_match", "patterns": {"huawei": "^header login", "comware": "^header motd"}}}}
    [loaded] = [c for c in load_check_packs([], _check_pack(tmp_path, check)) if c.id == "site_banner"]
    assert loaded.scope.platforms == ["hp_comware", "huawei_vrp"]
    assert loaded.condition.config and loaded.condition.config.patterns == {"huawei_vrp": "^header login", "hp_comware": "^header motd"}
    check["condition"]["config"]["patterns"] = {"huawei": "^a", "huawei_vrp": "^b"}
    with pytest.raises(CheckFileError, match="'huawei' and 'huawei_vrp' both name platform 'huawei_vrp'"):
        load_check_packs([], _check_pack(tmp_path, check))
    check["condition"]["config"]["patterns"], check["scope"]["platforms"] = {"huawei": "^a"}, ["huawai"]
    with pytest.raises(CheckFileError, match="did you mean 'huawei_vrp' \\(huawei\\)"):
        load_check_packs([], _check_pack(tmp_path, check))


def test_a_job_file_takes_an_alias_as_a_platform_key(tmp_path: Path) -> None:
    (tmp_path / "tasks").mkdir()
    job_file = tmp_path / "tasks" / "quarterly.yaml"
    job_file.write_text("name: quarterly\nextends: quarterly\nplatforms:\n  huawei: {clock: [display clock]}\n"
                        "  H3C: {logs: []}\n", encoding="utf-8")
    job = load_job(tmp_path, "quarterly")
    assert job.platforms["huawei_vrp"]["clock"] == ["display clock"] and "version" in job.platforms["huawei_vrp"]
    assert "logs" not in job.platforms["hp_comware"] and "huawei" not in job.platforms
    job_file.write_text("name: quarterly\nextends: quarterly\nplatforms:\n  vrp: {clock: [display clock]}\n"
                        "  huawei_vrp: {logs: []}\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="'vrp' and 'huawei_vrp' both name platform 'huawei_vrp'"):
        load_job(tmp_path, "quarterly")


def test_a_compliance_pack_takes_an_alias_as_a_platform_key(tmp_path: Path) -> None:
    ws = SimpleNamespace(compliance_dir=tmp_path / "compliance")
    ws.compliance_dir.mkdir()
    override = ("pack: dengbao-l3\nrules:\n  - id: remote-login-authentication\n    platforms:\n"
                "      huawei:\n        conditions: [{present: '^stelnet server enable$'}]\n")
    (ws.compliance_dir / "site.yaml").write_text(override, encoding="utf-8")
    [pack] = load_compliance_packs(ws, ["dengbao-l3"])  # type: ignore[arg-type]
    [rule] = [r for r in pack.rules if r.id == "remote-login-authentication"]
    part = rule.platforms["huawei_vrp"]
    assert part is not None and [c.present for c in part.conditions] == ["^stelnet server enable$"]
    assert "huawei" not in rule.platforms and rule.platforms["cisco_ios"] is not None  # other platforms kept
    (ws.compliance_dir / "site.yaml").write_text(override + "      huawei_vrp: null\n      huawai: null\n", encoding="utf-8")
    with pytest.raises(ComplianceError) as info:
        load_compliance_packs(ws, ["dengbao-l3"])  # type: ignore[arg-type]
    assert "'huawei' and 'huawei_vrp' both name platform 'huawei_vrp'" in str(info.value)


def test_file_and_folder_names_are_folder_names_with_the_alias_named(sample_workspace: Path) -> None:
    from netpatrol.compliance.intended import template_problems
    from netpatrol.workspace.settings import Workspace

    (sample_workspace / "intended" / "huawei.j2").write_text("x\n", encoding="utf-8")
    problems = template_problems(Workspace(sample_workspace), load_inventory(sample_workspace, need_secrets=False))
    assert "intended/huawei.j2: 'huawei' is an alias of huawei_vrp: name the file huawei_vrp.j2" in problems
    pair = sample_workspace / "parsers" / "tests" / "h3c" / "display_clock" / "a.raw"
    pair.parent.mkdir(parents=True)
    pair.write_text("x\n", encoding="utf-8")
    _, problems = read_pairs(sample_workspace / "parsers", sample_workspace)
    assert "parsers/tests/h3c/display_clock/a.raw: platform folder 'h3c' is an alias of hp_comware: name it hp_comware" in problems
