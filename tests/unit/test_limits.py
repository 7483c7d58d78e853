"""Handling time limits, versioned (domain/limits.py): the version in force at a ticket's receipt applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import sweep
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.limits import LimitBook, LimitVersion, parse_change
from chalicelib.domain.model import Status, Ticket
from chalicelib.domain.tickets import Context

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)


def _book(*changes: tuple[int, datetime]) -> LimitBook:
    book = LimitBook()
    for days, at in changes:
        v = parse_change(book, "12345", {"days": {"consult": days}, "effective_from": at.isoformat()}, "admin1", NOW)
        book = LimitBook((*book.versions, v))
    return book


def test_time_limits_version_in_force_at_receipt() -> None:
    book = _book((4, NOW + timedelta(days=1)), (6, NOW + timedelta(days=5)))
    assert book.days("12345", NOW)["consult"] == 2  # the default before any change
    assert book.days("12345", NOW + timedelta(days=2))["consult"] == 4
    assert book.days("12345", NOW + timedelta(days=9))["consult"] == 6
    assert book.version_at("12345", NOW + timedelta(days=9)).version == 2
    assert [v.version for v in book.history("12345")] == [0, 1, 2]


def test_time_limits_stored_shape_round_trips() -> None:
    v = _book((4, NOW)).latest("12345")
    assert LimitVersion.from_dict(v.as_dict()) == v


def test_time_limits_effective_from_not_before_the_latest_version() -> None:
    book = _book((4, NOW + timedelta(days=5)))
    with pytest.raises(ValidationError) as err:
        parse_change(book, "12345", {"days": {"consult": 3}, "effective_from": NOW.isoformat()}, "a", NOW)
    assert "effective_from" in err.value.fields
    later = parse_change(book, "12345", {"days": {"consult": 3}}, "a", NOW)  # default: with the latest
    assert later.effective_from == NOW + timedelta(days=5)


def test_time_limits_unknown_hotline_and_unchanged_values_refused() -> None:
    with pytest.raises(NotFound):
        parse_change(LimitBook(), "110", {"days": {"consult": 3}}, "a", NOW)
    with pytest.raises(ValidationError):
        parse_change(LimitBook(), "12345", {"days": {"consult": 2}}, "a", NOW)


def test_time_limits_calendar_recompute_keeps_the_limits_of_receipt() -> None:
    book = _book((9, NOW + timedelta(hours=1)))
    t = Ticket(
        ticket_id="T20260309-00001",
        hotline="12345",
        source="phone",
        channel="phone",
        category="consult",
        title="t",
        content="c",
        received_at=NOW,
        status=Status.HANDLING,
        handle_due=NOW,
    )
    cal = WorkCalendar()
    due = sweep.recomputed_due(t, Context(calendar=cal, limits=book))
    assert due is not None and due == cal.add_working_days(NOW, 2)
