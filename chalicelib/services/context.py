"""The transition context (calendar, units, templates, limits), cached briefly per process."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.duty import parse_office_hours
from chalicelib.domain.templates import DEFAULT_TEMPLATES
from chalicelib.domain.tickets import Context
from chalicelib.storage import directory

TTL_SECONDS = 60.0
_lock = threading.Lock()
_cached: tuple[float, Context] | None = None


def load_context(now: datetime) -> Context:
    """Context for a transition at `now`; refreshed every minute or after `invalidate()`."""
    global _cached
    with _lock:
        if _cached and time.monotonic() - _cached[0] < TTL_SECONDS:
            return _cached[1]
    year = now.astimezone(SHANGHAI).year
    overrides = directory.calendar_overrides(range(year - 1, year + 3))
    templates = dict(DEFAULT_TEMPLATES)
    templates.update(directory.reply_templates())
    limits = (directory.config("limits") or {}).get("days")
    hours = parse_office_hours(directory.office_hours_text())  # configurable office hours (issue #3)
    ctx = Context(calendar=WorkCalendar(overrides, hours), units=directory.units(), templates=templates, limits=limits)
    with _lock:
        _cached = (time.monotonic(), ctx)
    return ctx


def invalidate() -> None:
    """Forget the cached context (after an admin change)."""
    global _cached
    with _lock:
        _cached = None
