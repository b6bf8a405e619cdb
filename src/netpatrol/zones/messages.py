"""What travels over the broker, as JSON: a procedure named by kind with its arguments, and outcomes.

Only procedures listed here can run in a zone (a worker never imports a name it is sent), and only
data that is safe off the zone's network travels: host names, job data, line counts, sanitised
results. Passwords never: the worker reads its own environment.

Each kind is one row of KINDS: the procedure, a pydantic model of its JSON arguments (validation
of what a worker is sent is pydantic's, so bad arguments are a ValueError naming the field), how
the central run's partial becomes those arguments for some hosts, and the type of its value
(dataclasses and models, encoded and checked by pydantic as well).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from netpatrol import errors
from netpatrol.backup.task import FetchedConfig, fetch_config
from netpatrol.collect.collector import Outcome, Procedure, failure_of
from netpatrol.compliance.model import Pack
from netpatrol.inspection.task import RawCollection, collect_inspection
from netpatrol.workspace.inventory import ResolvedHost


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackupArgs(_Args):
    previous_lines: dict[str, int | None]  # host -> the stored config's content-line count
    secrets: str
    max_shrink: float
    compare_saved: bool
    packs: list[Pack] | None = None


class InspectionArgs(_Args):
    items: dict[str, dict[str, list[str]]]  # platform -> item -> command alternatives
    remembered: dict[str, dict[str, str]]  # host -> item -> the alternative that worked last time
    collect_config: bool
    secrets: str
    config_checks: dict[str, dict[str, str]]  # check id -> platform -> pattern


def _backup_args(kw: dict[str, Any], hosts: Sequence[ResolvedHost]) -> dict[str, Any]:
    previous: Callable[[str], int | None] = kw["previous"]
    return {"previous_lines": {h.name: previous(h.name) for h in hosts}, "secrets": kw["secrets"],
            "max_shrink": kw["max_shrink"], "compare_saved": kw["compare_saved"], "packs": kw.get("packs")}


def _backup_keywords(args: BackupArgs) -> dict[str, Any]:
    # dict.get pickles (a bound builtin method), so the procedure still goes to shard processes.
    return {"previous": dict(args.previous_lines).get, "secrets": args.secrets, "max_shrink": args.max_shrink,
            "compare_saved": args.compare_saved, "packs": args.packs}


def _inspection_args(kw: dict[str, Any], hosts: Sequence[ResolvedHost]) -> dict[str, Any]:
    platforms = {h.platform for h in hosts}
    names = {h.name for h in hosts}
    return {"items": {p: v for p, v in kw["items"].items() if p in platforms},
            "remembered": {n: v for n, v in kw["remembered"].items() if n in names},
            "collect_config": kw["collect_config"], "secrets": kw["secrets"],
            "config_checks": {cid: {p: rx for p, rx in per.items() if p in platforms}
                              for cid, per in kw["config_checks"].items()}}


def _inspection_keywords(args: InspectionArgs) -> dict[str, Any]:
    return args.model_dump()


@dataclass(frozen=True)
class Kind:
    procedure: Callable[..., Any]
    args: type[_Args]
    encode_args: Callable[[dict[str, Any], Sequence[ResolvedHost]], dict[str, Any]]
    keywords: Callable[[Any], dict[str, Any]]
    value_type: type


KINDS: dict[str, Kind] = {
    "backup": Kind(fetch_config, BackupArgs, _backup_args, _backup_keywords, FetchedConfig),
    "inspection": Kind(collect_inspection, InspectionArgs, _inspection_args, _inspection_keywords, RawCollection),
}
_VALUES: dict[str, TypeAdapter[Any]] = {name: TypeAdapter(kind.value_type) for name, kind in KINDS.items()}


def kind_of(procedure: Procedure[Any]) -> str | None:
    """The kind a procedure travels as; None when it cannot run in a zone."""
    func = procedure.func if isinstance(procedure, partial) else procedure
    return next((name for name, kind in KINDS.items() if kind.procedure is func), None)


def encode_call(procedure: Procedure[Any], hosts: Sequence[ResolvedHost]) -> tuple[str, dict[str, Any]]:
    """(kind, JSON arguments restricted to `hosts`) of a zone-capable procedure; UsageError for any other."""
    name = kind_of(procedure)
    if name is None or not isinstance(procedure, partial) or procedure.args:
        shown = getattr(getattr(procedure, "func", procedure), "__name__", repr(procedure))
        raise errors.UsageError(f"procedure '{shown}' cannot run in a zone; zone-capable: {', '.join(KINDS)}")
    kind = KINDS[name]
    # Validated on the way out too: a value that JSON would not carry fails here, not in the worker.
    args = kind.args.model_validate(kind.encode_args(dict(procedure.keywords), hosts))
    return name, args.model_dump(mode="json", by_alias=True)


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise ValueError(f"unknown procedure kind {name!r}; known: {', '.join(KINDS)}")
    return kind


def decode_call(kind: str, args: dict[str, Any]) -> Procedure[Any]:
    """The procedure a worker runs for (kind, args); ValueError for an unknown kind or bad arguments."""
    row = _kind(kind)
    return partial(row.procedure, **row.keywords(row.args.model_validate(args)))


def encode_outcome(outcome: Outcome[Any]) -> dict[str, Any]:
    """One host's Outcome as JSON: value by its kind's codec, a DeviceError as class name + status + reason."""
    data: dict[str, Any] = {"host": outcome.host, "ok": outcome.ok}
    if outcome.value is not None:
        name = next((n for n, k in KINDS.items() if isinstance(outcome.value, k.value_type)), None)
        if name is None:
            raise ValueError(f"{outcome.host}: a {type(outcome.value).__name__} is no procedure kind's value")
        data["value"] = _VALUES[name].dump_python(outcome.value, mode="json", by_alias=True)
    if outcome.error is not None:
        status, reason = failure_of(outcome)
        data["error"] = {"class": type(outcome.error).__name__, "status": status, "reason": reason}
    return data


def _error_classes(base: type[errors.DeviceError] = errors.DeviceError) -> dict[str, type[errors.DeviceError]]:
    found = {base.__name__: base}
    for sub in base.__subclasses__():
        found.update(_error_classes(sub))
    return found


def decode_error(host: str, data: dict[str, Any]) -> errors.DeviceError:
    """The DeviceError of its class when known here, else a plain DeviceError; status and reason kept."""
    cls = _error_classes().get(str(data.get("class")), errors.DeviceError)
    err = cls(host, str(data.get("reason") or ""))
    status = str(data.get("status") or "error")
    if err.status != status:
        err.status = status  # per instance, as with_retries may leave it
    return err


def decode_outcome(kind: str, data: dict[str, Any]) -> Outcome[Any]:
    """The Outcome back; an unknown error class becomes a plain DeviceError keeping status and reason."""
    _kind(kind)
    host = str(data["host"])
    value = _VALUES[kind].validate_python(data["value"]) if data.get("value") is not None else None
    error = decode_error(host, data["error"]) if data.get("error") is not None else None
    return Outcome(host, bool(data["ok"]), value, error)
