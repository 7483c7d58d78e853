"""Citizen status lookup (R-12369-02): code issued at intake and texted, only its hash stored;
status without personal data; throttling and lockout after wrong codes."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.helpers.streams import stream_batch
from tests.helpers.tickets import drive_to_submitted

BODY = {
    "hotline": "12345",
    "channel": "phone",
    "category": "complaint",
    "title": "噪音扰民",
    "content": "夜间施工噪音",
    "caller": {"name": "张三", "phone": "13800001234", "address": "家住广场路"},
}


@pytest.fixture(autouse=True)
def own_address(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is its own client address (the per-address limit is shared with other local clients)."""
    from chalicelib.api import public

    address = "192.0.2." + uuid.uuid4().hex[:6]
    monkeypatch.setattr(public, "client_address", lambda blueprint: address)


def lookup(api: Any, number: str, code: str | None, ip: str = "") -> Any:
    url = f"/public/v1/requests/{number}" + (f"?code={code}" if code is not None else "")
    resp = api.client.http.get(url, headers={"X-Test-Ip": ip} if ip else {})
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


def intake(deps: Any, api: Any) -> tuple[str, str]:
    """An operator intake; the stream handler issues the code and texts it (recorded SMS backend)."""
    from tests.helpers.streams import PARTNERS, deliver

    tid = api.post("/tickets", BODY, user="op1").json["id"]
    assert deliver(deps, PARTNERS, stream_batch(deps, tid)) == {"batchItemFailures": []}
    texts = [m for m in deps.sms.sent if m.params.get("number") == tid]  # type: ignore[attr-defined]
    assert len(texts) == 1 and texts[0].to == "+8613800001234"
    return tid, texts[0].params["code"]


def test_code_is_issued_at_intake_texted_and_stored_hashed(deps: Any, api: Any, seeded: Any) -> None:
    from tests.helpers.streams import PARTNERS, deliver

    tid, code = intake(deps, api)
    assert re.fullmatch(r"\d{6}", code)
    record = deps.partners.get_code(tid)
    assert record is not None and code not in json.dumps(record) and len(record["hash"]) == 64
    deliver(deps, PARTNERS, stream_batch(deps, tid))  # a redelivered stream record sends nothing again
    assert len([m for m in deps.sms.sent if m.params.get("number") == tid]) == 1  # type: ignore[attr-defined]


def test_lookup_shows_status_without_personal_data(deps: Any, api: Any, seeded: Any) -> None:
    tid, code = intake(deps, api)
    resp = lookup(api, tid, code)
    assert resp.status_code == 200, resp.json
    view = resp.json
    assert view["number"] == tid and view["status"] == "open" and view["status_text"] == "已受理，待派单"
    assert view["reply"] is None and view["handling_unit"] is None
    text = json.dumps(view, ensure_ascii=False)
    assert "张三" not in text and "13800001234" not in text and "广场路" not in text
    drive_to_submitted(api, tid)
    done = lookup(api, tid, code).json
    assert done["handling_unit"] == "海游街道办事处" and "已现场核查并责令整改" in done["reply"]
    assert "investigation" not in done["reply"]  # section titles, not ids
    assert set(done) == {
        "number",
        "hotline",
        "category",
        "category_text",
        "status",
        "status_text",
        "handling_unit",
        "received_at",
        "handle_due",
        "submitted_at",
        "closed_at",
        "updated_at",
        "reply",
    }


def test_wrong_codes_are_counted_and_locked_out(deps: Any, api: Any, seeded: Any) -> None:
    tid, code = intake(deps, api)
    wrong = "000000" if code != "000000" else "111111"
    first = lookup(api, tid, wrong)
    assert first.status_code == 403 and first.json["details"]["remaining_attempts"] == 4
    for _ in range(3):
        assert lookup(api, tid, wrong).status_code == 403
    locked = lookup(api, tid, wrong)
    assert locked.status_code == 429 and locked.json["details"]["retry_after"] > 0
    assert lookup(api, tid, code).status_code == 429  # even the right code, until the window ends


def test_unknown_number_and_wrong_code_look_the_same(deps: Any, api: Any, seeded: Any) -> None:
    tid, code = intake(deps, api)
    unknown = lookup(api, "T20991231-99999", "123456")
    wrong = lookup(api, tid, "000000" if code != "000000" else "111111")
    assert unknown.status_code == wrong.status_code == 403
    assert unknown.json["message"] == wrong.json["message"]


def test_malformed_code_is_422(api: Any, seeded: Any) -> None:
    assert lookup(api, "T20261126-00001", None).status_code == 422
    assert lookup(api, "T20261126-00001", "12ab").status_code == 422


def test_lookups_are_throttled_per_number(deps: Any, api: Any, seeded: Any) -> None:
    from chalicelib.services import lookup as svc

    number = "T2099" + uuid.uuid4().hex[:4]
    now = datetime.now(UTC)
    statuses = []
    for _ in range(svc.PER_NUMBER_PER_MIN + 2):
        try:
            svc.lookup(deps, number, "123456", "203.0.113.9-" + uuid.uuid4().hex[:4], now)
        except Exception as exc:  # noqa: BLE001
            statuses.append(type(exc).__name__)
    assert "RateLimited" in statuses


def test_lookups_are_throttled_per_address(deps: Any, api: Any, seeded: Any) -> None:
    from chalicelib.domain.errors import RateLimited
    from chalicelib.services import lookup as svc

    address = "198.51.100." + str(uuid.uuid4().int % 250)
    now = datetime.now(UTC)
    limited = False
    for i in range(svc.PER_ADDRESS_PER_MIN + 1):
        try:
            svc.lookup(deps, f"T20991231-{i:05d}", "12", address, now)
        except RateLimited:
            limited = True
        except Exception:  # noqa: BLE001, S110 - 422 for the malformed code until the limit
            pass
    assert limited
