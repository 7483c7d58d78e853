"""Request helpers shared by the Blueprints: the adapters, the clock, the JSON body, the verified actor."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.domain import access
from chalicelib.domain.errors import BadRequest, NotFound, Unauthenticated
from chalicelib.domain.model import Actor, Role
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.bootstrap import Adapters
    from chalicelib.integrations.oidc import JwksVerifier
    from chalicelib.services import identity
else:  # the root builds every store and client: loaded by the first request (docs/contributing.md, "Wiring")
    bootstrap = on_first_use("chalicelib.bootstrap")
    identity = on_first_use("chalicelib.services.identity")

MAX_DEPTH = 16
MAX_INT = 2**53
_SURROGATE = re.compile("[\ud800-\udfff]")

ROLE_PRIORITY = (
    Role.ADMIN,
    Role.LEADER,
    Role.OPERATOR,
    Role.ANALYST,
    Role.RECORDS,
    Role.UNIT_HANDLER,
    Role.AUDITOR,
)
# R-SEC-01: nobody audits themselves — an account in the auditor group and in any group that changes
# what the log records is refused, whatever its other groups
AUDITOR_EXCLUSIVE = frozenset(ROLE_PRIORITY) - {Role.AUDITOR}


def adapters() -> Adapters:
    """The process's adapters (the composition root)."""
    return bootstrap.root()


def now() -> datetime:
    """The request clock (the only `now` of the API layer; domain and services get it passed)."""
    return adapters().clock()


def json_body(bp: Blueprint) -> dict[str, Any]:
    """The request body as a JSON object: the ONE reader of every JSON route (staff and partner)."""
    return read_json_object(bp.current_request.raw_body)


def read_json_object(raw: bytes | str | None) -> dict[str, Any]:
    """Parse a body that must be a JSON object; 400 `bad_request` naming the place for anything else.

    Refused before any code sees the value: text that is not JSON (including the non-standard
    `NaN` / `Infinity`), anything but an object, nesting deeper than MAX_DEPTH (no body of ours
    needs more than 4 levels; the parser itself would hit Python's recursion limit), numbers
    outside IEEE doubles (I-JSON, RFC 7493: ±2^53 for integers, no infinities) and strings or keys
    with a lone UTF-16 surrogate (`"\\ud800"`: valid JSON syntax, but not Unicode text, so it
    could be neither stored, hashed nor encrypted).
    """
    if not raw:
        return {}
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except RecursionError as exc:
        raise BadRequest(f"请求体嵌套超过 {MAX_DEPTH} 层") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("请求体不是有效的 JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("请求体须为 JSON 对象")
    _check_value(body, "", 1)
    return body


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_value(value: Any, path: str, depth: int) -> None:
    where = path or "请求体"
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise BadRequest(f"{where} 含无效字符（不成对的 UTF-16 代理项），须为有效的 Unicode 文本", field=path)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            raise BadRequest(f"{where} 数值超出范围（整数绝对值不能超过 2^53）", field=path)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadRequest(f"{where} 数值超出范围", field=path)
    elif isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            raise BadRequest(f"请求体嵌套超过 {MAX_DEPTH} 层（{where}）", field=path)
        _check_children(value, path, depth)


def _check_children(value: dict[str, Any] | list[Any], path: str, depth: int) -> None:
    if isinstance(value, list):
        for n, item in enumerate(value):
            _check_value(item, f"{path}[{n}]", depth + 1)
        return
    for key, item in value.items():
        name = f"{path}.{key}" if path else key
        if _SURROGATE.search(key):
            shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
            raise BadRequest(f"字段名 {shown} 含无效字符（不成对的 UTF-16 代理项）", field=shown)
        _check_value(item, name, depth + 1)


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
    if Role.AUDITOR in groups and AUDITOR_EXCLUSIVE.intersection(groups):
        raise Unauthenticated("安全审计员账号不能兼任其他角色（职责分离），请联系管理员")
    role = next((r for r in ROLE_PRIORITY if r in groups), None)
    if role is None:
        raise Unauthenticated("账号未分配角色，请联系管理员")
    user_id = claims.get("cognito:username") or oidc_identity(claims)
    unit_id = claims.get("custom:unit_id") or claims.get("unit_id") or None
    if role == Role.UNIT_HANDLER and not unit_id:
        raise Unauthenticated("承办单位账号未关联单位，请联系管理员")
    return Actor(user_id=str(user_id), role=role, unit_id=unit_id, name=str(claims.get("name") or user_id))


def oidc_identity(claims: dict[str, Any]) -> str:
    """A user of an OIDC provider is its issuer + `sub` (R-SEC-07): `preferred_username` can be changed or
    given to someone else at the provider, `sub` never is, and only unique per issuer."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated("身份令牌缺少 sub")
    return f"{claims.get('iss', '')}|{sub}"


def current_actor(bp: Blueprint) -> Actor:
    """The verified caller of this request, or 401."""
    headers: Any = bp.current_request.headers or {}
    header = str(headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("缺少登录凭据（Authorization: Bearer）")
    claims = verifier().verify(token.strip())
    actor = actor_from_claims(claims)
    identity.check_session(adapters(), actor.user_id, claims)  # R-SEC-05: the user's revocation stamp
    return actor


def local_admin(bp: Blueprint) -> Actor:
    """The administrator calling a local-mode-only route (demo tools); 404 on a deployed stage."""
    actor = current_actor(bp)
    if not adapters().settings.is_local:
        raise NotFound("仅本地模式提供")
    access.ensure_role(actor, Role.ADMIN)
    return actor
