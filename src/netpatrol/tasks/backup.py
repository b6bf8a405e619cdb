"""Nornir task: fetch one device's configuration and make it safe to store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nornir.core.task import Task

from netpatrol import errors
from netpatrol.configtext import check_complete, check_not_cut_short, clean, split_sentinel
from netpatrol.platforms import PLATFORMS
from netpatrol.sanitize import sanitize
from netpatrol.tasks.collect import run_commands


@dataclass
class FetchedConfig:
    text: str  # cleaned and sanitised: safe to write
    lines: int
    saved_matches: bool | None  # None: the platform has no separate saved config


def fetch_config(
    task: Task,
    previous: Callable[[str], str | None],
    secrets: str,
    max_shrink: float,
    compare_saved: bool,
) -> FetchedConfig:
    """running (+ saved) config → error check → clean → completeness → secrets removed.

    Nothing here writes to disk; a device that fails any step keeps its last good backup.
    """
    host = task.host.name
    profile = PLATFORMS[task.host.platform]
    spec = profile.backup
    running_cmd = f"{spec.running} ; {spec.sentinel_command}" if spec.sentinel_command else spec.running
    commands = [running_cmd]
    if compare_saved and spec.saved:
        commands.append(spec.saved)
    outputs = run_commands(task, commands)
    running = outputs[running_cmd]
    if running.rejected:
        raise errors.CommandRejected(host, f"'{running.command}' was refused: {running.rejected}")
    raw = split_sentinel(running.text, profile, host=host) if spec.sentinel_command else running.text
    text = clean(raw, profile)
    check_complete(text, profile, previous(host), max_shrink, host=host)
    saved_matches = None
    saved = outputs.get(profile.backup.saved) if profile.backup.saved else None
    if saved is not None and not saved.rejected and saved.text.strip():
        saved_text = clean(saved.text, profile)
        check_not_cut_short(text, saved_text, profile, host=host)
        saved_matches = saved_text == text
    safe = sanitize(text, task.host.platform, secrets)
    return FetchedConfig(safe, len(safe.splitlines()), saved_matches)
