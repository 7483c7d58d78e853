"""docs/privacy.md: a closed ticket's personal data is destroyed when its retention ends, by destroying the
ticket's own key (crypto-shredding): every copy — the ticket, its events, the write-once audit copies and the
archive package, the texts to its reporter — becomes unreadable at once, and the destruction is on record."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Actor, Change
from chalicelib.services import records, retention
from chalicelib.storage.subject_keys import Shredded
from chalicelib.storage.tickets import caller_aad
from tests.helpers.archive import bucket, s3
from tests.helpers.raw import raw_events, raw_ticket
from tests.helpers.streams import AUDIT, deliver, stream_records
from tests.helpers.tickets import OP1, closed_ticket, reopen_ticket

RECORDS = Actor("records1", "records")


def _archived(deps: Any, now: datetime) -> tuple[str, datetime]:
    tid = closed_ticket(deps, now)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    closed_at = datetime.fromisoformat(deps.tickets.history(tid)[-1]["at"])
    return tid, closed_at


def _sealed_copies(deps: Any, outputs: dict[str, str], tid: str) -> list[tuple[str, str]]:
    """(aad, ciphertext) of every sealed personal field in the events and the S3 copies of the ticket."""
    out = [(caller_aad(tid), str(raw_ticket(outputs, tid).get("caller_enc", {}).get("S", "")))]
    for event in raw_events(outputs, tid):
        call = json.loads(event["data"]["S"]).get("call") or {}
        if call.get("contact_enc"):
            out.append((f"events/{tid}/contact_enc", call["contact_enc"]))
    prefix = deps.archive_index.latest(tid)["prefix"]
    record = json.loads(s3(deps).get_object(Bucket=bucket(deps), Key=prefix + "record.json")["Body"].read())
    out.append((caller_aad(tid), record["caller_enc"]))
    return [(a, c) for a, c in out if c]


def _long_ago(deps: Any, extra_days: int) -> datetime:
    """A close so long ago that its retention has ended: the sweeps below reach no ticket of the other tests
    (closed today), each test its own span."""
    return datetime.now(UTC) - timedelta(days=deps.settings.pii_retention_days + extra_days)


def test_retention_ended_destroys_every_copy_of_the_callers_data(
    deps: Any, outputs: dict[str, str], seeded: Any
) -> None:
    now = datetime.now(UTC)
    tid, closed_at = _archived(deps, _long_ago(deps, 400))
    days = deps.settings.pii_retention_days
    sealed = _sealed_copies(deps, outputs, tid)
    assert len(sealed) >= 3 and all(c.startswith("tk1:") for _, c in sealed)
    assert deps.tickets.open_personal(tid, sealed[0][1], sealed[0][0])["name"] == "张三丰"

    retention.shred_due(deps, closed_at + timedelta(days=days) - timedelta(minutes=1))
    assert deps.tickets.get(tid).caller.name == "张三丰"  # not yet

    result = retention.shred_due(deps, closed_at + timedelta(days=days, minutes=1))
    assert result["pii_destroyed"] >= 1
    assert deps.tickets.get(tid).caller.name == ""
    item = raw_ticket(outputs, tid)
    assert "pii_key" not in item and "caller_enc" not in item and "caller_tag" not in item and "pii_shredded_at" in item
    for aad, token in sealed:  # the write-once copies still exist, and nobody can read them
        with pytest.raises(Shredded):
            deps.tickets.open_personal(tid, token, aad)
    archived = records.record(deps, RECORDS, tid, now)
    assert archived["caller"]["name"] == ""  # the records office still reads the record, without the person
    day = (closed_at + timedelta(days=days, minutes=1)).strftime("%Y-%m-%d")
    log = [d for _, d in deps.directory.query_items(f"ACCESS#{day}")]
    assert [d["user_id"] for d in log if d["action"] == "pii_destroyed" and d.get("ticket_id") == tid] == ["system"]
    retention.shred_due(deps, closed_at + timedelta(days=days, minutes=2))  # once: it left the index
    log = [d for _, d in deps.directory.query_items(f"ACCESS#{day}")]
    assert len([d for d in log if d["action"] == "pii_destroyed" and d.get("ticket_id") == tid]) == 1


def test_a_stale_commit_cannot_bring_a_destroyed_key_back(deps: Any, seeded: Any) -> None:
    now = datetime.now(UTC)
    tid = closed_ticket(deps, now)
    stale = deps.tickets.get(tid)
    assert deps.tickets.shred(tid, now) is True
    change = Change(stale, stale.with_changes(title="改"), "title_changed", {}, now, OP1)
    with pytest.raises(Conflict):  # the version moved on: a change read before the destruction is refused
        deps.tickets.commit(change, None)
    assert deps.tickets.get(tid).caller.name == "" and deps.tickets.shred(tid, now) is False


def test_a_reopened_ticket_is_not_destroyed_until_it_closes_again(deps: Any, seeded: Any) -> None:
    tid, closed_at = _archived(deps, _long_ago(deps, 800))
    reopen_ticket(deps, tid, closed_at + timedelta(minutes=5))
    after = closed_at + timedelta(days=deps.settings.pii_retention_days, minutes=1)
    assert retention.shred_due(deps, after)["pii_retention_reopened"] >= 1
    assert deps.tickets.get(tid).caller.name == "张三丰"


def test_a_schedule_only_moves_on_to_a_later_close_in_one_write(deps: Any) -> None:
    tid = "T20260101-99001"
    first, later = datetime(2026, 3, 1, 9, tzinfo=UTC), datetime(2026, 3, 9, 9, tzinfo=UTC)
    stored = lambda: deps.directory.get_item(f"RETAIN#{tid}", retention.SK)  # noqa: E731
    assert retention.schedule(deps, tid, later)
    assert not retention.schedule(deps, tid, first)  # an earlier close delivered late changes nothing
    assert not retention.schedule(deps, tid, later)  # nor does the same close again
    assert stored()["closed_at"] == later.isoformat()
    assert retention.schedule(deps, tid, later + timedelta(seconds=1))
    assert stored()["closed_at"] == (later + timedelta(seconds=1)).isoformat()
