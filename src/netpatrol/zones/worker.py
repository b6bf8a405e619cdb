"""`netpatrol worker --zone NAME`: a Celery worker consuming only that zone's queue.

The task it runs, COLLECT_TASK(zone, kind, hosts, args) -> {host: encoded outcome}: hosts are
resolved from the worker's own inventory (and must be in its zone there), passwords come from the
worker's own environment, the procedure runs over SSH here, and only its sanitised result leaves.
"""

from __future__ import annotations

from netpatrol.workspace.settings import Workspace


def run_worker(ws: Workspace, zone: str, concurrency: int | None = None) -> int:
    """Run the zone's worker in the foreground until stopped; returns the worker's exit status."""
    raise NotImplementedError
