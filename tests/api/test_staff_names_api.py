"""Names, not login ids, with the unit: the Directory copy of the staff (`USER` partition) seeded with the demo
users, written by the admin user pages, and printed on record.html, the difficult sheet and the monthly report."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.helpers.accounts import PASSWORD
from tests.helpers.streams import AUDIT, deliver, stream_records
from tests.helpers.tickets import closed_ticket

OP1, UH1 = "王敏", "周海（海游街道办事处）"  # tests/helpers/accounts.py: op1 and uh1 of unit U001


@pytest.fixture(scope="module")
def archived(deps: Any, seeded: Any) -> str:
    """A ticket op1 dispatched to U001, uh1 answered, op1 closed; archived by the audit stream."""
    tid = closed_ticket(deps)
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    return tid


def _login_ids(text: str) -> set[str]:
    """The demo login ids a text shows as words (not inside other words such as `uh1x`)."""
    return set(re.findall(r"(?<![A-Za-z0-9_-])(op1|uh1)(?![A-Za-z0-9_-])", text))


def test_the_demo_users_are_seeded_into_the_directory(deps: Any, seeded: Any) -> None:
    staff = deps.directory.staff()
    assert staff["uh1"] == {"name": "周海", "role": "unit_handler", "unit_id": "U001"}
    assert staff["op1"] == {"name": "王敏", "role": "operator", "unit_id": None}
    names = deps.contexts.names()
    assert names["op1"] == OP1 and names["uh1"] == UH1


def test_record_html_names_the_dispatcher_and_the_handler_with_the_unit(api: Any, archived: str) -> None:
    link = api.get(f"/archive/{archived}/download?file=record.html", user="records1")
    assert link.status_code == 200, link.json
    html = requests.get(link.json["url"], timeout=10).content.decode()
    assert f"{OP1}（业务科经办人）" in html  # the event rows: name and role
    assert "周海（海游街道办事处，承办单位经办人）" in html
    assert f"<td>{OP1}</td>" in html  # 派单人（责任人）
    assert _login_ids(html) == set()


def test_the_difficult_sheet_names_people_not_login_ids(api: Any, archived: str) -> None:
    leader = {"Authorization": f"Bearer {api.tokens['leader1']}"}
    sheet = api.client.http.get(f"/documents/difficult-sheet/{archived}?format=html", headers=leader)
    assert sheet.status_code == 200
    html = sheet.body.decode()
    assert OP1 in html and UH1 in html
    assert _login_ids(html) == set()


def test_the_monthly_report_names_each_dispatcher(api: Any, archived: str) -> None:
    month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    analyst = {"Authorization": f"Bearer {api.tokens['analyst1']}"}
    sheet = api.client.http.get(f"/documents/monthly-report?month={month}&format=html", headers=analyst)
    assert sheet.status_code == 200
    html = sheet.body.decode()
    assert OP1 in html and "op1" not in _login_ids(html)


def test_admin_changes_reach_the_directory_copy_and_the_printed_name(deps: Any, api: Any, seeded: Any) -> None:
    username = f"uhn{uuid.uuid4().hex[:8]}"
    body = {"username": username, "name": "钱进", "role": "unit_handler", "unit_id": "U001", "password": PASSWORD}
    assert api.post("/admin/users", body, user="admin1").status_code == 201
    assert deps.directory.staff()[username] == {"name": "钱进", "role": "unit_handler", "unit_id": "U001"}
    assert deps.contexts.names()[username] == "钱进（海游街道办事处）"
    changed = api.put(f"/admin/users/{username}", {"name": "钱新", "unit_id": "U002"}, user="admin1")
    assert changed.status_code == 200, changed.json
    assert deps.directory.staff()[username] == {"name": "钱新", "role": "unit_handler", "unit_id": "U002"}
    assert deps.contexts.names()[username] == "钱新（县住房和城乡建设局）"
    refused = api.put(f"/admin/users/{username}", {"name": ""}, user="admin1")
    assert refused.status_code == 422  # bad input changes nothing
    assert deps.directory.staff()[username]["name"] == "钱新"


def test_the_timeline_and_the_owner_show_names_in_the_spa(api: Any, archived: str) -> None:
    ticket = api.get(f"/tickets/{archived}", user="op1").json
    assert ticket["owner_name"] == OP1 and ticket["first_owner_name"] == OP1
    events = api.get(f"/tickets/{archived}/events", user="op1").json["items"]
    by_actor = {e["actor_id"]: e["actor_name"] for e in events}
    assert by_actor["op1"] == OP1 and by_actor["uh1"] == UH1


def test_an_answered_instruction_names_who_answered_with_the_unit(api: Any, seeded: Any) -> None:
    body = {"category": "help", "title": "低保申请", "content": "内容"}
    tid = api.post("/tickets", body, user="op1").json["id"]
    call = {"to_name": "周海", "to_phone": "13957600001"}
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": call}, user="op1").status_code == 200
    instr = api.post(f"/tickets/{tid}/instructions", {"text": "请单位说明情况", "to": "unit"}, user="leader1").json
    answered = api.post(f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "已说明"}, user="uh1")
    assert answered.status_code == 200, answered.json
    [item] = api.get(f"/tickets/{tid}/instructions", user="op1").json["items"]
    assert item["answer"]["by"] == "uh1" and item["answer"]["by_name"] == UH1
