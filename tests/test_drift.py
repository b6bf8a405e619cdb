"""REF resolution, drift and history over real repositories with controlled commit dates."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import corpus_dir
from netpatrol.errors import UsageError
from netpatrol.store.drift import drift, drift_range, history, to_patch, unified_diff
from netpatrol.store.periods import current_period, inspection_tag, period_bounds, previous_period
from netpatrol.store.refs import pre_change_tag, resolve
from netpatrol.store.repo import Store


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def cfg(host: str, *extra: str) -> str:
    return "\n".join([f"hostname {host}", "!", "interface Gi0/1", " description uplink", *extra, "!", "end"]) + "\n"


def build_history(path: Path):
    """Q3 and Q4 2026 of a small network. Dates set through the env for the first commit (as a
    migration script would) and through `when=` for the rest."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(path.parent))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_AUTHOR_DATE", "2026-07-01T00:00:00+00:00")
        mp.setenv("GIT_COMMITTER_DATE", "2026-07-01T00:00:00+00:00")
        s = Store(path).open_or_init()
    shas = {}

    def step(key: str, when: datetime, files: dict[str, str | None]) -> None:
        for rel, text in files.items():
            s.write_file(rel, text) if text is not None else s.remove_file(rel)
        shas[key] = s.commit(f"backup: {key}", when=when)

    step("jul15", utc(2026, 7, 15, 12), {"configs/hq/r1.cfg": cfg("r1"), "configs/branch/r2.cfg": cfg("r2")})
    step("aug20", utc(2026, 8, 20, 12), {"configs/hq/r1.cfg": cfg("r1", " ip address 10.0.0.1 255.255.255.0")})
    step("sep10", utc(2026, 9, 10, 12), {"configs/branch/r2.cfg": cfg("r2", " shutdown")})
    s.tag(inspection_tag("2026Q3"), "inspection 2026Q3", when=utc(2026, 9, 10, 13))
    step("sep25", utc(2026, 9, 25, 12), {"configs/hq/r3.cfg": cfg("r3")})
    step("oct05", utc(2026, 10, 5, 12), {"configs/branch/r2.cfg": None})
    s.tag(pre_change_tag("CHG-1234", utc(2026, 10, 20, 10, 15)), "before CHG-1234")
    step("nov01", utc(2026, 11, 1, 12), {"configs/hq/r1.cfg": cfg("r1", " ip address 10.0.0.2 255.255.255.0")})
    step("nov02", utc(2026, 11, 2, 12), {"state/devices.json": "{}\n"})
    return s, shas


@pytest.fixture(scope="module")
def hist(tmp_path_factory: pytest.TempPathFactory):
    """Shared by the read-only tests; tests that commit build their own."""
    s, shas = build_history(tmp_path_factory.mktemp("hist") / "backups")
    yield s, shas
    s.close()


def test_periods():
    assert period_bounds("2026Q3") == (utc(2026, 7, 1), utc(2026, 10, 1))
    assert period_bounds("2026Q4") == (utc(2026, 10, 1), utc(2027, 1, 1))
    assert current_period(utc(2026, 12, 31, 23, 59)) == "2026Q4"
    assert current_period(datetime.fromisoformat("2027-01-01T07:00:00+08:00")) == "2026Q4"
    assert previous_period("2026Q1") == "2025Q4" and previous_period("2026q3") == "2026Q2"
    with pytest.raises(UsageError, match=r"bad period '2026Q5': expected YYYYQn, e\.g\. 2026Q3"):
        period_bounds("2026Q5")
    assert pre_change_tag("CHG 99/x", utc(2026, 11, 27, 10, 15)) == "pre-change/CHG-99-x/20261127T101500Z"


def test_resolve_every_ref_form(hist):
    s, shas = hist
    assert resolve(s, shas["aug20"][:8]) == shas["aug20"]
    assert resolve(s, "inspection/2026Q3") == shas["sep10"]
    assert resolve(s, "main") == resolve(s, "HEAD") == shas["nov02"]
    assert resolve(s, "HEAD~1") == shas["nov01"]
    assert resolve(s, "2026-09-26") == shas["sep25"]
    assert resolve(s, "2026-09-25") == shas["sep10"]  # a date is its 00:00 UTC
    assert resolve(s, "2026-09-25T20:00:00+08:00") == shas["sep25"]  # = 12:00Z, the commit itself
    assert resolve(s, "2026-09-25T11:59:59Z") == shas["sep10"]
    assert resolve(s, "2026Q3") == shas["sep10"]  # the inspection tag wins over the quarter's end
    assert resolve(s, "2026Q4") == shas["nov02"]  # no tag: last commit before 2027-01-01
    assert resolve(s, "CHG-1234") == shas["oct05"]  # newest pre-change tag of that change


