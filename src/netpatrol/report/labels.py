"""Names people read in the file formats (XLSX, DOCX): a site by its archive name, a platform by the
name its vendor uses, a time in the workspace's zone; never the inventory's group or platform key."""

from __future__ import annotations

from datetime import tzinfo

from netpatrol import localtime
from netpatrol.report.i18n import Translator, catalogue
from netpatrol.report.model import DeviceRow, ReportModel


def site_names(report: ReportModel) -> dict[str, str]:
    """Site key -> the name in its archive (the key only when the inventory gives no archive)."""
    return {s.key: (s.archive.name if s.archive and s.archive.name else s.key) for s in report.sites}


def platform_label(device: DeviceRow) -> str:
    """'Cisco NX-OS', not 'cisco_nxos': the row's name, else the platform folder's family."""
    if device.platform_name:
        return device.platform_name
    from netpatrol.platforms.registry import PLATFORMS

    profile = PLATFORMS.get(device.platform)
    return profile.family if profile is not None else device.platform


def local_time(moment: str | None, tz: tzinfo | None) -> str | None:
    """A stored UTC timestamp as '2026-09-20 09:10 +08:00'; text that is not a timestamp unchanged."""
    if not moment or tz is None:
        return moment
    try:
        return localtime.show(moment, tz)
    except ValueError:
        return moment


def level_name(t: Translator, severity: str, level: str = "") -> str:
    """A problem's level as the contract names it: the row's `level`, else the catalogue's
    `contract.<severity>`; the severity key only when neither exists."""
    return level or (t(f"contract.{severity}") if f"contract.{severity}" in catalogue(t.lang) else severity)
