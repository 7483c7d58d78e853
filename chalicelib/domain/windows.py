"""Fixed time windows of the rate limits and login counters: the one place their arithmetic lives."""

from __future__ import annotations

from datetime import datetime


def window(now: datetime, size_s: int) -> tuple[int, int]:
    """(start of the `size_s`-second window holding `now`, `now`) as epoch seconds; windows align to the epoch."""
    ts = int(now.timestamp())
    return ts - ts % size_s, ts
