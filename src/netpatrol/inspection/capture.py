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
from netpatrol.inspection.normalise import normalise
from netpatrol.inspection.parsing import normalise_command, parse

JOB = "quarterly"


def catalogue_item(platform: str, command: str, root: Path | None = None, job: str = JOB) -> str | None:
    """The item of `job` whose command alternatives include `command` (None: not in the catalogue)."""
    wanted = normalise_command(command)
    items = load_job(root, job).platforms.get(platform, {})
    return next((item for item, alternatives in items.items()
                 if any(normalise_command(a) == wanted for a in alternatives)), None)


def parse_capture(platform: str, command: str, text: str, extra_dirs: Sequence[Path] = (),
                  root: Path | None = None, item: str | None = None) -> dict[str, Any]:
    """`{"platform", "command", "item", "status", "template", "candidates", "unexplained", "error",
    "rows", "facts", "health"}`; facts and health hold only what this one output gave."""
    outcome = parse(platform, command, text, extra_dirs)
    item = item or catalogue_item(platform, command, root)
    facts = health = None
    if item is not None:
        facts, health = normalise(platform, {item: outcome.rows}, {item: text})
    return {
        "platform": platform,
        "command": normalise_command(command),
        "item": item,
        "status": outcome.status,
        "template": Path(outcome.template).name if outcome.template else None,
        "candidates": outcome.candidates,
        "unexplained": outcome.unexplained,
        "error": outcome.error,
        "rows": outcome.rows,
        # vendor is the platform's, not read from the output
        "facts": facts.model_dump(mode="json", exclude_none=True, exclude={"vendor"}) if facts else {},
        "health": health.model_dump(mode="json", exclude_defaults=True) if health else {},
    }


__all__ = ["catalogue_item", "parse_capture"]
