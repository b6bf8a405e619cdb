"""Fuzzing: mutated real captures (the corpus, see conftest.corpus_dir) and lab outputs through
`parsing.parse` and `normalise.normalise`: never a crash, every outcome one of the parse states."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest

from conftest import corpus_dir
from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.normalise import normalise
from netpatrol.inspection.parsing import parse
from netpatrol.lab.device import DeviceSpec, SimulatedDevice

STATES = {"parsed", "empty", "no_template", "parse_error", "unrecognised"}
SEED = 20260
PER_FILE = 3  # mutations per capture; ~450 captures + lab outputs stay well under 60 s
JOB = load_job(None, "quarterly")


def mutations(text: str, rng: random.Random) -> list[str]:
    lines = text.splitlines()
    out = []
    for _ in range(PER_FILE):
        ls = list(lines)
        kind = rng.choice(["cut", "drop", "dup", "swap", "noise", "bytes", "numbers", "crlf"])
        if kind == "cut" and ls:
            ls = ls[: rng.randrange(len(ls))]
        elif kind == "drop" and ls:
            del ls[rng.randrange(len(ls))]
        elif kind == "dup" and ls:
            i = rng.randrange(len(ls))
            ls[i:i] = [ls[i]] * rng.randint(1, 5)
        elif kind == "swap" and len(ls) > 1:
            i, j = rng.randrange(len(ls)), rng.randrange(len(ls))
            ls[i], ls[j] = ls[j], ls[i]
        elif kind == "noise":
            ls.insert(rng.randrange(len(ls) + 1), "".join(rng.choice("%#>:|-/\\ abcXYZ0123456789\t") for _ in range(rng.randint(1, 60))))
        elif kind == "bytes":
            s = "\n".join(ls)
            for _ in range(rng.randint(1, 20)):
                i = rng.randrange(len(s) + 1)
                s = s[:i] + chr(rng.choice([0, 7, 9, 27, 0x7f, 0xfffd, 0x4e2d, rng.randrange(32, 127)])) + s[i + 1:]
            ls = s.splitlines()
        elif kind == "numbers":
            ls = [ln.replace("0", str(rng.randint(0, 99999999))) for ln in ls]
        elif kind == "crlf":
            out.append("\r\n".join(ls))
            continue
        out.append("\n".join(ls))
    return out


def _item_of(platform: str, command: str) -> str | None:
    for item, commands in JOB.platforms.get(platform, {}).items():
        if command in commands:
            return item
    return None


def _check(platform: str, command: str, texts: list[str], by_item: dict, raws: dict) -> None:
    for text in texts:
        outcome = parse(platform, command, text)
        assert outcome.status in STATES, (platform, command, outcome)
        assert isinstance(outcome.rows, list)
        item = _item_of(platform, command)
        if item:
            by_item[item], raws[item] = outcome.rows, text


@pytest.mark.corpus
def test_mutated_corpus_captures_never_crash_parse_or_normalise():
    corpus = corpus_dir()
    rng = random.Random(SEED)
    seen = 0
    for platform_dir in sorted(p for p in corpus.iterdir() if p.is_dir()):
        platform = platform_dir.name
        by_item: dict[str, list[dict]] = {}
        raws: dict[str, str] = {}
        for raw in sorted(platform_dir.glob("*/*.raw")):
            command = raw.parent.name.replace("_", " ")
            text = raw.read_text(encoding="utf-8", errors="replace")
            _check(platform, command, [text, *mutations(text, rng)], by_item, raws)
            seen += 1
            if len(by_item) >= 3 and rng.random() < 0.2:
                facts, health = normalise(platform, by_item, raws)  # must not raise on odd rows
                assert facts is not None and health is not None
        normalise(platform, by_item, raws)
    assert seen > 100


@pytest.mark.parametrize("platform", sorted(JOB.platforms))
def test_mutated_lab_outputs_never_crash_parse_or_normalise(platform):
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as d:
        device = SimulatedDevice(DeviceSpec(name=f"fz-{platform}", platform=platform, address="127.0.0.1", port=1,
                                      username="u", password="p", scenarios=["cpu_high", "interface_errors", "log_alarms"]), Path(d))
        by_item: dict[str, list[dict]] = {}
        raws: dict[str, str] = {}
        for commands in JOB.platforms[platform].values():
            for command in commands:
                try:
                    text = device.output(command)
                except Exception:  # noqa: BLE001 - the lab has no output for this alternative
                    continue
                if text is None:
                    continue
                _check(platform, command, [text, *mutations(text, rng)], by_item, raws)
        assert by_item, f"the lab produced no output for any {platform} inspection command"
        _facts, health = normalise(platform, by_item, raws)
        assert health is not None
