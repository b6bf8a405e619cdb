"""`ZoneCollector`: a Collector for inventories with zones (collect/collector.py's seam).

Local hosts run in process through the local collector; every other host goes, in batches of
`distributed.batch_size`, to its zone's queue as COLLECT_TASK. The broker is checked when the
collector is made (BrokerError, exit 2, before the run writes anything). A zone with no live
worker for `no_worker_wait` seconds ends its remaining devices as NoCollector (status
`no_collector`); a device answered twice (a redelivered batch) counts once.
"""

from __future__ import annotations

from collections.abc import Sequence

from netpatrol.collect.collector import Collector, Outcome, Procedure, ProgressReporter, T
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace


class ZoneCollector:
    def __init__(self, ws: Workspace, local: Collector):
        self.ws = ws
        self.local = local

    def __call__(self, hosts: Sequence[ResolvedHost], procedure: Procedure[T],
                 progress: ProgressReporter) -> dict[str, Outcome[T]]:
        raise NotImplementedError
