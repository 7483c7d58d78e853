"""Property-based: generated JSON of every shape to EVERY route in `app.routes`, as a role that can reach it.

Bodies: objects, arrays, scalars and nulls at the top; deep nesting, wide objects, lone surrogates,
huge and non-finite numbers, wrong types, empty bodies and text that is not JSON; keys drawn from the
field names the API knows (to get past the first check) and from random text. Path parameters:
plausible values (this module's own tickets, unit, user, partner, key, instruction, an isolated
calendar year) and implausible ones (empty, overlong, encoded, non-ASCII). Query strings: the
parameter names the API reads with random values. Partner routes are signed by a real partner key.

Asserted: no 5xx, and every 4xx in the error shape `{code, message, details}` (Open311 routes: the
GeoReport v2 error list). The run is bounded (derandomized, MAX_EXAMPLES per route, no deadline) and
leaves the session's shared data as it found it: global settings the admin routes could change are
restored after the module.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import app as chalice_app
from chalicelib.api.fallback import CATCH_ALL_PATHS, METHODS
from chalicelib.domain.access import ACTION_ROLES
from chalicelib.domain.calendar import SHANGHAI
from tests.helpers.partners import PUSH, Signed, new_partner
from tests.helpers.settings import restore_settings as _restore
from tests.helpers.settings import snapshot_settings as _snapshot
from tests.helpers.tickets import drive_to_submitted

MAX_EXAMPLES = int(os.environ.get("PROPERTY_MAX_EXAMPLES", "20"))  # per route; ≈ 60 s on 2 workers
PROPERTY = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("PROPERTY_RANDOM") != "1",  # stable in CI; PROPERTY_RANDOM=1 explores
    database=None,
    suppress_health_check=list(HealthCheck),
)
YEAR = 2039  # a calendar year no other test touches
ROUTES = sorted(
    (path, method) for path, methods in chalice_app.routes.items() for method in methods if path not in CATCH_ALL_PATHS
)
ROLE_USER = {"operator": "op1", "unit_handler": "uh1", "leader": "leader1", "analyst": "analyst1"}
CALL = {"to_name": "周海", "to_phone": "13957600001"}
TICKET_BODY = {
    "category": "complaint",
    "title": "性质测试",
    "content": "内容",
    "caller": {"name": "张三", "phone": "13800001234"},
}

# ---------------------------------------------------------------- who may reach a route


def users_for(path: str, method: str) -> list[str | None]:
    """Logins that get past the role check of a route (None: no bearer token; partner routes are signed)."""
    verb = path.rsplit("/", 1)[-1]
    if path.startswith("/tickets/{ticket_id}/") and verb in ACTION_ROLES:
        return sorted({ROLE_USER[r] for r in ACTION_ROLES[verb] if r in ROLE_USER})
    prefixes: list[tuple[str, list[str | None]]] = [
        ("/admin/calendar", ["admin1", "op1"] if method == "GET" else ["admin1"]),
        ("/admin/duty", ["admin1", "op1"] if method == "GET" else ["admin1"]),
        ("/admin", ["admin1"]),
        ("/archive", ["records1", "analyst1"]),
        ("/stats", ["analyst1", "uh1"]),
        ("/documents", ["analyst1", "leader1"]),
        ("/tickets/{ticket_id}/pii-views", ["auditor1"]),
        ("/tickets/{ticket_id}/instructions/{instr_id}", ["op1", "uh1"]),
        ("/tickets/{ticket_id}/instructions", ["leader1", "op1"]),
        ("/tickets/{ticket_id}/calls", ["op1", "uh1"]),
        ("/tickets/{ticket_id}/emergency", ["op1", "leader1"]),
        ("/tickets/{ticket_id}/evidence-downloads", ["auditor1", "op1"]),
        ("/tickets/{ticket_id}/evidence", ["op1", "uh1"]),
        ("/tickets/{ticket_id}/duplicates", ["op1", "leader1"]),  # R-12345-18
        ("/tickets/{ticket_id}/merge", ["op1"]),
        ("/tickets/{ticket_id}/unmerge", ["op1"]),
        ("/duplicates", ["op1"]),
        ("/emergencies", ["op1", "leader1"]),
        ("/handovers", ["op1", "leader1"]),
        ("/tickets", ["op1"] if method == "POST" else ["op1", "analyst1", "leader1", "uh1"]),
        ("/reply-templates/{category}/check", ["uh1", "op1"]),
        ("/reply-templates", ["admin1"] if method == "PUT" else ["op1", "uh1"]),
        ("/instructions", ["op1", "leader1", "uh1"]),
        ("/work/settings", ["admin1"] if method == "PUT" else ["op1"]),
        ("/work/notices/{notice_id}/{verb}", ["uh1", "leader1"]),
        ("/work/notices", ["leader1", "uh1"] if method == "GET" else ["leader1"]),
        ("/work", ["op1", "leader1"]),
        ("/me", ["op1", "uh1", "admin1"]),
        ("/people", ["op1", "uh1"]),
        ("/units", ["op1"]),
        ("/env", ["op1", "analyst1"]),
        ("/auth", [None]),
        ("/health", [None]),
        ("/openapi.json", [None]),
        ("/open311", [None]),
        ("/public", [None]),
        ("/partner", [None]),
        ("/security-log", ["auditor1"]),
    ]
    for prefix, users in prefixes:
        if path.startswith(prefix):
            return users
    raise AssertionError(f"no login chosen for {method} {path}")


# ---------------------------------------------------------------- generated bodies

FIELDS = sorted(
    set(
        "category title content caller name phone employer address location lat lng hotline channel confidential "
        "wants_reply urgent city_limit_days city_due external_id source received_at unit_id co_unit_ids call co_calls "
        "to_name to_phone note reason good_reason new_due approve sections satisfaction informed truthful "
        "misconduct misconduct_note false_reply decision kind outcome version text to due leader_name leader_id username "
        "password temporary_password role email id contacts active office_hours entries date shift user_id day "
        "night holiday holidays workdays days workday dry_run month from partner_id webhook_url webhook_events "
        "rate_per_minute grace_hours result number file required guidance investigation basis owner_id deadline "
        "deliverable deliverable_ref assigner_id meeting detail approver_id delegate_id new_deadline planned "
        "unplanned plan important cause measure dept_id departments members coordinator_id head_id "
        "report_due body unit_ids attachments "
        "entity demand anonymous trigger answer reason_code authority duplicate_of consultation explanation "
        "carried_out new_facts seed rate matter".split()
    )
)
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])


def _plausible_strings() -> list[str]:
    now = datetime.now(UTC)
    return [
        "",
        " ",
        "U001",
        "U002",
        "op1",
        "complaint",
        "12369",
        "accept",
        "not_accepted",
        "approved",
        "satisfied",
        "owner",
        "unit",
        "handler",
        "13957600001",
        "0576-83310003",
        f"{YEAR}-05-01",
        f"{YEAR}-05-01~{YEAR}-05-03",
        f"{YEAR}-05",
        now.isoformat(),
        (now + timedelta(days=20)).astimezone(SHANGHAI).date().isoformat(),
        (now - timedelta(days=400)).isoformat(),
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59-12:00",
        "https://example.cn/hook",
        "08:30-12:00,14:00-17:30",
        "x" * 5000,
    ]


texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(_plausible_strings()),
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=5), SURROGATES, st.text(max_size=5)),
)
numbers = st.one_of(
    st.integers(min_value=-3, max_value=400),
    st.integers(),
    st.sampled_from([2**53, 2**53 + 1, -(2**63), 10**30, 10**4000]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
keys = st.one_of(st.sampled_from(FIELDS), texts)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=6),
    max_leaves=20,
)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()  # lone surrogates as \\udXXX escapes


def _deep(levels: int, kind: str) -> bytes:
    if kind == "list":
        return ('{"reason": ' + "[" * levels + "]" * levels + "}").encode()
    return ('{"reason": ' + '{"a": ' * levels + "1" + "}" * levels + "}").encode()


def shaped(template: Any) -> st.SearchStrategy[Any]:
    """Values shaped like a valid body, any part of it kept, dropped or replaced by a random value."""
    if isinstance(template, dict):
        kept = st.fixed_dictionaries({}, optional={k: shaped(v) for k, v in template.items()})
        extra = st.dictionaries(keys, values, max_size=2)
        return st.one_of(kept, st.builds(lambda a, b: {**b, **a}, kept, extra), values)
    if isinstance(template, list):
        return st.one_of(st.lists(shaped(template[0]) if template else values, max_size=4), values)
    return st.one_of(st.just(template), values)


def _valid_bodies(plausible: dict[str, list[str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body per route (what the route reads), for `shaped`; routes without one get random objects."""
    today = datetime.now(SHANGHAI).date()
    later = (today + timedelta(days=20)).isoformat()
    call = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
    record = {"kind": "reminder", "to_name": "周海", "to_phone": "13957600001", "outcome": "已接通", "note": "备注"}
    sections = {"investigation": "已核查", "result": "已整改", "basis": "依据", "contact": "已告知"}
    person = {"user_id": plausible["user_id"][0], "name": "值班员", "phone": "13957600001"}
    unit = {
        "name": "测试单位",
        "kind": "bureau",
        "active": True,
        "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}],
    }
    days = {
        "holidays": [f"{YEAR}-02-05~{YEAR}-02-11", [f"{YEAR}-04-03", f"{YEAR}-04-05"]],
        "workdays": [f"{YEAR}-01-31"],
        "days": [{"date": f"{YEAR}-06-01", "workday": False}],
    }
    partner = {
        "name": "平台",
        "webhook_url": "https://example.cn/hook",
        "webhook_events": ["submitted"],
        "rate_per_minute": 120,
    }
    verbs = {
        "dispatch": {
            "unit_id": "U001",
            "co_unit_ids": ["U002"],
            "call": call,
            "co_calls": [dict(call, unit_id="U002")],
        },
        "return": {"reason": "不属于本单位职责"},
        "transfer": {"unit_id": "U002", "call": call, "good_reason": True, "note": "转办"},
        "request-extension": {"reason": "需协调", "new_due": later},
        "decide-extension": {"approve": False, "note": "不符合延期条件"},
        "reply": {"sections": sections},
        "review": {"approve": False, "reason": "答复不实", "false_reply": True, "note": "备注"},
        "callback": {
            "informed": True,
            "truthful": True,
            "misconduct": True,
            "misconduct_note": "态度差",
            "satisfaction": "satisfied",
            "note": "备注",
        },
        "close": {"note": "审核通过"},
        "city-reject": {"reason": "答复不规范"},
        "reassign": {
            "reason": "重新交办",
            "call": call,
            "city_due": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
        },
        "flag-difficult": {"reason": "多部门"},
        "leader-decision": {"decision": "住建局牵头"},
        "flag-supervised": {"reason": "督办"},
        "mark-typical": {"note": "典型"},
        "unmark-typical": {"reason": "不具代表性"},
        "record-call": record,
        "decide": {"decision": "not_accepted", "reason_code": "duplicate", "duplicate_of": "T20260101-00001"},
        "forward": {"unit_id": "U001", "call": CALL},
        "report": {"sections": {"matter": "事项", "investigation": "调查", "decision": "处理", "reply": "答复"}},
        "sign-off": {"note": "同意"},
        "send-back": {"reason": "不完整"},
        "supervise": {"trigger": "late", "reason": "逾期"},
        "answer-supervision": {"answer": "已整改"},
        "spot-check": {"satisfaction": "satisfied", "carried_out": True},
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        (f"/tickets/{{ticket_id}}/{verb}", "POST"): dict(body, version=1) for verb, body in verbs.items()
    }
    bodies.update(
        {
            ("/tickets", "POST"): {
                **TICKET_BODY,
                "location": {"address": "广场路", "lat": 29.1, "lng": 121.3},
                "city_limit_days": 5,
                "city_due": later + "T17:30:00",
                "received_at": datetime.now(UTC).isoformat(),
                "external_id": "X1",
                "source": "phone",
                "hotline": "12345",
                "channel": "phone",
                "confidential": False,
                "wants_reply": True,
                "urgent": False,
            },
            ("/tickets/{ticket_id}/calls", "POST"): record,
            ("/tickets/{ticket_id}/instructions", "POST"): {
                "text": "请尽快办理",
                "to": "owner",
                "due": later,
                "leader_name": "陈建国",
            },
            ("/tickets/{ticket_id}/instructions/{instr_id}/answer", "POST"): {"text": "已办理"},
            ("/work/actions", "POST"): {"title": "整理", "owner_id": "op2", "deadline": later, "deliverable": True},
            ("/work/actions/{action_id}/{verb}", "POST"): {
                "text": "进度",
                "reason": "未齐",
                "new_deadline": later,
                "approve": True,
                "delegate_id": "op2",
                "deliverable_ref": "报告.docx",
            },
            ("/work/approvals", "POST"): {"kind": "leave", "title": "请假", "approver_id": "leader1"},
            ("/work/notices", "POST"): {
                "title": "自查通知",
                "body": "请报送",
                "unit_ids": ["U001"],
                "deadline": later,
                "attachments": ["附件.docx"],
            },
            ("/work/notices/{notice_id}/{verb}", "POST"): {"text": "自查总结", "attachments": ["总结.docx"]},
            ("/work/approvals/{approval_id}/decide", "POST"): {"approve": False, "note": "再议"},
            ("/work/weekly/{week}", "PUT"): {
                "planned": [{"text": "回访", "outcome": "partly", "cause": "原因", "measure": "措施"}],
                "unplanned": [{"text": "接待", "important": True}],
                "plan": [{"text": "月报"}],
            },
            ("/work/settings", "PUT"): {
                "departments": [{"id": "propd", "name": "业务科", "members": ["op1", "op2"], "coordinator_id": "op1"}],
                "head_id": "leader1",
                "report_due": "mon 10:00",
            },
            ("/auth/login", "POST"): {"username": "propx-nobody", "password": "not-the-password"},
            ("/admin/units", "POST"): {"id": "UPX1", **unit},
            ("/admin/units/{unit_id}", "PUT"): unit,
            ("/admin/users", "POST"): {
                "username": "propx",
                "name": "测试",
                "role": "unit_handler",
                "unit_id": "U001",
                "email": "a@example.cn",
                "temporary_password": "Prop#Test20261",
            },
            ("/admin/users/{username}", "PUT"): {"name": "测试", "role": "unit_handler", "unit_id": "U001"},
            ("/admin/calendar/{year}/days", "PUT"): days,
            ("/admin/calendar/{year}/days", "POST"): days,
            ("/admin/calendar/{year}/import", "POST"): {
                "text": f"{YEAR}-02-05~{YEAR}-02-11 休\n{YEAR}-01-31 班",
                "dry_run": True,
            },
            ("/admin/office-hours", "PUT"): {"office_hours": "08:30-12:00,14:00-17:30"},
            ("/admin/limits/{hotline}", "PUT"): {"days": {"praise": 3}, "note": "性质测试"},
            ("/admin/duty/roster", "PUT"): {"entries": [dict(person, date=f"{YEAR}-05-01", shift="day")]},
            ("/admin/duty/roster", "POST"): {"entries": [dict(person, date=f"{YEAR}-05-01", shift="night")]},
            ("/admin/duty/defaults", "PUT"): {"day": person, "night": person, "holiday": person},
            ("/admin/duty/staff/{user_id}", "PUT"): {"name": "值班员", "phone": "13957600001"},
            ("/admin/partners", "POST"): {"partner_id": "propx", **partner},
            ("/admin/partners/{partner_id}", "PATCH"): partner,
            ("/admin/partners/{partner_id}/keys", "POST"): {"grace_hours": 24},
            ("/admin/recount", "POST"): {"month": f"{YEAR}-05", "dry_run": True},
            ("/env/spot-checks", "POST"): {"month": f"{YEAR}-05", "rate": 0.1, "seed": "prop"},
            ("/admin/reconcile", "POST"): {"from": f"{YEAR}-05-01", "to": f"{YEAR}-05-02"},
            ("/archive/{ticket_id}/verify", "POST"): {"version": 1},
            ("/reply-templates/{category}", "PUT"): {
                "sections": [{"id": "investigation", "title": "调查", "required": True, "guidance": "写明"}],
                "version": 0,
                "note": "备注",
            },
            ("/reply-templates/{category}/check", "POST"): {"sections": sections},
            ("/partner/v1/tickets", "POST"): dict(PUSH, number="PROPX1", received_at=datetime.now(UTC).isoformat()),
            ("/partner/v1/tickets/{number}/reassign", "POST"): {
                "reason": "重新交办",
                "city_due": (datetime.now(UTC) + timedelta(days=10)).isoformat(),
            },
            ("/partner/v1/tickets/{number}/audit", "POST"): {"result": "rejected", "reason": "不规范", "note": "备注"},
        }
    )
    return bodies


