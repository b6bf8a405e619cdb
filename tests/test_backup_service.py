"""The backup service on recorded outputs (no SSH): what reaches Git, drift, records, exit codes.

The collector is the service's seam: these tests hand run_backup a RecordedCollector
(tests/recorded.py) and check what the run stores and records. The SSH layer and the whole
command over SSH are tested against the lab (test_backup_lab.py, test_faults.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netpatrol.backup.configtext import clean
from netpatrol.backup.sanitize import sanitize
from netpatrol.backup.service import run_backup
from netpatrol.cli.root import app
from netpatrol.platforms import PLATFORMS
from netpatrol.workspace.inventory import load_inventory
from netpatrol.workspace.records import load_device_records
from netpatrol.workspace.settings import Workspace
from recorded import RecordedCollector, record_workspace

runner = CliRunner()
HOST, NXOS = "city-acc-02", "city-core-01"  # an IOS access switch with secrets; the sample's NX-OS core


class Progress:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self) -> None:
        self.events.append(("start",))

    def advance(self, host: str, ok: bool) -> None:
        self.events.append((host, ok))

    def stop(self) -> None:
        self.events.append(("stop",))


@pytest.fixture
def world(sample_workspace: Path, tmp_path: Path):
    """(workspace, its hosts, a collector answering for every host from the lab's outputs)."""
    ws = Workspace(sample_workspace)
    hosts = list(load_inventory(sample_workspace).hosts.values())
    return ws, hosts, RecordedCollector(record_workspace(sample_workspace, tmp_path / "rec"))


def backup(world, *names: str, **kwargs):
    ws, hosts, collector = world
    chosen = [h for h in hosts if h.name in names] if names else hosts
    return run_backup(ws, chosen, collector=collector, show_progress=False, **kwargs)


def git(ws: Workspace, *args: str) -> str:
    return subprocess.run(["git", "-C", str(ws.backups), *args], check=True, capture_output=True, text=True).stdout


def stored(ws: Workspace, name: str) -> Path:
    return next(ws.backups.glob(f"configs/*/{name}.cfg"))


def test_first_backup_commits_every_config_cleaned_and_without_secrets(world):
    ws, hosts, collector = world
    run = backup(world)
    assert run.counts == {"saved": 15, "unchanged": 0, "failed": 0} and not run.failed
    files = git(ws, "ls-files", "configs").split()
    assert sorted(files) == sorted(f"configs/{h.site}/{h.name}.cfg" for h in hosts)
    assert git(ws, "status", "--porcelain") == ""
    assert run.commit == git(ws, "rev-parse", "HEAD").strip()
    # What is committed is exactly the device's config, cleaned and sanitised.
    rec = collector.recordings[HOST]
    expected = sanitize(clean(rec.running, PLATFORMS[rec.platform]), rec.platform, ws.settings.backup.secrets)
    text = git(ws, "show", f"HEAD:configs/jc-city/{HOST}.cfg")
    assert text == expected
    assert "enable secret 9 $9$" in rec.running and "enable secret 9 <removed>" in text and "$9$" not in text
    by_host = {d.host: d for d in run.devices}
    assert by_host[HOST].lines == len(text.splitlines()) and by_host[HOST].saved_matches is True
    assert by_host[NXOS].sentinel == "checked"  # the chained `show hostname` followed the config
    records = load_device_records(ws)
    assert all(records[h.name]["last_backup_success"] == records[h.name]["last_backup_attempt"] for h in hosts)


def test_progress_advances_once_per_host(world):
    ws, hosts, collector = world
    events = Progress()
    run_backup(ws, hosts, collector=lambda hs, procedure, _: collector(hs, procedure, events), show_progress=False)
    assert events.events[0] == ("start",) and events.events[-1] == ("stop",)
    assert sorted(events.events[1:-1]) == sorted((h.name, True) for h in hosts)


def test_unchanged_configs_make_no_commit(world):
    ws, _, _ = world
    backup(world)
    head, count = git(ws, "rev-parse", "HEAD"), git(ws, "rev-list", "--count", "HEAD")
    again = backup(world)
    assert again.counts == {"saved": 0, "unchanged": 15, "failed": 0}
    assert again.commit is None and again.tag is None
    assert git(ws, "rev-parse", "HEAD") == head and git(ws, "rev-list", "--count", "HEAD") == count


def test_changed_config_is_one_commit_tagged_and_shown_as_drift(world):
    ws, _, collector = world
    backup(world)
    rec = collector.recordings[HOST]
    rec.running = rec.running.replace(f"hostname {HOST}", f"hostname {HOST}\nbanner motd ^C Authorised access only ^C", 1)
    run = backup(world, reason="CHG-1234 add login banner")
    assert run.counts == {"saved": 1, "unchanged": 14, "failed": 0}
    subject, *changed = [line for line in git(ws, "show", "--name-only", "--format=%s", "HEAD").splitlines() if line]
    # The device's at-backup compliance verdicts ride in the same commit when they changed (here
    # running no longer equals saved).
    assert HOST in subject and f"configs/jc-city/{HOST}.cfg" in changed
    assert set(changed) <= {f"configs/jc-city/{HOST}.cfg", f"compliance/backup/jc-city/{HOST}.json"}
    assert run.tag and run.tag.startswith("pre-change/CHG-1234/")
    assert git(ws, "rev-parse", f"{run.tag}^{{commit}}").strip() == run.commit

    drift = json.loads(runner.invoke(app, ["drift", "-w", str(ws.root), "--json"]).stdout)
    assert [d["host"] for d in drift["devices"]] == [HOST]
    assert "+banner motd ^C Authorised access only ^C" in drift["devices"][0]["diff"]
    hist = json.loads(runner.invoke(app, ["history", HOST, "-w", str(ws.root), "--json"]).stdout)
    assert len(hist) == 2 and hist[0]["added"] >= 1


@pytest.mark.parametrize("status", ["unreachable", "auth_failed", "timeout"])
def test_failed_device_keeps_its_last_good_config_and_is_recorded(world, status):
    ws, _, collector = world
    backup(world)
    good, head = stored(ws, HOST).read_bytes(), git(ws, "rev-parse", "HEAD")
    first = load_device_records(ws)[HOST]
    collector.recordings[HOST].running += "\nbanner motd ^C never stored ^C\n"
    collector.fail(HOST, status)
    run = backup(world, HOST, NXOS)
    dev = {d.host: d for d in run.devices}
    assert [d.host for d in run.failed] == [HOST]
    assert (dev[HOST].status, dev[HOST].error_status) == ("failed", status) and "recorded failure" in dev[HOST].reason
    assert dev[NXOS].status == "unchanged" and run.commit is None
    assert stored(ws, HOST).read_bytes() == good
    assert git(ws, "rev-parse", "HEAD") == head and git(ws, "status", "--porcelain") == ""
    record = load_device_records(ws)[HOST]
    assert record["last_backup_error"] == dev[HOST].reason
    assert record["last_backup_success"] == first["last_backup_success"]
    assert record["last_backup_attempt"] >= first["last_backup_attempt"]


def test_cut_short_config_fails_closed(world):
    ws, _, collector = world
    backup(world)
    good = stored(ws, HOST).read_bytes()
    collector.recordings[HOST].cut_running = True
    dev = backup(world, HOST).devices[0]
    assert dev.status == "failed" and dev.error_status == "error" and "end marker" in dev.reason
    assert stored(ws, HOST).read_bytes() == good


def test_device_refusing_the_config_command_fails_closed(world):
    ws, _, collector = world
    backup(world)
    good = stored(ws, HOST).read_bytes()
    collector.recordings[HOST].refuse_all = True
    dev = backup(world, HOST).devices[0]
    assert dev.status == "failed" and "refused" in dev.reason
    assert stored(ws, HOST).read_bytes() == good
    assert load_device_records(ws)[HOST]["last_backup_error"] == dev.reason


def test_truncated_nxos_config_is_caught_by_the_sentinel(world):
    """NX-OS has no end marker: `show hostname` chained after the config must follow it."""
    ws, _, collector = world
    backup(world)
    good = stored(ws, NXOS).read_bytes()
    assert not good.rstrip().endswith(NXOS.encode())  # the sentinel's line is not stored
    collector.recordings[NXOS].cut_running = True
    dev = backup(world, NXOS).devices[0]
    assert dev.status == "failed" and "did not follow the config" in dev.reason
    assert stored(ws, NXOS).read_bytes() == good


def test_nxos_refusing_chained_commands_falls_back_to_the_plain_command(world):
    """A device that refuses `show running-config ; show hostname` is still backed up, by the plain
    command and the other completeness checks, and the missing sentinel is recorded."""
    ws, _, collector = world
    backup(world)
    good = stored(ws, NXOS).read_text()
    rec = collector.recordings[NXOS]
    rec.refuse_chained = True
    banner = "banner motd #authorised access only#"
    for command in ("show running-config", "show startup-config"):
        rec.outputs[command] = rec.outputs[command].rstrip("\n") + f"\n{banner}"
    dev = backup(world, NXOS).devices[0]
    assert dev.status == "saved", dev
    assert dev.sentinel == "unavailable" and "refused" in dev.warning
    assert collector.sent[NXOS][-3:] == ["show running-config ; show hostname", "show running-config", "show startup-config"]
    now = stored(ws, NXOS).read_text()
    assert banner in now and now.startswith(good.split("\n", 1)[0]) and not now.rstrip().endswith(NXOS)
    record = load_device_records(ws)[NXOS]
    assert record["last_backup_sentinel"] == "unavailable" and "refused" in record["last_backup_warning"]


def test_without_the_sentinel_a_truncated_nxos_config_still_fails(world):
    """The fallback keeps failing closed: a cut-short plain reply is a prefix of the saved config."""
    ws, _, collector = world
    backup(world)
    good = stored(ws, NXOS).read_bytes()
    rec = collector.recordings[NXOS]
    rec.refuse_chained = rec.cut_running = True
    dev = backup(world, NXOS).devices[0]
    assert dev.status == "failed" and "truncated" in dev.reason, dev
    assert stored(ws, NXOS).read_bytes() == good


def test_cli_exits_1_when_a_device_failed_and_0_when_none_did(world, monkeypatch):
    ws, _, collector = world
    monkeypatch.setattr("netpatrol.backup.service.default_collector", lambda *a, **k: collector)
    ok = runner.invoke(app, ["backup", "-w", str(ws.root), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["counts"] == {"saved": 15, "unchanged": 0, "failed": 0}
    collector.fail(HOST, "auth_failed")
    res = runner.invoke(app, ["backup", "-w", str(ws.root), "--json", "--host", HOST, "--host", NXOS])
    assert res.exit_code == 1, res.output
    doc = {d["host"]: d for d in json.loads(res.stdout)["devices"]}
    assert (doc[HOST]["status"], doc[HOST]["error_status"]) == ("failed", "auth_failed")
    assert doc[NXOS]["status"] == "unchanged"
    listing = json.loads(runner.invoke(app, ["inventory", "list", "-w", str(ws.root), "--json", "--host", HOST]).stdout)[0]
    assert listing["status"]["last_backup_error"] == doc[HOST]["reason"]
