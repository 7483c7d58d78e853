"""An unknown route answers 404 in the error shape and echoes nothing, in the test client and chalice
local (the same LocalGateway; the cloud's answer: tests/integration/test_api_gateway_template.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.errors import error_body
from chalicelib.api.fallback import CATCH_ALL_PATHS, MAX_DEPTH, UNKNOWN_ROUTE_MESSAGE


def request(api: Any, method: str, path: str, user: str | None = "op1", **headers: str) -> Any:
    sent = {"Content-Type": "application/json", **headers}
    if user:
        sent["Authorization"] = f"Bearer {api.tokens[user]}"
    resp = api.client.http.request(method, path, headers=sent, body=b"{}" if method != "GET" else b"")
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


def assert_unknown_route(resp: Any, token: str) -> None:
    assert resp.status_code == 404, resp.body
    assert resp.json == error_body("not_found", UNKNOWN_ROUTE_MESSAGE)
    assert token not in resp.body.decode() and "Authorization" not in resp.body.decode()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/tickets/T20261126-00001/nonsense"),
        ("GET", "/no/such/path"),
        ("GET", "/nothing"),
        ("DELETE", "/admin/users/op1/disable/now"),
        ("PUT", "/" + "/".join(["deep"] * MAX_DEPTH)),
        ("GET", "/Tickets"),
    ],
)
def test_an_unknown_verb_or_path_is_a_404_in_the_error_shape_echoing_nothing(api: Any, method: str, path: str) -> None:
    assert_unknown_route(request(api, method, path), api.tokens["op1"])


def test_an_unknown_route_answers_the_same_without_a_token(api: Any) -> None:
    resp = request(api, "POST", "/tickets/T1/nonsense", user=None)
    assert resp.status_code == 404 and resp.json["code"] == "not_found"


def test_a_known_path_with_an_unknown_method_is_the_same_404(api: Any) -> None:
    for method, path in [("DELETE", "/tickets"), ("PUT", "/health"), ("PATCH", "/tickets/T1/dispatch")]:
        resp = request(api, method, path)
        assert_unknown_route(resp, api.tokens["op1"])
        assert "Allow" not in resp.headers


def test_real_routes_still_win_over_the_catch_all(api: Any) -> None:
    assert request(api, "GET", "/health", user=None).json["status"] == "ok"
    assert request(api, "GET", "/tickets/T20261126-99999").json["code"] == "not_found"
    assert request(api, "GET", "/tickets/T20261126-99999").json["message"] != UNKNOWN_ROUTE_MESSAGE
    assert request(api, "POST", "/tickets/T20261126-99999/sign", user="uh1").status_code == 404


def test_a_json_route_sent_another_media_type_is_a_415_in_the_error_shape(api: Any) -> None:
    resp = request(api, "POST", "/tickets", **{"Content-Type": "text/plain"})
    assert resp.status_code == 415 and resp.json["code"] == "unsupported_media_type"
    assert set(resp.json) == {"code", "message", "details"}


def test_a_file_route_without_a_matching_accept_is_a_400_in_the_error_shape(api: Any) -> None:
    resp = request(api, "GET", "/stats/export?month=2026-11", user="analyst1", Accept="application/json")
    assert resp.status_code == 400 and resp.json["code"] == "bad_request"


def test_catch_all_routes_are_not_in_the_openapi_document(api: Any) -> None:
    paths = api.get("/openapi.json").json["paths"]
    assert not set(paths) & set(CATCH_ALL_PATHS)
