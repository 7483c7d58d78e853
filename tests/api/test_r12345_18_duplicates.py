"""R-12345-18 duplicates and merge (并单), through the API: candidates of a ticket and of an intake being typed
(text, place, caller by blind index), the merge confirmed by an operator, the duplicate following its main
ticket's result, unmerge, and bad merges refused with a Chinese 4xx that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.helpers.streams import PARTNERS, deliver, stream_batch
from tests.helpers.tickets import drive_to_submitted

ADDRESS = "海游街道西区大道188号{ns}花园小区"


def _ticket(api: Any, ns: str, title: str, content: str, phone: str, address: str, **extra: Any) -> str:
    body = {
        "category": "complaint",
        "title": title,
        "content": content,
        "caller": {"name": "李四", "phone": phone},
        "location": {"address": address.format(ns=ns)},
        **extra,
    }
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def _indexed(deps: Any, *ids: str) -> None:
    """The TicketEvents stream's consumers (the duplicate index among them) see the tickets' events."""
    assert deliver(deps, PARTNERS, stream_batch(deps, *ids)) == {"batchItemFailures": []}


def _trio(api: Any, deps: Any, ns: str) -> tuple[str, str, str]:
    """A main ticket, a paraphrase of it by the same caller at the same place, another matter at that place."""
    main = _ticket(
        api,
        ns,
        f"{ns}小区电梯故障困人",
        f"{ns}花园小区5幢电梯今天上午突然停在6楼和7楼之间，里面困了两个老人，物业电话打不通。",
        "13957618001",
        ADDRESS,
    )
    dup = _ticket(
        api,
        ns,
        "电梯停运有人被关在里面",
        f"我们{ns}花园小区5号楼的电梯卡住不动了，有老人被关在轿厢里半个多小时，物业一直没人来。",
        "139 5761 8001",  # the same number spelled otherwise: one blind-index tag
        "西区大道188号{ns}花园小区",
    )
    other = _ticket(
        api,
        ns,
        "小区垃圾多日无人清运",
        f"{ns}花园小区北门垃圾桶已经三四天没有人清运，垃圾堆到路边，天热发臭。",
        "13957618002",
        ADDRESS,
    )
    _indexed(deps, main, dup, other)
    return main, dup, other


def test_r12345_18_candidates_by_text_place_and_caller(api: Any, deps: Any, seeded: Any, ns: str) -> None:
    main, dup, other = _trio(api, deps, ns)
    resp = api.get(f"/tickets/{dup}/duplicates", user="op1")
    assert resp.status_code == 200, resp.json
    found = {c["ticket"]["id"]: c for c in resp.json["items"]}
    assert main in found and other not in found and dup not in found
    assert set(found[main]["reasons"]) >= {"same_caller", "same_place"}
    assert found[main]["score"] >= resp.json["threshold"] and found[main]["mergeable_into"] is True
    assert resp.json["window_days"] == 30
    assert "caller" not in found[main]["ticket"]  # candidates carry no personal data
    assert api.get(f"/tickets/{dup}/duplicates", user="leader1").status_code == 200
    refused = api.get(f"/tickets/{dup}/duplicates", user="uh1")
    assert refused.status_code == 403 and "无权" in refused.json["message"]


def test_r12345_18_intake_check_warns_before_the_ticket_is_saved(api: Any, deps: Any, seeded: Any, ns: str) -> None:
    main, _, last = _trio(api, deps, ns)
    draft = {
        "title": "电梯困人",
        "content": f"{ns}花园小区5幢的电梯坏了，有老人困在里面出不来，请赶快派人。",
        "caller": {"phone": "13957618001"},
        "location": {"address": ADDRESS.format(ns=ns)},
    }
    resp = api.post("/duplicates/check", draft, user="op1")
    assert resp.status_code == 200, resp.json
    assert main in [c["ticket"]["id"] for c in resp.json["items"]]
    following = _ticket(api, ns, "下一件", "下一件工单", "13957618009", ADDRESS)
    assert int(following[-5:]) == int(last[-5:]) + 1  # the check saved nothing, took no number
    empty = api.post("/duplicates/check", {"title": "", "content": ""}, user="op1")
    assert empty.status_code == 422 and "查重" in empty.json["details"]["fields"]["title"]
    assert api.post("/duplicates/check", draft, user="uh1").status_code == 403


def test_r12345_18_merge_follow_the_main_result_and_call_back(api: Any, deps: Any, seeded: Any, ns: str) -> None:
    main, dup, _ = _trio(api, deps, ns)
    merged = api.post(f"/tickets/{dup}/merge", {"into": main, "note": "同一事项重复来电"}, user="op2")
    assert merged.status_code == 200, merged.json
    assert merged.json["status"] == "merged" and merged.json["merge"]["into"] == main
    panel = api.get(f"/tickets/{main}/duplicates", user="op1").json
    assert [t["id"] for t in panel["merged"]] == [dup]
    shown = api.get(f"/tickets/{dup}/duplicates", user="op1").json
    assert shown["main"]["id"] == main and shown["merge"]["into"] == main

    drive_to_submitted(api, main)
    assert api.post(f"/tickets/{main}/close", {"note": "市审核组审核通过"}, user="op1").status_code == 200
    _indexed(deps, main)  # the stream: the closed main's result reaches its duplicate
    after = api.get(f"/tickets/{dup}", user="op2").json
    assert after["status"] == "reviewed" and after["reply"]["from_ticket"] == main
    assert after["merge"]["followed_at"]
    assert api.get(f"/tickets/{dup}/duplicates", user="op1").json["main"]["reply"]["sections"]
    # the duplicate's own caller is called back with the main ticket's result (R-12345-05), by who merged it
    called = api.post(
        f"/tickets/{dup}/callback",
        {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"},
        user="op2",
    )
    assert called.status_code == 200 and called.json["status"] == "called_back"
    _indexed(deps, main)  # delivered again: nothing moves twice
    assert api.get(f"/tickets/{dup}", user="op2").json["status"] == "called_back"
    late = api.post(f"/tickets/{dup}/unmerge", {}, user="op2")
    assert late.status_code == 409 and "不能再取消并单" in late.json["message"]


def test_r12345_18_unmerge_restores_the_ticket(api: Any, deps: Any, seeded: Any, ns: str) -> None:
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")
    main, dup, _ = _trio(api, deps, ns)

    def duplicates_figure() -> int:
        figures = api.get(f"/stats/monthly?month={month}&scope=county", user="analyst1").json["figures"]
        return int(figures["duplicates"]["value"])

    start = duplicates_figure()
    assert api.post(f"/tickets/{dup}/merge", {"into": main}, user="op1").status_code == 200
    assert duplicates_figure() == start + 1  # 重复诉求, counted for the county
    resp = api.post(f"/tickets/{dup}/unmerge", {"reason": "经核实为不同事项"}, user="op1")
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "received" and resp.json["merge"] is None
    assert "dispatch" in resp.json["allowed_actions"]
    assert duplicates_figure() == start
    assert api.get(f"/tickets/{main}/duplicates", user="op1").json["merged"] == []
    again = api.post(f"/tickets/{dup}/unmerge", {}, user="op1")
    assert again.status_code == 409 and "无需取消并单" in again.json["message"]
    assert api.post(f"/tickets/{dup}/merge", {"into": main}, user="op1").status_code == 200  # and merged again


def test_r12345_18_bad_merges_are_refused_and_change_nothing(api: Any, deps: Any, seeded: Any, ns: str) -> None:
    main, dup, other = _trio(api, deps, ns)
    version = api.get(f"/tickets/{dup}", user="op1").json["version"]

    def refused(body: Any, status: int, words: str, user: str = "op1", ticket: str = dup) -> None:
        resp = api.post(f"/tickets/{ticket}/merge", body, user=user)
        assert resp.status_code == status, (body, resp.json)
        assert words in str(resp.json), (words, resp.json)

    refused({"into": dup}, 422, "不能把工单并入它自己")
    refused({"into": "T20000101-99999"}, 422, "不存在")
    refused({"into": "not-a-ticket"}, 422, "主工单编号")
    refused({}, 422, "into")
    refused({"into": main}, 403, "无权", user="uh1")
    refused({"into": main}, 403, "无权", user="leader1")
    assert api.get(f"/tickets/{dup}", user="op1").json["version"] == version  # nothing changed

    # circular: other is merged into dup; dup into other closes a circle
    assert api.post(f"/tickets/{other}/merge", {"into": dup}, user="op1").status_code == 200
    refused({"into": other}, 422, "循环并单")
    # a main ticket that has duplicates of its own is merged into nothing (no chains)
    refused({"into": main}, 409, "已有重复件并入")
    # into a merged ticket
    third = _ticket(api, ns, "电梯困人", f"{ns}花园小区电梯困人", "13957618003", ADDRESS)
    refused({"into": other}, 422, f"本身已并入 {dup}", ticket=third)
    # into a closed ticket
    drive_to_submitted(api, main)
    assert api.post(f"/tickets/{main}/close", {}, user="op1").status_code == 200
    refused({"into": main}, 422, "已办结", ticket=third)
    # a merged ticket is not merged again before it is taken back
    assert api.post(f"/tickets/{third}/merge", {"into": dup}, user="op1").status_code == 200
    refused({"into": dup}, 409, "已并入", ticket=third)
    assert api.get(f"/tickets/{dup}", user="op1").json["status"] == "received"


def test_r12345_18_a_dispatched_ticket_and_a_12369_report_are_not_merged(
    api: Any, deps: Any, seeded: Any, ns: str
) -> None:
    main, dup, _ = _trio(api, deps, ns)
    call = {"to_name": "周海", "to_phone": "13957600001"}
    assert api.post(f"/tickets/{dup}/dispatch", {"unit_id": "U001", "call": call}, user="op1").status_code == 200
    resp = api.post(f"/tickets/{dup}/merge", {"into": main}, user="op1")
    assert resp.status_code == 409 and "只有待派单的工单可以并单" in resp.json["message"]
    report = api.post(
        "/tickets",
        {
            "hotline": "12369",
            "title": f"{ns}工厂夜间偷排废水",
            "content": "华海机械厂晚上通过暗管往河里排黑色废水",
            "entity": {"name": f"{ns}华海机械厂", "address": "浦坝港镇沿海工业区"},
            "demand": "查处",
        },
        user="op1",
    )
    assert report.status_code == 201, report.json
    rid = report.json["id"]
    refused = api.post(f"/tickets/{rid}/merge", {"into": main}, user="op1")
    assert refused.status_code == 409 and "重复举报" in refused.json["message"]
    again = api.post(
        "/tickets",
        {
            "hotline": "12369",
            "title": "机械厂往河道排污",
            "content": f"{ns}华海机械厂半夜偷偷排放污水到旁边的河沟，水面漂着油污，早上能看到死鱼。",
            "entity": {"name": f"{ns}华海机械厂", "address": "浦坝港镇沿海工业区"},
            "demand": "查处",
        },
        user="op1",
    ).json["id"]
    _indexed(deps, rid, again)
    found = api.get(f"/tickets/{again}/duplicates", user="op1").json["items"]
    # 12369: the same reported entity (name + address, tagged) and the same matter make a candidate
    assert [c["ticket"]["id"] for c in found] == [rid] and "same_place" in found[0]["reasons"]
    assert found[0]["mergeable_into"] is False  # a report is merged by its decision, not into a ticket