def bodies_for(template: dict[str, Any] | None) -> st.SearchStrategy[bytes]:
    """Generated bodies of every shape, and (when the route has one) bodies shaped like its valid one."""
    if template is None:
        return bodies
    return st.one_of(shaped(template).map(_dumps), bodies)


bodies = st.one_of(
    st.dictionaries(keys, values, max_size=8).map(_dumps),  # an object: what every route reads
    values.map(_dumps),  # any JSON value at the top
    st.builds(_deep, st.sampled_from([17, 64, 1000, 200_000]), st.sampled_from(["list", "object"])),
    st.dictionaries(st.text(max_size=8), scalars, min_size=50, max_size=300).map(_dumps),  # wide
    st.just(b""),
    st.binary(max_size=40),  # not JSON, maybe not UTF-8
)

QUERY = (
    "status unit_id owner_id flag due_before limit page month scope id months format reveal day file version "
    "ticket_id external_id category hotline mine code extensions service_request_id service_code start_date "
    "end_date before kind action actor from to dept_id".split()
)
queries = st.dictionaries(
    st.sampled_from(QUERY), texts.filter(lambda s: not re.search("[\ud800-\udfff]", s)), max_size=3
)

IMPLAUSIBLE = [
    "",
    "0",
    "-1",
    "x" * 300,
    "T99999999-99999",
    "T20261126-00001.json",
    "null",
    "..",
    "中文",
    "%00",
    "%ED%A0%80",
    "%F0%9F%98%80",
    "a%20b",
    "A" * 2100,
]