@pytest.mark.parametrize("ref, message", [
    ("CHG-99", "unknown ref 'CHG-99': not a commit, tag, date (YYYY-MM-DD) or period (YYYYQn)"),
    ("deadbeef", "unknown ref 'deadbeef'"),
    ("--all", "unknown ref '--all'"),
    ("2026-13-01", "bad date '2026-13-01'"),
    ("2026Q2", "no backup at or before '2026Q2'"),
    ("2020-01-01", "no backup at or before '2020-01-01'"),
])
def test_bad_refs_are_clear_usage_errors(hist, ref, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve(hist[0], ref)


def test_drift_between_two_periods(hist):
    s, _ = hist
    result = {d.host: d for d in drift(s, since="2026Q3", until="2026Q4")}
    assert {h: d.status for h, d in result.items()} == {"r1": "modified", "r2": "removed", "r3": "added"}
    assert (result["r1"].added, result["r1"].removed) == (1, 1)
    assert "-ip" not in result["r1"].diff and "+ ip address 10.0.0.2 255.255.255.0\n" in result["r1"].diff
    assert (result["r2"].site, result["r2"].removed, result["r2"].added) == ("branch", 7, 0)
    assert result["r2"].diff.startswith("--- a/configs/branch/r2.cfg\n+++ /dev/null\n")
    assert (result["r3"].site, result["r3"].added) == ("hq", 6)


def test_drift_between_two_tags_and_two_dates_with_host_filter(hist):
    s, _ = hist
    tags = drift(s, since="inspection/2026Q3", until="pre-change/CHG-1234/20261020T101500Z")
    assert [(d.host, d.status) for d in tags] == [("r2", "removed"), ("r3", "added")]
    dates = drift(s, since="2026-08-21", until="2026-09-30", hosts={"r1", "r2"})
    assert [(d.host, d.status, d.added, d.removed) for d in dates] == [("r2", "modified", 1, 0)]
    assert drift(s, since="2026-08-01", until="2026-08-01") == []


def test_drift_defaults_to_last_config_change_up_to_head(hist):
    s, shas = hist
    span = drift_range(s)
    assert (span.since, span.until) == (shas["oct05"], shas["nov02"])  # the state/ commit is skipped
    assert [(d.host, d.added, d.removed) for d in drift(s)] == [("r1", 1, 1)]
    first = drift(s, until=shas["jul15"])  # the first backup: everything is new
    assert [(d.path, d.status) for d in first] == [("configs/branch/r2.cfg", "added"),
                                                   ("configs/hq/r1.cfg", "added")]


def test_history_of_one_host(hist):
    s, shas = hist
    versions = history(s, "r1")
    assert [v.sha for v in versions] == [shas["nov01"], shas["aug20"], shas["jul15"]]
    assert [(v.added, v.removed) for v in versions] == [(1, 1), (1, 0), (6, 0)]
    assert versions[1].date == utc(2026, 8, 20, 12) and versions[1].message == "backup: aug20"
    r2 = history(s, "r2")
    assert [v.tags for v in r2] == [("pre-change/CHG-1234/20261020T101500Z",), ("inspection/2026Q3",), ()]
    assert history(s, "r") == [] and history(s, "no such host") == []


def git_apply(patch: str, files: dict[str, str], where: Path) -> dict[str, str]:
    """Apply `patch` with git apply over a plain directory holding `files`; return the result."""
    where.mkdir()
    for rel, text in files.items():
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(text.encode())
    subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], cwd=where, input=patch.encode(),
                   check=True, capture_output=True)
    return {p.relative_to(where).as_posix(): p.read_bytes().decode()
            for p in where.rglob("*") if p.is_file()}


def tree(s: Store, ref: str) -> dict[str, str]:
    return {rel: s.read_file(rel, ref) for rel in s.list_files("configs", ref=ref)}


def test_to_patch_is_git_apply_able_including_eol_edge_cases(tmp_path):
    s, _ = build_history(tmp_path / "backups")
    s.write_file("configs/hq/r1.cfg", "hostname r1\r\n!\r\nend")  # CRLF, no final newline
    s.write_file("configs/hq/empty.cfg", "")
    s.write_file("configs/hq/r3.cfg", cfg("r3").rstrip("\n"))
    s.commit("edge cases", when=utc(2026, 11, 3))
    for since, until in (("2026Q3", "HEAD"), ("HEAD~1", "HEAD"), ("2026-07-02", "2026Q4")):
        a, b = resolve(s, since), resolve(s, until)
        result = git_apply(to_patch(drift(s, since=a, until=b)), tree(s, a), tmp_path / f"apply-{since}")
        assert result == tree(s, b)


