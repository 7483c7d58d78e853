"""Time-limit versions are global settings: tests that change them put the stored versions back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chalicelib.domain.limits import HOTLINE_LIMITS
from chalicelib.storage.directory import LIMITS
from tests.helpers.settings import restore_settings, snapshot_settings

PARTITIONS = (LIMITS, *(f"{LIMITS}#{h}" for h in HOTLINE_LIMITS))


@contextmanager
def limits_restored(deps: Any) -> Iterator[None]:
    """Run the block, then restore the `LIMITS` partitions exactly (other tests expect the defaults)."""
    saved = snapshot_settings(deps, PARTITIONS)
    try:
        yield
    finally:
        restore_settings(deps, saved)
