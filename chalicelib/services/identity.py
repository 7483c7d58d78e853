"""Login and sessions (R-SEC-04 … R-SEC-07): throttling and lockout, the per-user "revoked before" stamp,
logout, and the TOTP second step of a user-pool login.

Directory items (pk / sk):

- `LOGIN#FAIL#{username}` / `{window start}` — failed logins of one user in a fixed window (`n`, TTL)
- `LOGIN#IP#{ip}` / `{window start}` — failed logins from one address in a fixed window (`n`, TTL)
- `LOGIN#LOCK` / `{username}` — `{until}` while the user is locked out (TTL; an admin may end it: `unlock`)
- `LOGIN#PENDING` / `{session}` — a password step waiting for its TOTP code (sealed tokens, TTL 5 min)
- `AUTH#{user}` / `session` — `{revoked_before}`: tokens issued at or before it are refused (R-SEC-05)
- `AUTH#{user}` / `mfa` — the user's TOTP secret, sealed (R-SEC-06)

Every success, failure, lockout and logout is written by `privacy.log_access`, an MFA reset and an unlock by
`privacy.log_change` (the one security log), with the client address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import BadRequest, Conflict, RateLimited, Unauthenticated, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.domain.windows import window
from chalicelib.integrations import crypto
from chalicelib.services import privacy
from chalicelib.storage.table import Absent, Equals, Item

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

LOCK_PK = "LOGIN#LOCK"
PENDING_PK = "LOGIN#PENDING"
PENDING_TTL_S = 300
PENDING_ATTEMPTS = 5
MAX_USERNAME = 128
ISSUER_NAME = "12345热线工单平台"


def _user_key(username: str) -> str:
    return username.strip().lower()[:MAX_USERNAME]


def _anonymous(username: str) -> Actor:
    """The log's actor of an attempt whose identity is not (yet) established."""
    return Actor(user_id=_user_key(username) or "-", role=Role.SYSTEM, name="")


# ---------------------------------------------------------------- throttling and lockout (R-SEC-04)