# ---------------------------------------------------------------- this module's own world


@pytest.fixture(scope="module")
def world(api: Any, deps: Any) -> Iterator[dict[str, Any]]:
    """Objects the plausible path values point at, so the generated requests touch only this module's
    data; the settings any admin route could change are put back afterwards."""
    saved = _snapshot(deps)
    tag = uuid.uuid4().hex[:6]
    ticket = {
        "category": "complaint",
        "title": "性质测试",
        "content": "内容",
        "caller": {"name": "张三", "phone": "13800001234"},
    }
    received = api.post("/tickets", ticket, user="op1").json["id"]
    dispatched = api.post("/tickets", ticket, user="op1").json["id"]
    assert api.post(f"/tickets/{dispatched}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    closed = api.post("/tickets", ticket, user="op1").json["id"]
    drive_to_submitted(api, closed)
    assert api.post(f"/tickets/{closed}/close", {}, user="op1").status_code == 200
    instr = api.post(f"/tickets/{dispatched}/instructions", {"text": "请尽快办理", "to": "owner"}, user="leader1")
    assert instr.status_code == 201, instr.json
    unit_id = f"UP{tag}"
    unit = {"id": unit_id, "name": "性质测试单位", "contacts": [{"name": "周海", "phone": "13957600001"}]}
    assert api.post("/admin/units", unit, user="admin1").status_code == 201
    username = f"prop{tag}"
    user = {"username": username, "name": "性质测试", "role": "operator", "password": "Prop#Test20261"}
    assert api.post("/admin/users", user, user="admin1").status_code == 201
    later = (datetime.now(SHANGHAI) + timedelta(days=20)).date().isoformat()
    action = api.post("/work/actions", {"title": "性质测试", "owner_id": "op1", "deadline": later}, user="leader1")
    assert action.status_code == 201, action.json
    approval = api.post("/work/approvals", {"kind": "other", "title": "性质测试", "approver_id": "leader1"}, user="op1")
    assert approval.status_code == 201, approval.json
    body = {"title": "性质测试", "body": "请报送", "unit_ids": ["U001"], "deadline": later}
    notice = api.post("/work/notices", body, user="leader1")
    assert notice.status_code == 201, notice.json
    managed = new_partner(api, rate_per_minute=10000)
    signer = new_partner(api, rate_per_minute=10000)["keys"][0]
    client = Signed(api, signer["key_id"], signer["secret"])
    number = "PROP" + tag
    assert client.send("POST", "/partner/v1/tickets", dict(PUSH, number=number)).status_code == 201
    plausible = {
        "ticket_id": [received, dispatched, closed],
        "instr_id": [instr.json["id"]],
        "action_id": [action.json["id"]],
        "approval_id": [approval.json["id"]],
        "notice_id": [notice.json["id"]],
        "verb": [
            "progress",
            "complete",
            "request-extension",
            "decide-extension",
            "review",
            "delegate",
            "receive",
            "submit",
        ],
        "week": [datetime.now(SHANGHAI).date().isoformat(), f"{YEAR}-05-01"],
        "month": [datetime.now(SHANGHAI).strftime("%Y-%m"), f"{YEAR}-05"],
        "unit_id": [unit_id],
        "username": [username],
        "user_id": [username],
        "partner_id": [managed["partner_id"]],
        "key_id": [managed["keys"][0]["key_id"]],
        "year": [str(YEAR)],
        "day": [f"{YEAR}-05-01"],
        "category": ["complaint", "env-report"],
        "hotline": ["12345", "12369"],
        "number": [number, closed],
        "request_file": [f"{closed}.json", f"{closed}.xml"],
        "service_file": ["complaint.json", "complaint.xml"],
    }
    yield {"plausible": plausible, "signer": client, "bodies": _valid_bodies(plausible)}
    _restore(deps, saved)


# ---------------------------------------------------------------- one request, checked


def _url(path: str, params: dict[str, str], query: dict[str, str]) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: params[m.group(1)], path)
    return url + ("?" + urlencode(query) if query else "")


