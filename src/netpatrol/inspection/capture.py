"""The inspection's parse and normalise path on one saved capture (`netpatrol parse`, bench/parse_truth.py).

Same code as a run: the candidate templates of the command, the catalogue item the command belongs
to, that item's field maps. The dict is a stable contract (`netpatrol parse --json`): users attach
it to bug reports and test their own captures with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from netpatrol.inspection.catalogue import load_job
from netpatrol.inspection.normalise import normalise_items
from netpatrol.inspection.parsing import normalise_command, parse
from netpatrol.inspection.results import Health

JOB = "quarterly"


def catalogue_items(platform: str, command: str, root: Path | None = None, job: str = JOB) -> list[str]:
    """The items of `job` whose command alternatives include `command`, in catalogue order (one
    output can serve several: EOS `show version` gives the version and the memory)."""
    wanted = normalise_command(command)
    items = load_job(root, job).platforms.get(platform, {})
    return [item for item, alternatives in items.items() if any(normalise_command(a) == wanted for a in alternatives)]


def catalogue_item(platform: str, command: str, root: Path | None = None, job: str = JOB) -> str | None:
    """The first item `command` serves (None: not in the catalogue)."""
    return next(iter(catalogue_items(platform, command, root, job)), None)


def _health(health: Health) -> dict[str, Any]:
    # Only what this output gave, but whole components: a status the normaliser could not read
    # stays visible as "unknown" instead of vanishing with the defaults.
    return {k: v for k, v in health.model_dump(mode="json").items() if v not in (None, [], {})}


def parse_capture(platform: str, command: str, text: str, extra_dirs: Sequence[Path] = (),
                  root: Path | None = None, item: str | None = None) -> dict[str, Any]:
    """`{"platform", "command", "item", "items", "status", "template", "candidates", "unexplained",
    "explained", "significant", "error", "problem", "rows", "facts", "health"}`; facts and health hold only
    what this one output gave, normalised under every catalogue item it serves (or `item`)."""
    outcome = parse(platform, command, text, extra_dirs)
    items = [item] if item else catalogue_items(platform, command, root)
    facts = health = None
    status, problems = outcome.status, []
    if items:
        done = normalise_items(platform, dict.fromkeys(items, outcome.rows), dict.fromkeys(items, text))
        facts, health = done.facts, done.health
        gaps = [done.unused[i] for i in items if i in done.unused]
        problems = [f"{gap.item}: {gap.reason}" for gap in gaps]
        # As in a run: rows from which no item gets any of its facts are a parse problem, not "parsed".
        if status == "parsed" and len(gaps) == len(items) and all(gap.no_facts for gap in gaps):
            status = "unrecognised"
    return {
        "platform": platform,
        "command": normalise_command(command),
        "item": items[0] if items else None,
        "items": items,
        "status": status,
        "template": Path(outcome.template).name if outcome.template else None,
        "candidates": outcome.candidates,
        "unexplained": outcome.unexplained,
        "explained": outcome.explained,
        "significant": outcome.significant,
        "error": outcome.error,
        "problem": "; ".join(problems) or None,  # rows or items the normaliser could not use, and why
        "rows": outcome.rows,
        # vendor is the platform's, not read from the output
        "facts": facts.model_dump(mode="json", exclude_none=True, exclude={"vendor"}) if facts else {},
        "health": _health(health) if health else {},
    }


__all__ = ["catalogue_item", "catalogue_items", "parse_capture"]
