"""Re-running a device task after a transient failure (a dropped session, a timeout)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from netpatrol import errors
from netpatrol.collect.session import translate


def with_retries(task: Callable[..., Any], retries: int, backoff: float) -> Callable[..., Any]:
    """`task`, re-run up to `retries` times after a transient DeviceError, waiting backoff·2^n s.

    The whole task is repeated (a fresh session each time: collect.session closes its own), so a
    dropped session never leaves half an output behind. Authentication failures, host-key
    mismatches and refused or incomplete outputs are final at once.
    """

    @functools.wraps(task)
    def run(t: Any, **kwargs: Any) -> Any:
        attempt = 0
        while True:
            try:
                return task(t, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classified, then re-raised
                err = exc if isinstance(exc, errors.DeviceError) else translate(exc, t.host.name, f"{t.host.hostname}:{t.host.port}")
                if not err.transient or attempt >= retries:
                    if attempt:
                        err.reason = f"{err.reason} (after {attempt + 1} attempts)"
                        err.args = (f"{err.host}: {err.reason}",)
                    raise err from None
            time.sleep(backoff * 2**attempt)
            attempt += 1

    return run