def _check(resp: Any, method: str, url: str, body: bytes) -> None:
    where = f"{method} {url[:200]} body={body[:200]!r}"
    assert resp.status_code < 500, f"{where} → {resp.status_code} {resp.body[:500]!r}"
    if resp.status_code < 400:
        return
    text = resp.body.decode("utf-8")
    if url.startswith("/open311/") and not text.startswith("{"):  # GeoReport v2's own error list
        if text.startswith("<?xml"):
            assert "<errors>" in text, where
            return
        errors = json.loads(text)
        assert isinstance(errors, list) and errors, where
        assert all(set(e) == {"code", "description"} for e in errors), where
        return
    error = json.loads(text)
    assert isinstance(error, dict) and set(error) == {"code", "message", "details"}, f"{where} → {text[:300]}"
    assert isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"], where
    assert isinstance(error["details"], dict), where


def _send(api: Any, world: dict[str, Any], method: str, url: str, body: bytes, user: str | None) -> Any:
    if url.startswith("/partner/"):
        signer: Signed = world["signer"]
        return signer.send(method, url, raw=body)
    headers = {"Content-Type": "application/json"}
    if user:
        headers["Authorization"] = f"Bearer {api.tokens[user]}"
    return api.client.http.request(method, url, headers=headers, body=body)


