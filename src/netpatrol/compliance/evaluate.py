"""Evaluating compliance packs on one device's configuration tree.

`evaluate` gives every rule's verdict on a stored (sanitised) config; rules marked `at_backup` take
the verdict the backup stored. `evaluate_at_backup` runs only those rules, at backup time, on the
config before sanitising, and keeps no secret value: evidence lines pass through the sanitiser and
every value the sanitiser would remove is blanked out of them once more.

The condition semantics (sections, values, units, defaults) live in compliance/conditions.py.
"""

from __future__ import annotations

from collections.abc import Callable

from hier_config import HConfig

from netpatrol import time_limit
from netpatrol.compliance import tree
from netpatrol.compliance.conditions import Outcome, check_rule
from netpatrol.compliance.model import BackupVerdicts, Evidence, Pack, PlatformRule, Rule, RuleResult, Status, Texts, Verdict
from netpatrol.compliance.notes import note

# Seconds one rule may take on one device: a rule's regexes over a large config take milliseconds;
# past this a (workspace) pattern is backtracking without end (see netpatrol/time_limit.py).
RULE_SECONDS = 5.0


def _parse(platform: str, text: str) -> tuple[HConfig | None, Texts | None]:
    try:
        return tree.parse(platform, text), None
    except Exception as exc:  # noqa: BLE001  # a config hier_config cannot read leaves its rules unknown, not the run
        return None, note("unparsable", platform=platform, error=type(exc).__name__)


def _platform_rule(rule: Rule, platform: str) -> tuple[PlatformRule | None, Outcome | None]:
    """The rule's part for `platform`, or the verdict when there is none to run."""
    if platform not in rule.platforms:
        return None, Outcome("unknown", [note("no_platform_rule", platform=platform)])
    pr = rule.platforms[platform]
    if pr is None:
        return None, Outcome("not_applicable", [note("platform_excluded", platform=platform)])
    return pr, None


def _run(pr: PlatformRule, config: HConfig, scrub: Callable[[str], str] | None,
         saved_matches: bool | None) -> Outcome:
    try:
        with time_limit.limit(RULE_SECONDS):
            return check_rule(pr, config, scrub, saved_matches)
    except time_limit.Overrun:
        return Outcome("unknown", [note("timeout", seconds=f"{RULE_SECONDS:g}")])


def _result(pack: Pack, rule: Rule, host: str, site: str, platform: str, status: Status,
            evidence: list[Evidence], pr: PlatformRule | None) -> RuleResult:
    return RuleResult(host=host, site=site, platform=platform, pack=pack.pack, rule=rule.id, status=status,
                      severity=rule.severity, clause=rule.clause, checklist=rule.checklist, category=rule.category,
                      title=rule.title,
                      evidence=evidence, remediation=list(pr.remediation) if pr and status == "fail" else [])


def evaluate(packs: list[Pack], *, host: str, site: str, platform: str, config: str | None,
             backup: BackupVerdicts | None) -> list[RuleResult]:
    """Every rule's verdict on `config` (the stored, sanitised text), in pack and rule order.

    `config` None: every rule is `unknown`. Rules with `at_backup` take their verdict from
    `backup` (missing: `unknown`). The config is parsed once for all packs.
    """
    parsed, parse_problem = (None, note("no_config")) if config is None else _parse(platform, config)
    results: list[RuleResult] = []
    for pack in packs:
        for rule in pack.rules:
            pr, fixed = _platform_rule(rule, platform)
            if fixed is not None:
                outcome = fixed
            elif rule.at_backup:
                verdict = (backup.verdicts.get(pack.pack, {}).get(rule.id) if backup is not None else None)
                outcome = (Outcome(verdict.status, list(verdict.evidence)) if verdict is not None else
                           Outcome("unknown", [note("at_backup_missing")]))
            else:
                outcome = _on_tree(pr, parsed, parse_problem, None, None)
            results.append(_result(pack, rule, host, site, platform, outcome.status, outcome.evidence, pr))
    return results


def _on_tree(pr: PlatformRule | None, parsed: HConfig | None, parse_problem: Evidence | None,
             scrub: Callable[[str], str] | None, saved_matches: bool | None) -> Outcome:
    """A platform rule's outcome on the parsed config; `unknown` with the reason when no tree could be read."""
    if parsed is None:
        assert parse_problem is not None
        return Outcome("unknown", [parse_problem])
    assert pr is not None
    return _run(pr, parsed, scrub, saved_matches)


def _scrubber(text: str, platform: str) -> Callable[[str], str]:
    """Makes one evidence line safe to keep: the sanitiser on the line, then every secret value
    the sanitiser finds in the whole config (it knows context a single line lacks) blanked out."""
    from netpatrol.backup.sanitize import PLACEHOLDER, find_secrets, sanitize

    secrets = sorted((s for s in find_secrets(text, platform, "all") if s), key=len, reverse=True)

    def scrub(line: str) -> str:
        line = sanitize(line, platform, "all")
        for secret in secrets:
            line = line.replace(secret, PLACEHOLDER)
        return line

    return scrub


def evaluate_at_backup(packs: list[Pack], *, host: str, platform: str, text: str,
                       saved_matches: bool | None) -> BackupVerdicts:
    """The verdicts of the `at_backup` rules on `text` (the cleaned config BEFORE sanitising).

    Only verdicts and sanitised evidence are kept, never a secret's value. `saved_matches`: whether
    the running config equals the saved one (None: the platform has no separate saved config, or it
    was not compared), for `saved:` conditions.
    """
    out = BackupVerdicts(host=host, platform=platform)
    rules = [(pack, rule) for pack in packs for rule in pack.rules if rule.at_backup]
    if not rules:
        return out
    parsed, parse_problem = _parse(platform, text)
    scrub = _scrubber(text, platform)
    for pack, rule in rules:
        pr, fixed = _platform_rule(rule, platform)
        outcome = fixed if fixed is not None else _on_tree(pr, parsed, parse_problem, scrub, saved_matches)
        out.verdicts.setdefault(pack.pack, {})[rule.id] = Verdict(status=outcome.status, evidence=outcome.evidence)
    return out
