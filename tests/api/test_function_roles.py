"""Each function's role against what its code really calls: botocore hooks record every AWS request a
surface's routes — or a stream consumer's batch, or a schedule's run — make on moto, and each must be
allowed by that function's packaged policy (action and this stack's resource). Code that starts calling
something its role lacks fails here. Data keys are forgotten first (a cold start), so KMS calls happen."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.package import API_FUNCTIONS, chalice_template, package
from tests.helpers.archive import upload
from tests.helpers.evidence import EXE, PNG
from tests.helpers.partners import PUSH, Signed, new_partner
from tests.helpers.roles import UNAUTHENTICATED, Recorder, recording, required

BODY = {
    "hotline": "12345",
    "channel": "phone",
    "category": "complaint",
    "title": "噪音扰民",
    "content": "夜间施工噪音",
    "caller": {"name": "张三", "phone": "13800001234"},
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return package(chalice_template("dev"), "dev")  # the Cognito stage: what moto runs here


@pytest.fixture
def recorder(deps: Any) -> Iterator[Recorder]:
    with recording(deps) as rec:
        yield rec


def allowed(template: dict[str, Any], function: str, action: str, logical_id: str) -> bool:
    role = template["Resources"][f"{function}Role"]
    for statement in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
        if "Fn::If" in statement:
            statement = statement["Fn::If"][1]
        if action not in statement["Action"]:
            continue
        resources = json.dumps(statement["Resource"])
        if statement["Resource"] == "*" or f'"{logical_id}"' in resources or f"${{{logical_id}." in resources:
            return True
    return False


def check(template: dict[str, Any], deps: Any, surface: str, rec: Recorder) -> set[str]:
    """`surface`: an API surface, or the logical id of a stream/schedule function."""
    function = API_FUNCTIONS.get(surface, surface)
    seen: set[str] = set()
    denied = []
    for service, operation, params in rec.calls:
        if (service, operation) in UNAUTHENTICATED:
            continue
        for action, logical_id in required(deps, service, operation, params):
            seen.add(action)
            if not allowed(template, function, action, logical_id):
                denied.append((action, logical_id))
    assert not denied, f"{function} lacks {sorted(set(denied))}"
    return seen


def attach_evidence(api: Any, deps: Any, recorder: Recorder, tid: str, body: bytes) -> Any:
    """Announce and confirm through the staff routes; the upload in between is the browser's, not the function's."""
    start = api.post(f"/tickets/{tid}/evidence", {"filename": "现场.png", "size": len(body)}, user="op1")
    assert start.status_code == 201, start.json
    recorder.on = False
    assert upload(deps.archive_store, start.json["upload"], body, "现场.png") in (200, 201, 204)
    recorder.on = True
    return api.post(f"/tickets/{tid}/evidence/{start.json['evidence_id']}/confirm", {}, user="op1")


def _ticket_with_code(deps: Any, api: Any) -> tuple[str, str]:
    from tests.helpers.streams import PARTNERS, deliver, stream_batch

    tid = api.post("/tickets", BODY, user="op1").json["id"]
    assert deliver(deps, PARTNERS, stream_batch(deps, tid)) == {"batchItemFailures": []}
    texts = [m for m in deps.sms.sent if m.params.get("number") == tid]
    return tid, texts[0].params["code"]


def test_public_routes_need_only_the_public_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    tid, code = _ticket_with_code(deps, api)
    recorder.on = True
    assert api.get(f"/public/v1/requests/{tid}?code={code}").status_code == 200
    assert api.get(f"/public/v1/requests/{tid}?code=000000").status_code in (403, 429)
    assert api.get("/open311/v2/requests.json").status_code == 200
    assert api.get(f"/open311/v2/requests/{tid}.json").status_code in (200, 404)
    assert api.get("/open311/v2/services.json").status_code == 200
    assert api.get("/health").status_code == 200
    seen = check(template, deps, "public", recorder)
    assert "dynamodb:GetItem" in seen or "dynamodb:BatchGetItem" in seen  # the lookup did read
    assert not {a for a in seen if a.startswith("kms:")}  # no personal data decrypted


def test_staff_routes_need_only_the_staff_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    recorder.on = True
    created = api.post("/tickets", BODY, user="op1")
    assert created.status_code == 201, created.json
    tid = created.json["id"]
    assert api.get(f"/tickets/{tid}", user="op1").status_code == 200
    dispatch = {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}}
    assert api.post(f"/tickets/{tid}/dispatch", dispatch, user="op1").status_code == 200
    assert api.get(f"/tickets/{tid}/events", user="op1").status_code == 200
    assert api.get("/tickets", user="op1").status_code == 200
    assert api.get("/me/tasks", user="uh1").status_code == 200
    assert api.get("/units", user="op1").status_code == 200
    assert attach_evidence(api, deps, recorder, tid, PNG).status_code == 200
    assert attach_evidence(api, deps, recorder, tid, EXE).status_code == 422  # refused: the upload is removed
    assert api.get(f"/tickets/{tid}/evidence", user="op1").status_code == 200
    seen = check(template, deps, "staff", recorder)
    assert {"s3:PutObject", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"} <= seen
    assert {"dynamodb:PutItem", "dynamodb:Query"} <= seen  # data keys are reused: KMS calls may not recur


def test_admin_routes_need_only_the_admin_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    recorder.on = True
    assert api.get("/admin/users", user="admin1").status_code == 200
    assert api.get("/admin/users/op1", user="admin1").status_code == 200
    partner = new_partner(api)
    assert api.get(f"/admin/partners/{partner['partner_id']}", user="admin1").status_code == 200
    assert api.get("/admin/duty/now", user="admin1").status_code == 200
    seen = check(template, deps, "admin", recorder)
    assert "cognito-idp:ListUsers" in seen


def test_partner_routes_need_only_the_partner_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    created = new_partner(api)
    key = created["keys"][0]
    client = Signed(api, key["key_id"], key["secret"])
    recorder.on = True
    number = "SM" + uuid.uuid4().hex[:12].upper()
    resp = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=number))
    assert resp.status_code == 201, resp.json
    assert client.send("GET", f"/partner/v1/tickets/{number}").status_code == 200
    seen = check(template, deps, "partner", recorder)
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= seen  # data keys are reused: KMS calls may not recur


# ------------------------------------------------------------------ stream consumers and schedules


def _dispatched(api: Any) -> str:
    tid = api.post("/tickets", BODY, user="op1").json["id"]
    dispatch = {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}}
    assert api.post(f"/tickets/{tid}/dispatch", dispatch, user="op1").status_code == 200
    return tid


def test_on_ticket_event_needs_only_its_role(template: dict[str, Any], deps: Any, recorder: Recorder) -> None:
    from tests.helpers.streams import AUDIT, deliver, stream_records
    from tests.helpers.tickets import closed_ticket

    tid = closed_ticket(deps)
    deps.envelope.forget()
    recorder.on = True
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    seen = check(template, deps, "OnTicketEvent", recorder)
    assert {"s3:PutObject", "kms:Decrypt"} <= seen  # the package, and the caller opened to print it masked


def test_on_ticket_event_reads_the_partner_registry_under_its_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    """The printed record of a pushed ticket names its partner platform (the registry read by the archive)."""
    from datetime import UTC, datetime

    from tests.helpers.streams import AUDIT, deliver, stream_records
    from tests.helpers.tickets import close_ticket

    key = new_partner(api)["keys"][0]
    pushed = Signed(api, key["key_id"], key["secret"]).send(
        "POST", "/partner/v1/tickets", dict(PUSH, number="SM" + uuid.uuid4().hex[:10])
    )
    assert pushed.status_code == 201, pushed.json
    tid = pushed.json["ticket_id"]
    close_ticket(deps, tid, datetime.now(UTC))
    deps.contexts.invalidate()  # a cold registry: the consumer reads it
    recorder.on = True
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    seen = check(template, deps, "OnTicketEvent", recorder)
    assert "dynamodb:Query" in seen and "s3:PutObject" in seen


def test_notify_from_events_needs_only_its_role(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder
) -> None:
    from tests.helpers.streams import NOTIFY, deliver, stream_batch

    tid = _dispatched(api)
    deps.envelope.forget()
    recorder.on = True
    assert deliver(deps, NOTIFY, stream_batch(deps, tid)) == {"batchItemFailures": []}
    seen = check(template, deps, "NotifyFromEvents", recorder)
    assert "kms:Decrypt" in seen  # the handler's number is opened from the call record to text it


def test_partner_events_needs_only_its_role(template: dict[str, Any], deps: Any, api: Any, recorder: Recorder) -> None:
    from tests.helpers.streams import PARTNERS, deliver, stream_batch

    tid = _dispatched(api)
    recorder.on = True
    assert deliver(deps, PARTNERS, stream_batch(deps, tid)) == {"batchItemFailures": []}
    seen = check(template, deps, "PartnerEvents", recorder)
    assert {"dynamodb:GetItem", "dynamodb:PutItem"} & seen  # the lookup code stored, the partners read


@pytest.mark.parametrize(
    "function", ["DeadlineSweep", "ChaseInstructions", "WorkSweep", "DailyReconcile", "PartnerWebhookRetry"]
)
def test_schedules_need_only_their_roles(
    template: dict[str, Any], deps: Any, api: Any, recorder: Recorder, function: str
) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.services import instructions, reconcile, sweep, webhooks, work

    _dispatched(api)
    deps.envelope.forget()
    now = datetime.now(UTC) + timedelta(days=3)  # past the dispatched ticket's first alerts
    runs = {
        "DeadlineSweep": lambda: sweep.run_sweep(deps, now),
        "ChaseInstructions": lambda: instructions.chase_all(deps, now),
        "WorkSweep": lambda: work.sweep(deps, now),
        "DailyReconcile": lambda: reconcile.run(deps, now.date() - timedelta(days=1), now.date(), now),
        "PartnerWebhookRetry": lambda: webhooks.retry_due(deps, now),
    }
    recorder.on = True
    runs[function]()
    seen = check(template, deps, function, recorder)
    assert any(a.startswith("dynamodb:") for a in seen)  # it did read what is due
    if function == "DeadlineSweep":
        assert "kms:Decrypt" in seen  # a due ticket is read whole, its caller's envelope included


def test_the_work_sweep_writes_a_deliverables_archive_that_failed_under_its_role(
    template: dict[str, Any], deps: Any, seeded: Any, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-WORK-07: the archive after an item became done failed; the WorkSweep function writes it."""
    from datetime import UTC, datetime, timedelta

    from chalicelib.domain.model import Actor
    from chalicelib.services import work, work_archive

    recorder.on = False
    now = datetime.now(UTC)
    body = {"title": "角色检查事项", "owner_id": "op1", "deadline": (now + timedelta(days=2)).isoformat()}
    made = work.create_action(deps, Actor("leader1", "leader", name="陈建国"), body, now)
    real = deps.archive_store.put_once

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("archive bucket unreachable")

    monkeypatch.setattr(deps.archive_store, "put_once", down)
    work.act_on_action(deps, Actor("op1", "operator", name="王敏"), made["id"], "complete", {}, now)
    monkeypatch.setattr(deps.archive_store, "put_once", real)
    deps.envelope.forget()
    recorder.on = True
    swept = work.sweep(deps, now + work_archive.RETRY_AFTER + timedelta(seconds=1))
    assert swept["deliverables_archived"] >= 1, swept
    seen = check(template, deps, "WorkSweep", recorder)
    assert {"s3:PutObject", "dynamodb:PutItem"} <= seen


def test_the_retention_sweep_needs_only_the_sweeps_role(
    template: dict[str, Any], deps: Any, recorder: Recorder
) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.services import sweep
    from tests.helpers.streams import AUDIT, deliver, stream_records
    from tests.helpers.tickets import closed_ticket

    days = deps.settings.pii_retention_days
    long_ago = datetime.now(UTC) - timedelta(days=days + 1200)  # reached by no other test's sweep
    tid = closed_ticket(deps, long_ago)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    deps.envelope.forget()
    recorder.on = True
    result = sweep.run_sweep(deps, long_ago + timedelta(days=days, hours=1))
    assert result["pii_destroyed"] >= 1 and deps.tickets.get(tid).caller.name == ""
    seen = check(template, deps, "DeadlineSweep", recorder)
    assert {"dynamodb:UpdateItem", "s3:PutObject"} <= seen  # the key removed, the destruction recorded
