"""The backup procedure: fetch one device's configuration and make it safe to store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from netpatrol import errors
from netpatrol.backup.configtext import check_complete, check_not_cut_short, clean, split_sentinel
from netpatrol.backup.sanitize import sanitize
from netpatrol.collect.collector import Connect, Device
from netpatrol.collect.session import CommandOutput
from netpatrol.compliance.model import BackupVerdicts, Pack
from netpatrol.platforms import PLATFORMS, PlatformProfile
from netpatrol.workspace.inventory import ResolvedHost

# FetchedConfig.sentinel values.
SENTINEL_CHECKED = "checked"
SENTINEL_UNAVAILABLE = "unavailable"


@dataclass
class FetchedConfig:
    text: str  # cleaned and sanitised: safe to write
    lines: int
    saved_matches: bool | None  # None: the platform has no separate saved config
    # None: the platform has no sentinel; "checked"; "unavailable": the device refused the chained
    # line and the config was judged by the other completeness checks only.
    sentinel: str | None = None
    warning: str | None = None
    # The packs' `at_backup` verdicts (None: no such rule, or `compliance_error` says why not).
    verdicts: BackupVerdicts | None = None
    compliance_error: str | None = None


def _fetch_running(device: Device, profile: PlatformProfile) -> tuple[CommandOutput, bool, str | None]:
    """(running-config output, whether the sentinel followed it, why it could not).

    Some NX-OS images and AAA command authorisation refuse `;`-chained lines; a device that does
    would otherwise never be backed up, so the platform's plain commands are tried in order.
    """
    spec = profile.backup
    if not spec.sentinel_command:
        return device.send(spec.running), False, None
    chained = device.send(f"{spec.running} ; {spec.sentinel_command}")
    if not chained.rejected or not spec.sentinel_fallback:
        return chained, True, None
    for command in spec.sentinel_fallback:
        plain = device.send(command)
        if not plain.rejected:
            return plain, False, f"'{chained.command}' was refused ({chained.rejected})"
    return chained, True, None


def fetch_config(
    host: ResolvedHost,
    connect: Connect,
    previous: Callable[[str], int | None],
    secrets: str,
    max_shrink: float,
    compare_saved: bool,
    packs: list[Pack] | None = None,
) -> FetchedConfig:
    """running (+ saved) config → error check → clean → completeness → `at_backup` verdicts →
    secrets removed.

    `previous(host name)` is the stored config's content-line count (None: no backup yet).
    Nothing here writes to disk; a device that fails any step keeps its last good backup.
    """
    name = host.name
    profile = PLATFORMS[host.platform]
    with connect() as device:
        running, with_sentinel, refused = _fetch_running(device, profile)
        saved = None
        if compare_saved and profile.backup.saved and not running.rejected:
            saved = device.send(profile.backup.saved)
    if running.rejected:
        raise errors.CommandRejected(name, f"'{running.command}' was refused: {running.rejected}")
    raw = split_sentinel(running.text, profile, host=name) if with_sentinel else running.text
    text = clean(raw, profile)
    check_complete(text, profile, previous(name), max_shrink, host=name)
    saved_matches = None
    if saved is not None and not saved.rejected and saved.text.strip():
        saved_text = clean(saved.text, profile)
        check_not_cut_short(text, saved_text, profile, host=name)
        saved_matches = saved_text == text
    verdicts, compliance_error = _at_backup(packs, host, text, saved_matches)
    safe = sanitize(text, host.platform, secrets)
    sentinel = warning = None
    if profile.backup.sentinel_command:
        sentinel = SENTINEL_CHECKED if with_sentinel else SENTINEL_UNAVAILABLE
        if refused:
            warning = (f"end-of-output sentinel unavailable: {refused}; saved '{running.command}' "
                       f"judged by line count{' and the saved config' if saved_matches is not None else ''} only")
    return FetchedConfig(safe, len(safe.splitlines()), saved_matches, sentinel, warning, verdicts, compliance_error)


def _at_backup(packs: list[Pack] | None, host: ResolvedHost, text: str,
               saved_matches: bool | None) -> tuple[BackupVerdicts | None, str | None]:
    """The rules that need the unsanitised text (a community `public`) or the saved comparison;
    only their verdicts leave this function, never the text."""
    if not packs:
        return None, None
    from netpatrol.compliance.evaluate import evaluate_at_backup

    try:
        return evaluate_at_backup(packs, host=host.name, platform=host.platform, text=text, saved_matches=saved_matches), None
    except Exception as exc:  # noqa: BLE001 - a pack (or evaluator) error never blocks a backup
        return None, f"{type(exc).__name__}: {exc}" if not isinstance(exc, errors.NetpatrolError) else str(exc)
