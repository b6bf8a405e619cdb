"""`comply --intended`: each device's intended config (intended/) against the stored one, and the
remediation commands in the order the device accepts them."""

from __future__ import annotations

from pathlib import Path


def comply_intended(*, fmt: str, at: str | None, host: list[str] | None, site: str | None,
                    group: str | None, platform: str | None, workspace: Path | None) -> None:
    raise NotImplementedError("comply --intended: being built (issue 14)")
