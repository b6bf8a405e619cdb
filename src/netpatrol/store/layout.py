"""Where everything lives in the store: the one module that spells the paths inside `backups/`
and the names of the tags netpatrol puts on its commits.

    backups/                                          the store, a Git repository of its own
      README.md, .gitignore                           written by the store's first commit
      configs/<site>/<host>.cfg                       each device's cleaned, sanitised configuration
      inspections/<period>/<site>/<host>.json         one InspectionResult per device and period
      inspections/<period>/<site>/<host>/<slug>.txt   the raw outputs of the job's commands (evidence)
      inspections/<period>/summary.json               counts per status and severity
      reports/<period>/report.md                      the period's Markdown report (report-<site>.md per site;
                                                       report.<lang>.md in a language not the workspace's)
      compliance/<period>/<site>/<host>.json          one device's baseline verdicts for a period (with its inspection)
      compliance/<period>/summary.json                counts per status, pack and site
      compliance/backup/<site>/<host>.json            the `at_backup` rules' verdicts of the last backup (never a value)
      .git/netpatrol.lock                             the flock a run holds
      .git/NETPATROL_COMMIT_MSG                       the message of the commit being made
    tags: inspection/<period> (moved when a period is inspected again),
          pre-change/<change id>/<UTC time> (a backup taken with --reason)

Paths are relative to the store's root and '/'-separated: they are Git paths too. Nothing here
checks names; hosts, sites and periods are validated where they are read (workspace.names,
store.refs).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

STORE_DIR = "backups"  # below the workspace root
README = "README.md"
GITIGNORE = ".gitignore"
CONFIGS = "configs"
INSPECTIONS = "inspections"
REPORTS = "reports"
COMPLIANCE = "compliance"
# Beside the period folders (YYYYQn, never this word): the verdicts written by each backup.
BACKUP_VERDICTS = "backup"
# Directories a run writes into: half-written files left there by a killed run are removed when
# the store is opened, and `Store.commit` stages them when given no paths.
MANAGED_DIRS = (CONFIGS, INSPECTIONS, COMPLIANCE, "evidence", "state")
LOCK_NAME = "netpatrol.lock"  # inside .git: never committed, never cleaned up as a stale git lock
COMMIT_MSG = "NETPATROL_COMMIT_MSG"  # inside .git
INSPECTION_TAG = "inspection/{period}"
PRE_CHANGE_TAG = "pre-change/{change}/{stamp}"

_SLUG = re.compile(r"[^A-Za-z0-9-]+")
MAX_SLUG = 120


# --- configs ---------------------------------------------------------------------------------------


def config_path(site: str, host: str) -> str:
    return f"{CONFIGS}/{site}/{host}.cfg"


def host_of(path: str, prefix: str = CONFIGS) -> tuple[str, str]:
    """(host, site) of `configs/<site>/<host>.cfg`; site is "" when the file sits at the top."""
    prefix = prefix.rstrip("/") + "/" if prefix.strip("/") else ""
    rel = PurePosixPath(path[len(prefix):] if path.startswith(prefix) else path)
    return rel.stem, (rel.parts[0] if len(rel.parts) > 1 else "")


# --- inspections -----------------------------------------------------------------------------------


def period_dir(period: str) -> str:
    return f"{INSPECTIONS}/{period}"


def result_path(period: str, site: str, host: str) -> str:
    return f"{INSPECTIONS}/{period}/{site}/{host}.json"


def parse_result_path(path: str) -> tuple[str, str, str] | None:
    """(period, site, host) of a device result `inspections/<period>/<site>/<host>.json`; None for
    anything else there (summary.json, evidence files)."""
    parts = PurePosixPath(path).parts
    if len(parts) != 4 or parts[0] != INSPECTIONS or not parts[3].endswith(".json"):
        return None
    return parts[1], parts[2], parts[3].removesuffix(".json")


def period_of(path: str) -> str | None:
    """The period folder a file below `inspections/<period>/` sits in; None for other paths."""
    parts = PurePosixPath(path).parts
    return parts[1] if len(parts) >= 3 and parts[0] == INSPECTIONS else None


def evidence_dir(period: str, site: str, host: str) -> str:
    return f"{INSPECTIONS}/{period}/{site}/{host}"


def slug(command: str) -> str:
    """The evidence file name of a command. A long `| include a|b|c...` filter would exceed the
    file system's 255-byte names and fail the whole inspection at its write: long ones keep their
    start and end in a digest of the whole command."""
    name = _SLUG.sub("_", command.strip()).strip("_")
    if len(name) <= MAX_SLUG:
        return name
    return f"{name[:100]}_{hashlib.sha256(command.strip().encode('utf-8')).hexdigest()[:16]}"


def evidence_path(period: str, site: str, host: str, command: str) -> str:
    return f"{evidence_dir(period, site, host)}/{slug(command)}.txt"


def summary_path(period: str) -> str:
    return f"{INSPECTIONS}/{period}/summary.json"


# --- compliance ------------------------------------------------------------------------------------


def compliance_dir(period: str) -> str:
    return f"{COMPLIANCE}/{period}"


def parse_compliance_path(path: str) -> tuple[str, str, str] | None:
    """(period, site, host) of a device record `compliance/<period>/<site>/<host>.json`; None for
    anything else there (summary.json, the backup verdicts' folder is no period)."""
    parts = PurePosixPath(path).parts
    if len(parts) != 4 or parts[0] != COMPLIANCE or parts[1] == BACKUP_VERDICTS or not parts[3].endswith(".json"):
        return None
    return parts[1], parts[2], parts[3].removesuffix(".json")


def compliance_path(period: str, site: str, host: str) -> str:
    return f"{COMPLIANCE}/{period}/{site}/{host}.json"


def compliance_summary_path(period: str) -> str:
    return f"{COMPLIANCE}/{period}/summary.json"


def backup_verdicts_dir() -> str:
    return f"{COMPLIANCE}/{BACKUP_VERDICTS}"


def backup_verdicts_path(site: str, host: str) -> str:
    return f"{COMPLIANCE}/{BACKUP_VERDICTS}/{site}/{host}.json"


# --- reports and tags ------------------------------------------------------------------------------


def report_path(period: str, site: str | None = None, lang: str | None = None) -> str:
    """The workspace's own language (lang None) at report[-<site>].md, where it has always been, so
    its history goes on; a report in another language beside it, report[-<site>].<lang>.md."""
    name = "report" if site is None else f"report-{site}"
    return f"{REPORTS}/{period}/{name}.md" if lang is None else f"{REPORTS}/{period}/{name}.{lang}.md"


def pre_change_prefix(change: str) -> str:
    """The common start of every pre-change tag of one change id."""
    return PRE_CHANGE_TAG.format(change=change, stamp="")
