"""R-SEC-02: every admin and configuration change is in the security log with before and after,
written once (Object-Lock) and never with a secret."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.helpers.archive import bucket, s3


def _changes(api: Any, action: str, **params: str) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in {"kind": "change", "action": action, **params}.items())
    resp = api.get(f"/security-log?{query}", user="auditor1")
    assert resp.status_code == 200, resp.json
    return list(resp.json["items"])


def test_r_sec_02_unit_changes_are_logged_with_before_and_after(api: Any, seeded: Any) -> None:
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    contacts = [{"name": "钱进", "phone": "13957600066", "role": "handler"}]
    unit = {"id": unit_id, "name": "县审计测试局", "kind": "bureau", "active": True, "contacts": contacts}
    assert api.post("/admin/units", unit, user="admin1").status_code == 201
    assert api.put(f"/admin/units/{unit_id}", dict(unit, name="县审计测试二局"), user="admin1").status_code == 200
    assert api.post(f"/admin/units/{unit_id}/deactivate", user="admin1").status_code == 200
    [created] = [e for e in _changes(api, "unit_created", actor="admin1") if e["target"] == unit_id]
    assert "before" not in created
    assert created["after"]["name"] == "县审计测试局" and created["role"] == "admin"
    [updated] = [e for e in _changes(api, "unit_updated") if e["target"] == unit_id]
    assert updated["before"]["name"] == "县审计测试局" and updated["after"]["name"] == "县审计测试二局"
    [off] = [e for e in _changes(api, "unit_deactivated") if e["target"] == unit_id]
    assert off["before"]["active"] is True and off["after"]["active"] is False
    # a refused change leaves no entry
    assert api.put(f"/admin/units/{unit_id}", {"name": ""}, user="admin1").status_code == 422
    assert len([e for e in _changes(api, "unit_updated") if e["target"] == unit_id]) == 1


def test_r_sec_02_partner_keys_are_logged_without_secrets_and_the_copy_is_write_once(
    api: Any, deps: Any, seeded: Any
) -> None:
    pid = "pa" + uuid.uuid4().hex[:6]
    created = api.post("/admin/partners", {"partner_id": pid, "name": "审计平台"}, user="admin1")
    assert created.status_code == 201, created.json
    first = created.json["keys"][0]
    rotated = api.post(f"/admin/partners/{pid}/keys", {"grace_hours": 0}, user="admin1").json
    revoke = api.post(f"/admin/partners/{pid}/keys/{first['key_id']}/revoke", user="admin1")
    assert revoke.status_code == 200
    issued = [e for e in _changes(api, "partner_key_issued") if e["target"] == pid]
    assert {e["after"]["key_id"] for e in issued} == {first["key_id"], rotated["key_id"]}
    [revoked] = [e for e in _changes(api, "partner_key_revoked") if e["target"] == pid]
    assert revoked["before"]["status"] == "active" and revoked["after"]["status"] == "revoked"
    assert [e for e in _changes(api, "partner_created") if e["target"] == pid]
    shown = json.dumps(issued + [revoked], ensure_ascii=False)
    for secret in (first["secret"], first["api_key"], rotated["secret"], rotated["api_key"]):
        assert secret not in shown
    key = issued[0]["record"]
    copy = s3(deps).get_object(Bucket=bucket(deps), Key=key)
    assert first["secret"] not in copy["Body"].read().decode()
    head = s3(deps).head_object(Bucket=bucket(deps), Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(ClientError):
        s3(deps).delete_object(Bucket=bucket(deps), Key=key, VersionId=head["VersionId"])


def test_r_sec_02_user_changes_and_enable_disable_are_logged(api: Any, seeded: Any) -> None:
    username = "aud" + uuid.uuid4().hex[:6]
    body = {"username": username, "name": "孔明", "role": "analyst", "password": "Audit#Pass2026x"}
    assert api.post("/admin/users", body, user="admin1").status_code == 201
    assert api.put(f"/admin/users/{username}", {"role": "leader"}, user="admin1").status_code == 200
    assert api.post(f"/admin/users/{username}/disable", user="admin1").status_code == 200
    assert api.post(f"/admin/users/{username}/enable", user="admin1").status_code == 200
    [created] = [e for e in _changes(api, "user_created") if e["target"] == username]
    assert created["after"]["role"] == "analyst" and "Audit#Pass2026x" not in json.dumps(created)
    [role] = [e for e in _changes(api, "user_updated") if e["target"] == username]
    assert (role["before"]["role"], role["after"]["role"]) == ("analyst", "leader")
    [off] = [e for e in _changes(api, "user_disabled") if e["target"] == username]
    assert (off["before"]["enabled"], off["after"]["enabled"]) == (True, False)
    assert [e for e in _changes(api, "user_enabled") if e["target"] == username]


def test_r_sec_02_configuration_changes_are_logged(api: Any, seeded: Any) -> None:
    year = 2043  # a calendar year no other test touches
    put = api.put(f"/admin/calendar/{year}/days", {"holidays": [f"{year}-03-02"]}, user="admin1")
    assert put.status_code == 200, put.json
    [cal] = [e for e in _changes(api, "calendar_changed") if e.get("target") == str(year)]
    assert cal["after"] == {f"{year}-03-02": False} and cal["before"] == {f"{year}-03-02": None}
    roster = {
        "entries": [{"date": f"{year}-03-03", "shift": "day", "user_id": "op1", "name": "王敏", "phone": "13957600009"}]
    }
    assert api.put("/admin/duty/roster", roster, user="admin1").status_code == 200
    duty = _changes(api, "duty_roster_changed", actor="admin1")
    assert any(e["after"][0]["date"] == f"{year}-03-03" for e in duty)
    month = "2026-10"
    assert api.post("/admin/recount", {"month": month, "dry_run": True}, user="admin1").status_code == 200
    runs = [e for e in _changes(api, "recount_run") if e["target"] == month]
    assert runs and runs[0]["before"] == {"repair": False}


def test_r_sec_02_duty_fallback_number_and_authenticator_reset_are_logged(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import identity
    from tests.helpers.settings import restore_settings, snapshot_settings

    saved = snapshot_settings(deps)
    try:
        body = {"name": "审计测试总机", "phone": "13957600088"}
        assert api.put("/admin/duty/fallback", body, user="admin1").status_code == 200
        assert api.put("/admin/duty/fallback", {"phone": "6001"}, user="admin1").status_code == 422
        [entry] = [e for e in _changes(api, "duty_fallback_changed", actor="admin1") if e["after"] == body]
        assert entry["kind"] == "change" and entry["role"] == "admin"
    finally:
        restore_settings(deps, saved)
    person = f"mfa{uuid.uuid4().hex[:6]}"
    user = {"username": person, "name": "验证器测试", "role": "operator", "password": "Mfa#Reset2026"}
    assert api.post("/admin/users", user, user="admin1").status_code == 201
    identity.enrol(deps, person, identity.demo_secret(person), deps.clock())
    assert api.post(f"/admin/users/{person}/mfa-reset", user="admin1").status_code == 200
    [reset] = [e for e in _changes(api, "mfa_reset", actor="admin1") if e["target"] == person]
    assert reset["before"] == {"authenticator": "enrolled"} and reset["after"] == {"authenticator": "none"}


def test_r_sec_02_a_change_of_the_time_limits_is_logged_with_both_versions(api: Any, deps: Any, seeded: Any) -> None:
    from tests.helpers.settings import restore_settings, snapshot_settings

    saved = snapshot_settings(deps)
    try:
        current = api.get("/admin/limits", user="admin1").json["items"]
        latest = next(i["latest"] for i in current if i["hotline"] == "12345")
        refused = api.put("/admin/limits/12345", {"days": {"praise": 0}, "version": latest["version"]}, user="admin1")
        assert refused.status_code == 422
        body = {"days": {"praise": 9}, "version": latest["version"], "note": "审计测试"}
        saved_version = api.put("/admin/limits/12345", body, user="admin1")
        assert saved_version.status_code == 200, saved_version.json
        [entry] = [e for e in _changes(api, "limits_changed", actor="admin1") if e["after"]["note"] == "审计测试"]
        assert entry["target"] == "12345" and entry["before"]["version"] == latest["version"]
        assert entry["after"]["days"]["praise"] == 9 and entry["after"]["version"] == latest["version"] + 1
    finally:
        restore_settings(deps, saved)
