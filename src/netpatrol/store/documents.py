"""Stored JSON documents (results, compliance records, verdicts) read back as their models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from netpatrol.errors import StoreError
from netpatrol.store.repo import Store

M = TypeVar("M", bound=BaseModel)


def read_model(store: Store, path: str, model: type[M], ref: str | None = None) -> M:
    """The document at `path` (working tree, or at `ref`) as `model`; a missing one or one that
    does not validate is a StoreError naming the file (and the first bad field)."""
    try:
        return model.model_validate_json(store.read_file(path, ref))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StoreError(f"{store.path}: {path}: field '{where}': {first['msg']}") from None


def first_model(store: Store, paths: Iterable[str], model: type[M], ref: str | None = None) -> M | None:
    """The first of `paths` that exists and reads as `model`; a damaged one is passed over (a
    comparison or a count does without it, never on a guess), None when none does."""
    for path in paths:
        try:
            return read_model(store, path, model, ref)
        except StoreError:
            continue
    return None
