"""`backup --reason`: the change id is the tag `pre-change/<id>/<time>` that `drift --since <id>`
looks up, so an id is taken only when git can hold it exactly as typed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from netpatrol.store.refs import check_reason, pre_change_tag, resolve
from netpatrol.store.repo import Store
from test_hostile_input import _env, assert_clean_exit2, backups_state, invoke, workspace  # noqa: F401


@pytest.mark.parametrize("reason", ["~1 rollback", "a:b x", "CHG..1 x", "-x y", "CHG-1.lock x", "CHG/1 x",
                                    "CHG^1 x", "CHG@{1} x", "CHG-1. x", "CHG*1 x"])
def test_change_ids_git_cannot_hold_are_refused_before_connecting(tmp_path, reason):
    ws = workspace(tmp_path)
    res = invoke("backup", "-w", str(ws), "--reason", reason)
    assert_clean_exit2(res, "--reason", "change id", repr(reason.split()[0]))
    assert backups_state(ws) == []


@pytest.mark.parametrize("reason", ["CHG-1 \u202e txt.exe", "CHG-1 zero\u200bwidth", "CHG\u2066-1 x"])
def test_invisible_formatting_characters_are_refused(tmp_path, reason):
    ws = workspace(tmp_path)
    assert_clean_exit2(invoke("backup", "-w", str(ws), "--reason", reason), "--reason", "invisible")


def test_change_ids_in_any_script_are_tagged_as_typed_and_found_again(tmp_path):
    store = Store(tmp_path / "backups").open_or_init()
    when = datetime(2026, 11, 2, 3, 4, 5, tzinfo=timezone.utc)
    made = {}
    for reason in ("变更-1 更换上联", "调整-1 加 banner", "ＣＨＧ-7 x"):  # noqa: RUF001 - full-width look-alikes are the input under test
        change = check_reason(reason).split()[0]
        store.write_file("configs/a/r1.cfg", f"hostname r1\n! {reason}\n")
        made[change] = store.commit(reason)
        store.tag_unique(pre_change_tag(change, when), f"pre-change backup: {reason}")
    # Two ids that differ only outside ASCII are two tags, each found by what the user typed.
    assert len({t for t in store.tags() if t.startswith("pre-change/")}) == 3
    for change, sha in made.items():
        assert resolve(store, change) == sha
    store.close()
