"""Login and the current user."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.deps import actor_from_claims, adapters, current_actor, json_body, verifier
from chalicelib.api.errors import route
from chalicelib.domain.errors import ValidationError
from chalicelib.integrations.oidc import password_grant
from chalicelib.integrations.userpool import password_login

bp = Blueprint(__name__)


@route(bp, "/auth/login", methods=["POST"])
def login() -> dict[str, Any]:
    """Username + password → tokens and the user (role, unit)."""
    body = json_body(bp)
    missing = {k: "必填" for k in ("username", "password") if not isinstance(body.get(k), str) or not body[k]}
    if missing:
        raise ValidationError(missing)
    settings = adapters().settings
    if settings.oidc_token_url:  # no Cognito (aws-cn): the stage's OIDC provider (docs/deploy.md, "Login")
        tokens = password_grant(
            settings.oidc_token_url,
            settings.oidc_audience,
            settings.oidc_client_secret,
            body["username"],
            body["password"],
        )
    else:
        tokens = password_login(
            adapters().clients("cognito-idp"), settings.user_pool_client_id, body["username"], body["password"]
        )
    actor = actor_from_claims(verifier().verify(tokens["id_token"]))
    return dict(tokens, user={"id": actor.user_id, "name": actor.name, "role": actor.role, "unit_id": actor.unit_id})


@route(bp, "/me", methods=["GET"])
def me() -> dict[str, Any]:
    """The verified caller."""
    actor = current_actor(bp)
    return {"id": actor.user_id, "name": actor.name, "role": actor.role, "unit_id": actor.unit_id}
