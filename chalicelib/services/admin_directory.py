"""Admin use cases for the directory: units and contacts (R-12345-07) and user accounts / roles.

Units are Directory items `UNIT / {unit_id}` (read by `Directory.units()` and GET /units);
users live in the Cognito user pool (role = group, unit = `custom:unit_id`). The Directory keeps a copy of
each user's name, role and unit (`USER / {username}`, written after the pool call succeeded, and filled from
the pool by `sync_staff`, run by `make recount`) so printed records and reports show names, not login ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.domain.units import unit_id_problem, validate_unit
from chalicelib.integrations import userpool
from chalicelib.services import identity, privacy
from chalicelib.storage.directory import UNIT
from chalicelib.storage.table import Absent, Cond, Equals, Present

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

# ---------------------------------------------------------------- units


def _save_unit(
    deps: Adapters,
    unit: dict[str, Any],
    actor: Actor,
    now: datetime,
    condition: Cond,
    failed: DomainError,
    action: str = "unit_updated",
) -> dict[str, Any]:
    """One conditional put of `UNIT / {id}`; `failed` is raised when the condition does not hold.
    The change goes to the security log with the unit before and after (R-SEC-02)."""
    before = deps.directory.get_item(UNIT, unit["id"]) if action != "unit_created" else None
    data = {k: v for k, v in unit.items() if k != "id"}
    data.update(updated_by=actor.user_id, updated_at=now.isoformat())
    if not deps.directory.save_unit(unit["id"], data, condition):
        raise failed
    deps.contexts.invalidate()
    privacy.log_change(deps, action, actor, now, target=unit["id"], before=before, after=data)
    return dict(data, id=unit["id"])


def create_unit(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A new unit; 409 when the id is taken (conditional put, no read-then-write)."""
    access.ensure_role(actor, Role.ADMIN)
    unit = validate_unit(body, body.get("id"))  # type: ignore[arg-type]
    taken = Conflict(f"单位编号 {unit['id']} 已存在", unit_id=unit["id"])
    return _save_unit(deps, unit, actor, now, Absent(), taken, "unit_created")


