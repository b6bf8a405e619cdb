"""A workspace's test pairs for its own templates, checked by `netpatrol inventory check`.

ntc-templates' layout, under the workspace's `parsers/`:
`parsers/tests/<platform>/<command_slug>/<name>.raw` (the device's output as printed, without the
prompt lines) and `<name>.yml` beside it:

    parsed_sample:            # the rows the parse must give (lower-case keys), [] for none
      - {interface: GigabitEthernet0/0/6, protocol: down}
    command: display interface brief | include down   # only when the slug cannot spell it (a pipe)
    template: my_template.textfsm                     # optional: the template that must win

The slug is the command with spaces as underscores. Each pair is parsed as the inspection parses
(the workspace's templates first, then the platform's): other rows than `parsed_sample`, or a line
the workspace's own template leaves unexplained, is reported, and so is a template in `parsers/`
that wins no pair: a template nobody has tested against a real output is a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netpatrol import safe_yaml
from netpatrol.errors import NetpatrolError
from netpatrol.platforms import PLATFORMS, canonical_platform, unknown_platform

PAIRS_DIR = "tests"
_KEYS = {"parsed_sample", "command", "template", "source", "licence", "license", "family", "description"}


@dataclass(frozen=True)
class Pair:
    platform: str
    command: str
    raw: Path
    expected: list[dict[str, Any]]
    template: str | None


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def read_pairs(parsers: Path, root: Path) -> tuple[list[Pair], list[str]]:
    """Every pair under `parsers/tests/`, and the problems of those that cannot be read; file
    names are given relative to `root` (the workspace)."""
    pairs: list[Pair] = []
    problems: list[str] = []
    base = parsers / PAIRS_DIR
    if not base.is_dir():
        return pairs, problems
    files = sorted(p for p in base.rglob("*") if p.suffix in (".raw", ".yml", ".yaml") and p.is_file())
    for path in files:
        label = _rel(path, root)
        depth = len(path.relative_to(base).parts)
        if depth != 3:
            problems.append(f"{label}: a pair belongs in {_rel(base, root)}/<platform>/<command_slug>/<name>.raw + .yml")
            continue
        platform = path.parent.parent.name
        if platform not in PLATFORMS:
            # Not taken as an alias: the folder mirrors parsers/<platform>/, which holds folder names.
            canonical = canonical_platform(platform)
            problems.append(f"{label}: platform folder '{platform}' is an alias of {canonical}: name it {canonical}" if canonical
                            else f"{label}: {unknown_platform(platform)}")
            continue
        other = path.with_suffix(".yml") if path.suffix == ".raw" else path.with_suffix(".raw")
        if not other.is_file():
            problems.append(f"{label}: no {other.name} beside it (a pair is <name>.raw + <name>.yml)")
            continue
        if path.suffix != ".raw":
            continue
        pair = _read_pair(path, other, platform, _rel(other, root), problems)
        if pair is not None:
            pairs.append(pair)
    return pairs, problems


def _read_pair(raw: Path, yml: Path, platform: str, label: str, problems: list[str]) -> Pair | None:
    try:
        doc = safe_yaml.load_file(yml, label)
    except NetpatrolError as exc:
        problems.append(str(exc))
        return None
    if not isinstance(doc, dict):
        problems.append(f"{label}: expected a mapping with 'parsed_sample'")
        return None
    unknown = sorted(set(map(str, doc)) - _KEYS)
    if unknown:
        problems.append(f"{label}: unknown key(s) {unknown} (known: {', '.join(sorted(_KEYS))})")
        return None
    expected = doc.get("parsed_sample")
    if not isinstance(expected, list) or not all(isinstance(r, dict) for r in expected):
        problems.append(f"{label}: field 'parsed_sample': give the expected rows, a list of mappings ([] for none)")
        return None
    command = doc.get("command") or raw.parent.name.replace("_", " ")
    template = doc.get("template")
    for key, value in (("command", command), ("template", template)):
        if value is not None and not isinstance(value, str):
            problems.append(f"{label}: field '{key}': give a string")
            return None
    return Pair(platform, str(command), raw, expected, template)


def _first_difference(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> str | None:
    for i, (want, have) in enumerate(zip(expected, got, strict=False), start=1):
        for key in sorted(set(want) | set(have)):
            if key not in have:
                return f"row {i}: field '{key}' is expected but the template gives no such field"
            if key not in want:
                return f"row {i}: field '{key}' ({have[key]!r}) is not in parsed_sample"
            if _normal(want[key]) != have[key]:
                return f"row {i} field '{key}': expected {want[key]!r}, got {have[key]!r}"
    if len(expected) != len(got):
        extra = (f"row {len(expected) + 1} not expected: {got[len(expected)]}" if len(got) > len(expected)
                 else f"row {len(got) + 1} missing: {expected[len(got)]}")
        return f"expected {len(expected)} row(s), got {len(got)}; {extra}"
    return None


def _normal(value: Any) -> Any:
    """YAML reads `protocol: 1` as an int; TextFSM gives strings (lists of strings for List values)."""
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return "" if value is None else value if isinstance(value, str) else str(value)


def pair_problems(parsers: Path, root: Path) -> list[str]:
    """Every pair whose parse differs from its parsed_sample (file, first differing row/field), and
    every template in `parsers/` no pair is parsed with."""
    from netpatrol.inspection.parsing import parse

    pairs, problems = read_pairs(parsers, root)
    won: set[str] = set()
    for pair in pairs:
        label = _rel(pair.raw.with_suffix(".yml"), root)
        outcome = parse(pair.platform, pair.command, pair.raw.read_text(encoding="utf-8", errors="replace"), [parsers])
        name = Path(outcome.template).name if outcome.template else None
        if outcome.template and Path(outcome.template).parent == parsers:
            won.add(Path(outcome.template).name)
        if outcome.status not in ("parsed", "empty"):
            problems.append(f"{label}: {pair.platform} {pair.command!r}: {outcome.status}"
                            + (f": {outcome.error}" if outcome.error else ""))
        elif pair.template and pair.template != name:
            problems.append(f"{label}: field 'template': {pair.template} should parse it, but {name} did")
        elif (difference := _first_difference(pair.expected, outcome.rows)) is not None:
            problems.append(f"{label}: {name} gives other rows than parsed_sample: {difference}")
        elif outcome.unexplained and outcome.template and Path(outcome.template).parent == parsers:
            # In a run, the line would hide whatever it says: the template must know every line.
            problems.append(f"{label}: {name} leaves the line {outcome.unexplained[:200]!r} unexplained "
                            "(give it a rule with a literal word or a value)")
    for template in sorted(parsers.glob("*.textfsm")):
        if template.name not in won:
            problems.append(f"{_rel(template, root)}: no test pair parses with it (add a real output and its "
                            f"expected rows as {_rel(parsers, root)}/{PAIRS_DIR}/<platform>/<command_slug>/<name>.raw + .yml)")
    return problems
