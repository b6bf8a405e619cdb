"""`ZoneCollector`: a Collector for inventories with zones (collect/collector.py's seam).

Local hosts run in process through the local collector; every other host goes, in batches of
`distributed.batch_size`, to its zone's queue as COLLECT_TASK. The broker is checked when the
collector is made (BrokerError, exit 2, before the run writes anything). A zone with no live
worker for `no_worker_wait` seconds ends its remaining devices as NoCollector (status
`no_collector`); a device answered twice (a redelivered batch) counts once.

Each batch carries `batch_time_limit` (the worker kills a batch past it: its devices end as
timeout) and expires when no worker could still be running it for this run. Whatever ends a run
early (Ctrl-C, an error) revokes and forgets its unread batches and empties its zones' queues, so
no worker logs in to a device for nobody and no result stays on the backend.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from celery import Celery
from celery.result import AsyncResult

from netpatrol.collect.collector import Collector, Outcome, Procedure, ProgressReporter, T
from netpatrol.errors import BrokerError, DeviceError, DeviceTimeout, NoCollector
from netpatrol.workspace.distributed import LOCAL_ZONE, DistributedSettings
from netpatrol.workspace.inventory import ResolvedHost
from netpatrol.workspace.settings import Workspace
from netpatrol.zones.app import (
    COLLECT_TASK,
    check_broker,
    distributed_settings,
    make_app,
    queue_name,
    shown_broker,
    shown_error,
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
    deadline: float  # monotonic: past it no worker can still be running this batch for the run


@dataclass
class _Liveness:
    """When each zone last showed a live worker (inspect, or a result coming back), kept by a thread."""

    last_seen: dict[str, float] = field(default_factory=dict)
    last_round: float = float("-inf")  # when the latest complete inspect round began
    error: BaseException | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def seen(self, zones: Sequence[str], at: float | None = None) -> None:
        now = time.monotonic() if at is None else at
        with self.lock:
            for z in zones:
                self.last_seen[z] = max(now, self.last_seen.get(z, now))

    def round_done(self, began: float, zones: Sequence[str]) -> None:
        self.seen(zones, began)
        with self.lock:
            self.last_round = began

    def gone(self, zone: str, start: float, wait: float) -> bool:
        """No worker of `zone` for `wait` s, and a whole inspect round begun since it was last seen saw none
        (a wait shorter than one round never gives up a zone whose worker simply had not answered yet)."""
        with self.lock:
            since = self.last_seen.get(zone, start)
            return time.monotonic() - since >= wait and self.last_round > since


def _end(batches: list[_Batch], finish: Callable[[Outcome[Any]], None], error: type[DeviceError], reason: str) -> None:
    """Every device of `batches` ended with the same failure."""
    for b in batches:
        for host in b.hosts:
            finish(Outcome(host, False, error=error(host, reason)))


class ZoneCollector:
    def __init__(self, ws: Workspace, local: Collector):
        self.ws = ws
        self.local = local
        self.dist: DistributedSettings = distributed_settings(ws)
        self.app: Celery = make_app(ws)
        self._read: set[str] = set()  # ids of the batches whose results were read
        try:
            check_broker(self.app, self.dist)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the app's broker and backend connections (a long-lived process makes many runs)."""
        self.app.close()

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
            per_zone = {zone: sum(1 for c in calls if c[0] == zone) for zone in by_zone}
            try:
                for zone, chunk, kind, args in calls:
                    sent.append(self._send(zone, kind, [h.name for h in chunk], args, per_zone[zone]))
                remote = self._gather(sent, lock, progress)
            except BrokerError:
                # With the broker gone, each AsyncResult's __del__ would unsubscribe through the dead
                # connection and print a "Retry limit exceeded" traceback after the run's one message.
                for b in sent:
                    b.result.backend = None
                raise
            except BaseException:
                self._abandon(sent)
                raise
            if local_hosts:
                thread.join()
        finally:
            progress.stop()
            self.close()
        if local_error:
            raise local_error[0]
        outcomes.update(local_out)
        outcomes.update(remote)
        for h in local_hosts:
            # A collector must answer for every host; a silent one is that device's failure.
            outcomes.setdefault(h.name, Outcome(h.name, False, error=DeviceError(h.name, "the local collector returned no outcome")))
        return outcomes

    def _send(self, zone: str, kind: str, names: list[str], args: dict[str, Any], batches: int) -> _Batch:
        d = self.dist
        # The longest the zone can take with one worker: waiting for it, a redelivery after a worker
        # died, then every batch of the zone one after the other, each stopped at batch_time_limit.
        bound = d.no_worker_wait + d.visibility_timeout + batches * d.batch_time_limit
        result = self._broker(lambda: self.app.send_task(
            COLLECT_TASK, args=[zone, kind, names, args], queue=queue_name(d, zone),
            time_limit=d.batch_time_limit, expires=bound))
        return _Batch(zone, kind, names, result, time.monotonic() + bound)

    def _abandon(self, batches: list[_Batch], purge: bool = True) -> None:
        """The run ends early: its unread batches revoked, its zones' queues emptied (this
        workspace's own by the prefix; the run holds the workspace's lock), every result forgotten."""
        unread = [b for b in batches if b.result.id not in self._read]
        try:
            if unread:
                self.app.control.revoke([b.result.id for b in unread])
                with self.app.connection_for_write() as conn:
                    for zone in sorted({b.zone for b in unread} if purge else ()):
                        conn.default_channel.queue_purge(queue_name(self.dist, zone))
        except Exception:  # noqa: BLE001 - best effort on the way out; the results expire anyway
            pass
        self._forget(batches)

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

        read: list[_Batch] = []
        try:
            while pending:
                # Forgotten a poll after their revocation went out: a worker handling the revocation
                # while the result still exists leaves it be; once forgotten, it would store REVOKED.
                self._forget(read)
                still: list[_Batch] = []
                read = []
                for b in pending:
                    if self._broker(b.result.ready):
                        self._collect(b, finish)
                        read.append(b)
                        live.seen([b.zone])
                    elif any(h not in done for h in b.hosts):
                        still.append(b)
                    else:
                        read.append(b)  # answered by another delivery: this one is not awaited
                pending = still
                if read:
                    self._read.update(b.result.id for b in read)
                    # A worker given this batch again (a redelivery) drops it instead of collecting for nobody.
                    self._broker(partial(self.app.control.revoke, [b.result.id for b in read]))
                if live.error is not None:
                    raise self._broker_error(live.error)
                for zone in sorted({b.zone for b in pending}):
                    if live.gone(zone, start, self.dist.no_worker_wait):
                        self._give_up(zone, [b for b in pending if b.zone == zone], finish)
                        pending = [b for b in pending if b.zone != zone]
                now = time.monotonic()
                late = [b for b in pending if now > b.deadline]
                if late:
                    self._time_out(late, finish)
                    pending = [b for b in pending if b not in late]
                if pending:
                    time.sleep(POLL)
            if read:
                time.sleep(POLL)  # the last revocations' grace, as above
                self._forget(read)
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
                finish(self._decoded(batch, host, value.get(host)))
        elif type(value).__name__ == "TimeLimitExceeded":
            _end([batch], finish, DeviceTimeout,
                 f"the batch ran past distributed.batch_time_limit ({self.dist.batch_time_limit:g} s) "
                 f"on a worker of zone '{batch.zone}', which stopped it")
        else:
            why = f"{type(value).__name__}: {value}" if isinstance(value, BaseException) else f"state {result.state}"
            _end([batch], finish, DeviceError, f"the worker of zone '{batch.zone}' failed on this device's batch: {why}"[:500])

    @staticmethod
    def _forget(batches: list[_Batch]) -> None:
        for b in batches:
            try:
                b.result.forget()  # the backend keeps nothing of the run once it is read
            except Exception:  # noqa: BLE001 - an expired result is forgotten anyway (result_expires)
                pass

    def _decoded(self, batch: _Batch, host: str, data: Any) -> Outcome[Any]:
        if not isinstance(data, dict):
            return Outcome(host, False, error=DeviceError(
                host, f"the worker of zone '{batch.zone}' returned no outcome for this device"))
        try:
            outcome = decode_outcome(batch.kind, data)
        except Exception as exc:  # noqa: BLE001 - one device's answer, not the run
            return Outcome(host, False, error=DeviceError(
                host, f"the worker of zone '{batch.zone}' answered in a form this netpatrol cannot read "
                      f"(another netpatrol version there?): {type(exc).__name__}: {exc}"[:500]))
        if outcome.host != host:
            return Outcome(host, False, error=DeviceError(
                host, f"the worker of zone '{batch.zone}' answered for {outcome.host!r} in this device's place"))
        return outcome

    def _time_out(self, batches: list[_Batch], finish: Callable[[Outcome[Any]], None]) -> None:
        """Batches past their deadline although their zone has a live worker: ended as timeout, revoked."""
        self._abandon(batches, purge=False)  # the zone's other batches stay queued for its live worker
        self._read.update(b.result.id for b in batches)
        for b in batches:
            _end([b], finish, DeviceTimeout,
                 f"zone '{b.zone}' had a live worker but did not answer for this device's batch in time "
                 f"(distributed.batch_time_limit {self.dist.batch_time_limit:g} s per batch)")

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
        self._read.update(b.result.id for b in batches)
        _end(batches, finish, NoCollector,
             f"no live worker in zone '{zone}' for {wait:g} s (queue {queue}); start one there: netpatrol worker --zone {zone}")

    def _watch(self, live: _Liveness, zones: list[str]) -> None:
        """Inspects the live workers until told to stop; an app of its own, so its broadcasts never
        share a connection with the result polling."""
        app = make_app(self.ws)
        try:
            while not live.stop.is_set():
                began = time.monotonic()
                try:
                    found = live_workers(app, self.dist, timeout=1.0)
                except Exception as exc:  # noqa: BLE001 - reported by the polling thread as a BrokerError
                    live.error = exc
                    return
                live.round_done(began, [z for z in zones if found.get(z)])
                live.stop.wait(LIVE_EVERY)
        finally:
            app.close()

    def _broker(self, call: Callable[[], R]) -> R:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - kombu, redis-py and socket errors: the broker went away
            raise self._broker_error(exc) from None

    def _broker_error(self, exc: BaseException) -> BrokerError:
        return BrokerError(f"the zones' broker {shown_broker(self.dist)} failed during the run, nothing "
                           f"was stored: {type(exc).__name__}: {shown_error(self.dist, str(exc))}"[:600])
