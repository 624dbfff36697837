"""Keyset pages over numpy columns: filter with a mask, order by (key, index), resume after
the last (key, index) a token carries. Cost is linear in the rows that match, with no sort of
the whole set: fast enough for a million orders a page."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .api_errors import invalid_param
from .paging import make_token, page_size, read_token


def keyset_page(indices: np.ndarray, keys: np.ndarray, position: list | None, size: int, descending: bool) -> tuple[np.ndarray, list | None]:
    """The next ``size`` indices in (key, index) order after ``position``, and the position
    to continue from (None on the last page)."""
    if position is not None:
        last_key, last_index = int(position[0]), int(position[1])
        if descending:
            after = (keys < last_key) | ((keys == last_key) & (indices < last_index))
        else:
            after = (keys > last_key) | ((keys == last_key) & (indices > last_index))
        indices, keys = indices[after], keys[after]
    if len(indices) == 0:
        return indices, None
    if len(indices) > size:
        # Composite key (key, index) packed into one int64 so argpartition picks exactly.
        composite = keys.astype(np.int64) * (1 << 22) + indices if int(indices.max()) < (1 << 22) and int(keys.max()) < (1 << 40) else None
        if composite is None:
            order = np.lexsort((indices, keys))
            chosen = order[-size:][::-1] if descending else order[:size]
        else:
            target = -composite if descending else composite
            chosen = np.argpartition(target, size - 1)[:size]
            chosen = chosen[np.argsort(target[chosen], kind="stable")]
        more = True
    else:
        order = np.lexsort((indices, keys))
        chosen = order[::-1] if descending else order
        more = False
    page = indices[chosen]
    next_position = [int(keys[chosen[-1]]), int(page[-1])] if more else None
    return page, next_position


def check_times(body: dict, *names: str) -> None:
    for name in names:
        value = body.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise invalid_param(f"{name} must be a unix timestamp (integer)")


def time_range(values: np.ndarray, body: dict, ge: str, lt: str, inclusive_upper: bool = False) -> np.ndarray:
    check_times(body, ge, lt)
    mask = np.ones(len(values), dtype=bool)
    low, high = body.get(ge), body.get(lt)
    if low is not None:
        mask &= values >= low
    if high is not None:
        mask &= (values <= high) if inclusive_upper else (values < high)
    return mask


def paged_search(
    args,
    filters: dict,
    indices: np.ndarray,
    keys: np.ndarray,
    *,
    low: int,
    high: int,
    default_size: int | None,
    descending: bool,
    build: Callable[[int], dict] | None = None,
    build_page: Callable[[list[int]], list[dict]] | None = None,
    code: int = 36009004,
) -> tuple[list[dict], str, int]:
    size = page_size(args.get("page_size"), low, high, default_size, code)
    position = read_token(args.get("page_token"), filters, code)
    total = len(indices)
    page, next_position = keyset_page(indices, keys, position, size, descending)
    token = make_token(filters, next_position) if next_position else ""
    page = [int(i) for i in page]
    return (build_page(page) if build_page else [build(i) for i in page]), token, total


def slice_page(
    args,
    filters: dict,
    low: int,
    high: int,
    keys: np.ndarray,
    *,
    matches: Callable[[int, int], np.ndarray] | None,
    page_limits: tuple[int, int, int | None],
    descending: bool,
    build_page: Callable[[list[int]], list[dict]],
    code: int = 36009004,
    chunk: int = 8_192,
) -> tuple[list[dict], str, int]:
    """A page over rows whose sort key grows with the row index (orders by creation time):
    the window is a slice, the token's position narrows it, and a filter is evaluated in chunks
    from the right end only until the page is full. Same tokens as ``keyset_page``."""
    size = page_size(args.get("page_size"), *page_limits, code)
    position = read_token(args.get("page_token"), filters, code)
    total = (high - low) if matches is None else int(np.count_nonzero(matches(low, high)))
    start, stop = low, high
    if position is not None:
        last = int(position[1])
        if descending:
            stop = min(stop, last)
        else:
            start = max(start, last + 1)
    picked: list[int] = []
    if matches is None:
        span = range(stop - 1, start - 1, -1) if descending else range(start, stop)
        picked = list(span[: size + 1])
    elif descending:
        right = stop
        while right > start and len(picked) <= size:
            left = max(start, right - chunk)
            found = np.flatnonzero(matches(left, right)) + left
            picked.extend(found[::-1].tolist())
            right = left
    else:
        left = start
        while left < stop and len(picked) <= size:
            right = min(stop, left + chunk)
            found = np.flatnonzero(matches(left, right)) + left
            picked.extend(found.tolist())
            left = right
    more = len(picked) > size
    page = picked[:size]
    token = make_token(filters, [int(keys[page[-1]]), page[-1]]) if more and page else ""
    return build_page(page), token, total
