"""A 422 names each bad field in Chinese beside its path: the SPA highlights the path, the user reads the name."""

from __future__ import annotations

from typing import Any

from chalicelib.documents.labels import field_label
from tests.api.test_tickets_api import CALL, act, new_ticket


def test_a_422_carries_each_fields_chinese_name_and_says_the_reason_under_it(api: Any) -> None:
    tid = new_ticket(api)["id"]
    resp = api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": dict(CALL, to_phone="12")}, user="op1")
    assert resp.status_code == 422
    details = resp.json["details"]
    [(path, reason)] = details["fields"].items()
    assert path == "to_phone" and details["labels"] == {path: "电话"}
    assert resp.json["message"] == f"输入有误：电话：{reason}"
    assert act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})["status"] == "dispatched"


def test_a_nested_path_is_named_part_by_part_and_an_unnamed_one_gets_no_label() -> None:
    assert field_label("caller.phone") == "来电人 · 电话号码"
    assert field_label("co_calls[1].to_phone") == "电话通知协办单位（第2项） · 电话"
    assert field_label("co_calls[1].to_phone", "en-US") == "Co-unit phone calls (item 2) · Phone"
    assert field_label("days.praise") == "天数 · 表扬"
    assert field_label("zz_not_a_field") is None and field_label("caller.zz") is None and field_label("[3]") is None
