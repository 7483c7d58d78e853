"""R-12345-11 through the API: recorded calls keep whom they reached inside the envelope, confidential
tickets show nothing of the caller, reveals are limited, reasoned and logged where the app cannot delete."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers.archive import bucket, s3
from tests.helpers.raw import raw_events
from tests.helpers.streams import AUDIT, deliver, stream_records

ROLES = ("op1", "op2", "uh1", "leader1", "analyst1", "admin1")


def _unique_person() -> tuple[str, str]:
    """A name and 11-digit number that occur nowhere else in the stores."""
    number = "139" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data
    return "欧阳" + "".join(random.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(3)), number  # noqa: S311


def _dispatch(api: Any, tid: str) -> None:
    call = {"to_name": "周海", "to_phone": "13957600001"}
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": call}, user="op1").status_code == 200


def _ticket(api: Any, caller: dict[str, str], **extra: Any) -> str:
    body = {"category": "complaint", "title": "噪音", "content": "夜间施工", "caller": caller, **extra}
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def test_r12345_11_a_recorded_call_holds_whom_it_reached_only_in_the_envelope(
    deps: Any, api: Any, outputs: dict[str, str], seeded: Any
) -> None:
    name, number = _unique_person()
    handler, handler_phone = _unique_person()
    tid = _ticket(api, {"name": name, "phone": number})
    call = {"to_name": handler, "to_phone": handler_phone, "note": "已电话通知"}
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": call}, user="op1").status_code == 200
    callback = {"kind": "callback", "to_name": name, "to_phone": number, "outcome": "reached"}
    assert api.post(f"/tickets/{tid}/calls", callback, user="op1").status_code == 201

    secrets = (name, number, handler, handler_phone)
    items = raw_events(outputs, tid)  # the table itself
    assert items
    raw = json.dumps(items, ensure_ascii=False)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})  # the Object-Lock audit copies
    copies = [
        s3(deps).get_object(Bucket=bucket(deps), Key=o["Key"])["Body"].read().decode()
        for o in s3(deps).list_objects_v2(Bucket=bucket(deps), Prefix="audit/").get("Contents", [])
        if f"/{tid}/" in o["Key"]
    ]
    assert len(copies) == 3
    responses = []
    for user in ROLES:
        for path in (f"/tickets/{tid}", f"/tickets/{tid}/events", f"/tickets/{tid}/calls"):
            resp = api.get(path, user=user)
            assert resp.status_code == 200, (user, path, resp.json)
            responses.append(json.dumps(resp.json, ensure_ascii=False))
    for text in (raw, *copies, *responses):
        for secret in secrets:
            assert secret not in text, secret
    calls = api.get(f"/tickets/{tid}/calls", user="uh1").json["items"]
    assert [(c["kind"], c["to_name"], c["to_phone"]) for c in calls] == [
        ("dispatch_notice", handler[0] + "****", handler_phone[:3] + "****" + handler_phone[-4:]),
        ("callback", name[0] + "****", number[:3] + "****" + number[-4:]),
    ]
    assert all("contact_enc" not in c for c in calls)

    # the audited reveal path: the ticket's operator with a reason sees them, and it is recorded
    for user in ("uh1", "admin1", "op2", "analyst1"):
        assert api.get(f"/tickets/{tid}/calls?reveal=1&reason=callback", user=user).status_code == 403, user
    assert api.get(f"/tickets/{tid}/calls?reveal=1", user="op1").status_code == 422
    shown = api.get(f"/tickets/{tid}/calls?reveal=1&reason=callback", user="op1").json["items"]
    assert [(c["to_name"], c["to_phone"]) for c in shown] == [(handler, handler_phone), (name, number)]
    assert [v["user_id"] for v in deps.directory.pii_views(tid)[0]] == ["op1"]


def test_r12345_02_the_dispatch_sms_still_reaches_the_handler_phoned(deps: Any, api: Any, seeded: Any) -> None:
    from chalicelib.services import notify
    from tests.helpers.streams import NOTIFY, stream_batch

    handler, phone = _unique_person()
    tid = _ticket(api, {"name": "张三", "phone": "13800001111"})
    call = {"to_name": handler, "to_phone": phone}
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": call}, user="op1").status_code == 200
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("dispatched",))["Records"], deps.clock())
    [sms] = [m for m in notify.ticket_messages(deps, tid) if m["role"] == "unit"]
    assert sms["to"] == phone and sms["to_name"] == handler  # opened from the envelope to send


def test_r12345_11_a_confidential_ticket_shows_nothing_of_the_caller(api: Any, seeded: Any) -> None:
    # a surname no member of staff has: the answer names the owner (owner_name), staff names are not caller data
    caller = {"name": "欧阳小明", "phone": "13800002222", "employer": "红星化工厂", "address": "海游街道光明路8号"}
    tid = _ticket(api, caller, confidential=True)
    _dispatch(api, tid)
    for user in ("uh1", "op1", "op2", "analyst1", "admin1"):
        shown = api.get(f"/tickets/{tid}", user=user).json
        assert shown["caller"] == {"name": "***", "phone": "***", "employer": "***", "address": "***"}, user
        text = json.dumps(shown, ensure_ascii=False)
        for piece in ("欧阳", "2222", "海游街道光明", "红"):
            assert piece not in text, (user, piece)
    assert api.get(f"/tickets/{tid}?reveal=1&reason=supervision", user="leader1").json["caller"] == caller


def test_r12345_11_the_reported_unit_and_administrators_never_reveal(api: Any, seeded: Any) -> None:
    tid = _ticket(api, {"name": "李四", "phone": "13800003333"})
    _dispatch(api, tid)
    assert api.get(f"/tickets/{tid}", user="uh1").json["can_reveal"] is False  # the lead unit: maybe the reported party
    assert api.get(f"/tickets/{tid}?reveal=1&reason=handling", user="uh1").status_code == 403
    assert api.get(f"/tickets/{tid}?reveal=1&reason=verify", user="admin1").status_code == 403
    assert api.get(f"/tickets/{tid}?reveal=1&reason=verify", user="op2").status_code == 403  # not their ticket
    bad = api.get(f"/tickets/{tid}?reveal=1&reason=curious", user="op1")
    assert bad.status_code == 422 and "reason" in bad.json["details"]["fields"]
    assert api.get(f"/tickets/{tid}?reveal=1&reason=verify", user="op1").json["caller"]["name"] == "李四"


def test_r12345_11_every_reveal_download_export_and_document_is_logged_beyond_the_apps_reach(
    deps: Any, api: Any, seeded: Any
) -> None:
    from chalicelib.services.privacy import SECURITY_LOG_PREFIX

    tid = _ticket(api, {"name": "赵六", "phone": "13800004444"})
    before = deps.clock()
    assert api.get(f"/tickets/{tid}?reveal=1&reason=callback", user="op1").status_code == 200
    month = "2026-10"  # a finished month
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Authorization": f"Bearer {api.tokens['analyst1']}", "Accept": xlsx}
    assert api.client.http.get(f"/stats/export?month={month}", headers=headers).status_code == 200
    doc = f"/documents/monthly-report?month={month}&format=html"
    leader = {"Authorization": f"Bearer {api.tokens['leader1']}"}
    assert api.client.http.get(doc, headers=leader).status_code == 200
    day = before.strftime("%Y/%m/%d")
    listed = s3(deps).list_objects_v2(Bucket=bucket(deps), Prefix=f"{SECURITY_LOG_PREFIX}{day}/")["Contents"]
    entries = [json.loads(s3(deps).get_object(Bucket=bucket(deps), Key=o["Key"])["Body"].read()) for o in listed]
    mine = [(e["action"], e["user_id"]) for e in entries if e["at"] >= before.isoformat()]
    assert ("reveal", "op1") in mine and ("export", "analyst1") in mine and ("document", "leader1") in mine
    [reveal] = [e for e in entries if e["action"] == "reveal" and e.get("ticket_id") == tid]
    assert reveal["reason"] == "callback" and "赵六" not in json.dumps(reveal, ensure_ascii=False)
    key = next(o["Key"] for o in listed if reveal["id"] in o["Key"])
    head = s3(deps).head_object(Bucket=bucket(deps), Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError):  # the app's credentials cannot remove the locked version
        s3(deps).delete_object(Bucket=bucket(deps), Key=key, VersionId=head["VersionId"])
