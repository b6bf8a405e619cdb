"""Pages of a list: `?page=N&per_page=M`, bounded, and the links a page needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
# No list is this long (10,000 devices, a device's versions over years): a page beyond it is empty
# without asking git, whose --skip would overflow on a huge number and answer with page 1 again.
MAX_ITEMS = 10_000_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int  # 1-based
    per_page: int
    total: int | None  # None when counting would need a walk (a device's history)
    has_more: bool

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


def clamp(page: int | None, per_page: int | None) -> tuple[int, int]:
    """A page number >= 1 and a page size in 1..MAX_PER_PAGE."""
    return max(1, page or 1), min(MAX_PER_PAGE, max(1, per_page or DEFAULT_PER_PAGE))


def beyond(page: int, per_page: int) -> bool:
    """Whether the page starts past MAX_ITEMS: an empty page with nothing after it."""
    return (page - 1) * per_page >= MAX_ITEMS


def paginate(rows: Sequence[T], page: int | None, per_page: int | None) -> Page[T]:
    page, per_page = clamp(page, per_page)
    if beyond(page, per_page):
        return Page([], page, per_page, len(rows), False)
    start = (page - 1) * per_page
    return Page(list(rows[start:start + per_page]), page, per_page, len(rows), start + per_page < len(rows))
