"""The transition context (calendar, units, templates, limits) and staff names, cached briefly per process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain import emergency, escalation, people
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.duty import parse_office_hours
from chalicelib.domain.limits import HOTLINE_LIMITS, LimitBook, LimitVersion
from chalicelib.domain.templates import DEFAULT_TEMPLATES
from chalicelib.domain.tickets import Context
from chalicelib.storage.directory import Directory

TTL_SECONDS = 60.0


class ContextCache:
    """Loads the context from the Directory; refreshed every minute or after `invalidate()`."""

    def __init__(self, directory: Directory, ttl_s: float = TTL_SECONDS) -> None:
        self._directory = directory
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._cached: tuple[float, Context] | None = None
        self._names: tuple[float, dict[str, str]] | None = None
        self._partners: tuple[float, dict[str, dict[str, Any]]] | None = None
        self._handovers: tuple[float, list[dict[str, Any]]] | None = None

    def partners(self, read: Callable[[], list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
        """Partner settings by id (a handful: one small partition), read at most once a minute by
        the stream consumers; an admin's change to a webhook applies within the minute."""
        with self._lock:
            if self._partners and time.monotonic() - self._partners[0] < self._ttl:
                return self._partners[1]
        partners = {str(p["partner_id"]): p for p in read()}
        with self._lock:
            self._partners = (time.monotonic(), partners)
        return partners

    def handovers(self, read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """The live hand-overs (approved or active, R-12345-03), read at most once a minute: a delegate's home page
        lists a hand-over's tickets within the minute after it starts (acting on them needs no cache: the ticket
        itself carries the delegate)."""
        with self._lock:
            if self._handovers and time.monotonic() - self._handovers[0] < self._ttl:
                return self._handovers[1]
        live = read()
        with self._lock:
            self._handovers = (time.monotonic(), live)
        return live

    def names(self) -> dict[str, str]:
        """Printed persons by user id: the name with the unit where one exists (domain/people.py; printed
        records, reports and the timeline show names, not login ids)."""
        with self._lock:
            if self._names and time.monotonic() - self._names[0] < self._ttl:
                return self._names[1]
        names = people.display_names(self._directory.staff(), self._directory.units())
        with self._lock:
            self._names = (time.monotonic(), names)
        return names

    def load(self, now: datetime) -> Context:
        """Context for a transition at `now`."""
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self._ttl:
                return self._cached[1]
        d = self._directory
        year = now.astimezone(SHANGHAI).year
        overrides = d.calendar_overrides(range(year - 1, year + 3))
        templates = dict(DEFAULT_TEMPLATES)
        templates.update(d.reply_templates())
        limits = LimitBook(tuple(LimitVersion.from_dict(v) for v in d.limit_versions(HOTLINE_LIMITS)))
        hours = parse_office_hours(d.office_hours_text())
        keywords = (d.config("emergency_keywords") or {}).get("keywords") or emergency.DEFAULT_KEYWORDS
        ctx = Context(
            calendar=WorkCalendar(overrides, hours),
            units=d.units(),
            templates=templates,
            limits=limits,
            emergency_keywords=tuple(keywords),
            escalation=escalation.Policy.from_config(d.config("escalation")),  # R-12345-10
        )
        with self._lock:
            self._cached = (time.monotonic(), ctx)
        return ctx

    def invalidate(self) -> None:
        """Forget the cached context (after an admin change)."""
        with self._lock:
            self._cached = None
            self._names = None
            self._partners = None
            self._handovers = None
