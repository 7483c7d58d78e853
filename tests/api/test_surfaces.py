"""A function deployed for one surface serves only that surface's routes (chalicelib/api/surface.py):
the others answer as unknown routes, so a mis-wired integration never runs under the wrong role."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.api.errors import error_body
from chalicelib.api.fallback import UNKNOWN_ROUTE_MESSAGE

NOT_FOUND = error_body("not_found", UNKNOWN_ROUTE_MESSAGE)


@pytest.fixture
def serving(deps: Any) -> Iterator[Callable[[str], None]]:
    def serve(surface: str) -> None:
        bootstrap.use(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, api_surface=surface)))

    yield serve
    bootstrap.use(deps)


def test_the_public_function_refuses_staff_and_admin_routes(api: Any, serving: Callable[[str], None]) -> None:
    serving("public")
    assert api.get("/health").status_code == 200
    assert api.get("/open311/v2/services.json").status_code == 200
    for path in ("/tickets", "/admin/users", "/me"):
        resp = api.get(path, user="admin1")
        assert (resp.status_code, resp.json) == (404, NOT_FOUND), path
    resp = api.post("/tickets", {"category": "help", "title": "求助", "content": "内容"}, user="op1")
    assert (resp.status_code, resp.json) == (404, NOT_FOUND)


def test_the_staff_function_serves_the_desk_and_refuses_the_rest(api: Any, serving: Callable[[str], None]) -> None:
    serving("staff")
    assert api.get("/tickets", user="op1").status_code == 200
    assert api.get("/me", user="op1").status_code == 200
    for path in ("/admin/users", "/health", "/public/v1/requests/T1?code=123456"):
        resp = api.get(path, user="admin1")
        assert (resp.status_code, resp.json) == (404, NOT_FOUND), path


def test_the_admin_function_serves_only_admin_routes(api: Any, serving: Callable[[str], None]) -> None:
    serving("admin")
    assert api.get("/admin/users", user="admin1").status_code == 200
    resp = api.get("/tickets", user="admin1")
    assert (resp.status_code, resp.json) == (404, NOT_FOUND)


def test_without_a_surface_one_process_serves_every_route(api: Any, serving: Callable[[str], None]) -> None:
    serving("")
    assert api.get("/health").status_code == 200
    assert api.get("/tickets", user="op1").status_code == 200
    assert api.get("/admin/users", user="admin1").status_code == 200
