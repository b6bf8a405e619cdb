"""The paths inside `backups/` and the tag names: a clone made by an older netpatrol must keep
working, so every name store/layout.py spells is pinned here, and a real run is checked to use them."""

from __future__ import annotations

import subprocess

from netpatrol.store import layout
from netpatrol.store.periods import inspected_periods, inspection_tag
from netpatrol.store.refs import pre_change_tag, resolve
from netpatrol.store.repo import Store


def test_the_paths_and_tag_names_are_the_documented_ones():
    assert layout.STORE_DIR == "backups"
    assert layout.config_path("site-a", "core-sw1") == "configs/site-a/core-sw1.cfg"
    assert layout.result_path("2026Q3", "site-a", "core-sw1") == "inspections/2026Q3/site-a/core-sw1.json"
    assert layout.evidence_path("2026Q3", "site-a", "core-sw1", " show version ") == \
        "inspections/2026Q3/site-a/core-sw1/show_version.txt"
    assert layout.summary_path("2026Q3") == "inspections/2026Q3/summary.json"
    assert layout.report_path("2026Q3") == "reports/2026Q3/report.md"
    assert layout.report_path("2026Q3", "hq") == "reports/2026Q3/report-hq.md"
    assert inspection_tag("2026q3") == "inspection/2026Q3"
    assert pre_change_tag("CHG-1").startswith("pre-change/CHG-1/") and layout.pre_change_prefix("CHG-1") == "pre-change/CHG-1/"


def test_result_paths_are_told_apart_from_summaries_and_evidence():
    assert layout.parse_result_path("inspections/2026Q3/hq/r1.json") == ("2026Q3", "hq", "r1")
    for other in ("inspections/2026Q3/summary.json", "inspections/2026Q3/hq/r1/show_version.txt",
                  "inspections/2026Q3/hq/r1/x.json", "configs/2026Q3/hq/r1.json", "inspections/hq/r1.json"):
        assert layout.parse_result_path(other) is None, other
    assert layout.period_of("inspections/2026Q3/summary.json") == "2026Q3"
    assert layout.period_of("inspections/README") is None
    assert layout.period_of("configs/hq/r1.cfg") is None


def test_a_store_written_through_the_layout_is_read_back_by_period_and_change_id(tmp_path):
    with Store(tmp_path / layout.STORE_DIR) as store:
        store.write_file(layout.config_path("hq", "r1"), "hostname r1\n")
        store.write_file(layout.result_path("2026Q3", "hq", "r1"), "{}\n")
        store.write_file(layout.summary_path("2026Q3"), "{}\n")
        store.commit("inspection 2026Q3\n")
        store.tag(inspection_tag("2026Q3"), "inspection 2026Q3")
        tag = store.tag_unique(pre_change_tag("CHG-7"), "pre-change backup: CHG-7")
        assert inspected_periods(store) == ["2026Q3"]
        assert resolve(store, "2026Q3") == resolve(store, "CHG-7") == store.head()
        listed = subprocess.run(["git", "-C", str(store.path), "ls-files"], capture_output=True, text=True, check=True).stdout
    assert set(listed.split()) == {".gitignore", "README.md", "configs/hq/r1.cfg",
                                   "inspections/2026Q3/hq/r1.json", "inspections/2026Q3/summary.json"}
    assert tag.startswith("pre-change/CHG-7/")
