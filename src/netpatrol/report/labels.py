"""Names people read in the file formats (XLSX, DOCX): a site by its archive name, a platform by the
name its vendor uses, a time in the workspace's zone; never the inventory's group or platform key."""

from __future__ import annotations

from collections.abc import Iterable

from netpatrol.report.model import DeviceRow, LevelRow, ReportModel, SiteSection


def site_names(sites: Iterable[SiteSection]) -> dict[str, str]:
    """Site key -> the name in its archive (the key only when the inventory gives no archive)."""
    return {s.key: (s.archive.name if s.archive and s.archive.name else s.key) for s in sites}


def level_names(report: ReportModel) -> dict[str, str]:
    """Severity -> the contract's name of its level, in the report language (from the model's levels)."""
    return {s: lv.name for lv in report.levels for s in severities_of(lv)}


def severities_of(level: LevelRow) -> tuple[str, ...]:
    """The severities a level row stands for (a row built without them stands for its own)."""
    return level.severities or (level.severity,)


def platform_label(device: DeviceRow) -> str:
    """'Cisco NX-OS', not the platform key: the row's name, else the platform folder's family."""
    if device.platform_name:
        return device.platform_name
    from netpatrol.platforms.registry import PLATFORMS

    profile = PLATFORMS.get(device.platform)
    return profile.family if profile is not None else device.platform

