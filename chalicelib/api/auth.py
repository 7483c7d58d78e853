"""Login (password, then the TOTP code), logout and the current user (docs/security.md, "Login and sessions")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import actor_from_claims, adapters, current_actor, json_body, now, verifier
from chalicelib.api.errors import route
from chalicelib.domain.errors import Unauthenticated, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.integrations import oidc, userpool
    from chalicelib.services import identity
else:  # the login calls (urllib, SRP arithmetic): loaded by the first login
    oidc = on_first_use("chalicelib.integrations.oidc")
    userpool = on_first_use("chalicelib.integrations.userpool")
    identity = on_first_use("chalicelib.services.identity")

bp = Blueprint(__name__)


def _ip() -> str:
    return identity.client_ip(bp.current_request.context)


def _user(actor: Actor) -> dict[str, Any]:
    return {"id": actor.user_id, "name": actor.name, "role": actor.role, "unit_id": actor.unit_id}


@route(bp, "/auth/login", methods=["POST"])
def login() -> dict[str, Any]:
    """Username + password → tokens and the user, or (user pool, R-SEC-06) a TOTP challenge for `/auth/mfa`."""
    body = json_body(bp)
    missing = {k: "必填" for k in ("username", "password") if not isinstance(body.get(k), str) or not body[k]}
    if len(str(body.get("username") or "")) > identity.MAX_USERNAME:
        missing["username"] = f"不能超过 {identity.MAX_USERNAME} 个字符"
    new_password = body.get("new_password")
    if new_password is not None and not (isinstance(new_password, str) and new_password):
        missing["new_password"] = "须为非空文本"
    if missing:
        raise ValidationError(missing)
    deps, at, ip, username = adapters(), now(), _ip(), body["username"]
    settings = deps.settings
    identity.check_allowed(deps, username, ip, at)
    try:
        if settings.oidc_token_url:  # no Cognito (aws-cn): the stage's OIDC provider (docs/deploy.md, "Login")
            tokens = oidc.password_grant(
                settings.oidc_token_url, settings.oidc_audience, settings.oidc_client_secret, username, body["password"]
            )
        else:
            client = deps.clients("cognito-idp")
            pool = settings.user_pool_id
            login = (client, settings.user_pool_client_id, username, body["password"], new_password)
            tokens = userpool.password_login(*login, pool_id=pool)  # SRP: the pool never sees the password
    except Unauthenticated as exc:
        if not exc.details.get("challenge"):  # a challenge means the password was right
            identity.record_failure(deps, username, ip, at, "password")
        raise
    actor = actor_from_claims(verifier().verify(tokens["id_token"]))
    if settings.mfa_required and not settings.oidc_token_url:
        return identity.start_second_step(deps, username, actor.user_id, tokens, at)
    identity.login_succeeded(deps, actor, username, ip, at, "oidc" if settings.oidc_token_url else "none")
    return dict(tokens, user=_user(actor))


@route(bp, "/auth/mfa", methods=["POST"])
def mfa() -> dict[str, Any]:
    """`{session, code}`: the second step of a login (R-SEC-06) → tokens and the user."""
    body = json_body(bp)
    deps, at, ip = adapters(), now(), _ip()
    tokens, username = identity.finish_second_step(deps, body.get("session"), body.get("code"), ip, at)  # type: ignore[arg-type]
    claims = verifier().verify(tokens["id_token"])
    actor = actor_from_claims(claims)
    identity.admit(deps, actor.user_id, claims, at)
    identity.login_succeeded(deps, actor, username, ip, at, "totp")
    return dict(tokens, user=_user(actor))


@route(bp, "/auth/logout", methods=["POST"])
def logout() -> dict[str, Any]:
    """End the caller's sessions: every token issued so far is refused from now on (R-SEC-05)."""
    identity.logout(adapters(), current_actor(bp), _ip(), now())
    return {"ok": True}


@route(bp, "/me", methods=["GET"])
def me() -> dict[str, Any]:
    """The verified caller."""
    return _user(current_actor(bp))
