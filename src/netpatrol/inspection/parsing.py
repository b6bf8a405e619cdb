"""Parse inspection command output with TextFSM, choosing the template explicitly.

ntc-templates' own index is never consulted: its command regexes are prefix matches, so e.g.
every unknown Huawei `display …` command lands on ntc's VRP `dir` template and H3C `display alarm` on the
ARP template, which returns a silent `[]`. Lookup order for (platform, command):

1. each workspace `parsers/` directory passed in `extra_dirs` (ntc-style `index`),
2. the platform folder's `textfsm/index` (columns Template, Command: the folder is the platform),
3. the platform folder's `textfsm/ntc.yaml`: ntc-templates file names vetted per exact command.

Index rows must match the whole command (fullmatch), whether or not the regex ends in `$`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import textfsm

from netpatrol.errors import TemplateError
from netpatrol.platforms import PLATFORMS, load_part

INDEX_NAME = "index"
NTC_FILE = "textfsm/ntc.yaml"

Status = Literal["parsed", "empty", "no_template", "parse_error"]


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one command's output gave. The four statuses are deliberately distinct:
    a check must not read "no template" or "parse error" as "nothing to report"."""

    status: Status
    rows: list[dict] = field(default_factory=list)
    template: str | None = None  # path of the template used (or that failed)
    error: str | None = None


@dataclass(frozen=True)
class IndexRow:
    template: str  # file name(s) inside the index's directory, ':'-joined as in clitable
    platform: re.Pattern[str] | None  # None in a platform folder's own index: any (its) platform
    command: re.Pattern[str]
    line: int


def normalise_command(command: str) -> str:
    return " ".join(command.split())


def _expand_completion(text: str) -> str:
    """`di[[splay]]` -> `di(s(p(l(a(y)?)?)?)?)?`, the clitable convention for abbreviations."""

    def expand(m: re.Match[str]) -> str:
        word = m.group(1)
        return "".join(f"({c}" for c in word) + ")?" * len(word)

    return re.sub(r"\[\[(.+?)\]\]", expand, text)


def read_index(path: Path, platform_column: bool = True) -> tuple[list[IndexRow], list[str]]:
    """Parse an ntc-style index file. Returns (rows, problems); problems name file and line.

    A platform folder's own index has no Platform column (`platform_column=False`).
    """
    rows: list[IndexRow] = []
    problems: list[str] = []
    header: list[str] | None = None
    text = path.read_text(encoding="utf-8")
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([raw], skipinitialspace=True))]
        if header is None:
            header = cells
            needed = {"Template", "Platform", "Command"} if platform_column else {"Template", "Command"}
            missing = needed - set(header)
            if missing:
                example = "Template, Hostname, Platform, Command" if platform_column else "Template, Command"
                problems.append(f"{path}:{lineno}: header lacks column(s) {sorted(missing)}; "
                                f"expected e.g. '{example}'")
                return rows, problems
            continue
        if len(cells) != len(header):
            problems.append(f"{path}:{lineno}: {len(cells)} fields, header has {len(header)}")
            continue
        cell = dict(zip(header, cells, strict=True))
        if not cell["Command"].endswith("$"):
            problems.append(f"{path}:{lineno}: command regex {cell['Command']!r} must end with '$' "
                            "(an unanchored regex also matches longer commands)")
        try:
            rows.append(IndexRow(
                template=cell["Template"],
                platform=re.compile(cell["Platform"]) if platform_column else None,
                command=re.compile(_expand_completion(cell["Command"])),
                line=lineno,
            ))
        except re.error as exc:
            problems.append(f"{path}:{lineno}: bad regex: {exc}")
    if header is None:
        example = "Template, Hostname, Platform, Command" if platform_column else "Template, Command"
        problems.append(f"{path}: empty index (needs a '{example}' header)")
    return rows, problems


@lru_cache(maxsize=64)
def _index_cached(path: str, mtime_ns: int, platform_column: bool) -> tuple[IndexRow, ...]:
    rows, problems = read_index(Path(path), platform_column)
    if problems:
        raise TemplateError("invalid template index:\n  " + "\n  ".join(problems))
    return tuple(rows)


