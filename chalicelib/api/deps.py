"""Request helpers shared by the Blueprints: the adapters, the clock, the JSON body, the verified actor."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalice.app import Blueprint

from chalicelib import bootstrap
from chalicelib.bootstrap import Adapters
from chalicelib.domain.errors import BadRequest, Unauthenticated
from chalicelib.domain.model import Actor, Role
from chalicelib.integrations.oidc import JwksVerifier

ROLE_PRIORITY = (Role.ADMIN, Role.LEADER, Role.OPERATOR, Role.ANALYST, Role.RECORDS, Role.UNIT_HANDLER)


def adapters() -> Adapters:
    """The process's adapters (the composition root)."""
    return bootstrap.root()


def now() -> datetime:
    """The request clock (the only `now` of the API layer; domain and services get it passed)."""
    return adapters().clock()


def json_body(bp: Blueprint) -> dict[str, Any]:
    """The request body as a JSON object; 400 when it is not one."""
    raw = bp.current_request.raw_body
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("请求体须为 JSON 对象")
    return body


def query(bp: Blueprint) -> dict[str, str]:
    """Query parameters (never None)."""
    return dict(bp.current_request.query_params or {})


def verifier() -> JwksVerifier:
    """The process's token verifier (issuer + JWKS from the settings)."""
    found = adapters().verifier
    if found is None:
        raise RuntimeError("OIDC_ISSUER and OIDC_JWKS_URL are not configured")  # a deployment error: 500
    return found


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    """Role from groups (Cognito) or a `roles` claim (other IdPs); unit from a custom attribute."""
    groups = claims.get("cognito:groups") or claims.get("roles") or []
    if isinstance(groups, str):
        groups = [groups]
    role = next((r for r in ROLE_PRIORITY if r in groups), None)
    if role is None:
        raise Unauthenticated("账号未分配角色，请联系管理员")
    user_id = claims.get("cognito:username") or claims.get("preferred_username") or claims["sub"]
    unit_id = claims.get("custom:unit_id") or claims.get("unit_id") or None
    if role == Role.UNIT_HANDLER and not unit_id:
        raise Unauthenticated("承办单位账号未关联单位，请联系管理员")
    return Actor(user_id=str(user_id), role=role, unit_id=unit_id, name=str(claims.get("name") or user_id))


def current_actor(bp: Blueprint) -> Actor:
    """The verified caller of this request, or 401."""
    headers: Any = bp.current_request.headers or {}
    header = str(headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("缺少登录凭据（Authorization: Bearer）")
    return actor_from_claims(verifier().verify(token.strip()))