def replace_unit(deps: Adapters, actor: Actor, unit_id: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Replace an existing unit (name, kind, active, contacts); 404 when there is none."""
    access.ensure_role(actor, Role.ADMIN)
    if unit_id_problem(unit_id) is not None:
        raise NotFound(f"单位 {unit_id} 不存在", unit_id=unit_id)
    if "id" in body and body["id"] != unit_id:
        raise ValidationError({"id": "不能修改单位编号"})
    missing = NotFound(f"单位 {unit_id} 不存在", unit_id=unit_id)
    return _save_unit(deps, validate_unit(body, unit_id), actor, now, Present(), missing)


def deactivate_unit(deps: Adapters, actor: Actor, unit_id: str, now: datetime) -> dict[str, Any]:
    """Mark a unit inactive: it stays listed (`active` false) but can no longer be dispatched to."""
    access.ensure_role(actor, Role.ADMIN)
    stored = deps.directory.get_item(UNIT, unit_id) if unit_id_problem(unit_id) is None else None
    if stored is None:
        raise NotFound(f"单位 {unit_id} 不存在", unit_id=unit_id)
    unit = dict(stored, id=unit_id, active=False)
    unchanged = Equals("data", stored)
    conflict = Conflict("单位已被他人修改，请刷新后重试", unit_id=unit_id)
    return _save_unit(deps, unit, actor, now, unchanged, conflict, "unit_deactivated")


# ---------------------------------------------------------------- users and roles

ROLES = (Role.ADMIN, Role.LEADER, Role.OPERATOR, Role.ANALYST, Role.RECORDS, Role.UNIT_HANDLER, Role.AUDITOR)
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
PASSWORD_RULES = (r".{12,}", r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
MAX_PAGE = 60


def _pool(deps: Adapters) -> tuple[Any, str]:
    if not deps.settings.user_pool_id:  # OIDC stages (aws-cn: no Cognito): the provider keeps the accounts
        raise Conflict("本系统的账号由统一身份认证（OIDC）平台管理，请在该平台中新增、修改或停用用户")
    return deps.clients("cognito-idp"), deps.settings.user_pool_id


def _with_role(user: dict[str, Any]) -> dict[str, Any]:
    groups = user.pop("groups")
    user["role"] = next((str(r) for r in ROLES if r in groups), None)
    return user


def _name(value: Any, problems: dict[str, str]) -> str | None:
    if isinstance(value, str) and 1 <= len(value.strip()) <= 50:
        return value.strip()
    problems["name"] = "必填，1–50 个字符"
    return None


def _role(value: Any, problems: dict[str, str]) -> str | None:
    if isinstance(value, str) and value in {str(r) for r in ROLES}:
        return value
    problems["role"] = "须为 operator、analyst、leader、unit_handler、records、admin 或 auditor"
    return None


def _unit_for(deps: Adapters, role: str | None, value: Any, problems: dict[str, str]) -> str | None:
    """The unit of a unit_handler (required, must be known); other roles have none (nothing to say without a role)."""
    if role is None:
        return None
    if role != Role.UNIT_HANDLER:
        if value not in (None, ""):
            problems["unit_id"] = "只有承办单位账号（unit_handler）关联单位"
        return None
    if value in (None, ""):
        problems["unit_id"] = "承办单位账号必须关联单位"
    elif not isinstance(value, str) or value not in deps.directory.units():
        problems["unit_id"] = f"承办单位 {value} 不存在"
    else:
        return value
    return None


def list_users(deps: Adapters, actor: Actor, params: Mapping[str, str]) -> dict[str, Any]:
    """One page of users `{items: [{username,name,email,role,unit_id,enabled,status,locked_until}], next_page}`."""
    access.ensure_role(actor, Role.ADMIN)
    try:
        limit = int(params.get("limit") or MAX_PAGE)
    except ValueError as exc:
        raise ValidationError({"limit": f"须为 1–{MAX_PAGE} 的整数"}) from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError({"limit": f"须为 1–{MAX_PAGE} 的整数"})
    users, token = userpool.list_users(*_pool(deps), limit, params.get("page") or None)
    return {"items": _with_lock(deps, [_with_role(u) for u in users]), "next_page": token}


def _with_lock(deps: Adapters, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each user with `locked_until` (ISO, UTC; None when not locked out, R-SEC-04)."""
    locks = identity.locked_until(deps, [str(u["username"]) for u in users], deps.clock()) if users else {}
    for user in users:
        user["locked_until"] = locks.get(str(user["username"]))
    return users


def _known_name(username: str) -> str:
    """A username the pool could hold; anything else names no user (404, not a pool error: 500)."""
    if not USERNAME.fullmatch(username):
        raise NotFound(f"用户 {username[:64]} 不存在", username=username[:64])
    return username


def get_user(deps: Adapters, actor: Actor, username: str) -> dict[str, Any]:
    """One user."""
    access.ensure_role(actor, Role.ADMIN)
    return _with_lock(deps, [_with_role(userpool.get_user(*_pool(deps), _known_name(username)))])[0]


def create_user(deps: Adapters, actor: Actor, body: Mapping[str, Any]) -> dict[str, Any]:
    """`{username, name, role, unit_id?, email?, password | temporary_password}` → the new user (in its role group)."""
    access.ensure_role(actor, Role.ADMIN)
    problems: dict[str, str] = {}
    username = body.get("username")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        problems["username"] = "须为1–64位字母、数字或 _ . @ -，以字母或数字开头"
    name = _name(body.get("name"), problems)
    role = _role(body.get("role"), problems)
    unit_id = _unit_for(deps, role, body.get("unit_id"), problems)
    email = body.get("email")
    if email not in (None, "") and not (isinstance(email, str) and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        problems["email"] = "邮箱格式不正确"
    given = [k for k in ("password", "temporary_password") if body.get(k) not in (None, "")]
    if len(given) != 1:
        problems["password"] = "须提供 password（永久）或 temporary_password（首次登录须修改）之一"
    elif not isinstance(body[given[0]], str) or not all(re.search(p, body[given[0]]) for p in PASSWORD_RULES):
        problems[given[0]] = "至少12位，且须含大写字母、小写字母、数字和符号"
    if problems:
        raise ValidationError(problems)
    attributes = {"name": str(name)}
    if email:
        attributes.update(email=str(email), email_verified="true")
    if unit_id:
        attributes[userpool.UNIT_ATTRIBUTE] = unit_id
    # R-SEC-05: an admin-set password is always temporary; the user chooses its own at the first login
    userpool.create_user(*_pool(deps), str(username), attributes, str(role), body[given[0]], False)
    created = get_user(deps, actor, str(username))
    record_staff(deps, created)
    privacy.log_change(deps, "user_created", actor, deps.clock(), target=str(username), after=created)
    return created


def update_user(deps: Adapters, actor: Actor, username: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """`{name?, role?, unit_id?}`: a role change moves the user out of its old role groups into the new one."""
    access.ensure_role(actor, Role.ADMIN)
    raw = userpool.get_user(*_pool(deps), _known_name(username))
    groups = list(raw["groups"])
    current = _with_role(raw)
    problems: dict[str, str] = {}
    name = _name(body["name"], problems) if "name" in body else None
    role = _role(body["role"], problems) if "role" in body else current["role"]
    if role and role != current["role"] and _is_self(actor, username):
        raise Forbidden("不能修改自己的角色")
    unit_value = body["unit_id"] if "unit_id" in body else (current["unit_id"] if role == Role.UNIT_HANDLER else None)
    unit_id = _unit_for(deps, role, unit_value, problems)
    if problems:
        raise ValidationError(problems)
    attributes = {"name": name} if name else {}
    if unit_id and unit_id != current["unit_id"]:
        attributes[userpool.UNIT_ATTRIBUTE] = unit_id
    remove = [userpool.UNIT_ATTRIBUTE] if not unit_id and current["unit_id"] else []
    role_groups = [g for g in groups if g in {str(r) for r in ROLES}]
    move = (role_groups, str(role)) if role and role_groups != [role] else None
    userpool.update_user(*_pool(deps), username, attributes=attributes, remove_attributes=remove, groups=move)
    if move or remove or (unit_id and unit_id != current["unit_id"]):
        identity.revoke(deps, current["username"], deps.clock())  # R-SEC-05: the old role's tokens stop at once
    updated = get_user(deps, actor, username)
    record_staff(deps, updated)
    privacy.log_change(deps, "user_updated", actor, deps.clock(), target=username, before=current, after=updated)
    return updated


def _is_self(actor: Actor, username: str) -> bool:
    return actor.user_id.lower() == username.lower()


def set_enabled(deps: Adapters, actor: Actor, username: str, enabled: bool) -> dict[str, Any]:
    """Enable or disable a user (admins cannot disable themselves)."""
    access.ensure_role(actor, Role.ADMIN)
    if not enabled and _is_self(actor, username):
        raise Forbidden("不能停用自己的账号")
    before = get_user(deps, actor, username)
    userpool.set_enabled(*_pool(deps), _known_name(username), enabled)
    after = get_user(deps, actor, username)
    if not enabled:
        identity.revoke(deps, after["username"], deps.clock())  # R-SEC-05: the disabled user's tokens stop at once
    action = "user_enabled" if enabled else "user_disabled"
    privacy.log_change(deps, action, actor, deps.clock(), target=username, before=before, after=after)
    return after


def reset_mfa(deps: Adapters, actor: Actor, username: str) -> dict[str, Any]:
    """Forget the user's authenticator: the next login enrols a new one (R-SEC-06; logged, sessions ended)."""
    access.ensure_role(actor, Role.ADMIN)
    user = get_user(deps, actor, username)
    identity.reset_mfa(deps, actor, user["username"], deps.clock())
    return user


def unlock(deps: Adapters, actor: Actor, username: str) -> dict[str, Any]:
    """End a user's lockout (R-SEC-04; logged); 404 for no such user, 409 when it is not locked. On OIDC stages
    the provider keeps the accounts but the lock is ours: the name as typed at login is unlocked, answered as
    `{username, locked_until}`."""
    access.ensure_role(actor, Role.ADMIN)
    if deps.settings.user_pool_id:
        user = get_user(deps, actor, username)
    else:
        user = {"username": _known_name(username)}
    identity.unlock(deps, actor, user["username"], deps.clock())
    return dict(user, locked_until=None)


# ---------------------------------------------------------------- the Directory copy of the staff (`USER`)


def record_staff(deps: Adapters, user: Mapping[str, Any]) -> bool:
    """Write `USER / {username}` = {name, role, unit_id} from a user as the pool shows it (`_with_role` view);
    idempotent: True only when the copy changed. Names shown everywhere are read from this copy."""
    username = str(user["username"])
    name = str(user.get("name") or username)
    changed = deps.directory.put_staff(username, name, user.get("role"), user.get("unit_id") or None)
    if changed:
        deps.contexts.invalidate()
    return changed


def sync_staff(deps: Adapters, page_size: int = MAX_PAGE) -> dict[str, int]:
    """Fill the `USER` partition from the user pool (paged ListUsers): what an existing deployment runs once
    (`make recount`) so its staff appear by name. `{users, changed}`; nothing to do on OIDC stages."""
    if not deps.settings.user_pool_id:
        return {"users": 0, "changed": 0}
    seen = changed = 0
    token: str | None = None
    while True:
        users, token = userpool.list_users(*_pool(deps), page_size, token)
        for user in users:
            seen += 1
            changed += record_staff(deps, _with_role(user))
        if not token:
            return {"users": seen, "changed": changed}