def check_allowed(deps: Adapters, username: str, ip: str, now: datetime) -> None:
    """Before any password is checked: 429 while the address has too many failures or the user is locked."""
    s = deps.settings
    start, ts = window(now, s.login_failure_window_s)
    if _ip_failures(deps, ip, start, ts, s.login_failure_window_s) >= s.login_ip_max_failures:
        raise RateLimited(
            "该地址登录失败次数过多，请稍后再试", retry_after=start + s.login_failure_window_s - ts, scope="ip"
        )
    lock = deps.directory.get_item(LOCK_PK, _user_key(username))
    if lock is not None and float(lock.get("until", 0)) > now.timestamp():
        wait = int(float(lock["until"]) - now.timestamp()) + 1
        minutes = max(1, (wait + 59) // 60)
        raise RateLimited(f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试", retry_after=wait, scope="user")


def _ip_failures(deps: Adapters, ip: str, start: int, ts: int, size: int) -> int:
    """An address's failures over the last window, sliding: this window's count plus the previous window's
    weighted by how much of it still lies within the last `size` seconds, rounded up (no fresh allowance at a
    boundary)."""
    current = deps.table.get(f"LOGIN#IP#{ip}", str(start))
    previous = deps.table.get(f"LOGIN#IP#{ip}", str(start - size))
    left = 1.0 - (ts - start) / size
    return math.ceil(int((current.n if current else 0) or 0) + left * int((previous.n if previous else 0) or 0))


def record_failure(deps: Adapters, username: str, ip: str, now: datetime, reason: str) -> None:
    """Count one failed login for the user and the address; lock the user at the limit (logged)."""
    s = deps.settings
    start, _ = window(now, s.login_failure_window_s)
    expires = start + s.login_failure_window_s + 60
    key = _user_key(username)
    # an address's count is read for one more window (sliding, `_ip_failures`)
    deps.table.add(f"LOGIN#IP#{ip}", str(start), 1, expires_at=expires + s.login_failure_window_s)
    n = deps.table.add(f"LOGIN#FAIL#{key}", str(start), 1, expires_at=expires) or 0
    actor = _anonymous(username)
    privacy.log_access(deps, "login_failed", actor, now, ip=ip, reason=reason, failures=n)
    if n == s.login_max_failures:
        until = now.timestamp() + s.login_lock_s
        deps.directory.put_item(LOCK_PK, key, {"until": until, "at": now.isoformat()}, expires_at=int(until) + 60)
        privacy.log_access(deps, "lockout", actor, now, ip=ip, failures=n, lock_seconds=s.login_lock_s)


def locked_until(deps: Adapters, usernames: list[str], now: datetime) -> dict[str, str]:
    """When each locked user among `usernames` (one page of the admin's list at most) is unlocked (ISO, UTC),
    by the name as given: one GetItem per user (the `LOGIN#LOCK` partition may hold locks of names that are
    no user, so it is not read whole). Expired locks count as none."""
    found: dict[str, str] = {}
    for name in usernames:
        lock = deps.directory.get_item(LOCK_PK, _user_key(name))
        if lock is not None and float(lock.get("until", 0)) > now.timestamp():
            found[name] = datetime.fromtimestamp(float(lock["until"]), UTC).isoformat()
    return found


def unlock(deps: Adapters, actor: Actor, username: str, now: datetime) -> None:
    """Admin: end a user's lockout before its time (R-SEC-04) and forget the window's failures, so the next
    failures count from zero and lock again at the limit (a logged change); 409 when the user is not locked."""
    key = _user_key(username)
    until = locked_until(deps, [username], now).get(username)
    if until is None:
        raise Conflict("该账号未被锁定", username=username)
    deps.directory.delete(LOCK_PK, key)
    start, _ = window(now, deps.settings.login_failure_window_s)
    deps.table.delete(f"LOGIN#FAIL#{key}", str(start))
    before, after = {"locked_until": until}, {"locked_until": None}
    privacy.log_change(deps, "account_unlocked", actor, now, target=username, before=before, after=after)


def clear_failures(deps: Adapters, username: str, now: datetime) -> None:
    """A successful login forgets the user's failures of this window."""
    start, _ = window(now, deps.settings.login_failure_window_s)
    deps.table.delete(f"LOGIN#FAIL#{_user_key(username)}", str(start))


# ---------------------------------------------------------------- the revocation stamp (R-SEC-05)


def revoke(deps: Adapters, user_id: str, now: datetime) -> None:
    """Every token of the user issued up to now stops working at its next request (the admitted ones too)."""
    deps.directory.put_item(f"AUTH#{user_id}", "session", {"revoked_before": now.timestamp(), "at": now.isoformat()})


ADMIT_ATTEMPTS = 8


def admit(deps: Adapters, user_id: str, claims: dict[str, Any], now: datetime) -> None:
    """Record a user-pool ID token handed out after its TOTP step (R-SEC-06): only admitted tokens (by `jti`)
    are accepted, so a token fetched from the pool directly, without the second factor, is not. The list is
    pruned of expired tokens at every login; two logins of one user at once both stay admitted."""
    key, ts = f"AUTH#{user_id}", now.timestamp()
    for _ in range(ADMIT_ATTEMPTS):  # logins of one user at once: each write is conditional on what it read
        stored = deps.table.get(key, "session")
        item = stored.data if stored else {}
        admitted = {j: exp for j, exp in (item.get("admitted") or {}).items() if float(exp) > ts}
        admitted[str(claims.get("jti"))] = float(claims.get("exp") or ts + 3600)
        cond = Absent() if stored is None else Equals("data", item)
        if deps.table.put(Item(key, "session", dict(item, admitted=admitted)), cond):
            return
    raise Conflict("同时登录的请求过多，请重新登录", user_id=user_id)


def _pool_token(claims: dict[str, Any]) -> bool:
    return "cognito:username" in claims


def check_session(deps: Adapters, user_id: str, claims: dict[str, Any]) -> None:
    """401 when the token was issued at or before the user's revocation stamp (disable, role change, logout),
    or is a user-pool token that did not pass the TOTP step of `/auth/mfa` (R-SEC-06)."""
    stamp = deps.directory.get_item(f"AUTH#{user_id}", "session") or {}
    issued = claims.get("iat") or claims.get("auth_time") or 0
    if "revoked_before" in stamp and float(issued) <= float(stamp["revoked_before"]):
        raise Unauthenticated("登录已失效，请重新登录", reason="revoked")
    if (
        deps.settings.mfa_required
        and _pool_token(claims)
        and str(claims.get("jti")) not in (stamp.get("admitted") or {})
    ):
        raise Unauthenticated("未完成动态验证码验证，请重新登录", reason="mfa")


def logout(deps: Adapters, actor: Actor, ip: str, now: datetime) -> None:
    """End the caller's sessions: the stamp refuses every token issued so far (logged)."""
    revoke(deps, actor.user_id, now)
    privacy.log_access(deps, "logout", actor, now, ip=ip)


# ---------------------------------------------------------------- TOTP (R-SEC-06)


def demo_secret(username: str) -> str:
    """The deterministic TOTP secret of a demo user (local stacks and tests only; `make totp USER=…`)."""
    digest = hmac.new(b"hotline-demo-totp", _user_key(username).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:32]


def _mfa_aad(deps: Adapters, user_id: str) -> str:
    return crypto.aad(deps.settings.directory_table, f"AUTH#{user_id}/mfa", "secret")


def enrolled_secret(deps: Adapters, user_id: str) -> str | None:
    """The user's TOTP secret, or None when the user has not enrolled (or MFA was reset)."""
    item = deps.directory.get_item(f"AUTH#{user_id}", "mfa")
    if not item or not item.get("secret_enc"):
        return None
    return str(deps.envelope.decrypt(item["secret_enc"], _mfa_aad(deps, user_id))["secret"])


def enrol(deps: Adapters, user_id: str, secret: str, now: datetime) -> None:
    """Store the user's TOTP secret (sealed)."""
    sealed = deps.envelope.encrypt({"secret": secret}, _mfa_aad(deps, user_id))
    deps.directory.put_item(f"AUTH#{user_id}", "mfa", {"secret_enc": sealed, "enrolled_at": now.isoformat()})


def reset_mfa(deps: Adapters, actor: Actor, username: str, now: datetime) -> None:
    """Admin: forget the user's authenticator (next login enrols a new one) and end its sessions (logged)."""
    stored = deps.directory.get_item(f"AUTH#{username}", "mfa") or {}
    before = {"authenticator": "enrolled" if stored.get("secret_enc") else "none"}
    deps.directory.put_item(f"AUTH#{username}", "mfa", {"reset_by": actor.user_id, "reset_at": now.isoformat()})
    revoke(deps, username, now)
    privacy.log_change(deps, "mfa_reset", actor, now, target=username, before=before, after={"authenticator": "none"})


def _code_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second time step the code belongs to (this one or a neighbour, for clock drift), or None."""
    import pyotp  # only a login's second step needs it

    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for offset in (0, -1, 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _code_ok(deps: Adapters, user_id: str, secret: str, code: str, now: datetime) -> bool:
    """A right code, used for the first time: each code logs in once (a seen code is a replay)."""
    step = _code_step(secret, code, now)
    if step is None:
        return False
    if not deps.settings.totp_single_use:
        return True
    used = Item(f"AUTH#{user_id}", f"totp#{step}", {"at": now.isoformat()}, expires_at=int(now.timestamp()) + 300)
    return deps.table.put(used, Absent())


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    import pyotp

    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER_NAME))


def qr_svg(uri: str) -> str:
    """The URI as a QR code: an SVG data URI the SPA shows as an image."""
    import segno  # only an enrolment needs it

    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def _pending_aad(deps: Adapters, session: str) -> str:
    return crypto.aad(deps.settings.directory_table, f"{PENDING_PK}/{session}", "tokens")


def start_second_step(
    deps: Adapters, username: str, user_id: str, tokens: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """After a correct password: hold the tokens (sealed) and ask for the TOTP code, or for enrolment first."""
    secret = enrolled_secret(deps, user_id)
    setup = secret is None
    if setup:
        import pyotp

        secret = pyotp.random_base32()
    session = secrets.token_urlsafe(24)
    held = {"tokens": tokens, "secret": secret}
    sealed = deps.envelope.encrypt(held, _pending_aad(deps, session))
    data = {"username": username, "user_id": user_id, "setup": setup, "sealed": sealed, "attempts": 0}
    deps.directory.put_item(PENDING_PK, session, data, expires_at=int(now.timestamp()) + PENDING_TTL_S)
    answer: dict[str, Any] = {"challenge": "TOTP_SETUP" if setup else "TOTP", "session": session}
    if setup:
        uri = provisioning_uri(str(secret), user_id)
        answer.update(otpauth_uri=uri, qr_svg=qr_svg(uri), secret=secret)
    return answer


def finish_second_step(deps: Adapters, session: str, code: str, ip: str, now: datetime) -> tuple[dict[str, Any], str]:
    """The TOTP code of a pending login → (tokens, user id); a wrong code counts as a failed login."""
    if not isinstance(session, str) or not 8 <= len(session) <= 64:
        raise ValidationError({"session": "登录会话无效"})
    if not isinstance(code, str) or not code.isdigit() or len(code) != 6:
        raise ValidationError({"code": "须为6位数字动态验证码"})
    item = deps.directory.get_item(PENDING_PK, session)
    expired = Unauthenticated("登录会话已过期，请重新输入用户名和密码", reason="mfa_session")
    if not item:
        raise expired
    username = str(item["username"])
    check_allowed(deps, username, ip, now)
    held = deps.envelope.decrypt(item["sealed"], _pending_aad(deps, session))
    if not _code_ok(deps, str(item["user_id"]), str(held["secret"]), code, now):
        attempts = int(item.get("attempts", 0)) + 1
        if attempts >= PENDING_ATTEMPTS:
            deps.table.delete(PENDING_PK, session)
        else:
            deps.directory.put_item(
                PENDING_PK, session, dict(item, attempts=attempts), expires_at=int(now.timestamp()) + PENDING_TTL_S
            )
        record_failure(deps, username, ip, now, "totp")
        raise Unauthenticated("动态验证码错误", reason="totp")
    deps.table.delete(PENDING_PK, session)
    if item.get("setup"):
        enrol(deps, str(item["user_id"]), str(held["secret"]), now)
    return dict(held["tokens"]), username


def login_succeeded(deps: Adapters, actor: Actor, username: str, ip: str, now: datetime, mfa: str) -> None:
    """Forget the failures and log the login."""
    clear_failures(deps, username, now)
    privacy.log_access(deps, "login", actor, now, ip=ip, mfa=mfa)


def client_ip(context: dict[str, Any] | None) -> str:
    """The caller's address as API Gateway saw it (never a client-supplied header)."""
    identity = (context or {}).get("identity") or {}
    ip = str(identity.get("sourceIp") or "unknown")
    if len(ip) > 64:
        raise BadRequest("客户端地址无效")
    return ip
