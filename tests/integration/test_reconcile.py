"""Reconciliation on moto: the event log against S3, exact counts on a day of its own (R-12345-17)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.helpers.archive import assert_exactly_one_audit_object_per_event, assert_one_current_package
from tests.helpers.streams import lambda_pump, stream_records
from tests.helpers.tickets import closed_ticket

DAY = date(2024, 3, 5)  # no other test writes events on this Asia/Shanghai day
AT = datetime(2024, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai


def test_r12345_17_reconcile_rewrites_what_the_stream_lost_and_counts_it(
    deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.integrations import archive_store
    from chalicelib.services import reconcile
    from tests.helpers.streams import AUDIT, deliver

    tid = closed_ticket(deps, AT, received_at=AT.isoformat())
    records = stream_records(deps, tid)
    put_once, put = archive_store.S3ArchiveStore.put_once, archive_store.S3ArchiveStore.put

    def audit_down(self: Any, key: str, *args: Any, **kwargs: Any) -> bool:
        if key.endswith(("000002.json", "000006.json")):
            raise archive_store.ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "PutObject"
            )
        return put_once(self, key, *args, **kwargs)

    def archive_down(self: Any, *args: Any, **kwargs: Any) -> str:
        raise archive_store.ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "PutObject")

    monkeypatch.setattr(archive_store.S3ArchiveStore, "put_once", audit_down)
    monkeypatch.setattr(archive_store.S3ArchiveStore, "put", archive_down)
    dead = lambda_pump(lambda b: deliver(deps, AUDIT, b), records)
    assert sorted(int(r["dynamodb"]["Keys"]["seq"]["N"]) for r in dead) == [2, 6, len(records)]
    monkeypatch.setattr(archive_store.S3ArchiveStore, "put_once", put_once)
    monkeypatch.setattr(archive_store.S3ArchiveStore, "put", put)

    report = reconcile.run(deps, DAY, DAY, datetime.now(UTC))
    assert report["counts"] == {
        "checked": len(records),
        "missing": 2,
        "repaired": 2,
        "failed": 0,
        "archives_checked": 1,
        "archives_missing": 1,
        "archives_repaired": 1,
        "archives_superseded": 0,
        "archives_failed": 0,
    }
    assert sorted(report["repaired"]) == sorted([f"{tid}.000002", f"{tid}.000006", f"{tid}.{len(records):06d}"])
    assert_exactly_one_audit_object_per_event(deps, tid)
    assert_one_current_package(deps, tid)

    again = reconcile.run(deps, DAY, DAY, datetime.now(UTC))["counts"]
    assert again["checked"] == len(records) and again["missing"] == 0 and again["archives_missing"] == 0


def test_reconcile_days_are_asia_shanghai_days(deps: Any, seeded: Any) -> None:
    from chalicelib.services import reconcile

    late = datetime(2024, 3, 6, 15, 30, tzinfo=UTC)  # 2024-03-06 23:30 in Shanghai
    tid = closed_ticket(deps, late, received_at=late.isoformat())
    n = len(stream_records(deps, tid))
    day6 = reconcile.run(deps, date(2024, 3, 6), date(2024, 3, 6), datetime.now(UTC))["counts"]
    day7 = reconcile.run(deps, date(2024, 3, 7), date(2024, 3, 7), datetime.now(UTC))["counts"]
    assert day6["checked"] == n and day7["checked"] == 0  # the close at 23:30+seconds stays on the 6th
    assert day6["missing"] == n and day6["archives_repaired"] == 1
    assert_exactly_one_audit_object_per_event(deps, tid)


def test_reconcile_rejects_bad_ranges(deps: Any, seeded: Any) -> None:
    from chalicelib.domain.errors import ValidationError
    from chalicelib.services import reconcile

    with pytest.raises(ValidationError):
        reconcile.run(deps, DAY, DAY - timedelta(days=1), datetime.now(UTC))
    with pytest.raises(ValidationError):
        reconcile.run(deps, DAY, DAY + timedelta(days=reconcile.MAX_DAYS), datetime.now(UTC))


def test_the_daily_schedule_reconciles_yesterday_and_today(deps: Any, seeded: Any) -> None:
    from chalicelib.handlers import audit
    from infra.local_stack import scheduled_event

    now = datetime(2024, 3, 6, 18, 30, tzinfo=UTC)  # 02:30 on 03-07 in Shanghai
    report = audit.daily_reconcile(scheduled_event("daily_reconcile", deps.settings.region, now), None)
    assert (report["from"], report["to"]) == ("2024-03-06", "2024-03-07")
    assert report["counts"]["failed"] == 0
