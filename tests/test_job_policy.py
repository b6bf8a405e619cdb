"""Job files may only read: the per-platform read-only policy (platform.yaml `read_only` of each platform folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from fault_world import cli
from netpatrol.errors import WorkspaceError
from netpatrol.inspection.catalogue import NotReadOnly, builtin_entries, load_job
from netpatrol.lab import control
from netpatrol.platforms import PLATFORMS

BUILTIN_JOBS = sorted((Path(__file__).parents[1] / "src" / "netpatrol" / "inspection" / "jobs").glob("*.yaml"))

# (platform, command, refused?) — one row per form the policy must tell apart.
CASES = [
    ("cisco_ios", "show version", False),
    ("cisco_ios", "sh run | include ntp", False),
    ("cisco_ios", "show logging | include write", False),  # a filter's argument is text
    ("cisco_ios", "show logging | include ntp|snmp", False),
    # Every `|` starts a segment, as `show run|redirect x` needs no spaces: fail-safe, a refused word
    # right after a regex `|` is refused too (write the pattern as `(reload)` instead).
    ("cisco_ios", "show logging | include write|reload", True),
    ("cisco_ios", "dir", False),
    ("cisco_ios", "write memory", True),
    ("cisco_ios", "wr", True),
    ("cisco_ios", "copy running-config startup-config", True),
    ("cisco_ios", "reload in 5", True),
    ("cisco_ios", "configure terminal", True),
    ("cisco_ios", "delete flash:config.text", True),
    ("cisco_ios", "show running-config | redirect flash:x.txt", True),
    ("cisco_ios", "show running-config | tee flash:x.txt", True),
    ("cisco_ios", "show running-config | append flash:x.txt", True),
    ("cisco_ios", "show clock\nreload", True),
    ("cisco_ios", "show clock\x1a", True),  # Ctrl-Z
    ("cisco_ios", "show\tclock", False),
    ("cisco_ios", "more flash:startup.cfg", True),
    ("cisco_nxos", "show version ; copy running-config startup-config", True),
    ("cisco_nxos", "show running-config > bootflash:x", True),
    ("cisco_nxos", "run bash rm -rf /bootflash", True),
    ("cisco_nxos", "show system resources", False),
    ("arista_eos", "show version | json", False),
    ("arista_eos", "show running-config >> flash:x", True),
    ("arista_eos", "bash sudo reboot", True),
    ("juniper_junos", "show interfaces extensive | no-more", False),
    ("juniper_junos", "show configuration | display set", False),
    ("juniper_junos", "show configuration | save /var/tmp/x", True),
    ("juniper_junos", "request system reboot", True),
    ("juniper_junos", "start shell", True),
    ("juniper_junos", "file delete /var/tmp/x", True),
    ("huawei_vrp", "display version", False),
    ("huawei_vrp", "dis cur | include sysname", False),
    ("huawei_vrp", "save", True),
    ("huawei_vrp", "reset saved-configuration", True),
    ("huawei_vrp", "show version", True),  # not a VRP verb: the device would refuse it anyway
    ("hp_comware", "display interface brief", False),
    ("hp_comware", "display current-configuration > flash:/x.cfg", True),
    ("hp_comware", "save force", True),
    ("ruijie_os", "show interfaces status", False),
    ("ruijie_os", "write", True),
    # Read-only, but printing secrets in a form the sanitiser cannot recognise (evidence and parsed rows).
    ("cisco_ios", "show snmp community", True),
    ("arista_eos", "sh snmp community", True),
    ("cisco_nxos", "show snmp user", False),
    ("huawei_vrp", "display snmp-agent community read", True),
    ("hp_comware", "dis snmp-agent community", True),
    ("juniper_junos", "show configuration snmp", True),
    ("juniper_junos", "show configuration snmp | match community", True),
    ("juniper_junos", "show configuration snmp | display set", False),
    ("juniper_junos", "show configuration", False),
    # Second round (trying to break the policy again): abbreviated pipe options, which the CLI expands.
    ("cisco_ios", "show running-config | red flash:x.txt", True),
    ("cisco_ios", "show running-config|r flash:x.txt", True),
    ("cisco_ios", "show running-config | t flash:x.txt", True),
    ("cisco_ios", "show running-config | a flash:x.txt", True),
    ("cisco_ios", "show running-config | i hostname", False),
    ("cisco_ios", "show running-config | s router", False),
    ("cisco_ios", "show running-config | \uff52edirect flash:x.txt", True),  # full-width look-alike
    ("cisco_ios", "show clock\u2028reload", True),
    ("cisco_ios", "show clock\x85reload", True),
    ("arista_eos", "show running-config | red flash:x", True),
    ("cisco_nxos", "show running-config | em a@b.c", True),
    ("cisco_nxos", "show running-config | vs", True),
    ("cisco_nxos", "show running-config | grep ntp", False),
    ("juniper_junos", "show configuration | sav /var/tmp/x", True),
    ("juniper_junos", "show configuration | display set | sa /var/tmp/x", True),
    ("juniper_junos", "show log messages | req message all message x", True),
    ("huawei_vrp", "display current-configuration | red x", True),
    ("hp_comware", "display current-configuration | t x", True),
    # ... and read-only commands whose output loses the context the sanitiser needs, or prints keys.
    ("juniper_junos", "show configuration | match community", True),
    ("juniper_junos", 'show configuration snmp | match "community|display set"', True),
    ("juniper_junos", "show configuration | display json", True),
    ("juniper_junos", "show configuration | display xml", True),
    ("juniper_junos", "show configuration snmp | display set relative", True),
    ("juniper_junos", "show configuration | display set | display xml", True),
    ("juniper_junos", "show configuration | display set | match community", False),
    ("juniper_junos", "show configuration | no-more", False),
    ("cisco_ios", "show key chain", True),
    ("cisco_ios", "sh key ch", True),
    ("cisco_nxos", "show key chain", True),
    ("cisco_ios", "show crypto isakmp key", True),
    ("cisco_ios", "sh cry isa key", True),
    ("cisco_ios", "show crypto isakmp sa", False),
    ("cisco_nxos", "show snmp", True),  # its community table
    ("cisco_nxos", "show snmp | include public", True),
    ("cisco_ios", "show snmp host", True),  # "user: COMMUNITY" for v2c hosts
    ("cisco_ios", "show snmp group", True),  # v1/v2c groups are named after the community
    ("cisco_ios", "show snmp user", False),
    ("cisco_ios", "show snmp engineID", False),
    ("huawei_vrp", "display snmp-agent target-host", True),
    ("huawei_vrp", "display snmp-agent usm-user", False),
]


@pytest.mark.parametrize(("platform", "command", "refused"), CASES)
def test_policy_table(platform: str, command: str, refused: bool) -> None:
    reason = PLATFORMS[platform].read_only.refusal(command)
    assert (reason is not None) == refused, reason


def test_every_platform_has_a_policy() -> None:
    for name, profile in PLATFORMS.items():
        assert profile.read_only.verbs, name
        assert profile.read_only.refusal("write memory") or name in ("huawei_vrp", "hp_comware")
        assert profile.read_only.refusal("save") or name not in ("huawei_vrp", "hp_comware")


@pytest.mark.parametrize("path", BUILTIN_JOBS, ids=lambda p: p.name)
def test_builtin_catalogue_passes_the_policy(path: Path) -> None:
    walked = 0
    for platform, items in builtin_entries(path.stem).items():
        for item, alternatives in items.items():
            for command in alternatives:
                assert PLATFORMS[platform].read_only.refusal(command) is None, (platform, item, command)
                walked += 1
    assert walked > 50
    load_job(None, path.stem)  # and loading it enforces the same


def _job_with(root: Path, platform: str, item: str, command: str) -> None:
    raw = load_job(None, BUILTIN_JOBS[0].stem).model_dump()
    raw["platforms"][platform][item] = [command]
    (root / "tasks").mkdir(parents=True, exist_ok=True)
    (root / "tasks" / "quarterly.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def test_load_job_refuses_naming_file_platform_item_and_command(tmp_path: Path) -> None:
    _job_with(tmp_path, "cisco_ios", "save", "write memory")
    with pytest.raises(NotReadOnly) as info:
        load_job(tmp_path, "quarterly")
    assert isinstance(info.value, WorkspaceError) and info.value.exit_code == 2
    text = str(info.value)
    for part in ("tasks/quarterly.yaml", "cisco_ios", "'save'", "'write memory'"):
        assert part in text, text


@pytest.mark.lab
def test_inventory_check_reports_and_inspect_refuses_before_connecting(tmp_path: Path, make_lab) -> None:
    ws = tmp_path / "ws"
    lab_dir = make_lab({"pol-ios": "cisco_ios"}, workspace=ws).state_dir
    _job_with(ws, "cisco_ios", "save", "write memory")
    # Running differs from saved: `write memory`, if sent, would overwrite the saved config.
    control.set_config(lab_dir, "pol-ios", "hostname pol-ios\n!\ninterface Loopback9\n!\nend\n", kind="saved")
    saved = (lab_dir / "configs" / "pol-ios.saved").read_text(encoding="utf-8")

    check = cli(ws, "inventory", "check")
    assert check.returncode == 2, check.stdout + check.stderr
    line = next(x for x in check.stderr.splitlines() if "write memory" in x)
    assert "tasks/quarterly.yaml" in line and "cisco_ios" in line and "'save'" in line, line
    doc = json.loads(cli(ws, "inventory", "check", "--json").stdout)
    assert not doc["valid"] and any("write memory" in p for p in doc["problems"])

    inspect = cli(ws, "inspect")
    assert inspect.returncode == 2, inspect.stdout + inspect.stderr
    assert "write memory" in inspect.stderr and "tasks/quarterly.yaml" in inspect.stderr
    assert (lab_dir / "configs" / "pol-ios.saved").read_text(encoding="utf-8") == saved
    assert "auth pol-ios" not in (lab_dir / "server.log").read_text(encoding="utf-8")  # never logged in


# --- abbreviated pipe options (red2) ------------------------------------------------------------
@pytest.mark.parametrize("platform,command", [
    ("cisco_ios", "show running-config | red flash:x"),  # | redirect
    ("cisco_ios", "show running-config | t flash:x"),  # | tee
    ("cisco_ios", "show running-config | ap flash:x"),  # | append
    ("ruijie_os", "show running-config | redi flash:x"),
    ("arista_eos", "show running-config | te flash:x"),
    ("juniper_junos", "show configuration | sav /var/tmp/x"),  # | save
    ("cisco_nxos", "show running-config | ba"),  # | bash
    ("huawei_vrp", "display diagnostic-information flash:/x.txt"),
    ("hp_comware", "dis diagnostic-information"),
])
def test_abbreviated_writing_pipes_and_diagnostic_files_are_refused(platform, command):
    assert PLATFORMS[platform].read_only.refusal(command)


@pytest.mark.parametrize("platform,command", [
    ("cisco_ios", "show running-config | i hostname"),
    ("cisco_ios", "show running-config | s router"),
    ("cisco_ios", "show running-config | b interface"),
    ("juniper_junos", "show log messages | last 100"),
    ("juniper_junos", "show configuration | display set | match ntp"),
    ("cisco_nxos", "show running-config | be interface"),
])
def test_usual_filter_abbreviations_stay_allowed(platform, command):
    assert PLATFORMS[platform].read_only.refusal(command) is None