def path_values(path: str, world: dict[str, Any]) -> st.SearchStrategy[dict[str, str]]:
    names = re.findall(r"\{(\w+)\}", path)
    plausible = world["plausible"]
    return st.fixed_dictionaries(
        {
            n: st.one_of(
                st.sampled_from(plausible.get(n) or ["x"]),
                st.sampled_from(IMPLAUSIBLE),
                st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x2FFF), max_size=12).map(
                    lambda s: quote(s, safe="")
                ),
            )
            for n in names
        }
    )


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_no_route_answers_5xx_and_every_4xx_is_in_the_error_shape(
    api: Any, world: dict[str, Any], path: str, method: str
) -> None:
    @PROPERTY
    @given(
        params=path_values(path, world),
        query=queries,
        body=bodies_for(world["bodies"].get((path, method))),
        user=st.sampled_from(users_for(path, method)),
    )
    def one_request(params: dict[str, str], query: dict[str, str], body: bytes, user: str | None) -> None:
        url = _url(path, params, query)
        _check(_send(api, world, method, url, body, user), method, url, body)

    one_request()


@PROPERTY
@given(
    depth=st.integers(min_value=1, max_value=len(CATCH_ALL_PATHS) + 2),
    segment=st.sampled_from(["tickets", "admin", "x", "nonsense", "T20261126-00001", "%E4%B8%AD"]),
    method=st.sampled_from(METHODS),
    body=bodies,
)
def test_an_unknown_route_of_any_depth_and_method_is_a_404_in_the_error_shape(
    api: Any, depth: int, segment: str, method: str, body: bytes
) -> None:
    url = "/zz-unknown/" + "/".join([segment] * (depth - 1)) if depth > 1 else "/zz-unknown"
    if depth > len(CATCH_ALL_PATHS):  # deeper than the catch-all routes: API Gateway's answer in the cloud only
        return
    resp = api.client.http.request(method, url, headers={"Authorization": f"Bearer {api.tokens['op1']}"}, body=body)
    _check(resp, method, url, body)
    assert resp.status_code == 404


@pytest.mark.parametrize("path", sorted(chalice_app.routes))
def test_a_method_a_route_does_not_have_is_a_404_in_the_error_shape(api: Any, path: str) -> None:
    url = re.sub(r"\{(\w+)\}", "x", path)
    for method in METHODS:
        if method in chalice_app.routes[path]:
            continue
        resp = api.client.http.request(method, url, headers={"Content-Type": "application/json"}, body=b"{}")
        _check(resp, method, url, b"{}")
        assert resp.status_code == 404, (method, path)
