"""The report's baseline compliance (安全基线核查): the period's `compliance/<period>/…` records, as
the inspection committed them, in the report's language: every device's rule verdicts (titles,
categories and statuses in the language, severities by the contract's level names), counts per
site, pack and category, and the rules newly failing or fixed since the previous period.

The records carry their own comparison (`DeviceCompliance.changes`, against the previous period
the inspection found); the report shows it only when that previous period has records at all."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from netpatrol.compliance.model import DeviceCompliance, RuleResult
from netpatrol.errors import NetpatrolError
from netpatrol.platforms import PLATFORMS
from netpatrol.report.i18n import Translator
from netpatrol.report.model import (
    ComplianceChange,
    ComplianceCounts,
    ComplianceDevice,
    ComplianceGroup,
    ComplianceRule,
    ComplianceSection,
    clause_order,
)
from netpatrol.report.results import load_compliance
from netpatrol.store.repo import Store

STATUS_ORDER = {"fail": 0, "unknown": 1, "pass": 2, "not_applicable": 3}
SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "info": 3}


def gather(store: Store, period: str, previous: str | None, t: Translator, levels: dict[str, str],
           hosts: list[tuple[str, str]], site: str | None, workspace: Path | None) -> ComplianceSection | None:
    """The section's content; None when the period has no records (the section says so).

    `hosts`: (host, site) in the report's order; `levels`: severity -> the contract's level name."""
    records = {h: r for h, r in load_compliance(store, period).items() if site in (None, r.site)}
    if not records:
        return None
    order = {name: i for i, (name, _) in enumerate(hosts)}
    chosen = sorted(records.values(), key=lambda r: (order.get(r.host, len(order)), r.host))
    devices = [_device(t, levels, r) for r in chosen]
    section = ComplianceSection(devices=devices, counts=_count(x for d in devices for x in d.rules))
    section.sites = _groups(devices, lambda d, x: d.site, lambda key: key)
    names = _pack_names(workspace, t, {x.pack for d in devices for x in d.rules})
    section.packs = _groups(devices, lambda d, x: x.pack, lambda key: names.get(key, key))
    section.categories = sorted(
        _groups(devices, lambda d, x: x.category,
                lambda key: t(f"compliance.category.{key}")),
        key=lambda g: CATEGORIES.index(g.key) if g.key in CATEGORIES else len(CATEGORIES))
    section.compared = previous is not None and bool(load_compliance(store, previous))
    if section.compared:
        for rec, d in zip(chosen, devices, strict=True):
            by_id = {(x.pack, x.rule): x for x in d.rules}
            for c in rec.changes:
                rule = by_id.get((c.pack, c.rule))
                if rule is None:
                    continue  # no longer evaluated: nothing to show as it stands now
                if c.current == "fail" and c.previous != "fail":
                    section.newly_failing.append(ComplianceChange(d.host, d.site, rule, c.previous))
                elif c.previous == "fail" and c.current == "pass":
                    section.fixed.append(ComplianceChange(d.host, d.site, rule, c.previous))
    return section


CATEGORIES = ("identity", "access_control", "audit", "intrusion_prevention", "snmp", "ntp", "banner",
              "config_saved", "other")


def _device(t: Translator, levels: dict[str, str], rec: DeviceCompliance) -> ComplianceDevice:
    rules = sorted((_rule(t, levels, r) for r in rec.results),
                   key=lambda x: (STATUS_ORDER.get(x.status, 9), SEVERITY_ORDER.get(x.severity, 9),
                                  clause_order(x.clause), x.pack, x.rule))
    profile = PLATFORMS.get(rec.platform)
    return ComplianceDevice(host=rec.host, site=rec.site, platform=rec.platform,
                            platform_name=profile.family if profile else rec.platform,
                            rules=rules, counts=_count(rules))


def clause_shown(t: Translator, clause: str | None, checklist: bool) -> str:
    """The clause as a reader sees it: the standard's number, marked when inspection sheets add the
    item (the clause and the mark of report/messages), or the mark alone for a sheet item with no clause."""
    if not checklist:
        return clause or ""
    return clause + t("compliance.checklist_mark") if clause else t("compliance.checklist_only")


_PLACEHOLDER = re.compile(r"<([a-z][a-z0-9-]*)>")


def placeholders(t: Translator, lines: Iterable[str]) -> list[str]:
    """A fix's `<ntp-server>` placeholders named in the report's language (`<NTP服务器地址>`); a
    placeholder the catalogue does not know is left as the pack wrote it."""
    def named(m: re.Match[str]) -> str:
        return f"<{t.get(f'compliance.placeholder.{m[1]}') or m[1]}>"
    return [_PLACEHOLDER.sub(named, line) for line in lines]


def _rule(t: Translator, levels: dict[str, str], r: RuleResult) -> ComplianceRule:
    return ComplianceRule(pack=r.pack, rule=r.rule, clause=clause_shown(t, r.clause, r.checklist),
                          title=r.title.get(t.lang),
                          category=r.category, category_name=t(f"compliance.category.{r.category}"),
                          status=r.status,
                          severity=r.severity, level=levels.get(r.severity, r.severity),
                          evidence=tuple(r.evidence_in(t.lang)), remediation=tuple(placeholders(t, r.remediation)),
                          lines=tuple(e for e in r.evidence if isinstance(e, str)), clause_id=r.clause)


def _count(rules: Iterable[ComplianceRule]) -> ComplianceCounts:
    n = {"pass": 0, "fail": 0, "not_applicable": 0, "unknown": 0}
    for x in rules:
        n[x.status] = n.get(x.status, 0) + 1
    return ComplianceCounts(passed=n["pass"], failed=n["fail"], not_applicable=n["not_applicable"],
                            unknown=n["unknown"])


def _groups(devices: list[ComplianceDevice], key_of, name_of) -> list[ComplianceGroup]:
    """Counts per key, keys in the order they first appear."""
    rules: dict[str, list[ComplianceRule]] = {}
    hosts: dict[str, set[str]] = {}
    for d in devices:
        for x in d.rules:
            key = key_of(d, x)
            rules.setdefault(key, []).append(x)
            hosts.setdefault(key, set()).add(d.host)
    return [ComplianceGroup(key, name_of(key), len(hosts[key]), _count(rules[key])) for key in rules]


def _pack_names(workspace: Path | None, t: Translator, packs: set[str]) -> dict[str, str]:
    """Pack id -> its title in the report language, from the packs as the workspace loads them.
    A pack that no longer loads still has its records: it is then named by its id."""
    from netpatrol.compliance.loader import load_packs
    from netpatrol.workspace.settings import Workspace

    try:
        loaded = load_packs(Workspace(workspace) if workspace is not None else None)
    except NetpatrolError:
        return {}
    return {p.pack: p.title.get(t.lang) for p in loaded if p.pack in packs}
