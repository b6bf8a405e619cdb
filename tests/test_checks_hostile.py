"""Check packs written badly or with hostile intent: bad regexes are found when the pack is read,
and a pattern that backtracks without end on a device's configuration is stopped, named, and
stores nothing."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from netpatrol.checks import engine
from netpatrol.checks.engine import evaluate
from netpatrol.checks.loader import load_packs
from netpatrol.cli.root import app
from netpatrol.errors import CheckFileError, InventoryError
from netpatrol.workspace.models import InspectionScope
from test_checks import ctx_for

TEXT = {"zh-CN": "x", "en": "x"}
# Exponential backtracking on any line of words without a digit, in `re` and in the `regex` engine
# the checks run on (which sees through `^(\s*\S+)*x$`: no "x" in the text, no search).
BOMB = r"^(\S|\S\S|\s)+\d$"


def pack(tmp_path: Path, *entries: dict) -> Path:
    d = tmp_path / "checks"
    d.mkdir(exist_ok=True)
    (d / "site.yaml").write_text(yaml.safe_dump({"checks": list(entries)}), encoding="utf-8")
    return d


def entry(cid: str, condition: dict, **extra) -> dict:
    return {"id": cid, "title": TEXT, "severity": "info", "recommendation": TEXT, "condition": condition, **extra}


@pytest.mark.parametrize("condition,extra,field", [
    ({"path": "facts.os_version", "op": "regex", "value": "("}, {}, "condition.value"),
    ({"path": "facts.os_version", "op": "not_regex"}, {"threshold": "[z-a]"}, "threshold"),
    ({"each": "health.interfaces", "path": "crc", "op": "gt", "value": 0,
      "where": [{"path": "name", "op": "regex", "value": "Gi(("}]}, {}, "bad regex"),
])
def test_bad_regex_operands_are_refused_when_the_pack_is_read(tmp_path, condition, extra, field):
    d = pack(tmp_path, entry("site_rx", condition, **extra))
    with pytest.raises(CheckFileError) as caught:
        load_packs([], d)
    assert "checks/site.yaml" in str(caught.value) and "site_rx" in str(caught.value)
    assert field in str(caught.value) and "bad regex" in str(caught.value)


def test_inventory_check_names_a_bad_regex_operand_with_exit_2(tmp_path):
    assert CliRunner().invoke(app, ["init", str(tmp_path / "ws")]).exit_code == 0
    pack(tmp_path / "ws", entry("site_rx", {"path": "facts.os_version", "op": "regex", "value": "("}))
    res = CliRunner().invoke(app, ["inventory", "check", "-w", str(tmp_path / "ws")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "checks/site.yaml" in res.output and "bad regex" in res.output


def test_a_bad_regex_threshold_from_the_inventory_names_host_and_field(tmp_path):
    found = load_packs([], pack(tmp_path, entry("site_rx", {"path": "facts.os_version", "op": "regex"}, threshold="^15")))
    ctx = ctx_for(host_scope=InspectionScope(thresholds={"site_rx": "(("}))
    with pytest.raises(InventoryError) as caught:
        evaluate(found, ctx)
    assert "data.inspection.thresholds.site_rx" in str(caught.value) and "acc-01" in str(caught.value)


@pytest.mark.parametrize("condition", [
    {"config": {"mode": "must_not_match", "patterns": {"cisco_ios": BOMB}}},
    {"path": "facts.hostname", "op": "regex", "value": BOMB},
])
def test_a_backtracking_pattern_is_stopped_and_named(tmp_path, monkeypatch, condition):
    monkeypatch.setattr(engine, "REGEX_SECONDS", 0.3)  # the pattern would otherwise run for years
    found = load_packs([], pack(tmp_path, entry("site_bomb", condition)))
    words = "hostname " + " ".join(["ab"] * 40)
    ctx = ctx_for(running_config=words + "\n", checks=found)
    ctx.result.facts.hostname = words
    handler = signal.getsignal(signal.SIGALRM)
    with pytest.raises(CheckFileError) as caught:
        evaluate(found, ctx)
    message = str(caught.value)
    assert "checks/site.yaml" in message and "site_bomb" in message and "acc-01" in message
    assert "backtracking" in message and "\n" not in message
    # Nothing of the limit is left behind: no timer armed, the old handler back.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


def test_ordinary_regex_checks_still_find_what_they_match(tmp_path):
    found = load_packs([], pack(tmp_path, entry("site_host", {"config": {
        "mode": "must_not_match", "patterns": {"cisco_ios": r"^hostname \S+"}}})))
    findings = evaluate(found, ctx_for(running_config="hostname acc-01\n", checks=found))
    assert [f.check for f in findings] == ["site_host"]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("detail", ["{value:>999999999}", "{threshold:.999999999}", "{value!r}", "{subject:>{value}}",
                                    {"zh-CN": "CPU {value}", "en": "CPU {value:>999999999}"}])
def test_detail_placeholders_take_only_the_named_formats(tmp_path, detail):
    d = pack(tmp_path, entry("site_cpu", {"path": "health.cpu_percent", "op": "ge"}, threshold=1, detail=detail))
    with pytest.raises(CheckFileError) as caught:
        load_packs([], d)
    assert "checks/site.yaml" in str(caught.value) and "site_cpu" in str(caught.value) and "detail" in str(caught.value)
    assert "unknown format" in str(caught.value) or "no conversion" in str(caught.value)


@pytest.mark.parametrize("detail", [{"zh-CN": "CPU {value}"}, {"zh-CN": "CPU {value}", "en": "CPU {value}", "fr": "x"}])
def test_a_detail_map_gives_exactly_the_two_languages(tmp_path, detail):
    d = pack(tmp_path, entry("site_cpu", {"path": "health.cpu_percent", "op": "ge"}, threshold=1, detail=detail))
    with pytest.raises(CheckFileError, match=r"site_cpu.*detail.*one sentence per language"):
        load_packs([], d)


def test_plain_detail_placeholders_still_work(tmp_path):
    found = load_packs([], pack(tmp_path, entry("site_cpu", {"path": "health.cpu_percent", "op": "ge"}, threshold=1,
                                                detail="CPU {value}% >= {threshold}% on {subject}")))
    # A workspace pack's plain string serves both languages.
    assert [f.detail for f in evaluate(found, ctx_for())] == [{"zh-CN": "CPU 12% >= 1% on ", "en": "CPU 12% >= 1% on "}]
