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
    build: Callable[[int], dict],
    code: int = 36009004,
) -> tuple[list[dict], str, int]:
    size = page_size(args.get("page_size"), low, high, default_size, code)
    position = read_token(args.get("page_token"), filters, code)
    total = len(indices)
    page, next_position = keyset_page(indices, keys, position, size, descending)
    token = make_token(filters, next_position) if next_position else ""
    return [build(int(i)) for i in page], token, total
