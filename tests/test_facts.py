"""`netpatrol facts` reads the version the way the inspection does: TextFSM, then the normaliser."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from conftest import corpus_dir
from netpatrol.cli.root import app
from netpatrol.inspection.facts import version_facts
from netpatrol.workspace.inventory import load_inventory
from recorded import RecordedCollector, record_workspace

runner = CliRunner()


def test_facts_version_is_the_inspections_normalised_version(sample_workspace, tmp_path, monkeypatch):
    """Both commands over the same recorded device outputs (tests/recorded.py): no SSH needed to
    show that they read a device's identity alike."""
    ws = sample_workspace
    collector = RecordedCollector(record_workspace(ws, tmp_path / "rec"))
    monkeypatch.setattr("netpatrol.inspection.facts.default_collector", lambda *a, **k: collector)
    monkeypatch.setattr("netpatrol.inspection.service.default_collector", lambda *a, **k: collector)
    res = runner.invoke(app, ["facts", "-w", str(ws), "--json"])
    assert res.exit_code == 0, res.output
    facts = {d["host"]: d for d in json.loads(res.stdout)}
    planted = {name: dev["version"] for name, dev in yaml.safe_load((ws / "lab.yaml").read_text(encoding="utf-8"))["devices"].items()}
    inv = load_inventory(ws)
    assert set(facts) == set(inv.hosts)
    for name, d in facts.items():
        assert d["status"] == "ok" and d["parse_status"] == "parsed", d
        # The software version itself, never the banner line ("Huawei Versatile Routing Platform Software").
        # (Ruijie prints its image name before the version: "S2910_RGOS 11.4(1)B12P3".)
        assert d["version"] and planted[name] in d["version"], (name, d["version"], planted[name])
        assert "Platform" not in d["version"] and "Software" not in d["version"]
    inspected = runner.invoke(app, ["inspect", "-w", str(ws), "--backfill", "--period", "2026Q1", "--json"])
    assert inspected.exit_code == 0, inspected.output
    for d in json.loads(inspected.stdout)["devices"]:
        assert facts[d["host"]]["version"] == d["facts"]["os_version"], d["host"]
        assert facts[d["host"]]["model"] == d["facts"]["model"], d["host"]
    # A device that cannot be reached is reported with its status, the others still read.
    collector.fail("city-core-01", "auth_failed")
    res = runner.invoke(app, ["facts", "-w", str(ws), "--json", "--host", "city-core-01", "--host", "city-acc-02"])
    assert res.exit_code == 1, res.output
    by_host = {d["host"]: d for d in json.loads(res.stdout)}
    assert (by_host["city-core-01"]["ok"], by_host["city-core-01"]["status"]) == (False, "auth_failed")
    assert by_host["city-acc-02"]["version"] == facts["city-acc-02"]["version"]


def _corpus_version_outputs(platform: str, slug: str):
    found = sorted((corpus_dir() / platform / slug).glob("*.raw"))
    if not found:
        pytest.skip(f"no {platform} {slug} captures in the corpus")
    return found


@pytest.mark.parametrize("platform,slug,field", [
    ("huawei_vrp", "display_version", "product_version"),  # "NE40E V800R011C00SPC200"
    ("hp_comware", "display_version", None),  # no expected parse in the corpus
    ("cisco_ios", "show_version", "version"),
    ("cisco_nxos", "show_version", "os"),
    ("arista_eos", "show_version", "image"),
])
@pytest.mark.corpus
def test_facts_version_of_real_captures(platform, slug, field):
    """Real device captures: the version facts reports is the software version the expected
    ntc-templates parse holds, never the capture's first line ("Huawei Versatile Routing
    Platform Software")."""
    command = slug.replace("_", " ")
    checked = 0
    for raw in _corpus_version_outputs(platform, slug):
        text = raw.read_text(encoding="utf-8", errors="replace")
        facts, status, error = version_facts(platform, command, text)
        assert status == "parsed", (raw.name, error)
        first = next(line.strip() for line in text.splitlines() if line.strip())
        assert facts.os_version and facts.os_version not in first.split(",")[0], (raw.name, facts.os_version)
        expected = raw.with_suffix(".yml")
        if field and expected.exists():
            value = str(yaml.safe_load(expected.read_text(encoding="utf-8"))["parsed_sample"][0].get(field) or "")
            assert value and facts.os_version in value, (raw.name, facts.os_version, value)
            checked += 1
    assert checked or field is None, f"no expected parse to compare with for {platform}"
