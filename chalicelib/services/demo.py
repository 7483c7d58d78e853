"""Demo data for `make run`: units with contacts and about 30 tickets spread over every state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.model import Actor, Role
from chalicelib.services import tickets as svc

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

UNITS: dict[str, dict[str, Any]] = {
    "U001": {
        "name": "海游街道办事处",
        "kind": "township",
        "contacts": [
            {"name": "周海", "phone": "13957600001", "role": "handler"},
            {"name": "钱主任", "phone": "13957600011", "role": "leader"},
        ],
    },
    "U002": {
        "name": "县住房和城乡建设局",
        "kind": "bureau",
        "contacts": [{"name": "吴芳", "phone": "13957600002", "role": "handler"}],
    },
    "U003": {
        "name": "县市场监督管理局",
        "kind": "bureau",
        "contacts": [{"name": "冯磊", "phone": "0576-83310003", "role": "handler"}],
    },
    "U004": {
        "name": "县生态环境分局",
        "kind": "bureau",
        "contacts": [{"name": "蒋涛", "phone": "13957600004", "role": "handler"}],
    },
    "U005": {
        "name": "沙柳街道办事处",
        "kind": "township",
        "contacts": [{"name": "韩梅", "phone": "13957600005", "role": "handler"}],
    },
}

OP1 = Actor("op1", Role.OPERATOR, name="王敏")
OP2 = Actor("op2", Role.OPERATOR, name="李强")
UH = {"U001": Actor("uh1", Role.UNIT_HANDLER, "U001", "周海"), "U002": Actor("uh2", Role.UNIT_HANDLER, "U002", "吴芳")}
LEADER = Actor("leader1", Role.LEADER, name="陈建国")

SAMPLES = [
    ("complaint", "小区夜间施工噪音扰民", "海游街道某小区工地夜间22点后仍在施工，噪音很大，影响休息。"),
    ("help", "独居老人家中断水求助", "家住沙柳街道的独居老人反映家中已断水两天，请求帮助。"),
    ("consult", "新生儿医保如何办理", "咨询新生儿参加城乡居民医保的办理流程和所需材料。"),
    ("report", "河道有人倾倒建筑垃圾", "海游港河道边近日有车辆夜间倾倒建筑垃圾。"),
    ("suggestion", "建议增设公交站点", "建议在县人民医院新院区门口增设公交站点，方便就医。"),
    ("praise", "表扬社区工作人员", "感谢社区网格员帮助办理残疾人补贴。"),
]
REPLIES = {
    "complaint": {
        "investigation": "已现场核查，情况属实",
        "result": "已责令施工方停止夜间施工",
        "basis": "《中华人民共和国噪声污染防治法》第四十三条",
        "contact": "已电话告知反映人",
    },
    "help": {
        "handling": "街道当天上门查看",
        "result": "已协调自来水公司恢复供水",
        "basis": "《城市供水条例》",
        "contact": "已上门告知",
    },
    "consult": {"answer": "携带出生医学证明、户口簿到村社区办理", "basis": "县医保局参保办事指南"},
    "report": {
        "investigation": "已调取监控核查",
        "result": "已立案处罚并清运垃圾",
        "basis": "《城市建筑垃圾管理规定》第十五条",
    },
    "suggestion": {"adoption": "已采纳，纳入明年线路调整", "answer": "预计明年一季度增设站点"},
    "praise": {"forwarded": "已转达社区及网格员本人"},
}
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}

# target state per demo ticket (about 30, every state and side way)
PLAN = (
    ["received"] * 5
    + ["dispatched"] * 4
    + ["handling"] * 5
    + ["returned"] * 2
    + ["extension_requested"] * 2
    + ["replied"] * 3
    + ["reviewed"] * 2
    + ["called_back"] * 2
    + ["submitted"] * 2
    + ["closed"] * 3
    + ["difficult"] * 1
)


def _call(unit_id: str) -> dict[str, str]:
    contact = UNITS[unit_id]["contacts"][0]
    return {"to_name": contact["name"], "to_phone": contact["phone"], "note": "已电话通知承办单位"}


def _walk(deps: Adapters, ticket_id: str, target: str, unit_id: str, owner: Actor, category: str, at: datetime) -> None:
    handler = UH[unit_id]
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        ("dispatch", owner, {"unit_id": unit_id, "call": _call(unit_id)}),
        ("sign", handler, {}),
    ]
    if target == "returned":
        steps.append(("return", handler, {"reason": "该事项不属于本单位职责，建议转县住建局"}))
    elif target == "extension_requested":
        steps.append(
            (
                "request-extension",
                handler,
                {"reason": "需多部门联合调查", "new_due": (at + timedelta(days=20)).date().isoformat()},
            )
        )
    elif target == "difficult":
        steps.append(("flag-difficult", owner, {"reason": "涉及多个承办单位，需领导协调"}))
    else:
        steps += [
            ("reply", handler, {"sections": REPLIES[category]}),
            ("review", owner, {"approve": True}),
            ("callback", owner, CALLBACK),
            ("submit", owner, {}),
            ("close", owner, {"note": "市审核组审核通过"}),
        ]
    order = ["dispatched", "handling", "replied", "reviewed", "called_back", "submitted", "closed"]
    for n, (verb, actor, body) in enumerate(steps):
        svc.act(deps, actor, ticket_id, verb, body, at + timedelta(minutes=20 * (n + 1)))
        if target in order and order[min(n, len(order) - 1)] == target:
            break


def seed(deps: Adapters, now: datetime) -> dict[str, Any]:
    """Write the demo units and tickets (run once on a fresh stack)."""
    for unit_id, unit in UNITS.items():
        deps.directory.put_unit(unit_id, unit)
    deps.contexts.invalidate()
    created = []
    for n, target in enumerate(PLAN):
        category, title, content = SAMPLES[n % len(SAMPLES)]
        at = now - timedelta(hours=3 * (len(PLAN) - n))
        payload = {
            "category": category,
            "title": title,
            "content": content,
            "channel": "phone" if n % 3 else "city",
            "source": "city" if n % 3 == 0 else "phone",
            "external_id": f"TZ{at:%Y%m%d}{n:04d}" if n % 3 == 0 else None,
            "received_at": at.isoformat(),
            "caller": {
                "name": ["张三丰", "李四", "王五", "赵六"][n % 4],
                "phone": f"1385760{n:04d}",
                "address": "三门县海游街道",
            },
            "confidential": n % 7 == 3,
            "urgent": n % 11 == 5,
            "location": {"address": "三门县海游街道", "lat": 29.1 + n / 1000, "lng": 121.37},
        }
        ticket, _ = svc.create_ticket(deps, OP1 if n % 2 else OP2, payload, at)
        if target != "received":
            owner = OP1 if n % 2 else OP2
            _walk(deps, ticket.ticket_id, target, "U001" if n % 2 else "U002", owner, category, at)
        created.append(ticket.ticket_id)
    return {"units": len(UNITS), "tickets": len(created)}
