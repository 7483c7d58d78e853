"""The test session's demo units and users (password `Test#Pass2026`)."""

from __future__ import annotations

from typing import Any

USERS: dict[str, tuple[str, str | None, str]] = {
    # username: (role, unit, display name)
    "op1": ("operator", None, "王敏"),
    "op2": ("operator", None, "李强"),
    "analyst1": ("analyst", None, "赵静"),
    "leader1": ("leader", None, "陈建国"),
    "uh1": ("unit_handler", "U001", "周海"),
    "uh2": ("unit_handler", "U002", "吴芳"),
    "records1": ("records", None, "郑洁"),
    "admin1": ("admin", None, "孙伟"),
    "op3": ("operator", None, "刘洋"),  # hand-over tests (R-12345-03): an owner and a delegate of their own
    "op4": ("operator", None, "黄磊"),
    "auditor1": ("auditor", None, "钱明"),
}
PASSWORD = "Test#Pass2026"
UNITS: dict[str, dict[str, Any]] = {
    "U001": {
        "name": "海游街道办事处",
        "kind": "township",
        "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}],
    },
    "U002": {
        "name": "县住房和城乡建设局",
        "kind": "bureau",
        "contacts": [{"name": "吴芳", "phone": "13957600002", "role": "handler"}],
    },
    "U003": {
        "name": "县市场监督管理局",
        "kind": "bureau",
        "contacts": [{"name": "冯磊", "phone": "0576-83310003", "role": "handler"}],
    },
}


ENROLLED: dict[str, str] = {}  # secrets of the users `login` enrolled (everyone else: the demo secret)


def totp_now(username: str, secret: str | None = None) -> str:
    """The current TOTP code of a user enrolled with `secret` (default: the demo secret, R-SEC-06)."""
    import pyotp

    from chalicelib.services import identity

    return str(pyotp.TOTP(secret or identity.demo_secret(username)).now())


def login(api: Any, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    """`POST /auth/login` and, when challenged, `POST /auth/mfa` with the current code (enrolling a new
    authenticator when asked to): the answer of the last step."""
    first = api.post("/auth/login", {"username": username, "password": password, **extra})
    if first.status_code != 200 or "challenge" not in (first.json or {}):
        return first
    if first.json.get("secret"):  # enrolment: the authenticator app keeps the new secret
        ENROLLED[username] = first.json["secret"]
    code = totp_now(username, ENROLLED.get(username))
    return api.post("/auth/mfa", {"session": first.json["session"], "code": code})


def security_log(deps: Any, user: str, action: str) -> list[dict[str, Any]]:
    """The user's entries of one action in the security log (Directory copy, oldest first)."""
    entries = deps.directory.query_items(f"ACCESS-BY-USER#{user}", index=True)
    return [data for _, data in entries if data["action"] == action]
