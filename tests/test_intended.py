"""Intended configurations (intended/): rendering in the sandbox, host override, fragments and
their scope, errors naming template, line, variable and host, `inventory check`, and
`comply --intended` in its three formats on configs backed up from the lab."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.cli.root import app
from netpatrol.compliance.intended import Renderer, render_intended, template_problems
from netpatrol.errors import TemplateError
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.settings import Workspace

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def np(ws: Path, *args: str):
    return runner.invoke(app, [*args, "-w", str(ws)])


@pytest.fixture
def ws(sample_workspace: Path) -> Path:
    assert (sample_workspace / "intended" / "huawei_vrp.j2").is_file()
    return sample_workspace


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def renderer(ws: Path) -> Renderer:
    return Renderer(Workspace(ws), load_inventory(ws, need_secrets=False))


# --- rendering ---------------------------------------------------------------------------------

def test_the_platform_template_renders_inventory_and_site_data_with_its_scope(ws: Path) -> None:
    r = renderer(ws)
    got = r.render(r.inventory.hosts["city-agg-01"])
    assert got is not None and got.template == ws / "intended" / "huawei_vrp.j2"
    lines = got.text.splitlines()
    # data.custom from defaults.yaml, the site group's name, the host's name
    assert lines[:3] == ["ntp-service unicast-server 10.255.0.1", "ntp-service unicast-server 10.255.0.2",
                         "info-center loghost 10.255.0.10"]
    assert "snmp-agent sys-info location jc-city/city-agg-01" in lines
    assert got.scope is not None and "^info-center loghost " in got.scope
    # a platform without a template: nothing to compare
    assert r.render(r.inventory.hosts["city-core-01"]) is None


def test_a_host_template_overrides_the_platform_one_and_may_include_it(ws: Path) -> None:
    write(ws / "intended/hosts/north-core-01.j2",
          '{% include "huawei_vrp.j2" %}\nsnmp-agent sys-info location {{ site.address }}\n')
    r = renderer(ws)
    own = r.render(r.inventory.hosts["north-core-01"])
    assert own is not None and own.template.name == "north-core-01.j2"
    assert own.text.endswith("snmp-agent sys-info location 北山县人民路 12 号\n")
    assert "ntp-service unicast-server 10.255.0.2" in own.text
    assert own.scope is None  # a `set` inside an include is not this template's declaration
    other = r.render(r.inventory.hosts["city-agg-01"])
    assert other is not None and other.template.name == "huawei_vrp.j2"


def test_data_merges_defaults_groups_and_host_and_the_site_is_its_own_variable(ws: Path) -> None:
    groups = ws / "inventory/groups.yaml"
    groups.write_text(groups.read_text(encoding="utf-8").replace(
        "jc-north:\n  data:\n", "jc-north:\n  data:\n    custom: {log_host: 10.2.0.9, vlan: 20}\n"), encoding="utf-8")
    write(ws / "intended/hosts/north-core-01.j2",
          "{{ host.data.custom.log_host }} {{ host.data.custom.vlan }} {{ host.data.custom.ntp_servers|join(',') }} "
          "{{ host.data.role }} {{ host.data.model }} {{ site.custom.vlan }} {{ site.contacts[0].name }} "
          "{{ settings.timezone }} {{ host.groups|join(',') }}\n")
    r = renderer(ws)
    got = r.render(r.inventory.hosts["north-core-01"])
    assert got is not None
    assert got.text == "10.2.0.9 20 10.255.0.1,10.255.0.2 core S6730-H24X6C 20 赵磊 Asia/Shanghai jc-north,core\n"


def test_no_secret_reaches_the_context(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETPATROL_PASSWORD", "s3cret-Value-91")
    r = Renderer(Workspace(ws), load_inventory(ws))
    host = r.inventory.hosts["north-wan-01"]
    assert host.secret("password") == "s3cret-Value-91"
    context = json.dumps(r.context(host), ensure_ascii=False)
    assert "s3cret-Value-91" not in context and "NETPATROL_PASSWORD" not in context
    assert "password" not in context and "secret" not in context
    write(ws / "intended/hosts/north-wan-01.j2", "{{ host.password }}\n")
    with pytest.raises(TemplateError, match="undefined variable 'password'"):
        r.render(host)


# --- sandbox -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ host.__class__.__init__.__globals__ }}",
    "{{ host.data.custom.ntp_servers.append('x') }}",
])
def test_the_sandbox_refuses_python_internals_and_mutation(ws: Path, body: str) -> None:
    write(ws / "intended/hosts/city-agg-01.j2", f"ok\n{body}\n")
    r = renderer(ws)
    with pytest.raises(TemplateError) as exc:
        r.render(r.inventory.hosts["city-agg-01"])
    assert str(exc.value).startswith("intended/hosts/city-agg-01.j2: line 2: ")
    assert "city-agg-01" in str(exc.value).split("rendering for host")[-1]


def test_no_file_outside_intended_is_read(ws: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "outside.j2", "TOP-SECRET\n")
    write(ws / "intended/hosts/city-agg-01.j2", '{% include "../inventory/hosts.yaml" %}\n')
    r = renderer(ws)
    with pytest.raises(TemplateError, match=r"not a file under intended/ \(rendering for host city-agg-01\)"):
        r.render(r.inventory.hosts["city-agg-01"])
    (ws / "intended/fragments").mkdir()
    (ws / "intended/fragments/link.j2").symlink_to(outside)
    write(ws / "intended/hosts/city-agg-01.j2", '{% include "fragments/link.j2" %}\n')
    with pytest.raises(TemplateError) as exc:
        renderer(ws).render(r.inventory.hosts["city-agg-01"])
    assert "TOP-SECRET" not in str(exc.value) and "outside intended/" in str(exc.value)


# --- fragments and their scope -------------------------------------------------------------------

def test_a_bad_scope_names_template_line_and_field(ws: Path) -> None:
    write(ws / "intended/hosts/city-agg-01.j2", "ntp-service unicast-server 10.0.0.1\n{% set scope = ['^ntp(', 'x'] %}\n")
    r = renderer(ws)
    with pytest.raises(TemplateError, match=r"^intended/hosts/city-agg-01.j2: line 2: field 'scope': bad regex '\^ntp\('"):
        r.render(r.inventory.hosts["city-agg-01"])
    write(ws / "intended/hosts/city-agg-01.j2", "{% set scope = '^ntp' %}\n")
    with pytest.raises(TemplateError, match=r"line 1: field 'scope': must be a non-empty list"):
        renderer(ws).render(r.inventory.hosts["city-agg-01"])


# --- errors ------------------------------------------------------------------------------------

def test_a_syntax_error_names_template_and_line(ws: Path) -> None:
    write(ws / "intended/fragments/ntp.j2", "ntp server 1.1.1.1\n{% for s in x %}\nntp\n")
    write(ws / "intended/hosts/city-agg-01.j2", 'a\n{% include "fragments/ntp.j2" %}\n')
    r = renderer(ws)
    with pytest.raises(TemplateError) as exc:
        r.render(r.inventory.hosts["city-agg-01"])
    assert re.match(r"intended/fragments/ntp\.j2: line \d: .*(end of template|endfor)", str(exc.value)), str(exc.value)


def test_an_undefined_variable_names_template_line_variable_and_host(ws: Path) -> None:
    write(ws / "intended/fragments/log.j2", "\n\ninfo-center loghost {{ host.data.custom.syslog_server }}\n")
    write(ws / "intended/huawei_vrp.j2", 'x\n{% include "fragments/log.j2" %}\n')
    r = renderer(ws)
    with pytest.raises(TemplateError) as exc:
        r.render(r.inventory.hosts["north-core-01"])
    assert str(exc.value).startswith("intended/fragments/log.j2: line 3: undefined variable 'syslog_server' ")
    assert str(exc.value).endswith("rendering for host north-core-01")
    write(ws / "intended/huawei_vrp.j2", "{{ ntp_server }}\n")
    with pytest.raises(TemplateError, match=r"^intended/huawei_vrp.j2: line 1: undefined variable 'ntp_server' "):
        renderer(ws).render(r.inventory.hosts["north-core-01"])


def test_inventory_check_validates_intended(ws: Path) -> None:
    w = Workspace(ws)
    inv = load_inventory(ws, need_secrets=False)
    assert template_problems(w, inv) == []
    assert np(ws, "inventory", "check").exit_code == 0
    write(ws / "intended/cisco_ios.j2", "logging host {{ host.data.custom.loghost }}\n")
    write(ws / "intended/huawie_vrp.j2", "x\n")
    write(ws / "intended/hosts/no-such-host.j2", "x\n")
    write(ws / "intended/hosts/city-agg-01.j2", "x\n{% if %}\n")
    problems = template_problems(w, inv)
    assert any(p.startswith("intended/huawie_vrp.j2: unknown platform 'huawie_vrp' (known: ") and
               p.endswith("; did you mean 'huawei_vrp'?; shared parts belong in a folder such as intended/fragments/")
               for p in problems), problems
    assert "intended/hosts/no-such-host.j2: no host 'no-such-host' in the inventory" in problems
    assert any(p.startswith("intended/hosts/city-agg-01.j2: line 2: ") for p in problems)
    (ws / "intended/huawie_vrp.j2").unlink()
    (ws / "intended/hosts/no-such-host.j2").unlink()
    (ws / "intended/hosts/city-agg-01.j2").unlink()
    # once every file parses: each template renders for every host it applies to, one line per template
    problems = template_problems(w, inv)
    assert len(problems) == 1 and problems[0].startswith("intended/cisco_ios.j2: line 1: undefined variable 'loghost' ")
    assert re.search(r"rendering for host (city-acc-02|north-wan-01|east-acc-02)$", problems[0])
    res = np(ws, "inventory", "check")
    assert res.exit_code == 2 and "intended/cisco_ios.j2: line 1: undefined variable 'loghost'" in res.output


def test_the_new_workspace_template_compares_nothing_until_a_template_is_written(tmp_path: Path) -> None:
    res = runner.invoke(app, ["init", str(tmp_path / "fresh")])
    assert res.exit_code == 0, res.output
    intended = tmp_path / "fresh" / "intended"
    assert (intended / "README.md").is_file() and (intended / "hosts" / "README.md").is_file()
    assert list(intended.rglob("*.j2")) == []
    assert "{% set scope" in (intended / "README.md").read_text(encoding="utf-8")


# --- comply --intended on the lab ----------------------------------------------------------------

@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory, make_module_lab) -> tuple[Path, str]:
    """The sample workspace backed up from the lab twice: first as the lab starts, then after
    city-agg-01 got the intended log host. Returns the workspace and the first commit."""
    os.environ.setdefault("NETPATROL_PASSWORD", "lab-test-pw-8f3k")
    ws = tmp_path_factory.mktemp("intended") / "ws"
    ws.mkdir()
    for name in ("netpatrol.yaml", "lab.yaml"):
        shutil.copy(REPO / name, ws / name)
    for name in ("inventory", "tasks", "checks", "parsers", "intended"):
        shutil.copytree(REPO / name, ws / name)
    lab = make_module_lab.from_workspace(ws)
    assert np(ws, "backup").exit_code == 0
    first = git(ws, "rev-parse", "HEAD").strip()
    lab.set_config("city-agg-01", lab.config("city-agg-01").replace("info-center loghost 10.255.0.1",
                                                                    "info-center loghost 10.255.0.10"))
    # device text is hostile: a terminal escape in a line the remediation removes
    lab.set_config("east-core-01", lab.config("east-core-01").replace(
        "snmp-agent sys-info location east-core-01", "snmp-agent sys-info location east\x1b]0;pwned\x07-core-01"))
    assert np(ws, "backup", "--host", "city-agg-01", "--host", "east-core-01").exit_code == 0
    return ws, first


def git(ws: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws / "backups"), *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.lab
def test_json_lists_remediation_and_rollback_per_device_with_a_template(backed_up: tuple[Path, str]) -> None:
    ws, _ = backed_up
    res = np(ws, "comply", "--intended", "--platform", "huawei_vrp", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [d["host"] for d in doc] == ["city-agg-01", "north-core-01", "east-core-01"]
    assert all(set(d) == {"host", "remediation", "rollback"} for d in doc)
    agg = {d["host"]: d for d in doc}["city-agg-01"]
    core = {d["host"]: d for d in doc}["north-core-01"]
    assert "ntp-service unicast-server 10.255.0.2" in core["remediation"]
    assert "undo info-center loghost 10.255.0.1" in core["remediation"]
    assert "info-center loghost 10.255.0.10" in core["remediation"]
    assert "snmp-agent sys-info location jc-north/north-core-01" in core["remediation"]
    # lines outside the template's scope are left alone
    assert not any("snmp-agent community" in line or "user-interface" in line for line in core["remediation"])
    assert "info-center loghost 10.255.0.1" in core["rollback"]
    assert not any("loghost" in line for line in agg["remediation"])  # fixed by the second backup


@pytest.mark.lab
def test_at_compares_with_the_config_stored_then(backed_up: tuple[Path, str]) -> None:
    ws, first = backed_up
    res = np(ws, "comply", "--intended", "--host", "city-agg-01", "--json", "--at", first)
    assert res.exit_code == 0, res.output
    assert "info-center loghost 10.255.0.10" in json.loads(res.stdout)[0]["remediation"]


@pytest.mark.lab
def test_commands_print_one_block_per_device_and_name_the_skipped_once(backed_up: tuple[Path, str]) -> None:
    ws, _ = backed_up
    res = np(ws, "comply", "--intended", "--site", "jc-north", "--platform", "huawei_vrp")
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("== north-core-01 (jc-north, huawei_vrp) intended/huawei_vrp.j2: ")
    as_json = np(ws, "comply", "--intended", "--host", "north-core-01", "--json")
    assert res.stdout.splitlines()[1:] == json.loads(as_json.stdout)[0]["remediation"]  # the device's order
    res = np(ws, "comply", "--intended", "--host", "city-core-01", "--host", "city-agg-01", "--format", "json")
    assert res.exit_code == 0 and [d["host"] for d in json.loads(res.stdout)] == ["city-agg-01"]
    assert res.stderr.count("city-core-01") == 1 and "skipped, no template" in res.stderr


@pytest.mark.lab
def test_patch_is_a_unified_diff_of_the_scoped_sections(backed_up: tuple[Path, str]) -> None:
    ws, _ = backed_up
    res = np(ws, "comply", "--intended", "--host", "north-core-01", "--format", "patch")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "--- a/jc-north/north-core-01 (stored, latest)"
    assert lines[1] == "+++ b/jc-north/north-core-01 (intended, intended/huawei_vrp.j2)"
    assert "-info-center loghost 10.255.0.1" in lines and "+info-center loghost 10.255.0.10" in lines
    assert not any("snmp-agent community" in line for line in lines)
    # IOS: the banner is one tree line holding line breaks; each of its lines is a patch line
    res = np(ws, "comply", "--intended", "--host", "north-wan-01", "--format", "patch")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert "+logging host 10.255.0.10" in lines and " Authorized access only. north-wan-01 is monitored." in lines
    assert all(line[:1] in " +-@" for line in lines)


@pytest.mark.lab
def test_a_template_error_exits_2_naming_template_line_variable_and_host(backed_up: tuple[Path, str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(backed_up[0], ws, symlinks=True)
    write(ws / "intended/hosts/north-core-01.j2", "ntp-service unicast-server {{ host.data.custom.ntp }}\n")
    res = np(ws, "comply", "--intended", "--format", "json")
    assert res.exit_code == 2 and res.stdout == ""
    assert "intended/hosts/north-core-01.j2: line 1: undefined variable 'ntp'" in res.output
    assert "rendering for host north-core-01" in res.output


@pytest.mark.lab
def test_applying_the_remediation_to_the_stored_config_yields_the_intended_sections(backed_up: tuple[Path, str]) -> None:
    from netpatrol.compliance.remediation import remediate
    from netpatrol.compliance.tree import parse

    ws, _ = backed_up
    r = renderer(ws)
    for name in ("north-core-01", "city-agg-01", "north-wan-01"):
        host = r.inventory.hosts[name]
        intended = render_intended(Workspace(ws), host)
        assert intended is not None and intended.scope is not None
        stored = (ws / "backups/configs" / host.site / f"{name}.cfg").read_text(encoding="utf-8")
        fix = remediate(host.platform, stored, intended.text, intended.scope)
        assert fix.remediation
        applied = parse(host.platform, stored).future(parse(host.platform, "\n".join(fix.remediation)))
        owned = {c.text for c in applied.children if any(re.search(p, c.text) for p in intended.scope)}
        assert owned == {c.text for c in parse(host.platform, intended.text).children}
        again = remediate(host.platform, fix.future, intended.text, intended.scope)
        assert again.remediation == []


@pytest.mark.lab
def test_device_and_template_text_is_inert_on_the_terminal_and_escaped_in_json(backed_up: tuple[Path, str],
                                                                              tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(backed_up[0], ws, symlinks=True)
    # the backup already stored the planted escape without its control characters
    assert "east]0;pwned-core-01" in (ws / "backups/configs/jc-east/east-core-01.cfg").read_text(encoding="utf-8")
    write(ws / "intended/hosts/east-core-01.j2", '{% set scope = ["^snmp-agent sys-info location "] %}\n'
          "snmp-agent sys-info location \x1b]0;owned\x07\u202eroom\n")
    for args in ((), ("--format", "patch")):
        res = np(ws, "comply", "--intended", "--host", "east-core-01", *args)
        assert res.exit_code == 0, res.output
        assert "owned" in res.stdout and not any(c in res.stdout for c in "\x1b\x07\u202e")
    assert "-snmp-agent sys-info location east]0;pwned-core-01" in res.stdout.splitlines()  # the patch
    res = np(ws, "comply", "--intended", "--host", "east-core-01", "--json")
    doc = json.loads(res.stdout)[0]
    assert "snmp-agent sys-info location \x1b]0;owned\x07\u202eroom" in doc["remediation"]
    assert "snmp-agent sys-info location east]0;pwned-core-01" in doc["rollback"]
    assert not any(c in res.stdout for c in "\x1b\x07")  # escaped inside the JSON strings


@pytest.mark.lab
def test_a_device_never_backed_up_is_named_and_skipped_and_a_bad_ref_exits_2(backed_up: tuple[Path, str],
                                                                            tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(backed_up[0], ws, symlinks=True)
    hosts = ws / "inventory/hosts.yaml"
    hosts.write_text(hosts.read_text(encoding="utf-8") + "new-core-01:\n  hostname: 127.31.2.99\n"
                     "  platform: huawei_vrp\n  groups: [jc-north]\n", encoding="utf-8")
    res = np(ws, "comply", "--intended", "--site", "jc-north", "--platform", "huawei_vrp", "--json")
    assert res.exit_code == 0, res.output
    assert [d["host"] for d in json.loads(res.stdout)] == ["north-core-01"]
    assert "skipped, no stored config in backups/: new-core-01" in res.stderr
    res = np(ws, "comply", "--intended", "--at", "no-such-ref")
    assert res.exit_code == 2 and "unknown ref 'no-such-ref'" in res.output


@pytest.mark.lab
def test_a_config_no_tree_reads_fails_that_device_only_with_exit_1(backed_up: tuple[Path, str], tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(backed_up[0], ws, symlinks=True)
    write(ws / "intended/hosts/north-core-01.j2", "banner motd ^C\nthe banner never ends\n")
    res = np(ws, "comply", "--intended", "--platform", "huawei_vrp", "--json")
    assert res.exit_code == 1, res.output
    assert [d["host"] for d in json.loads(res.stdout)] == ["city-agg-01", "east-core-01"]
    assert re.search(r"not compared: north-core-01: its stored or intended config cannot be read", res.stderr)


@pytest.mark.lab
def test_a_new_snmp_location_is_typed_over_the_old_one_not_removed_after(backed_up: tuple[Path, str]) -> None:
    ws, _ = backed_up
    res = np(ws, "comply", "--intended", "--host", "north-wan-01", "--json")
    assert res.exit_code == 0, res.output
    fix = json.loads(res.stdout)[0]["remediation"]
    location = [line for line in fix if "snmp-server location" in line]
    # `no snmp-server location OLD` typed after `snmp-server location NEW` clears the new one on IOS
    assert location == ["snmp-server location jc-north/north-wan-01"], fix
    assert not any(line.startswith(("no snmp-server location", "no snmp-server contact")) for line in fix), fix
