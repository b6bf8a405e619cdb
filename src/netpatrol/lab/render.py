"""Command -> output text for a simulated device: Jinja2 templates plus generic output filters.

Templates live in the platform folder at `lab/<slug>.j2` (see `slug`). They are rendered with `state` (a
DeviceState), `config`, `saved_config` and `hostname`. A template that renders the marker
`__UNSUPPORTED__` models a device family lacking the command: the caller answers with the
platform's unknown-command reply, as it does when no template exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from netpatrol.platforms import get_platform

UNSUPPORTED = "__UNSUPPORTED__"

_SLUG_RE = re.compile(r"[^A-Za-z0-9-]+")

# Output filters after `|`, by every spelling the platforms accept. Junos "match"/"except",
# Cisco/Huawei/H3C "include"/"exclude"/"begin", EOS/Junos "no-more".
_FILTERS = {
    "include": "include", "inc": "include", "in": "include", "i": "include", "match": "include",
    "exclude": "exclude", "excl": "exclude", "ex": "exclude", "e": "exclude", "except": "exclude",
    "begin": "begin", "beg": "begin", "b": "begin",
    "no-more": "none", "count": "count",
}


def normalise(command: str) -> str:
    """Collapse whitespace, as device parsers do."""
    return " ".join(command.split())


def slug(command: str) -> str:
    """`show processes cpu sorted` -> `show_processes_cpu_sorted` (every run of other chars -> `_`)."""
    return _SLUG_RE.sub("_", normalise(command))


@dataclass(frozen=True)
class OutputFilter:
    kind: str  # include | exclude | begin | none | count
    pattern: str = ""


class FilterError(ValueError):
    """The pipe part of a command is not one the lab understands (answered as an unknown command)."""


def split_pipes(command: str) -> tuple[str, list[OutputFilter]]:
    """`show run | i ntp` -> ("show run", [OutputFilter("include", "ntp")])."""
    parts = normalise(command).split(" | ")
    base, filters = parts[0], []
    for part in parts[1:]:
        word, _, arg = part.partition(" ")
        kind = _FILTERS.get(word.lower())
        if kind is None or (kind in ("include", "exclude", "begin") and not arg):
            raise FilterError(part)
        filters.append(OutputFilter(kind, arg))
    return base, filters


def apply_filters(text: str, filters: list[OutputFilter]) -> str:
    for f in filters:
        lines = text.splitlines()
        if f.kind == "none":
            continue
        if f.kind == "count":
            text = f"Count: {len(lines)} lines"
            continue
        try:
            rx = re.compile(f.pattern)
        except re.error:
            rx = re.compile(re.escape(f.pattern))
        if f.kind == "include":
            lines = [ln for ln in lines if rx.search(ln)]
        elif f.kind == "exclude":
            lines = [ln for ln in lines if not rx.search(ln)]
        else:  # begin: from the first matching line on
            start = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
            lines = lines[start:]
        text = "\n".join(lines)
    return text


@cache
def _environment(platform_dir: Path) -> jinja2.Environment:
    # auto_reload: templates are edited while a lab runs (and by other engineers while tests run).
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(platform_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=True,
    )


def string_template(source: str) -> jinja2.Template:
    """A Jinja2 template from profile data (fallback config), with the same settings as files."""
    return _environment(Path(__file__).parent).from_string(source)


def _platform_dir(platform: str, outputs_dir: Path | None) -> Path:
    """The platform folder's lab/, or `<outputs_dir>/<platform>` when a test gives its own tree."""
    return outputs_dir / platform if outputs_dir is not None else get_platform(platform).lab_dir


def template_path(platform: str, command: str, outputs_dir: Path | None = None) -> Path:
    return _platform_dir(platform, outputs_dir) / f"{slug(command)}.j2"


def render_template(platform: str, name: str, context: dict[str, Any], outputs_dir: Path | None = None) -> str | None:
    """Render `<platform folder>/lab/<name>`; None when it does not exist or says it is unsupported."""
    platform_dir = _platform_dir(platform, outputs_dir)
    if not (platform_dir / name).is_file():
        return None
    text = _environment(platform_dir).get_template(name).render(**context)
    if UNSUPPORTED in text:
        return None
    return text.rstrip("\n")


def render_command(platform: str, command: str, context: dict[str, Any], outputs_dir: Path | None = None) -> str | None:
    """Output of a (pipe-free) show/display command, or None for the unknown-command reply."""
    return render_template(platform, f"{slug(command)}.j2", context, outputs_dir)
