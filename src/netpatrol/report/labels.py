"""Names people read in the file formats (XLSX, DOCX) and on the web pages: a site by its archive name, a platform by the
name its vendor uses, a time in the workspace's zone; never the inventory's group or platform key."""

from __future__ import annotations

from collections.abc import Iterable

from netpatrol.report.model import DeviceRow, LevelRow, ReportModel, SiteSection
from netpatrol.workspace.models import SiteArchive


def site_names(sites: Iterable[SiteSection]) -> dict[str, str]:
    """Site key -> the name in its archive (the key only when the inventory gives no archive)."""
    return {s.key: site_name(s.key, s.archive) for s in sites}


def site_name(key: str, archive: SiteArchive | None) -> str:
    """A site's name in its archive, else its key."""
    return archive.name if archive is not None and archive.name else key


def level_names(report: ReportModel) -> dict[str, str]:
    """Severity -> the contract's name of its level, in the report language (from the model's levels)."""
    return {s: lv.name for lv in report.levels for s in severities_of(lv)}


def severities_of(level: LevelRow) -> tuple[str, ...]:
    """The severities a level row stands for (a row built without them stands for its own)."""
    return level.severities or (level.severity,)


def platform_label(device: DeviceRow) -> str:
    """'Cisco NX-OS', not the platform key: the row's name, else the platform folder's family."""
    return device.platform_name or platform_family(device.platform)


def platform_family(key: str) -> str:
    """The platform folder's family name ('Huawei VRP') for a platform key; the key when unknown."""
    from netpatrol.platforms.registry import PLATFORMS

    profile = PLATFORMS.get(key)
    return profile.family if profile is not None else key

