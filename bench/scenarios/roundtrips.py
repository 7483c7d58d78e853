"""4. Round-trips per API operation: AWS requests each route makes, counted with botocore hooks.

Every route is called in-process through `chalice.test.Client` (the full route: token check,
service, storage; the routes use the benchmark's adapters, installed with `bootstrap.use`) with
real ID tokens; requests are counted per operation and beside the minimum
the design allows (a transition: one read, one transaction). Two walks cover every verb; one
warm-up walk runs first so cached context/JWKS/data key do not count. Capacity is estimated
from item sizes (see bench/counting.py) and shown in the note.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.counting import COUNTER, Tally
from bench.data import CALL, CALLBACK, PAYLOAD, REPLY
from bench.figures import Figure
from bench.harness import Bench

SECTION = "4 round-trips per API operation"
TRANSITION_MIN = 2  # one read, one transaction
CALL2 = {"to_name": "吴芳", "to_phone": "13957600002"}
CONFIRMATIONS_PATH = "/me/confirmations"  # the user's five pending-confirmation groups


class _Api:
    def __init__(self, client: Any, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens
        self.tallies: dict[str, list[Tally]] = defaultdict(list)
        self.minimum: dict[str, tuple[int, str]] = {}

    def call(
        self,
        label: str,
        method: str,
        path: str,
        user: str,
        body: Any = None,
        minimum: int = TRANSITION_MIN,
        basis: str = "one read + one transaction",
    ) -> Any:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.tokens[user]}"}
        with COUNTER.measure() as tally:
            if method == "GET":
                resp = self.client.http.get(path, headers=headers)
            else:
                resp = self.client.http.post(path, headers=headers, body=json.dumps(body or {}, ensure_ascii=False))
        if resp.status_code >= 300:
            raise RuntimeError(f"{label}: {method} {path} → {resp.status_code} {resp.body[:300]!r}")
        self.tallies[label].append(tally)
        self.minimum[label] = (minimum, basis)
        return json.loads(resp.body) if resp.body else None


def _walks(api: _Api) -> None:
    t = api.call("intake POST /tickets", "POST", "/tickets", "op1", PAYLOAD, 2, "sequence number + one transaction")
    a = t["id"]
    api.call("get GET /tickets/{id}", "GET", f"/tickets/{a}", "op1", minimum=1, basis="one read")
    api.call(
        "get with reveal (?reveal=1&reason=callback)",
        "GET",
        f"/tickets/{a}?reveal=1&reason=callback",
        "op1",
        minimum=2,
        basis="one read + one write (reveal recorded)",
    )
    v = "POST /tickets/{id}/"
    for label, verb, user, body in [
        ("dispatch", "dispatch", "op1", {"unit_id": "U001", "call": CALL}),
        ("sign", "sign", "uh1", {}),
        ("reply", "reply", "uh1", {"sections": REPLY}),
        ("review (approve)", "review", "op1", {"approve": True}),
        ("callback", "callback", "op1", CALLBACK),
        ("submit", "submit", "op1", {}),
        ("close", "close", "op1", {"note": "市审核通过"}),
        ("reassign", "reassign", "op1", {"reason": "市平台重新交办", "call": CALL}),
        ("flag-difficult", "flag-difficult", "op1", {"reason": "多部门"}),
        ("leader-decision", "leader-decision", "leader1", {"decision": "住建局牵头"}),
        ("flag-supervised", "flag-supervised", "op1", {"reason": "督办"}),
        ("mark-typical", "mark-typical", "op1", {}),
        (
            "record-call",
            "record-call",
            "op1",
            {"kind": "reminder", "to_name": "周海", "to_phone": "13957600001", "outcome": "已接通"},
        ),
    ]:
        api.call(f"{label} {v}{verb}", "POST", f"/tickets/{a}/{verb}", user, body)
    api.call(
        "history GET /tickets/{id}/events",
        "GET",
        f"/tickets/{a}/events",
        "op1",
        minimum=2,
        basis="one read (may see it) + one Query",
    )
    api.call("list page GET /tickets?limit=20", "GET", "/tickets?limit=20", "op1", minimum=1, basis="one Query")
    b = api.call("intake POST /tickets", "POST", "/tickets", "op1", PAYLOAD, 2, "sequence number + one transaction")[
        "id"
    ]
    for label, verb, user, body in [
        ("dispatch", "dispatch", "op1", {"unit_id": "U001", "call": CALL}),
        ("return", "return", "uh1", {"reason": "不属于本单位职责"}),
        ("transfer", "transfer", "op1", {"unit_id": "U002", "call": CALL2}),
        ("sign", "sign", "uh2", {}),
        (
            "request-extension",
            "request-extension",
            "uh2",
            {"reason": "需协调", "new_due": (datetime.now(UTC) + timedelta(days=30)).date().isoformat()},
        ),
        ("decide-extension", "decide-extension", "leader1", {"approve": True}),
        ("reply", "reply", "uh2", {"sections": REPLY}),
        ("review (reject)", "review", "op1", {"approve": False, "reason": "答复不实"}),
        ("reply", "reply", "uh2", {"sections": REPLY}),
        ("review (approve)", "review", "op1", {"approve": True}),
        ("callback", "callback", "op1", {"satisfaction": "unreachable"}),
        ("submit", "submit", "op1", {}),
        ("city-reject", "city-reject", "op1", {"reason": "答复不规范"}),
        ("submit", "submit", "op1", {}),
        ("close", "close", "op1", {}),
    ]:
        api.call(f"{label} {v}{verb}", "POST", f"/tickets/{b}/{verb}", user, body)


def run(bench: Bench) -> list[Figure]:
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="local") as client:
        warm = _Api(client, bench.stack.tokens)
        _walks(warm)
        api = _Api(client, bench.stack.tokens)
        for _ in range(2 if bench.cfg.quick else bench.cfg.reps):  # counts barely vary: fewer walks in quick
            _walks(api)
        figures = [_figure(label, tallies, *api.minimum[label]) for label, tallies in api.tallies.items()]
        label = "five confirmations GET /me/confirmations (operator)"
        for _ in range(bench.cfg.reps):
            api.call(label, "GET", CONFIRMATIONS_PATH, "op1", minimum=5, basis="one Query per confirmation group")
        figures.append(_figure(label, api.tallies[label], 5, "one Query per confirmation group"))
    figures.append(_statistics(bench))
    return figures


def _statistics(bench: Bench) -> Figure:
    from bench.scenarios.statistics import county_figures
    from chalicelib.domain.statistics import month_of

    tallies = []
    for _ in range(bench.cfg.reps):
        with COUNTER.measure() as tally:
            county_figures(bench, month_of(bench.now))
        tallies.append(tally)
    return _figure("monthly statistics (county, one month)", tallies, 1, "one Query of the month's county counters")


def _figure(label: str, tallies: list[Tally], minimum: int, basis: str) -> Figure:
    runs = [float(t.total("dynamodb")) for t in tallies]
    last = tallies[-1]
    others = {k: n for k, n in last.requests.items() if not k.startswith("dynamodb.")}
    n = len(tallies)
    note = (
        f"{', '.join(f'{k} {v}' for k, v in last.ops('dynamodb').items())}; "
        f"est. {sum(t.rcu for t in tallies) / n:.1f} RCU + {sum(t.wcu for t in tallies) / n:.0f} WCU"
    )
    if others:
        note += f"; other AWS: {others}"
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return Figure(
        f"rt.{slug}",
        label,
        "requests",
        runs,
        minimum=minimum,
        minimum_basis=basis,
        section=SECTION,
        note=note,
        extra={
            "rcu_est": sum(t.rcu for t in tallies) / n,
            "wcu_est": sum(t.wcu for t in tallies) / n,
            "items_read": sum(t.items_read for t in tallies) / n,
            "ops": last.ops("dynamodb"),
            "other_aws": others,
        },
    )
