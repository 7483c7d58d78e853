"""Staff as printed (name with the unit, domain/people.py) beside the ids in the admin and hand-over answers: the
working calendar, templates, time limits and hand-overs (docs/api.md, "persons as printed") — on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.model import Actor
from chalicelib.services import calendar_admin, handover, limits_admin, templates_admin
from tests.helpers.accounts import UNITS

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
ADMIN = Actor("admin1", "admin")


def _staff(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    fake.directory.put_staff("admin1", "孙伟", "admin", None)
    fake.directory.put_staff("op3", "刘洋", "operator", None)
    fake.directory.put_staff("uh1", "周海", "unit_handler", "U001")
    fake.contexts.invalidate()
    return fake


def test_the_calendar_names_who_overrode_and_who_confirmed(fake: Any) -> None:
    _staff(fake)
    calendar_admin.put_days(fake, ADMIN, 2030, {"days": [{"date": "2030-01-05", "workday": True}]})
    calendar_admin.confirm(fake, ADMIN, 2030, NOW)
    year = calendar_admin.get_year(fake, ADMIN, 2030, NOW)
    assert year["confirmed_by_name"] == "孙伟" and year["confirmed_by"] == "admin1"
    assert [(d["date"], d["by_name"]) for d in year["days"]] == [("2030-01-05", "孙伟")]


def test_template_versions_name_who_saved_them(fake: Any) -> None:
    _staff(fake)
    before = templates_admin.current(fake, "complaint")
    assert before["updated_by_name"] is None  # the built-in default: no one
    saved = templates_admin.save(
        fake, ADMIN, "complaint", {"sections": before["sections"], "version": before["version"]}, NOW
    )
    assert saved["updated_by_name"] == "孙伟"
    assert templates_admin.current(fake, "complaint")["updated_by_name"] == "孙伟"
    assert [v["updated_by_name"] for v in templates_admin.versions(fake, "complaint")] == [None, "孙伟"]


def test_time_limit_versions_name_who_changed_them(fake: Any) -> None:
    _staff(fake)
    hotline = next(h for h in limits_admin.overview(fake, ADMIN, NOW)["items"] if h["hotline"] == "12345")
    assert hotline["latest"]["by_name"] is None  # the built-in default
    days = int(hotline["latest"]["days"]["consult"])
    changed = limits_admin.change(fake, ADMIN, "12345", {"days": {"consult": days + 1}, "version": 0}, NOW)
    assert changed["by_name"] == "孙伟"
    again = next(h for h in limits_admin.overview(fake, ADMIN, NOW)["items"] if h["hotline"] == "12345")
    assert again["history"][0]["by_name"] == "孙伟"


def test_a_hand_over_names_its_people_field_by_field(fake: Any) -> None:
    _staff(fake)
    h = {
        "id": "H1",
        "from_id": "op3",
        "to_id": "uh1",
        "requested_by": "op3",
        "decided_by": "admin1",
        "requested_at": NOW.isoformat(),
        "end": (NOW + timedelta(days=1)).isoformat(),
    }
    assert handover.shown(fake, h)["names"] == {
        "from_id": "刘洋",
        "to_id": "周海（海游街道办事处）",
        "requested_by": "刘洋",
        "decided_by": "孙伟",
    }
