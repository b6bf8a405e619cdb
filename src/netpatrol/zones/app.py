"""The Celery application of one workspace: broker, result backend, queues and the delivery rules.

The central run and every zone worker build it from the same `distributed:` settings. Messages
are JSON only: a worker never unpickles what the broker hands it (a pickle is code), and nothing
but host names, job data and sanitised results ever travels (zones/messages.py).
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from netpatrol.errors import BrokerError, WorkspaceError
from netpatrol.workspace.distributed import DistributedSettings, masked_text, masked_url, resolved_url, url_secrets
from netpatrol.workspace.settings import Workspace

# The one task a worker runs: collect a batch of its zone's devices (zones/worker.py).
COLLECT_TASK = "netpatrol.collect_batch"


def distributed_settings(ws: Workspace) -> DistributedSettings:
    """The workspace's `distributed:` section; WorkspaceError when zones are used without it."""
    dist = ws.settings.distributed
    if dist is None:
        raise WorkspaceError("netpatrol.yaml has no 'distributed:' section: devices in a zone other than 'local' "
                             "need a broker (distributed.broker: redis://...)")
    return dist


def queue_name(dist: DistributedSettings, zone: str) -> str:
    return f"{dist.queue_prefix}.{zone}"


def shown_broker(dist: DistributedSettings) -> str:
    """The broker URL as messages may show it: any password masked; never raises (any characters, multi-host)."""
    return masked_url(broker_url(dist))


def broker_secrets(dist: DistributedSettings) -> list[str]:
    """The broker's and result backend's passwords as resolved here (unset `${ENV}`s are no secret yet)."""
    found: list[str] = []
    for url, field in ((dist.broker, "broker"), (dist.result_backend, "result_backend")):
        if url:
            try:
                found += url_secrets(resolved_url(url, field))
            except RuntimeError:
                found += url_secrets(url)
    return found


def shown_error(dist: DistributedSettings, text: str) -> str:
    """A broker exception's text as messages may show it: the resolved passwords and any URL in it masked."""
    return masked_text(text, broker_secrets(dist))


def _resolved(url: str, field: str) -> str:
    try:
        return resolved_url(url, field)
    except RuntimeError as exc:
        raise WorkspaceError(str(exc)) from None


def broker_url(dist: DistributedSettings) -> str:
    return _resolved(dist.broker, "broker")


def backend_url(dist: DistributedSettings) -> str:
    return _resolved(dist.result_backend or dist.broker, "result_backend" if dist.result_backend else "broker")


def make_app(ws: Workspace) -> Celery:
    """The workspace's Celery app; raises WorkspaceError when `distributed:` is missing or a `${ENV}` is unset."""
    dist = distributed_settings(ws)
    app = Celery("netpatrol", broker=broker_url(dist), backend=backend_url(dist), set_as_current=False)
    conf: dict[str, Any] = {
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        # A worker killed mid-task leaves its message unacknowledged: Redis gives it to another worker
        # of the zone after `visibility_timeout`; a pool child that dies has it rejected and requeued at once.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # Live workers sweep Redis for messages unacknowledged longer than visibility_timeout (a worker
        # killed as a whole) and requeue them; kombu's default sweep is every 10 s x 10 = ~100 s, which
        # would add up to that much to the redelivery. Every sweep scans (throttle 1), a tenth of the
        # timeout apart, 1-10 s: one ZRANGE on the unacked index.
        "broker_transport_options": {"visibility_timeout": dist.visibility_timeout,
                                     "unacked_restore_interval": max(1, min(10, int(dist.visibility_timeout // 10))),
                                     "unacked_restore_throttle": 1},
        "result_backend_transport_options": {"visibility_timeout": dist.visibility_timeout},
        "broker_connection_timeout": dist.connect_timeout,
        "broker_connection_retry_on_startup": True,
        "result_expires": 3600,
        "task_default_queue": queue_name(dist, "unrouted"),
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "enable_utc": True,
    }
    if dist.ssl:
        conf["broker_use_ssl"] = dict(dist.ssl)
        conf["redis_backend_use_ssl"] = dict(dist.ssl)
    app.conf.update(conf)
    return app


def check_broker(app: Celery, dist: DistributedSettings) -> None:
    """Raise BrokerError (exit 2) naming the masked broker URL unless the broker and backend answer now."""
    url = shown_broker(dist)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=dist.connect_timeout)
        client = getattr(app.backend, "client", None)  # the Redis result backend's own connection
        if client is not None:
            client.ping()
    except Exception as exc:  # noqa: BLE001 - kombu, redis-py and socket errors all mean "not reachable"
        raise BrokerError(f"the zones' broker {url} cannot be reached: {type(exc).__name__}: "
                          f"{shown_error(dist, str(exc))}") from None
