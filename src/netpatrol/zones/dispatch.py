"""`ZoneCollector`: a Collector for inventories with zones (collect/collector.py's seam).

Local hosts run in process through the local collector; every other host goes, in batches of
`distributed.batch_size`, to its zone's queue as COLLECT_TASK. The broker is checked when the
collector is made (BrokerError, exit 2, before the run writes anything). A zone with no live
worker for `no_worker_wait` seconds ends its remaining devices as NoCollector (status
`no_collector`); a device answered twice (a redelivered batch) counts once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from celery import Celery
from celery.result import AsyncResult

from netpatrol.collect.collector import Collector, Outcome, Procedure, ProgressReporter, T
from netpatrol.errors import BrokerError, DeviceError, NoCollector
from netpatrol.workspace.distributed import LOCAL_ZONE, DistributedSettings
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace
from netpatrol.zones.app import (
    COLLECT_TASK,
    broker_url,
    check_broker,
    distributed_settings,
    make_app,
    queue_name,
    shown_error,
    shown_url,
)
from netpatrol.zones.live import live_workers
from netpatrol.zones.messages import decode_outcome, encode_call

R = TypeVar("R")
POLL = 0.1  # seconds between looks at the pending batches' results
LIVE_EVERY = 0.5  # seconds between two inspections of the live workers


class _SharedBar:
    """The run's bar as the local collector sees it: it may advance it, never start or stop it
    (the zone collector owns the one bar of the run)."""

    def __init__(self, progress: ProgressReporter, lock: threading.Lock):
        self.progress = progress
        self.lock = lock

    def start(self) -> None: ...

    def advance(self, host: str, ok: bool) -> None:
        with self.lock:
            self.progress.advance(host, ok)

    def stop(self) -> None: ...


@dataclass
class _Batch:
    zone: str
    kind: str
    hosts: list[str]
    result: AsyncResult


@dataclass
class _Liveness:
    """When each zone last showed a live worker (inspect, or a result coming back), kept by a thread."""

    last_seen: dict[str, float] = field(default_factory=dict)
    error: BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def seen(self, zones: Sequence[str]) -> None:
        now = time.monotonic()
        with self.lock:
            for z in zones:
                self.last_seen[z] = now

    def since(self, zone: str, default: float) -> float:
        with self.lock:
            return self.last_seen.get(zone, default)


class ZoneCollector:
    def __init__(self, ws: Workspace, local: Collector):
        self.ws = ws
        self.local = local
        self.dist: DistributedSettings = distributed_settings(ws)
        self.app: Celery = make_app(ws)
        check_broker(self.app, self.dist)

    def __call__(self, hosts: Sequence[ResolvedHost], procedure: Procedure[T],
                 progress: ProgressReporter) -> dict[str, Outcome[T]]:
        local_hosts = [h for h in hosts if h.zone == LOCAL_ZONE]
        by_zone: dict[str, list[ResolvedHost]] = {}
        for h in hosts:
            if h.zone != LOCAL_ZONE:
                by_zone.setdefault(h.zone, []).append(h)
        size = self.dist.batch_size
        # Encoded before anything is sent: a procedure that cannot run in a zone stops the run whole.
        calls = [(zone, chunk, *encode_call(procedure, chunk))
                 for zone, zhosts in by_zone.items()
                 for chunk in (zhosts[i:i + size] for i in range(0, len(zhosts), size))]

        lock = threading.Lock()
        outcomes: dict[str, Outcome[T]] = {}
        local_out: dict[str, Outcome[T]] = {}
        local_error: list[BaseException] = []

        def run_local() -> None:
            try:
                local_out.update(self.local(local_hosts, procedure, _SharedBar(progress, lock)))
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                local_error.append(exc)

        progress.start()
        try:
            # A daemon: when the remote part fails (broker gone, Ctrl-C) the run ends without waiting
            # for the local devices, whose results would not be stored anyway.
            thread = threading.Thread(target=run_local, name="netpatrol-local-zone", daemon=True)
            if local_hosts:
                thread.start()
            sent: list[_Batch] = []
            try:
                for zone, chunk, kind, args in calls:
                    sent.append(self._send(zone, kind, [h.name for h in chunk], args))
                remote = self._gather(sent, lock, progress)
            except BrokerError:
                # With the broker gone, each AsyncResult's __del__ would unsubscribe through the dead
                # connection and print a "Retry limit exceeded" traceback after the run's one message.
                for b in sent:
                    b.result.backend = None
                raise
            if local_hosts:
                thread.join()
        finally:
            progress.stop()
        if local_error:
            raise local_error[0]
        outcomes.update(local_out)
        outcomes.update(remote)
        for h in local_hosts:
            # A collector must answer for every host; a silent one is that device's failure.
            outcomes.setdefault(h.name, Outcome(h.name, False, error=DeviceError(h.name, "the local collector returned no outcome")))
        return outcomes

    def _send(self, zone: str, kind: str, names: list[str], args: dict[str, Any]) -> _Batch:
        result = self._broker(lambda: self.app.send_task(COLLECT_TASK, args=[zone, kind, names, args],
                                                         queue=queue_name(self.dist, zone)))
        return _Batch(zone, kind, names, result)

    def _gather(self, batches: list[_Batch], lock: threading.Lock, progress: ProgressReporter) -> dict[str, Outcome[Any]]:
        """Every remote host's Outcome: results as they arrive, no_collector for a zone left without workers."""
        done: dict[str, Outcome[Any]] = {}
        pending = list(batches)
        if not pending:
            return done
        start = time.monotonic()
        live = _Liveness()
        watcher = threading.Thread(target=self._watch, args=(live, sorted({b.zone for b in pending})),
                                   name="netpatrol-zone-liveness", daemon=True)
        watcher.start()

        def finish(outcome: Outcome[Any]) -> None:
            # A redelivered batch may answer for a device again: the first answer is the one kept.
            if outcome.host in done:
                return
            done[outcome.host] = outcome
            with lock:
                progress.advance(outcome.host, outcome.ok)

        try:
            while pending:
                still: list[_Batch] = []
                for b in pending:
                    if self._broker(b.result.ready):
                        self._collect(b, finish)
                        live.seen([b.zone])
                    elif any(h not in done for h in b.hosts):
                        still.append(b)
                pending = still
                if live.error is not None:
                    raise self._broker_error(live.error)
                now = time.monotonic()
                for zone in sorted({b.zone for b in pending}):
                    if now - live.since(zone, start) < self.dist.no_worker_wait:
                        continue
                    gone = [b for b in pending if b.zone == zone]
                    self._give_up(zone, gone, finish)
                    pending = [b for b in pending if b.zone != zone]
                if pending:
                    time.sleep(POLL)
        finally:
            live.stop.set()
            watcher.join(timeout=5)
        return done

    def _collect(self, batch: _Batch, finish: Callable[[Outcome[Any]], None]) -> None:
        result = batch.result
        # Read, not `get()`: the result is ready, and get() refuses to run where a worker runs too.
        value = self._broker(lambda: result.result)
        if result.successful() and isinstance(value, dict):
            for host in batch.hosts:
                data = value.get(host)
                if isinstance(data, dict):
                    finish(decode_outcome(batch.kind, data))
                else:
                    finish(Outcome(host, False, error=DeviceError(
                        host, f"the worker of zone '{batch.zone}' returned no outcome for this device")))
        else:
            why = f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else f"state {result.state}"
            for host in batch.hosts:
                finish(Outcome(host, False, error=DeviceError(
                    host, f"the worker of zone '{batch.zone}' failed on this device's batch: {why}"[:500])))
        try:
            result.forget()  # the backend keeps nothing of the run once it is read
        except Exception:  # noqa: BLE001 - an expired result is forgotten anyway (result_expires)
            pass

    def _give_up(self, zone: str, batches: list[_Batch], finish: Callable[[Outcome[Any]], None]) -> None:
        wait = self.dist.no_worker_wait
        queue = queue_name(self.dist, zone)
        # A worker starting later must not collect devices this run no longer waits for: the zone's
        # queue (this workspace's own, by its prefix, and it has no consumer) is emptied, and the
        # tasks are revoked for a worker that took one just now.
        try:
            with self.app.connection_for_write() as conn:
                conn.default_channel.queue_purge(queue)
            self.app.control.revoke([b.result.id for b in batches])
        except Exception:  # noqa: BLE001 - best effort: the devices are reported either way
            pass
        for b in batches:
            for host in b.hosts:
                finish(Outcome(host, False, error=NoCollector(
                    host, f"no live worker in zone '{zone}' for {wait:g} s (queue {queue}); "
                          f"start one there: netpatrol worker --zone {zone}")))

    def _watch(self, live: _Liveness, zones: list[str]) -> None:
        """Inspects the live workers until told to stop; an app of its own, so its broadcasts never
        share a connection with the result polling."""
        app = make_app(self.ws)
        try:
            while not live.stop.is_set():
                try:
                    found = live_workers(app, self.dist, timeout=1.0)
                except Exception as exc:  # noqa: BLE001 - reported by the polling thread as a BrokerError
                    live.error = exc
                    return
                live.seen([z for z in zones if found.get(z)])
                live.stop.wait(LIVE_EVERY)
        finally:
            app.close()

    def _broker(self, call: Callable[[], R]) -> R:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - kombu, redis-py and socket errors: the broker went away
            raise self._broker_error(exc) from None

    def _broker_error(self, exc: BaseException) -> BrokerError:
        return BrokerError(f"the zones' broker {shown_url(broker_url(self.dist))} failed during the run, nothing "
                           f"was stored: {type(exc).__name__}: {shown_error(self.dist, str(exc))}"[:600])
