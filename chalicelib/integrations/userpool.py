"""Password login against the user pool (Cognito locally and in global regions) by SRP, and its admin calls."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain.errors import BadRequest, Conflict, NotFound, Unauthenticated, ValidationError
from chalicelib.integrations import srp


def password_login(
    cognito: Any,
    client_id: str,
    username: str,
    password: str,
    new_password: str | None = None,
    *,
    pool_id: str,
    now: datetime | None = None,
) -> dict[str, Any]:
    """USER_SRP_AUTH → tokens: the pool gets a proof of the password, never the password (`integrations/srp.py`).
    Wrong credentials are 401 without saying which part was wrong.

    A temporary password (set by an admin, R-SEC-05) answers the challenge NEW_PASSWORD_REQUIRED: with
    `new_password` the password is changed in the same call, without it the login is a 401 naming the challenge.
    """
    try:
        resp = srp_login(cognito, pool_id, client_id, username, password, now)
        if resp.get("ChallengeName") == "NEW_PASSWORD_REQUIRED" and new_password:
            resp = cognito.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=resp.get("Session"),
                ChallengeResponses={
                    "USERNAME": resp.get("ChallengeParameters", {}).get("USERNAME") or username,
                    "NEW_PASSWORD": new_password,
                },
            )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NotAuthorizedException", "UserNotFoundException", "UserNotConfirmedException"):
            raise Unauthenticated("用户名或密码错误") from exc
        if code == "InvalidPasswordException":
            raise ValidationError(
                {"new_password": "新密码不符合密码策略（至少12位，含大小写字母、数字和符号）"}
            ) from exc
        raise
    except ValueError as exc:  # the pool's SRP_B unusable (≡ 0 mod N): no proof is given, the login refused
        raise Unauthenticated("用户名或密码错误") from exc
    result = resp.get("AuthenticationResult")
    if not result:
        raise Unauthenticated("需要完成额外的登录步骤", challenge=resp.get("ChallengeName"))
    return {  # no refresh token: it never leaves the server (R-SEC-05)
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "expires_in": result.get("ExpiresIn", 3600),
    }


def srp_login(
    cognito: Any, pool_id: str, client_id: str, username: str, password: str, now: datetime | None = None
) -> dict[str, Any]:
    """The two SRP calls: InitiateAuth(USER_SRP_AUTH) and the PASSWORD_VERIFIER answer. Returns the pool's
    last answer (`AuthenticationResult`, or the next challenge such as NEW_PASSWORD_REQUIRED); a wrong
    password is the pool's NotAuthorizedException. Raises ValueError if the pool's B is unusable."""
    client = srp.Client(pool_id)
    first = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": client.srp_a},
    )
    if first.get("ChallengeName") != "PASSWORD_VERIFIER":
        return dict(first)
    answer = client.respond(first["ChallengeParameters"], password, now or datetime.now(UTC))
    extra = {"Session": first["Session"]} if first.get("Session") else {}
    return dict(
        cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer, **extra
        )
    )


# ---------------------------------------------------------------- admin: users and role groups
# Roles are Cognito groups named after the role; the unit is the `custom:unit_id` attribute.
# Cognito's own errors become domain errors here (UsernameExists → Conflict, UserNotFound → NotFound).

UNIT_ATTRIBUTE = "custom:unit_id"
PAGE_TOKEN = re.compile(r"[!-~]+")  # printable ASCII, no spaces: what the pool issues (Cognito: [\S]+)
MAX_PAGE_TOKEN = 4096


def _admin_error(exc: ClientError, username: str) -> Exception:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "UsernameExistsException":
        return Conflict(f"用户名 {username} 已存在", username=username)
    if code == "UserNotFoundException":
        return NotFound(f"用户 {username} 不存在", username=username)
    if code == "InvalidPasswordException":
        return ValidationError({"password": "密码不符合密码策略（至少12位，含大小写字母、数字和符号）"})
    original: Exception = exc
    return original


def _view(raw: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    attrs = {a["Name"]: a.get("Value") for a in raw.get("Attributes") or raw.get("UserAttributes") or []}
    return {
        "username": raw["Username"],
        "name": attrs.get("name") or raw["Username"],
        "email": attrs.get("email"),
        "unit_id": attrs.get(UNIT_ATTRIBUTE) or None,
        "groups": groups,
        "enabled": bool(raw.get("Enabled", True)),
        "status": raw.get("UserStatus"),
    }


def _groups(cognito: Any, pool_id: str, username: str) -> list[str]:
    out: list[str] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
    while True:
        resp = cognito.admin_list_groups_for_user(**kwargs)
        out += [g["GroupName"] for g in resp.get("Groups", [])]
        if not resp.get("NextToken"):
            return out
        kwargs["NextToken"] = resp["NextToken"]


def list_users(cognito: Any, pool_id: str, limit: int, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of users with their groups; the pool's PaginationToken is the opaque next page.

    A page token the pool did not issue is the caller's mistake (400), whichever way the pool says
    so (Cognito: InvalidParameterException "Paging marker … is invalid"; moto: InvalidToken).
    """
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Limit": limit}
    bad_page = BadRequest("分页标记无效（page 须为上一页返回的 next_page）", field="page")
    if page:
        if len(page) > MAX_PAGE_TOKEN or not PAGE_TOKEN.fullmatch(page):
            raise bad_page
        kwargs["PaginationToken"] = page
    try:
        resp = cognito.list_users(**kwargs)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if page and code in ("InvalidParameterException", "InvalidToken"):
            raise bad_page from exc
        raise _admin_error(exc, "") from exc
    try:
        users = [_view(u, _groups(cognito, pool_id, u["Username"])) for u in resp.get("Users", [])]
    except ClientError as exc:
        raise _admin_error(exc, "") from exc
    return users, resp.get("PaginationToken") or None


