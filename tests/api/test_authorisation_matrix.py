"""R-SEC-03: the authorisation matrix — every route in `app.routes` × every role (a unit handler of the
ticket's own unit and of another unit) answered as the table in docs/security.md says.

Each request carries an empty JSON body and plausible path values (a closed ticket of U001, this
module's partner, a far calendar year), so a role past the checks gets a 2xx or an input / state
answer (400, 409, 422 …: shown ✓) and a role refused gets 401, 403 or 404 (the ticket hidden from
another unit). The settings any admin route could change are put back afterwards. `POST /auth/logout`
is called with the revocation stamp held back (its check is what the matrix is about; revoking would end
the session tokens every later test uses; logout itself: tests/api/test_rsec_05_sessions.py).

After a deliberate change of who may do what, rewrite the table with
`AUTHZ_MATRIX_WRITE=1 pytest tests/api/test_authorisation_matrix.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import app as chalice_app
from chalicelib.api.fallback import CATCH_ALL_PATHS
from tests.helpers.partners import new_partner
from tests.helpers.settings import restore_settings, snapshot_settings
from tests.helpers.tickets import closed_ticket

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
START, END = "<!-- authz-matrix:start -->", "<!-- authz-matrix:end -->"
COLUMNS = (  # (heading, login)
    ("anonymous", None),
    ("operator", "op1"),
    ("analyst", "analyst1"),
    ("leader", "leader1"),
    ("unit handler, own unit", "uh1"),
    ("unit handler, other unit", "uh2"),
    ("records", "records1"),
    ("admin", "admin1"),
    ("auditor", "auditor1"),
)
REFUSED = {401, 403, 404}
YEAR = 2045  # a calendar year no other test touches


def _cell(status: int) -> str:
    return str(status) if status in REFUSED else "✓"


@contextmanager
def _no_revocation(path: str) -> Iterator[None]:
    """Around `POST /auth/logout` only: the caller's tokens stay valid (the route's role check still runs)."""
    if path != "/auth/logout":
        yield
        return
    from chalicelib.services import identity

    real = identity.revoke
    identity.revoke = lambda *_: None  # type: ignore[assignment]
    try:
        yield
    finally:
        identity.revoke = real


def _request(api: Any, method: str, url: str, user: str | None) -> int:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {api.tokens[user]}"} if user else {})}
    body = None if method in ("GET", "DELETE") else json.dumps({})
    resp = api.client.http.request(method, url, headers=headers, body=body)
    return int(resp.status_code)


def _table(rows: list[tuple[str, list[str]]]) -> str:
    head = "| route | " + " | ".join(h for h, _ in COLUMNS) + " |"
    rule = "|---|" + "---|" * len(COLUMNS)
    return "\n".join([head, rule, *(f"| `{route}` | " + " | ".join(cells) + " |" for route, cells in rows)])


def test_r_sec_03_every_route_and_role_answers_as_the_documented_matrix(api: Any, deps: Any, seeded: Any) -> None:
    saved = snapshot_settings(deps)
    try:
        partner = new_partner(api)
        tag = uuid.uuid4().hex[:6]
        unit_id, username = f"UM{tag}", f"matrix{tag}"  # this module's own: the admin routes change them
        contacts = [{"name": "周海", "phone": "13957600001"}]
        unit = {"id": unit_id, "name": "授权矩阵测试单位", "contacts": contacts}
        assert api.post("/admin/units", unit, user="admin1").status_code == 201
        user = {"username": username, "name": "矩阵测试", "role": "operator", "password": "Matrix#Test2026"}
        assert api.post("/admin/users", user, user="admin1").status_code == 201
        values = {
            "ticket_id": closed_ticket(deps),  # its lead unit is U001: uh1's own, uh2's other
            "partner_id": partner["partner_id"],
            "key_id": "hk_00000000000000ff",
            "username": username,
            "user_id": username,
            "unit_id": unit_id,
            "year": str(YEAR),
            "day": f"{YEAR}-05-01",
            "category": "complaint",
            "month": "2026-10",
            "week": f"{YEAR}-05-01",
        }
        routes = sorted(
            (path, method)
            for path, methods in chalice_app.routes.items()
            if path not in CATCH_ALL_PATHS
            for method in methods
        )
        rows = []
        for path, method in routes:
            url = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "none"), path)
            with _no_revocation(path):
                cells = [_cell(_request(api, method, url, user)) for _, user in COLUMNS]
            rows.append((f"{method} {path}", cells))
    finally:
        restore_settings(deps, saved)
    table = _table(rows)
    text = DOC.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    if os.environ.get("AUTHZ_MATRIX_WRITE") == "1":
        DOC.write_text(f"{before}{START}\n{table}\n{END}{after}", encoding="utf-8")
        rest = f"{table}{END}"
    documented = rest.partition(END)[0].strip()
    assert documented == table, "docs/security.md's authorisation matrix and the code disagree (see the module doc)"
