"""Configuration text between the device and the store: cleaned, then judged complete or not.

`clean()` makes two fetches of an unchanged device byte-identical (no paging debris, no
timestamps, no chatter before the config), so Git only records real changes. `check_complete()`
fails closed like RANCID and Nautobot Golden Config: an empty reply, a
CLI error, a missing end marker or a sudden shrink keeps the last good backup in place.

Both work line by line with the platform's `backup` patterns. netutils' `clean_config` is a
whole-text `re.sub` in MULTILINE mode, where a pattern such as `^\\s*<timestamp>\\s*$` can swallow
the blank lines before it; matching one line at a time keeps the deletion to that line.
"""

from __future__ import annotations

import re

from netpatrol.errors import IncompleteOutput, UsageError
from netpatrol.platforms import PlatformProfile

# Pager prompts and the erase sequence the device sends after the key press: Cisco-like
# " --More-- " + backspaces/spaces/backspaces, Huawei/H3C "  ---- More ----" + ESC[nD/spaces/ESC[nD.
_MORE = re.compile(
    r"[^\S\n]*-{2,}[^\S\n]*more[^\S\n]*-{2,}[^\S\n]?"
    r"(?:\x08+[^\S\n]*\x08+|\x1b\[\d*D[^\S\n]*\x1b\[\d*D)?",
    re.IGNORECASE,
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")
# Control characters other than tab/newline/backspace: NUL padding, bells, stray CR fragments.
_CONTROL = re.compile(r"[\x00-\x07\x0b-\x1f\x7f]")
END_WINDOW = 5  # the end marker must be among the last few non-blank lines


def _apply_backspaces(line: str) -> str:
    if "\x08" not in line:
        return line
    out: list[str] = []
    for ch in line:
        if ch == "\x08":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


def _normalise(config: str) -> list[str]:
    text = config.replace("\r\n", "\n").replace("\n\r", "\n")
    text = _MORE.sub("", text)
    text = _ANSI.sub("", text)
    lines = []
    for raw in text.split("\n"):
        # A bare CR means the terminal rewrote the line: keep what was written last.
        line = raw.rsplit("\r", 1)[-1] if "\r" in raw.rstrip("\r") else raw
        line = _CONTROL.sub("", _apply_backspaces(line))
        lines.append(line.rstrip())
    return lines


def _volatile_re(profile: PlatformProfile) -> re.Pattern[str] | None:
    patterns = profile.backup.volatile
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _from_start_marker(lines: list[str], profile: PlatformProfile) -> list[str]:
    marker = profile.backup.start_marker
    if marker is None:
        return lines
    start = re.compile(marker)
    for i, line in enumerate(lines):
        if start.search(line):
            return lines[i:]
    # No marker at all: keep everything, check_complete() decides whether it is a config.
    return lines


def _collapse_separator_runs(lines: list[str], comment_char: str) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.strip() == comment_char and out and out[-1].strip() == comment_char:
            continue
        out.append(line)
    return out


def clean(config: str, profile: PlatformProfile) -> str:
    """Device output -> stable config text (one trailing newline; empty input stays empty)."""
    lines = _normalise(config)
    volatile = _volatile_re(profile)
    if volatile is not None:
        lines = [line for line in lines if not volatile.search(line)]
    lines = _from_start_marker(lines, profile)
    if profile.backup.collapse_separator_runs:
        # Comware IRF stacks print a varying number of "#" lines between sections (Oxidized #3631).
        lines = _collapse_separator_runs(lines, profile.comment_char)
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines) + "\n" if lines else ""


def _content_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def content_line_count(text: str) -> int:
    """Non-blank lines: what `check_complete` compares with the last good version (the count,
    not the text, travels to a zone's worker)."""
    return len(_content_lines(text))


def check_complete(
    config: str,
    profile: PlatformProfile,
    previous_lines: int | None = None,
    max_shrink: float = 0.5,
    *,
    host: str,
) -> None:
    """Raise IncompleteOutput(host, reason) unless `config` looks like a whole configuration.

    `previous_lines` is the last good (stored) version's non-blank line count (content_line_count);
    `max_shrink` is the largest tolerated loss as a fraction of those lines.
    """
    if not 0.0 <= max_shrink <= 1.0:
        raise UsageError(f"max_shrink must be between 0 and 1, got {max_shrink!r}")
    lines = _content_lines(config)
    if not lines:
        raise IncompleteOutput(host, f"'{profile.backup.running}' returned empty output")
    # An error reply stands alone, first or last; inside the config the same words are config text
    # (a banner quoting "% Invalid input detected").
    error = profile.rejected(lines[0]) or profile.rejected(lines[-1])
    if error is not None:
        raise IncompleteOutput(host, f"'{profile.backup.running}' was answered with a CLI error: {error!r}")
    _check_end_marker(lines, profile, host)
    minimum = profile.backup.min_lines
    if len(lines) < minimum:
        raise IncompleteOutput(host, f"only {len(lines)} config lines; at least {minimum} expected for {profile.family}")
    if previous_lines is not None:
        _check_shrink(previous_lines, len(lines), max_shrink, host)


def _check_end_marker(lines: list[str], profile: PlatformProfile, host: str) -> None:
    markers = profile.backup.end_markers
    if not markers:
        return
    tail = lines[-END_WINDOW:]
    if any(re.search(marker, line) for marker in markers for line in tail):
        return
    shown = " or ".join(f"'{_marker_text(m)}'" for m in markers)
    # The last line itself is not quoted: on a truncated capture it may hold a secret.
    raise IncompleteOutput(host, f"no end marker {shown} in the last {END_WINDOW} lines; output truncated?")


def _marker_text(pattern: str) -> str:
    # '^return\s*$' reads better in a message as 'return'.
    return re.sub(r"\\s\*|\\s\+|[\^$]", "", pattern).replace("\\", "")


def _check_shrink(before: int, after: int, max_shrink: float, host: str) -> None:
    if before == 0 or after >= before:
        return
    shrink = (before - after) / before
    if shrink > max_shrink:
        raise IncompleteOutput(
            host,
            f"shrank from {before} to {after} lines ({shrink:.0%}) against the last good backup; "
            f"limit {max_shrink:.0%}",
        )


def check_not_cut_short(running: str, saved: str | None, profile: PlatformProfile, *, host: str) -> None:
    """For platforms without an end marker (NX-OS): a running config whose lines are a strict,
    clearly shorter prefix of the saved config stopped early; a real edit almost never does that.
    """
    if profile.backup.end_markers or not saved:
        return
    run, sav = _content_lines(running), _content_lines(saved)
    if len(run) < 0.9 * len(sav) and sav[: len(run)] == run:
        raise IncompleteOutput(
            host,
            f"'{profile.backup.running}' stopped after {len(run)} lines where the saved config "
            f"continues to {len(sav)}; output truncated?",
        )


def split_sentinel(output: str, profile: PlatformProfile, *, host: str) -> str:
    """The config part of `running ; sentinel` output, after proving the sentinel's line follows it.

    The sentinel's output (e.g. NX-OS `show hostname`) must be the last non-blank line and equal
    the value `sentinel_expect` captures from the config; a reply cut short has lost it.
    """
    spec = profile.backup
    lines = output.rstrip().split("\n")
    last = lines[-1].strip() if lines else ""
    m = re.search(spec.sentinel_expect or "", output, re.MULTILINE) if spec.sentinel_expect else None
    if not m or last != m.group(1):
        raise IncompleteOutput(
            host,
            f"the output of '{spec.sentinel_command}' did not follow the config; output truncated?",
        )
    return "\n".join(lines[:-1]) + "\n"
