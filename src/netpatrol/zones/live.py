"""Which workers are alive, per zone: Celery's inspect (active queues) and ping."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery

from netpatrol.workspace.distributed import ZONE_NAME, DistributedSettings


@dataclass
class LiveWorker:
    name: str  # the Celery node name, `ZONE.PID@HOST`
    zone: str
    active: int | None = None  # tasks running now, when the worker said


def _zone_of(queue: str, prefix: str) -> str | None:
    """The zone a queue `PREFIX.ZONE` serves; None for another workspace's or another app's queue."""
    head, _, zone = queue.rpartition(".")
    return zone if head == prefix and ZONE_NAME.match(zone) else None


def live_workers(app: Celery, dist: DistributedSettings, timeout: float = 1.0) -> dict[str, list[LiveWorker]]:
    """zone -> the workers consuming its queue that answered within `timeout` (zones with none left out)."""
    # A broadcast waits the whole timeout (no one knows how many workers there are); the second
    # question goes only to the nodes that answered and returns as soon as they all have.
    queues = app.control.inspect(timeout=timeout).active_queues() or {}
    zones_of = {node: sorted({z for q in qs or [] if (z := _zone_of(q.get("name", ""), dist.queue_prefix))})
                for node, qs in queues.items()}
    nodes = [node for node, zones in zones_of.items() if zones]
    active: dict[str, list] = {}
    if nodes:
        active = app.control.inspect(destination=nodes, timeout=timeout, limit=len(nodes)).active() or {}
    found: dict[str, list[LiveWorker]] = {}
    for node in sorted(nodes):
        tasks = active.get(node)
        for zone in zones_of[node]:
            found.setdefault(zone, []).append(LiveWorker(node, zone, len(tasks) if tasks is not None else None))
    return found