def _index(directory: Path, platform_column: bool = True) -> tuple[IndexRow, ...]:
    path = directory / INDEX_NAME
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return ()
    return _index_cached(str(path), mtime, platform_column)


def _ntc_vetted(platform: str) -> dict[str, str]:
    """The platform's textfsm/ntc.yaml: exact command -> ntc-templates file name."""
    return {normalise_command(c): t for c, t in (load_part(platform, NTC_FILE) or {}).items()}


@lru_cache(maxsize=1)
def ntc_template_dir() -> Path:
    import ntc_templates

    return Path(ntc_templates.__file__).parent / "templates"


def resolve_template(platform: str, command: str, extra_dirs: Sequence[Path] = ()) -> Path | None:
    """The template file for this exact command, or None. Never guesses by prefix."""
    cmd = normalise_command(command)
    for directory in map(Path, extra_dirs):
        for row in _index(directory):
            if row.platform is not None and row.platform.fullmatch(platform) and row.command.fullmatch(cmd):
                return directory / row.template
    profile = PLATFORMS.get(platform)
    if profile is None:
        return None
    for row in _index(profile.textfsm_dir, platform_column=False):
        if row.command.fullmatch(cmd):
            return profile.textfsm_dir / row.template
    name = _ntc_vetted(platform).get(cmd)
    return ntc_template_dir() / name if name else None


@lru_cache(maxsize=512)
def _template_text(path: str, mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def compile_template(path: Path) -> textfsm.TextFSM:
    """A fresh TextFSM (it holds parse state) from cached template text."""
    text = _template_text(str(path), path.stat().st_mtime_ns)
    return textfsm.TextFSM(io.StringIO(text))


def parse(platform: str, command: str, text: str, extra_dirs: Sequence[Path] = ()) -> ParseOutcome:
    path = resolve_template(platform, command, extra_dirs)
    if path is None:
        return ParseOutcome("no_template", error=f"no template for {platform} {command!r}")
    try:
        fsm = compile_template(path)
    except FileNotFoundError:
        return ParseOutcome("no_template", template=str(path),
                            error=f"index names {path.name} but the file is missing")
    except textfsm.TextFSMTemplateError as exc:
        raise TemplateError(f"{path}: template does not compile: {exc}") from exc
    try:
        table = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        return ParseOutcome("parse_error", template=str(path), error=f"{path.name}: {exc}")
    keys = [h.lower() for h in fsm.header]
    rows = [dict(zip(keys, values, strict=True)) for values in table]
    return ParseOutcome("parsed" if rows else "empty", rows, str(path))


def validate_template_dir(path: Path, platform_column: bool = True) -> list[str]:
    """Problems with a workspace `parsers/` directory (or, without the Platform column, a platform
    folder's `textfsm/`); each names the file (and line)."""
    path = Path(path)
    index = path / INDEX_NAME
    if not index.is_file():
        return [f"{index}: missing (a parsers/ directory needs an ntc-style index)"]
    rows, problems = read_index(index, platform_column)
    referenced: set[str] = set()
    for row in rows:
        for name in row.template.split(":"):
            referenced.add(name)
            if not (path / name).is_file():
                problems.append(f"{index}:{row.line}: template {name} does not exist")
    for tpl in sorted(path.glob("*.textfsm")):
        try:
            textfsm.TextFSM(io.StringIO(tpl.read_text(encoding="utf-8")))
        except textfsm.TextFSMTemplateError as exc:
            problems.append(f"{tpl}: does not compile: {exc}")
        if tpl.name not in referenced:
            problems.append(f"{tpl}: not referenced by {index.name}, so it is never used")
    return problems


__all__ = [
    "NTC_FILE",
    "ParseOutcome",
    "compile_template",
    "normalise_command",
    "parse",
    "read_index",
    "resolve_template",
    "validate_template_dir",
]