@pytest.mark.corpus
def test_real_config_revisions_from_the_corpus(tmp_path, monkeypatch):
    """Two real revisions of one Huawei NE40 config: drift counts agree with git, patch applies."""
    configs = corpus_dir() / "huawei_vrp" / "configs"
    monkeypatch.setenv("HOME", str(tmp_path))
    s = Store(tmp_path / "backups").open_or_init()
    for rev, when in (("rev1", utc(2026, 7, 10)), ("rev2", utc(2026, 10, 10))):
        text = (configs / f"faddr_huawei-vrp-v800-ne40_{rev}.cfg").read_bytes().decode("utf-8", "replace")
        s.write_file("configs/core/ne40.cfg", text)
        s.commit(f"backup {rev}", when=when)
    [d] = drift(s, since="2026Q3", until="2026Q4")
    numstat = subprocess.run(["git", "diff", "--numstat", "HEAD~1", "HEAD"], cwd=s.path, capture_output=True,
                             text=True, check=True).stdout.split()
    assert d.status == "modified" and (d.added, d.removed) != (0, 0)
    assert abs(d.added - int(numstat[0])) <= 3 and d.added - d.removed == int(numstat[0]) - int(numstat[1])
    old = {d.path: s.read_file(d.path, "HEAD~1")}
    assert git_apply(to_patch([d]), old, tmp_path / "apply") == {d.path: s.read_file(d.path, "HEAD")}
    assert [v.sha for v in history(s, "ne40")] == [s.head(), s.rev_parse("HEAD~1")]


def apply_own(diff: str, old: str) -> str:
    """A minimal applier for unified_diff's output, to check it without a subprocess per example."""
    src = re.findall(r"[^\n]*\n|[^\n]+$", old)
    out, pos, lines = [], 0, diff.split("\n")[2:]
    i = 0
    while i < len(lines) and lines[i]:
        start = int(re.match(r"@@ -(\d+)", lines[i]).group(1))
        start = start - 1 if start else 0
        if "," in lines[i].split()[1] and lines[i].split()[1].endswith(",0"):
            start += 1
        out += src[pos:start]
        pos = start
        i += 1
        while i < len(lines) and lines[i] and lines[i][0] in " -+\\":
            mark, body = lines[i][0], lines[i][1:] + "\n"
            if i + 1 < len(lines) and lines[i + 1].startswith("\\"):
                body, i = body[:-1], i + 1
            if mark in " -":
                pos += 1
            if mark in " +":
                out.append(body)
            i += 1
    return "".join(out + src[pos:])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["!", " shutdown", "a", "b\r", "end", ""]), max_size=30),
       st.lists(st.sampled_from(["!", " shutdown", "a", "c", "end", ""]), max_size=30),
       st.booleans(), st.booleans())
def test_unified_diff_round_trips_and_counts(old_lines, new_lines, old_eol, new_eol):
    old = "\n".join(old_lines) + ("\n" if old_eol and old_lines else "")
    new = "\n".join(new_lines) + ("\n" if new_eol and new_lines else "")
    text, added, removed = unified_diff(old, new, "a/x", "b/x")
    n_old, n_new = len(re.findall(r"[^\n]*\n|[^\n]+$", old)), len(re.findall(r"[^\n]*\n|[^\n]+$", new))
    assert added - removed == n_new - n_old
    assert (text == "") == (old == new)
    assert apply_own(text, old) == new


def test_unified_diff_hunk_headers_match_git_conventions():
    assert unified_diff("", "a\n", "/dev/null", "b/x") == ("--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+a\n", 1, 0)
    text, added, removed = unified_diff("a\nb\n", "a\nx\nb\n", "a/x", "b/x", context=0)
    assert text == "--- a/x\n+++ b/x\n@@ -1,0 +2 @@\n+x\n" and (added, removed) == (1, 0)
    text, _, _ = unified_diff("a\nb\nc", "a\nc", "a/x", "b/x", context=0)
    assert text == "--- a/x\n+++ b/x\n@@ -2 +1,0 @@\n-b\n"
    assert unified_diff("a\n", "a", "a/x", "b/x")[0] == \
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n"


def test_host_of_accepts_prefix_with_or_without_slash():
    from netpatrol.store.layout import host_of
    assert host_of("configs/hq/r1.cfg", "configs") == host_of("configs/hq/r1.cfg") == ("r1", "hq")
    assert host_of("inspections/2026Q4/r1.json", "inspections/") == ("r1", "2026Q4")
    assert host_of("configs/r9.cfg") == ("r9", "")
