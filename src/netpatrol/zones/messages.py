"""What travels over the broker, as JSON: a procedure named by kind with its arguments, and outcomes.

Only procedures listed here can run in a zone (a worker never imports a name it is sent), and only
data that is safe off the zone's network travels: host names, job data, line counts, sanitised
results. Passwords never: the worker reads its own environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from netpatrol.collect.collector import Outcome, Procedure
from netpatrol.workspace.inventory import ResolvedHost


def encode_call(procedure: Procedure[Any], hosts: Sequence[ResolvedHost]) -> tuple[str, dict[str, Any]]:
    """(kind, JSON arguments restricted to `hosts`) of a zone-capable procedure; UsageError for any other."""
    raise NotImplementedError


def decode_call(kind: str, args: dict[str, Any]) -> Procedure[Any]:
    """The procedure a worker runs for (kind, args); ValueError for an unknown kind or bad arguments."""
    raise NotImplementedError


def encode_outcome(outcome: Outcome[Any]) -> dict[str, Any]:
    """One host's Outcome as JSON: value by its kind's codec, a DeviceError as class name + status + reason."""
    raise NotImplementedError


def decode_outcome(kind: str, data: dict[str, Any]) -> Outcome[Any]:
    """The Outcome back; an unknown error class becomes a plain DeviceError keeping status and reason."""
    raise NotImplementedError
