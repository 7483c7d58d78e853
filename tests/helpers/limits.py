"""Time-limit versions are global settings: tests that change them put the stored versions back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.domain.limits import HOTLINE_LIMITS
from chalicelib.storage.directory import LIMITS

PARTITIONS = (LIMITS, *(f"{LIMITS}#{h}" for h in HOTLINE_LIMITS))


@contextmanager
def limits_restored(deps: Any) -> Iterator[None]:
    """Run the block, then restore the `LIMITS` partitions exactly (other tests expect the defaults)."""
    saved = {pk: {i.sk: i for i in deps.table.items(pk)} for pk in PARTITIONS}
    try:
        yield
    finally:
        for pk, items in saved.items():
            for item in deps.table.items(pk):
                if item.sk not in items:
                    deps.table.delete(pk, item.sk)
            for item in items.values():
                deps.table.put(item)
        deps.contexts.invalidate()
