"""`netpatrol worker --zone NAME`: a Celery worker consuming only that zone's queue.

The task it runs, COLLECT_TASK(zone, kind, hosts, args) -> {host: encoded outcome}: hosts are
resolved from the worker's own inventory (and must be in its zone there), passwords come from the
worker's own environment, the procedure runs over SSH here, and only its sanitised result leaves.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from celery import Celery

from netpatrol.collect.collector import Outcome
from netpatrol.errors import AuthFailed, DeviceError, NetpatrolError, UsageError
from netpatrol.workspace.distributed import LOCAL_ZONE
from netpatrol.workspace.inventory import Inventory, ResolvedHost, load_inventory
from netpatrol.workspace.models import ENV_REF
from netpatrol.workspace.settings import Workspace
from netpatrol.zones.app import COLLECT_TASK, check_broker, distributed_settings, make_app, queue_name
from netpatrol.zones.messages import decode_call, encode_outcome

INVENTORY_FILES = ("hosts.yaml", "groups.yaml", "defaults.yaml")
log = logging.getLogger("netpatrol.worker")


class SilentProgress:
    """The worker draws no bar: the central run's bar advances as the batches come back."""

    def start(self) -> None: ...
    def advance(self, host: str, ok: bool) -> None: ...
    def stop(self) -> None: ...


