"""Names, not login ids: the Directory copy of the staff (`USER` partition) filled from the user pool page by
page, written idempotently, and printed as the name with the unit (domain/people.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

from chalicelib.documents.archive_record import Printer
from chalicelib.domain import people
from chalicelib.services import admin_directory
from tests.helpers.fakes import fake_adapters

UNITS = {"U001": {"name": "海游街道办事处"}}


class FakePool:
    """ListUsers in pages of at most `Limit` with a PaginationToken, and each user's groups."""

    def __init__(self, users: list[tuple[str, str, str | None, str]]) -> None:
        self.users = users
        self.pages: list[str | None] = []

    def list_users(self, UserPoolId: str, Limit: int, PaginationToken: str | None = None) -> dict[str, Any]:  # noqa: N803
        self.pages.append(PaginationToken)
        start = int(PaginationToken or 0)
        chunk = self.users[start : start + Limit]
        attrs = [
            [{"Name": "name", "Value": name}] + ([{"Name": "custom:unit_id", "Value": unit}] if unit else [])
            for _, _, unit, name in chunk
        ]
        users = [{"Username": u[0], "Attributes": a, "Enabled": True} for u, a in zip(chunk, attrs, strict=True)]
        more = start + Limit < len(self.users)
        return {"Users": users, **({"PaginationToken": str(start + Limit)} if more else {})}

    def admin_list_groups_for_user(self, UserPoolId: str, Username: str) -> dict[str, Any]:  # noqa: N803
        role = next(r for u, r, _, _ in self.users if u == Username)
        return {"Groups": [{"GroupName": role}]}


def _deps(pool: FakePool) -> Any:
    deps = fake_adapters()
    settings = dataclasses.replace(deps.settings, user_pool_id="cn-north-1_pool")
    deps = dataclasses.replace(deps, settings=settings, clients=lambda service: pool)
    deps.directory.put_unit("U001", UNITS["U001"])
    return deps


def test_sync_staff_reads_every_page_of_the_pool_and_is_idempotent() -> None:
    users = [(f"op{i}", "operator", None, f"话务员{i}") for i in range(7)] + [("uh1", "unit_handler", "U001", "周海")]
    pool = FakePool(users)
    deps = _deps(pool)
    assert admin_directory.sync_staff(deps, page_size=3) == {"users": 8, "changed": 8}
    assert pool.pages == [None, "3", "6"]  # three pages, each asked with the token of the one before
    staff = deps.directory.staff()
    assert staff["uh1"] == {"name": "周海", "role": "unit_handler", "unit_id": "U001"}
    assert staff["op6"] == {"name": "话务员6", "role": "operator", "unit_id": None}
    assert admin_directory.sync_staff(deps, page_size=3) == {"users": 8, "changed": 0}  # nothing written again
    pool.users[0] = ("op0", "operator", None, "王敏")
    assert admin_directory.sync_staff(deps, page_size=3) == {"users": 8, "changed": 1}
    assert deps.contexts.names()["op0"] == "王敏"
    assert deps.contexts.names()["uh1"] == "周海（海游街道办事处）"


def test_sync_staff_does_nothing_without_a_user_pool() -> None:
    deps = fake_adapters()  # OIDC stages: the provider keeps the accounts
    assert admin_directory.sync_staff(deps) == {"users": 0, "changed": 0}
    assert deps.directory.staff() == {}


def test_a_person_is_printed_with_the_unit_and_never_as_a_login_id_when_named() -> None:
    staff = {"uh1": {"name": "周海", "role": "unit_handler", "unit_id": "U001"}, "op1": {"name": "王敏"}}
    names = people.display_names(staff, UNITS)
    assert names == {"uh1": "周海（海游街道办事处）", "op1": "王敏"}
    printer = Printer(UNITS, names)
    assert printer.person("uh1", "unit_handler") == "周海（海游街道办事处，承办单位经办人）"
    assert printer.person("op1", "operator") == "王敏（业务科经办人）"
    assert printer.person("op1") == "王敏"
    assert printer.person("system", "system") == "系统"
    assert printer.person("nobody9") == "nobody9"  # unknown: the id is all there is
    assert people.display_names({"uh3": {"name": "李", "unit_id": "U404"}}, UNITS) == {
        "uh3": "李"
    }  # no unit code shown
