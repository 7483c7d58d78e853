"""Tickets walked through their lifecycle by the services (integration tests) or the API (API tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import tickets as T
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Change
from chalicelib.services import tickets as svc

OP1 = Actor("op1", "operator")
UH1 = Actor("uh1", "unit_handler", "U001")
CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
REPLY = {
    "investigation": "已现场核查",
    "result": "已责令整改",
    "basis": "《噪声污染防治法》",
    "contact": "已电话告知反映人",
}
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "basically_satisfied"}
OP2 = Actor("op2", "operator")
LEADER = Actor("leader1", "leader")
CALLER = {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "海游街道1号"}


def close_ticket(deps: Any, tid: str, now: datetime) -> None:
    """Walk an open (received or reassigned) ticket to closed."""
    status = deps.tickets.get(tid).status
    steps: list[tuple[str, Actor, dict[str, Any]]] = []
    if status == "received":
        steps += [("dispatch", OP1, {"unit_id": "U001", "call": CALL}), ("sign", UH1, {})]
    steps += [
        ("reply", UH1, {"sections": REPLY}),
        ("review", OP1, {"approve": True}),
        ("callback", OP1, CALLBACK),
        ("submit", OP1, {}),
        ("close", OP1, {"note": "市审核组审核通过"}),
    ]
    for n, (verb, actor, body) in enumerate(steps):
        svc.act(deps, actor, tid, verb, body, now + timedelta(seconds=n))


ENV_RESULT = {"matter": "举报事项", "investigation": "现场核查属实", "decision": "责令整改", "reply": "已责令整改"}


def close_report(deps: Any, tid: str, now: datetime) -> None:
    """Walk a received 12369 report to closed: accept, forward, sign, report, sign-off (R-12369-02…06)."""
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        ("decide", OP1, {"decision": "accept"}),
        ("forward", OP1, {"unit_id": "U001", "call": CALL}),
        ("sign", UH1, {}),
        ("report", UH1, {"sections": ENV_RESULT}),
        ("sign-off", LEADER, {}),
    ]
    for n, (verb, actor, body) in enumerate(steps):
        svc.act(deps, actor, tid, verb, body, now + timedelta(seconds=n))


def reopen_ticket(deps: Any, tid: str, at: datetime, reason: str = "市平台重新交办") -> None:
    """The city platform hands a closed ticket back (R-12345-09): re-assigned to its unit, phoned again."""
    svc.act(deps, OP1, tid, "reassign", {"reason": reason, "call": {"to_name": "周海", "to_phone": "13957600001"}}, at)


def closed_ticket(deps: Any, now: datetime | None = None, **extra: Any) -> str:
    """A new complaint with caller data, walked through every step to closed; its id."""
    now = now or datetime.now(UTC)
    payload = {"category": "complaint", "title": "小区夜间施工噪音", "content": "22点后仍在施工", "caller": CALLER}
    payload.update(extra)
    ticket, _ = svc.create_ticket(deps, OP1, payload, now)
    close_ticket(deps, ticket.ticket_id, now)
    return ticket.ticket_id


def drive_to_submitted(api: Any, ticket_id: str) -> None:
    """Operator and unit take a ticket from received to submitted through the API."""
    steps = [
        ("dispatch", "op1", {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}}),
        ("sign", "uh1", {}),
    ]
    for verb, user, body in steps:
        resp = api.post(f"/tickets/{ticket_id}/{verb}", body, user=user)
        assert resp.status_code == 200, (verb, resp.json)
    templates = {t["category"]: t for t in api.get("/reply-templates", user="op1").json["items"]}
    sections = {s["id"]: "已现场核查并责令整改。" for s in templates["complaint"]["sections"]}
    for verb, user, body in [
        ("reply", "uh1", {"sections": sections}),
        ("review", "op1", {"approve": True}),
        ("callback", "op1", {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}),
        ("submit", "op1", {}),
    ]:
        resp = api.post(f"/tickets/{ticket_id}/{verb}", body, user=user)
        assert resp.status_code == 200, (verb, resp.json)


def mark_overdue(deps: Any, ticket_id: str, now: datetime) -> None:
    """What the deadline sweep commits when a ticket passes its handling due (R-12345-08)."""
    before = deps.tickets.get(ticket_id)
    after = before.with_changes(flags=before.flags | {"overdue"}, updated_at=now)
    deps.tickets.commit(
        Change(before, after, "marked_overdue", {}, now, SYSTEM_ACTOR), T.next_alert(after, deps.contexts.load(now))
    )


def uh(unit: str) -> Actor:
    """A unit handler of `unit`."""
    return Actor(f"uh-{unit}", "unit_handler", unit)


def build_month(deps: Any, year: int) -> dict[str, str]:
    """The worked example of docs/statistics.md in June of `year`: returns the ticket ids."""
    t0 = datetime(year, 6, 3, 1, 0, tzinfo=UTC)

    def new(title: str, at: datetime) -> str:
        t, _ = svc.create_ticket(
            deps,
            OP1,
            {
                "category": "help",
                "title": title,
                "content": "小区路灯不亮<script>x</script>",
                "caller": {"name": "张三丰", "phone": "13800001234"},
            },
            at,
        )
        return t.ticket_id

    def reply(tid: str, unit: str, at: datetime) -> None:
        sections = {s.id: f"{s.title}：已处理" for s in deps.contexts.load(at).templates["help"]}
        svc.act(deps, uh(unit), tid, "reply", {"sections": sections}, at)

    def finish(tid: str, op: Actor, unit: str, at: datetime, sat: str) -> None:
        reply(tid, unit, at)
        svc.act(deps, op, tid, "review", {"approve": True}, at + timedelta(minutes=10))
        svc.act(
            deps,
            op,
            tid,
            "callback",
            {"satisfaction": sat, "informed": True, "truthful": True, "misconduct": False},
            at + timedelta(minutes=20),
        )
        svc.act(deps, op, tid, "submit", {}, at + timedelta(minutes=30))
        svc.act(deps, op, tid, "close", {}, at + timedelta(minutes=40))

    # T1: in 12 h to U001, returned, judged without good reason, transferred to U002, closed on time, satisfied
    t1 = new("路灯不亮", t0)
    svc.act(deps, OP1, t1, "dispatch", {"unit_id": "U001", "call": CALL}, t0 + timedelta(hours=1))
    svc.act(deps, uh("U001"), t1, "return", {"reason": "不归我们管"}, t0 + timedelta(hours=2))
    svc.act(deps, OP1, t1, "transfer", {"unit_id": "U002", "call": CALL, "good_reason": False}, t0 + timedelta(hours=3))
    svc.act(deps, uh("U002"), t1, "sign", {}, t0 + timedelta(hours=4))
    finish(t1, OP1, "U002", t0 + timedelta(hours=5), "satisfied")
    svc.act(deps, OP1, t1, "mark-typical", {"note": "部门职责交叉的典型"}, t0 + timedelta(hours=6))
    # T2: late dispatch to U002, extension requested + approved, false reply rejected, closed late, unreachable
    t2 = new("噪音扰民", t0)
    svc.act(deps, OP1, t2, "dispatch", {"unit_id": "U002", "call": CALL}, t0 + timedelta(hours=13))
    svc.act(deps, uh("U002"), t2, "sign", {}, t0 + timedelta(hours=14))
    svc.act(
        deps,
        uh("U002"),
        t2,
        "request-extension",
        {"reason": "需协调", "new_due": f"{year}-06-20"},
        t0 + timedelta(hours=15),
    )
    svc.act(deps, LEADER, t2, "decide-extension", {"approve": True}, t0 + timedelta(hours=16))
    reply(t2, "U002", t0 + timedelta(days=1))
    svc.act(
        deps,
        OP1,
        t2,
        "review",
        {"approve": False, "reason": "答复不实", "false_reply": True},
        t0 + timedelta(days=1, hours=1),
    )
    finish(t2, OP1, "U002", t0 + timedelta(days=25), "unreachable")
    # T3: in 12 h to U001 by op2, overdue, closed on time (basically satisfied), then re-assigned in July
    t3 = new("井盖缺失", t0)
    svc.act(deps, OP2, t3, "dispatch", {"unit_id": "U001", "call": CALL}, t0 + timedelta(hours=2))
    svc.act(deps, uh("U001"), t3, "sign", {}, t0 + timedelta(hours=3))
    svc.act(deps, OP2, t3, "flag-difficult", {"reason": "涉及多个部门"}, t0 + timedelta(hours=3, minutes=30))
    mark_overdue(deps, t3, t0 + timedelta(hours=4))
    finish(t3, OP2, "U001", t0 + timedelta(hours=5), "basically_satisfied")
    svc.act(deps, OP2, t3, "reassign", {"reason": "市民再次反映", "call": CALL}, datetime(year, 7, 2, 3, 0, tzinfo=UTC))
    return {"t1": t1, "t2": t2, "t3": t3, "month": f"{year}-06"}