def get_user(cognito: Any, pool_id: str, username: str) -> dict[str, Any]:
    """One user with groups; NotFound when there is none."""
    try:
        raw = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        return _view(raw, _groups(cognito, pool_id, raw["Username"]))
    except ClientError as exc:
        raise _admin_error(exc, username) from exc


def create_user(
    cognito: Any,
    pool_id: str,
    username: str,
    attributes: dict[str, str],
    group: str,
    password: str,
    permanent: bool,
) -> None:
    """Create a user (no invitation message: the admin hands over the password) in one group.

    `permanent` False leaves the password temporary (FORCE_CHANGE_PASSWORD). When a later step fails
    the new user is deleted again, so no user is left without a role.
    """
    attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=attrs,
            TemporaryPassword=password,
            MessageAction="SUPPRESS",
        )
    except ClientError as exc:
        raise _admin_error(exc, username) from exc
    try:
        if permanent:
            cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    except ClientError as exc:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)
        raise _admin_error(exc, username) from exc


def update_user(
    cognito: Any,
    pool_id: str,
    username: str,
    *,
    attributes: dict[str, str] | None = None,
    remove_attributes: list[str] | None = None,
    groups: tuple[list[str], str] | None = None,
) -> None:
    """Set / delete attributes and move the user between groups (`(leave, join)`): join first, then leave."""
    try:
        if attributes:
            cognito.admin_update_user_attributes(
                UserPoolId=pool_id,
                Username=username,
                UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
            )
        if remove_attributes:
            cognito.admin_delete_user_attributes(
                UserPoolId=pool_id, Username=username, UserAttributeNames=remove_attributes
            )
        if groups:
            leave, join = groups
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=join)
            for group in leave:
                if group != join:
                    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=username, GroupName=group)
    except ClientError as exc:
        raise _admin_error(exc, username) from exc


def set_enabled(cognito: Any, pool_id: str, username: str, enabled: bool) -> None:
    """Enable or disable a user. A disabled user cannot log in and its refresh tokens are revoked;
    ID tokens already issued stay valid until they expire (at most 60 minutes)."""
    try:
        if enabled:
            cognito.admin_enable_user(UserPoolId=pool_id, Username=username)
        else:
            cognito.admin_disable_user(UserPoolId=pool_id, Username=username)
            cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username=username)
    except ClientError as exc:
        raise _admin_error(exc, username) from exc


def group_members(cognito: Any, pool_id: str, group: str) -> list[dict[str, Any]]:
    """Every enabled user of a role group `{username, name}` (all pages)."""
    out: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "GroupName": group, "Limit": 60}
    while True:
        resp = cognito.list_users_in_group(**kwargs)
        for raw in resp.get("Users", []):
            if raw.get("Enabled", True):
                attrs = {a["Name"]: a["Value"] for a in raw.get("Attributes", [])}
                out.append({"username": raw["Username"], "name": attrs.get("name") or raw["Username"]})
        if not resp.get("NextToken"):
            return out
        kwargs["NextToken"] = resp["NextToken"]
