"""Parse inspection command output with TextFSM, choosing the template explicitly.

ntc-templates' own index is never consulted: its command regexes are prefix matches, so e.g.
every unknown Huawei `display …` command lands on ntc's VRP `dir` template and H3C `display alarm` on the
ARP template, which returns a silent `[]`. Lookup order for (platform, command):

1. each workspace `parsers/` directory passed in `extra_dirs` (ntc-style `index`),
2. the platform folder's `textfsm/index` (columns Template, Command: the folder is the platform),
3. the platform folder's `textfsm/ntc.yaml`: ntc-templates file names vetted per exact command.

Index rows must match the whole command (fullmatch), whether or not the regex ends in `$`. Every
matching row is a candidate (one per family layout); `parse` keeps the one that explains the
output (inspection/fit.py).
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import textfsm

from netpatrol.errors import TemplateError
from netpatrol.inspection.fit import Fit, FitFSM, Output, measure
from netpatrol.platforms import PLATFORMS, load_part

INDEX_NAME = "index"
NTC_FILE = "textfsm/ntc.yaml"

Status = Literal["parsed", "empty", "no_template", "parse_error", "unrecognised"]


@dataclass(frozen=True)
class ParseOutcome:
    """What parsing one command's output gave. The statuses are deliberately distinct: a check
    must not read "no template", "parse error" or "unrecognised" (content no template read) as
    "nothing to report"."""

    status: Status
    rows: list[dict] = field(default_factory=list)
    template: str | None = None  # path of the template chosen (or the first that failed)
    error: str | None = None
    candidates: list[str] = field(default_factory=list)  # template file names, in trial order
    unexplained: str | None = None  # first significant line the chosen template did not account for
    explained: int = 0  # significant lines the chosen template accounted for
    significant: int = 0  # lines with content (not blank, separator, echo or prompt)


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


def _ntc_vetted(platform: str) -> dict[str, list[str]]:
    """The platform's textfsm/ntc.yaml: exact command -> ntc-templates file name(s)."""
    vetted = load_part(platform, NTC_FILE) or {}
    return {normalise_command(c): [t] if isinstance(t, str) else list(t) for c, t in vetted.items()}


@lru_cache(maxsize=1)
def ntc_template_dir() -> Path:
    import ntc_templates

    return Path(ntc_templates.__file__).parent / "templates"


def candidates(platform: str, command: str, extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """Every template for this exact command, in trial order: the workspace's `parsers/` rows,
    the platform folder's index rows, then its vetted ntc-templates files. Never by prefix."""
    cmd = normalise_command(command)
    found: list[Path] = []
    for directory in map(Path, extra_dirs):
        found += [directory / row.template for row in _index(directory)
                  if row.platform is not None and row.platform.fullmatch(platform) and row.command.fullmatch(cmd)]
    profile = PLATFORMS.get(platform)
    if profile is not None:
        found += [profile.textfsm_dir / row.template for row in _index(profile.textfsm_dir, platform_column=False)
                  if row.command.fullmatch(cmd)]
        found += [ntc_template_dir() / name for name in _ntc_vetted(platform).get(cmd, [])]
    return list(dict.fromkeys(found))


def resolve_template(platform: str, command: str, extra_dirs: Sequence[Path] = ()) -> Path | None:
    """The first candidate template for this exact command, or None."""
    found = candidates(platform, command, extra_dirs)
    return found[0] if found else None


@lru_cache(maxsize=512)
def _template_text(path: str, mtime_ns: int) -> str:
    return Path(path).read_text(encoding="utf-8")


_compiled = threading.local()  # an FSM holds parse state: one per template and thread


def compile_template(path: Path) -> FitFSM:
    """The template's FSM, reset; compiled once per thread (compiling costs as much as parsing a
    short output, and every candidate of a command is compiled)."""
    key = (str(path), path.stat().st_mtime_ns)
    cache: dict[tuple[str, int], FitFSM] = _compiled.__dict__.setdefault("fsms", {})
    fsm = cache.get(key)
    if fsm is None:
        fsm = cache[key] = FitFSM(io.StringIO(_template_text(*key)))
    else:
        fsm.reset()
    return fsm


def parse(platform: str, command: str, text: str, extra_dirs: Sequence[Path] = (),
          prefer: str | None = None) -> ParseOutcome:
    """Parse with the candidate template that accounts for the output best.

    `prefer` (a template file name, e.g. the one chosen for this device last time) is tried
    first. The first candidate that explains every significant line and gives rows wins at once;
    otherwise the one with rows and most lines explained (then most rows, then trial order).
    """
    found = candidates(platform, command, extra_dirs)
    if not found:
        return ParseOutcome("no_template", error=f"no template for {platform} {command!r}")
    if prefer:
        found.sort(key=lambda p: p.name != prefer)
    profile = PLATFORMS.get(platform)
    if profile is not None:
        text = profile.without_noise(text)
    output = Output(text, command)
    names = [p.name for p in found]
    fits: list[Fit] = []
    errors: list[str] = []
    for order, path in enumerate(found):
        try:
            fsm = compile_template(path)
        except FileNotFoundError:
            errors.append(f"index names {path.name} but the file is missing")
            continue
        except textfsm.TextFSMTemplateError as exc:
            raise TemplateError(f"{path}: template does not compile: {exc}") from exc
        try:
            fit = measure(fsm, str(path), output, order)
        except textfsm.TextFSMError as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        if fit.rows and fit.first_unexplained is None:
            return _outcome(fit, names)
        fits.append(fit)
    if not fits:
        if not errors or all("file is missing" in e for e in errors):
            return ParseOutcome("no_template", template=str(found[0]), error="; ".join(errors), candidates=names)
        content = output.unexplained(set())
        first = output.lines[content[0]].strip() if content else None
        return ParseOutcome("parse_error", template=str(found[0]), error="; ".join(errors)[:500],
                            candidates=names, unexplained=first, significant=len(content))
    return _outcome(max(fits, key=lambda f: f.key), names)


def _outcome(fit: Fit, names: list[str]) -> ParseOutcome:
    if fit.rows:
        status: Status = "parsed"
    elif fit.first_unexplained is None:  # nothing printed, or only lines the template knows mean "none"
        status = "empty"
    else:
        status = "unrecognised"
    error = (f"no candidate template read this layout; first unexplained line: {fit.first_unexplained[:200]!r}"
             if status == "unrecognised" and fit.first_unexplained else None)
    return ParseOutcome(status, fit.rows, fit.template, error, candidates=names, unexplained=fit.first_unexplained,
                        explained=fit.explained, significant=fit.explained + len(fit.unexplained))


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
    "candidates",
    "compile_template",
    "normalise_command",
    "parse",
    "read_index",
    "resolve_template",
    "validate_template_dir",
]
