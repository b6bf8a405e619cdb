"""Which workers are alive, per zone: Celery's inspect (active queues) and ping."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery

from netpatrol.workspace.distributed import DistributedSettings


@dataclass
class LiveWorker:
    name: str  # the Celery node name, `ZONE.PID@HOST`
    zone: str
    active: int | None = None  # tasks running now, when the worker said


def live_workers(app: Celery, dist: DistributedSettings, timeout: float = 1.0) -> dict[str, list[LiveWorker]]:
    """zone -> the workers consuming its queue that answered within `timeout` (zones with none left out)."""
    raise NotImplementedError
