"""R-12345-06 reply templates: admin-editable, versioned; replies checked against the template in force."""

from __future__ import annotations

from typing import Any

CALL = {"to_name": "周海", "to_phone": "13957600001"}
CATEGORY = "suggestion"


def test_r12345_06_admin_edits_a_template_and_replies_must_follow_the_new_version(api: Any, seeded: Any) -> None:
    base = api.get(f"/reply-templates/{CATEGORY}", user="uh1").json
    original = base["sections"]
    new_sections = original + [{"id": "measures", "title": "整改措施", "required": True, "guidance": "写明具体措施"}]
    try:
        assert api.post(f"/reply-templates/{CATEGORY}", {}, user="uh1").status_code == 404  # no POST: unknown route
        denied = api.client.http.put(
            f"/reply-templates/{CATEGORY}", headers=_h(api, "op1"), body=_j({"sections": new_sections})
        )
        assert denied.status_code == 403
        resp = api.client.http.put(
            f"/reply-templates/{CATEGORY}",
            headers=_h(api, "admin1"),
            body=_j({"sections": new_sections, "version": base["version"], "note": "增加整改措施"}),
        )
        assert resp.status_code == 200, resp.body
        saved = __import__("json").loads(resp.body)
        assert saved["version"] == base["version"] + 1 and saved["updated_by"] == "admin1"
        stale = api.client.http.put(
            f"/reply-templates/{CATEGORY}",
            headers=_h(api, "admin1"),
            body=_j({"sections": new_sections, "version": base["version"]}),
        )
        assert stale.status_code == 409
        # the template in force is what GET /reply-templates and the reply transition use
        listed = {t["category"]: t for t in api.get("/reply-templates", user="uh1").json["items"]}
        assert [s["id"] for s in listed[CATEGORY]["sections"]][-1] == "measures"
        tid = api.post(
            "/tickets", {"category": CATEGORY, "title": "建议增设公交站", "content": "内容"}, user="op1"
        ).json["id"]
        assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
        assert api.post(f"/tickets/{tid}/sign", {}, user="uh1").status_code == 200
        old_reply = {s["id"]: "内容" for s in original}
        refused = api.post(f"/tickets/{tid}/reply", {"sections": old_reply}, user="uh1")
        assert refused.status_code == 422
        assert refused.json["details"]["missing_sections"] == ["measures"]
        assert "整改措施" in refused.json["message"]
        check = api.post(f"/reply-templates/{CATEGORY}/check", {"sections": old_reply}, user="uh1")
        assert check.status_code == 422 and check.json["details"]["missing_titles"] == ["整改措施"]
        ok = api.post(
            f"/reply-templates/{CATEGORY}/check", {"sections": dict(old_reply, measures="已增设")}, user="uh1"
        )
        assert ok.status_code == 200 and ok.json["version"] == saved["version"]
        assert (
            api.post(f"/tickets/{tid}/reply", {"sections": dict(old_reply, measures="已增设")}, user="uh1").status_code
            == 200
        )
        history = api.get(f"/reply-templates/{CATEGORY}/versions", user="admin1").json["items"]
        assert history[0]["version"] == 0 and history[-1]["version"] == saved["version"]
        assert history[-1]["note"] == "增加整改措施"
    finally:  # put the original sections back in force (as a new version) for the other tests
        current = api.get(f"/reply-templates/{CATEGORY}", user="admin1").json
        api.client.http.put(
            f"/reply-templates/{CATEGORY}",
            headers=_h(api, "admin1"),
            body=_j({"sections": original, "version": current["version"], "note": "恢复"}),
        )


def test_invalid_template_edits_are_422(api: Any, seeded: Any) -> None:
    for sections in (
        [],
        [{"id": "Bad Id", "title": "x"}],
        [{"id": "a", "title": "甲"}, {"id": "a", "title": "乙"}],
        [{"id": "a", "title": "甲", "required": False}],
    ):
        resp = api.client.http.put(
            "/reply-templates/praise", headers=_h(api, "admin1"), body=_j({"sections": sections})
        )
        assert resp.status_code == 422, sections
    assert api.get("/reply-templates/nonsense", user="admin1").status_code == 404


def _h(api: Any, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.tokens[user]}", "Content-Type": "application/json"}


def _j(body: Any) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)
