"""One notification event and the outcome of delivering it to one channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from netpatrol.automation.messages import Voice


@dataclass
class Event:
    kind: str  # config_changed / backup_failed / inspection_failed / report_failed / findings
    summary: str  # in `lang`
    hosts: list[str]
    details: list[dict[str, Any]] = field(default_factory=list)
    client: str | None = None
    workspace: str | None = None
    commit: str | None = None
    tag: str | None = None
    period: str | None = None
    reason: str | None = None
    time: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    lang: str = "en"
    time_local: str | None = None  # `time` in the workspace's zone with the offset

    def localise(self, voice: Voice) -> Event:
        if self.time_local is None:
            self.time_local = voice.when(self.time)
        return self


@dataclass(frozen=True)
class Delivery:
    channel: str  # e.g. "webhook https://hooks.example/…", "mail ops@example.cn", "hook notify.sh"
    event: str
    ok: bool
    detail: str