class WorkerInventory:
    """The worker's inventory, read again when one of its files changes (no restart after an edit).

    Loaded without secrets: the worker holds only its own zone's passwords, so another zone's unset
    `${ENV}` must not make the whole inventory invalid; each batch checks its own hosts' (missing_secret).
    """

    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._inventory: Inventory | None = None

    def _files_stamp(self) -> tuple:
        stamps: list[tuple[str, int | None, int | None]] = []
        for name in INVENTORY_FILES:
            try:
                st = (self.root / "inventory" / name).stat()
                stamps.append((name, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stamps.append((name, None, None))
        return tuple(stamps)

    def get(self) -> Inventory:
        with self._lock:
            stamp = self._files_stamp()
            if self._inventory is None or stamp != self._stamp:
                self._inventory = load_inventory(self.root, need_secrets=False)
                self._stamp = stamp
            return self._inventory


def missing_secret(host: ResolvedHost) -> str | None:
    """The first `${ENV}` secret of `host` that is unset in this worker's environment, named with its field."""
    for field, ref in host.secret_refs.items():
        m = ENV_REF.match(ref or "")
        if m and m.group(1) not in os.environ:
            return f"{field} refers to ${{{m.group(1)}}}, which is not set in the environment of this zone's worker"
    return None


# backup.secrets from least to most removed; a level not known here counts as the strictest.
SECRET_LEVELS = ("none", "reversible", "all")


def stricter_secrets(sent: object, own: str) -> str:
    """The level a worker sanitises at: the stricter of the message's and its own netpatrol.yaml's, so
    neither a central `backup.secrets: none` nor a forged message gets unsanitised text out of the zone."""
    rank = SECRET_LEVELS.index
    sent_level = sent if sent in SECRET_LEVELS else SECRET_LEVELS[-1]
    return max(str(sent_level), own, key=rank)


def check_secrets_level(ws: Workspace) -> None:
    """UsageError (exit 2) for a worker whose own netpatrol.yaml keeps secrets: a zone always removes them."""
    if ws.settings.backup.secrets == "none":
        raise UsageError(f"{ws.root / 'netpatrol.yaml'}: backup.secrets: none: a zone's worker always removes "
                         "secrets before a result leaves the zone; set backup.secrets to 'reversible' or 'all' "
                         "on this worker")


def collect_batch(ws: Workspace, worker_zone: str, inventory: WorkerInventory, zone: str, kind: str,
                  hosts: list[str], args: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The body of COLLECT_TASK: one encoded Outcome per host name of `hosts`, none left out.

    Whatever keeps a host from being collected (wrong zone, unknown here, no password, a kind this
    worker does not know) is that host's failed outcome, so the central run always gets an answer.
    """
    names = list(dict.fromkeys(hosts))
    failed: dict[str, Outcome[Any]] = {}

    def fail(name: str, error: DeviceError) -> None:
        failed[name] = Outcome(name, ok=False, error=error)

    try:
        if zone != worker_zone:
            raise DeviceError("*", f"the batch is for zone {zone!r} but this worker serves zone {worker_zone!r}")
        if isinstance(args, dict) and "secrets" in args:
            args = {**args, "secrets": stricter_secrets(args["secrets"], ws.settings.backup.secrets)}
        try:
            procedure = decode_call(kind, args)
        except ValueError as exc:
            raise DeviceError("*", f"this zone's worker cannot run a {kind!r} collection: {exc}") from None
        try:
            inv = inventory.get()
        except NetpatrolError as exc:
            raise DeviceError("*", f"the inventory of zone {worker_zone!r}'s worker is invalid: {exc}") from None
    except DeviceError as exc:
        for name in names:
            fail(name, DeviceError(name, exc.reason))
        return {name: encode_outcome(o) for name, o in failed.items()}
    todo: list[ResolvedHost] = []
    for name in names:
        host = inv.hosts.get(name)
        if host is None:
            fail(name, DeviceError(name, f"not in the inventory of zone {worker_zone!r}'s worker ({ws.root / 'inventory'})"))
        elif host.zone != worker_zone:
            fail(name, DeviceError(name, f"sent to zone {worker_zone!r}, but the inventory of that zone's worker "
                                         f"puts it in zone {host.zone!r} (data.zone)"))
        elif (problem := missing_secret(host)) is not None:
            fail(name, AuthFailed(name, problem))
        else:
            todo.append(host)
    outcomes: dict[str, Outcome[Any]] = dict(failed)
    if todo:
        from netpatrol.collect.runner import SshCollector

        # processes=1: the Celery pool already spreads batches over processes (--concurrency).
        outcomes.update(SshCollector(ws, processes=1)(todo, procedure, SilentProgress()))
    return {name: encode_outcome(outcomes[name]) for name in names}


def register_collect_task(app: Celery, ws: Workspace, zone: str) -> None:
    """COLLECT_TASK on `app`, run for `zone` with `ws`'s inventory and settings."""
    inventory = WorkerInventory(ws.root)

    @app.task(name=COLLECT_TASK)
    def collect(task_zone: str, kind: str, hosts: list[str], args: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return collect_batch(ws, zone, inventory, task_zone, kind, hosts, args)


def check_zone(ws: Workspace, zone: str) -> None:
    if zone == LOCAL_ZONE:
        raise UsageError(f"--zone {LOCAL_ZONE}: the '{LOCAL_ZONE}' zone is collected by the central run itself, "
                         "not by a worker")
    if zone not in ws.settings.zones:
        declared = ", ".join(sorted(ws.settings.zones)) or "none"
        raise UsageError(f"--zone {zone}: not declared in {ws.root / 'netpatrol.yaml'} zones: (declared: {declared})")


def node_name(zone: str) -> str:
    return f"{zone}.{os.getpid()}@{socket.gethostname()}"


def run_worker(ws: Workspace, zone: str, concurrency: int | None = None) -> int:
    """Run the zone's worker in the foreground until stopped; returns the worker's exit status."""
    from celery.exceptions import CPendingDeprecationWarning, SecurityWarning

    check_zone(ws, zone)
    check_secrets_level(ws)
    dist = distributed_settings(ws)
    app = make_app(ws)
    check_broker(app, dist)
    register_collect_task(app, ws, zone)
    # Warnings and errors only, one line each: a task's arguments and results never reach the log
    # (Celery logs them at INFO), and Celery's URLs in its messages are already masked.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s")
    if os.geteuid() == 0:
        # Celery's own warning is a 10-line banner; JSON-only messages make root no code-execution risk.
        warnings.filterwarnings("ignore", category=SecurityWarning)
        log.warning("running as root: a dedicated user is better (see the README's systemd unit)")
    # A broker lost mid-batch: the batch runs on (Celery 5's default, said explicitly to keep its
    # 8-line notice out of the log); the central run stops on the broker error itself, and a
    # message left unacknowledged comes back after visibility_timeout, stored once.
    app.conf.worker_cancel_long_running_tasks_on_connection_loss = False
    # A collector waits out a broker outage of any length rather than exit after Celery's 100 tries.
    app.conf.broker_connection_max_retries = None
    worker = app.Worker(
        hostname=node_name(zone),
        queues=[queue_name(dist, zone)],
        concurrency=concurrency or None,
        loglevel="WARNING",
        quiet=True,
        without_gossip=True,
        redirect_stdouts=False,
        task_events=False,
    )
    # After the worker's logging setup, which puts an 'always' filter for these first.
    warnings.filterwarnings("ignore", category=CPendingDeprecationWarning)
    worker.start()
    return int(worker.exitcode or 0)
