"""Cisco IOS-XE layouts that ntc's templates reject, read by netpatrol's own candidates (real
captures from the device-output corpus, when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netpatrol.inspection.capture import parse_capture

CORPUS = (Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "cisco_ios").resolve()
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


@needs_corpus
def test_iosxe_per_core_cpu_lines_give_core_0():
    text = (CORPUS / "show_processes_cpu" / "napalm_ios_env_ios_xe.raw").read_text(encoding="utf-8")
    out = parse_capture("cisco_ios", "show processes cpu sorted", text)
    assert Path(out["template"]).name == "cisco_ios_show_processes_cpu_cores.textfsm"
    assert [r["cpu"] for r in out["rows"] if r["cpu"]] == ["0", "1", "2", "3"]
    assert (out["health"]["cpu_percent"], out["health"]["cpu_peak_percent"]) == (15.0, 18.0)


@needs_corpus
def test_classic_cpu_line_stays_with_ntc():
    text = (CORPUS / "show_processes_cpu" / "napalm_ios_env_normal.raw").read_text(encoding="utf-8")
    out = parse_capture("cisco_ios", "show processes cpu sorted", text)
    assert Path(out["template"]).name == "cisco_ios_show_processes_cpu.textfsm"


@needs_corpus
def test_iosxe_reserve_pool_line_does_not_fail_the_memory_parse():
    text = (CORPUS / "show_processes_memory_sorted" / "genie_iosxe_golden_output_sorted.raw").read_text(encoding="utf-8")
    out = parse_capture("cisco_ios", "show processes memory sorted", text)
    assert out["status"] == "parsed"
    assert (out["rows"][0]["memory_total"], out["health"]["memory_percent"]) == ("1371713468", 22.9)
