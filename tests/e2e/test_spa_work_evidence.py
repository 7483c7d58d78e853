"""Attachments (材料) on the office's work records in the built SPA, headless Chromium against the local stack.

op1 opens an action item the leader gave them (R-WORK-02), attaches the deliverable in the item's drawer and finds it
listed; uh1 (海游街道) attaches its self-inspection summary while reporting on a notice and submits; the notice's
sender finds the file in the notice's tracking, by name, in the unit's row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    SHANGHAI,
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)
from tests.helpers.evidence import PDF


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_r_work_02_deliverable_attached_in_the_drawer_and_a_units_report_file_seen_by_the_sender(
    ui: Any, local_stack: LocalStack
) -> None:
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    title = f"回访数据分析 E2E {stamp}"
    body = {"title": title, "owner_id": "op1", "deadline": (_today() + timedelta(days=2)).isoformat()}
    action = api.call("POST", "/work/actions", "leader", body | {"deliverable": True})

    op = ui("op1")
    op.login("/home")
    op.goto("/work/actions")
    row = op.page.get_by_test_id("actions-table").locator("tr.el-table__row", has_text=title)
    row.get_by_test_id("action-open").click()
    drawer = op.page.get_by_test_id("action-drawer")
    expect(drawer.get_by_test_id("action-drawer-title")).to_have_text(title)
    card = drawer.get_by_test_id("action-evidence")
    expect(card).to_contain_text("成果材料")
    card.get_by_test_id("evidence-input").set_input_files(_pdf("回访分析报告.pdf"))
    expect(op.page.locator(".el-message--success")).to_contain_text("文件已上传并存档")
    expect(card.get_by_test_id("evidence-name")).to_have_text("回访分析报告.pdf")
    # the table fits the drawer: its right edge within the drawer's, nothing cut off
    table = card.get_by_test_id("evidence-list").bounding_box()
    panel = op.page.locator(".el-drawer").bounding_box()
    assert table and panel and table["x"] + table["width"] <= panel["x"] + panel["width"] + 1, (table, panel)
    op.shot("work-evidence-01-action-drawer")
    files = api.call("GET", f"/work/actions/{action['id']}/evidence", "leader")["items"]
    assert [f["filename"] for f in files] == ["回访分析报告.pdf"]

    notice_body = {
        "title": f"便民服务自查（材料）E2E {stamp}",
        "body": "请报送自查总结并附材料。",
        "unit_ids": ["U001"],
        "deadline": (_today() + timedelta(days=3)).isoformat(),
    }
    notice = api.call("POST", "/work/notices", "leader", notice_body)
    uh = ui("uh1")
    uh.login("/home")
    uh.goto("/work/notices")
    card = uh.page.get_by_test_id(f"notice-{notice['id']}")
    card.get_by_test_id("notice-report").click()
    uh.fill(uh.page, "notice-report-text", "自查总结：已整改窗口引导和回访不及时两项，详见附件。")
    sub = uh.page.get_by_test_id("submission-evidence")
    expect(sub).to_contain_text("本单位报送材料")
    sub.get_by_test_id("evidence-input").set_input_files(_pdf("自查总结.pdf"))
    expect(sub.get_by_test_id("evidence-name")).to_have_text("自查总结.pdf")
    uh.shot("work-evidence-02-unit-report")
    uh.page.get_by_test_id("notice-report-submit").click()
    expect(card.get_by_test_id("notice-unit-state")).to_have_text("已报送")
    expect(card.get_by_test_id("notice-unit-files-U001")).to_contain_text("自查总结.pdf")

    leader = ui("leader")
    leader.login("/queue")
    leader.goto("/work/notices")
    tracking = leader.page.get_by_test_id(f"notice-{notice['id']}")
    expect(tracking.get_by_test_id("notice-unit-state")).to_have_text("已报送")
    expect(tracking.get_by_test_id("notice-unit-files-U001")).to_contain_text("自查总结.pdf")
    leader.shot("work-evidence-03-sender-tracking")
    stored = api.call("GET", f"/work/notices/{notice['id']}", "leader")["units"]["U001"]["files"]
    assert [f["filename"] for f in stored] == ["自查总结.pdf"]
