"""The one label catalogue: every code a user can meet, in Chinese (zh-CN) and English (en-US).

Used by the printed archive record, reports, SMS, Open311 and exported to the SPA's locales
(`frontend/src/locales/catalogue.json`, written by `python -m chalicelib.documents.labels`; a test
fails when the exported file and this catalogue differ). No code, enum value or rule id is shown to
a user: a code missing here is shown as 「其他」/"Other", never as itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

Lang = Literal["zh-CN", "en-US"]
LANGS: Final[tuple[Lang, ...]] = ("zh-CN", "en-US")
UNKNOWN: Final[Mapping[Lang, str]] = {"zh-CN": "其他", "en-US": "Other"}

# kind → code → (zh-CN, en-US)
CATALOGUE: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "role": {
        "operator": ("业务科经办人", "Operator"),
        "analyst": ("综合科", "Analyst"),
        "leader": ("分管领导", "Leader"),
        "unit_handler": ("承办单位经办人", "Unit handler"),
        "records": ("资料管理", "Records"),
        "admin": ("系统管理员", "Administrator"),
        "partner": ("合作平台", "Partner platform"),
        "system": ("系统", "System"),
    },
    "status": {
        "received": ("待派单", "To dispatch"),
        "dispatched": ("待签收", "To sign"),
        "handling": ("办理中", "Handling"),
        "replied": ("待审核", "To review"),
        "reviewed": ("待回访", "To call back"),
        "called_back": ("待提交", "To submit"),
        "submitted": ("已提交市审核组", "Submitted to city"),
        "closed": ("办结归档", "Closed"),
        "returned": ("被退单", "Returned"),
        "extension_requested": ("延期待审批", "Extension requested"),
        "accepted": ("待转送", "To forward"),
        "awaiting_signoff": ("待签发", "Awaiting sign-off"),
    },
    # the same states as a 12369 report's stages (R-12369-02…06)
    "env_status": {
        "received": ("待受理", "To decide"),
        "accepted": ("待转送", "To forward"),
        "dispatched": ("待签收", "To sign"),
        "handling": ("办理中", "Handling"),
        "returned": ("被退回", "Returned"),
        "extension_requested": ("延期待审批", "Extension requested"),
        "awaiting_signoff": ("待签发", "Awaiting sign-off"),
        "closed": ("已办结", "Closed"),
    },
    "env_decision": {
        "accept": ("受理", "Accept"),
        "not_accepted": ("不予受理", "Not accepted"),
        "refer": ("移送有权机关", "Refer"),
    },
    "env_reason": {
        "not_in_scope": ("不属于环保职责", "Not within environmental remit"),
        "in_legal_procedure": ("已进入法定程序", "In legal procedure"),
        "duplicate": ("重复举报", "Duplicate report"),
        "same_facts_reviewed": ("同一事实已处理", "Same facts already handled"),
    },
    "supervision_trigger": {
        "not_carried_out": ("处理决定未落实", "Decision not carried out"),
        "new_facts": ("举报人提出新的事实", "New facts from the reporter"),
        "late": ("逾期转送或报送", "Late forwarding or reporting"),
        "leader_instruction": ("领导批示", "Leader's instruction"),
    },
    "result_section": {
        "matter": ("举报事项", "Matter"),
        "investigation": ("调查核实情况", "Investigation"),
        "decision": ("处理意见", "Decision"),
        "reply": ("答复意见", "Reply"),
    },
    "category": {
        "consult": ("咨询", "Consultation"),
        "help": ("求助", "Help"),
        "complaint": ("投诉", "Complaint"),
        "report": ("举报", "Report"),
        "suggestion": ("建议", "Suggestion"),
        "praise": ("表扬", "Praise"),
    },
    "channel": {
        "phone": ("电话", "Phone"),
        "web": ("网站", "Web"),
        "app": ("App", "App"),
        "wechat": ("微信", "WeChat"),
        "letter": ("来信", "Letter"),
        "city": ("市平台", "City platform"),
    },
    "hotline": {
        "12345": ("12345便民服务热线", "12345 citizen service hotline"),
        "12369": ("12369环保举报热线", "12369 environmental complaint line"),
    },
    "flag": {
        "overdue": ("逾期", "Overdue"),
        "dispatch_overdue": ("派单超时", "Dispatch overdue"),
        "difficult": ("疑难", "Difficult"),
        "supervised": ("督办", "Supervised"),
        "typical": ("典型", "Typical"),
        "urgent": ("紧急", "Urgent"),
        "confidential": ("保密", "Confidential"),
    },
    "verb": {
        "dispatch": ("派单", "Dispatch"),
        "sign": ("签收", "Sign"),
        "return": ("退单", "Return"),
        "transfer": ("转办", "Transfer"),
        "request-extension": ("申请延期", "Request extension"),
        "decide-extension": ("审批延期", "Decide extension"),
        "reply": ("答复", "Reply"),
        "review": ("审核答复", "Review"),
        "callback": ("回访", "Call back"),
        "submit": ("提交市审核组", "Submit to city"),
        "close": ("办结归档", "Close"),
        "city-reject": ("市审核退回", "City rejected"),
        "reassign": ("重新交办", "Reassign"),
        "flag-difficult": ("标记疑难", "Flag difficult"),
        "leader-decision": ("领导决定", "Leader decision"),
        "flag-supervised": ("督办", "Supervise"),
        "mark-typical": ("标记典型", "Mark typical"),
        "record-call": ("记录通话", "Record call"),
        "decide": ("受理决定", "Decide acceptance"),
        "forward": ("转送", "Forward"),
        "report": ("报送办理结果", "Report result"),
        "sign-off": ("签发", "Sign off"),
        "send-back": ("退回重办", "Send back"),
        "supervise": ("督办", "Supervise"),
        "answer-supervision": ("回复督办", "Answer supervision"),
        "spot-check": ("抽查回访", "Spot check"),
        "unmark-typical": ("取消典型", "Remove typical mark"),
    },
    "event": {
        "received": ("受理登记", "Received"),
        "dispatched": ("派单", "Dispatched"),
        "signed": ("签收", "Signed"),
        "returned": ("退单", "Returned"),
        "transferred": ("转办", "Transferred"),
        "extension_requested": ("申请延期", "Extension requested"),
        "extension_decided": ("延期审批", "Extension decided"),
        "replied": ("答复", "Replied"),
        "review_rejected": ("审核退回重办", "Reply rejected (redo)"),
        "reviewed": ("审核通过", "Reply approved"),
        "called_back": ("回访", "Called back"),
        "submitted": ("提交市审核组", "Submitted to city"),
        "city_rejected": ("市审核组退回", "Rejected by city"),
        "closed": ("办结归档", "Closed"),
        "reassigned": ("重新交办", "Reassigned"),
        "flagged_difficult": ("标记疑难", "Flagged difficult"),
        "leader_decided": ("领导决定", "Leader decided"),
        "flagged_supervised": ("督办", "Supervised"),
        "marked_typical": ("标记典型", "Marked typical"),
        "call_recorded": ("通话记录", "Call recorded"),
        "deadline_recomputed": ("期限重算", "Deadline recomputed"),
        "dispatch_warned": ("派单期限预警", "Dispatch deadline warning"),
        "marked_dispatch_overdue": ("派单超时", "Dispatch overdue"),
        "reminder_due": ("到期前提醒", "Reminder before due"),
        "marked_overdue": ("标记逾期", "Marked overdue"),
        "submit_reminder_due": ("反馈市审核组到期提醒", "Reminder to submit before due"),
        "transfer_warned": ("转办期限预警", "Transfer deadline warning"),
        "marked_transfer_overdue": ("转办超时", "Transfer overdue"),
        "review_warned": ("审核期限预警", "Review deadline warning"),
        "marked_review_overdue": ("审核超时", "Review overdue"),
        "instruction_recorded": ("领导批示", "Leader instruction"),
        "instruction_chased": ("批示催办", "Instruction chased"),
        "instruction_answered": ("批示回复", "Instruction answered"),
        "decided": ("受理决定", "Acceptance decided"),
        "forwarded": ("转送", "Forwarded"),
        "result_reported": ("报送办理结果", "Result reported"),
        "signed_off": ("签发", "Signed off"),
        "sent_back": ("退回重办", "Sent back"),
        "supervision_opened": ("督办", "Supervision opened"),
        "supervision_answered": ("督办回复", "Supervision answered"),
        "spot_checked": ("抽查回访", "Spot-checked"),
        "spot_sampled": ("列入抽查", "Sampled for a spot check"),
        "env_decision_overdue": ("受理决定逾期", "Decision overdue"),
        "env_forward_overdue": ("转送逾期", "Forwarding overdue"),
        "env_finish_overdue": ("办结逾期", "Result overdue"),
        "env_supervision_overdue": ("督办回复逾期", "Supervision answer overdue"),
        "emergency_flagged": ("标记突发事件", "Flagged as emergency"),
        "emergency_escalated": ("报告值班领导（突发事件）", "Emergency escalated to the leader on duty"),
        "emergency_acknowledged": ("领导确认突发事件", "Emergency acknowledged"),
        "unmarked_typical": ("取消典型标记", "Typical mark removed"),
    },
    "field": {
        "within_12h": ("12小时内派单", "Within 12 h"),
        "source": ("来源", "Source"),
        "external_id": ("市平台编号", "City number"),
        "channel": ("渠道", "Channel"),
        "call": ("电话通知", "Phone call"),
        "unit_id": ("承办单位", "Unit"),
        "from_unit_id": ("原承办单位", "Previous unit"),
        "co_unit_ids": ("协办单位", "Co-units"),
        "co_calls": ("电话通知协办单位", "Co-unit phone calls"),
        "stage": ("逾期时办理环节", "Stage when overdue"),
        "difficult_candidate": ("列入疑难候选", "Difficult candidate"),
        "other_unit": ("转其他单位", "To another unit"),
        "good_reason": ("退单理由成立", "Return justified"),
        "reason": ("原因", "Reason"),
        "note": ("备注", "Note"),
        "approve": ("同意", "Approved"),
        "handle_due": ("办理期限", "Due"),
        "dispatch_due": ("派单期限", "Dispatch due"),
        "previous_due": ("原期限", "Previous due"),
        "new_due": ("新期限", "New due"),
        "requested_due": ("申请延期至", "Requested due"),
        "sections": ("答复章节", "Reply sections"),
        "informed": ("已告知结果及依据", "Caller informed"),
        "truthful": ("答复属实", "Reply truthful"),
        "misconduct": ("存在不当行为", "Misconduct"),
        "misconduct_note": ("不当行为说明", "Misconduct note"),
        "satisfaction": ("满意度", "Satisfaction"),
        "decision": ("决定", "Decision"),
        "on_time": ("按期提交", "On time"),
        "kind": ("通话类型", "Call kind"),
        "to_name": ("通话对象", "Called"),
        "to_phone": ("电话", "Phone"),
        "outcome": ("结果", "Outcome"),
        "false_reply": ("虚假答复", "False reply"),
        "city_due": ("市平台期限", "City due"),
        "instruction_id": ("批示编号", "Instruction number"),
        "text": ("内容", "Text"),
        "answer": ("回复", "Answer"),
        "late": ("超期发现", "Found late"),
        "requested_due_provisional": ("期限暂定", "Provisional due"),
        "requested_by": ("申请人", "Requested by"),
        "requested_at": ("申请时间", "Requested at"),
        "decided_by": ("决定人", "Decided by"),
        "decided_at": ("决定时间", "Decided at"),
        "by": ("经办人", "By"),
        "at": ("时间", "At"),
        "to": ("交办对象", "Forwarded to"),
        "leader": ("批示领导", "Leader"),
        "due": ("期限", "Due"),
        "status": ("状态", "Status"),
        "chases": ("催办次数", "Chases"),
        "announce": ("是否通知", "Announced"),
        "alert": ("预警", "Alert"),
        "days": ("延期天数", "Days"),
        "explanation": ("情况说明", "Explanation"),
        "consultation": ("协商情况", "Consultation"),
        "trigger": ("督办事由", "Trigger"),
        "notice": ("告知内容", "Notice"),
        "authority": ("有权处理机关", "Competent authority"),
        "duplicate_of": ("原举报件编号", "Original report"),
        "reason_code": ("不予受理理由", "Reason"),
        "carried_out": ("处理决定已落实", "Decision carried out"),
        "new_facts": ("新的事实", "New facts"),
        "supervision": ("督办", "Supervision"),
        "hotline": ("热线", "Hotline"),
        "key": ("预警编号", "Alert key"),
        "deadline": ("期限", "Deadline"),
        "due_at": ("预警时间", "Alert time"),
        "owner_id": ("负责人", "Owner"),
        "seed": ("随机种子", "Seed"),
        "month": ("月份", "Month"),
        "emergency": ("突发事件", "Emergency"),
        "escalation": ("报告次数", "Escalation"),
        "escalations": ("已报告次数", "Escalations"),
        "duty_leader": ("值班领导", "Leader on duty"),
        "flagged_at": ("标记时间", "Flagged at"),
        "keywords": ("命中关键词", "Keywords matched"),
        "acknowledged_at": ("确认时间", "Acknowledged at"),
        "acknowledged_by": ("确认人", "Acknowledged by"),
        "last_escalated_at": ("最近报告时间", "Last escalated at"),
        "by_keyword": ("关键词规则触发", "Set by keyword rule"),
        "acknowledge_note": ("确认意见", "Acknowledgement note"),
    },
    "alert_kind": {  # the deadline alert a sweep event answers (domain/sweep.EVENT_OF, domain/emergency.KIND)
        "dispatch_warning": ("派单即将超时（12小时内）", "Dispatch due within 2 hours"),
        "dispatch_overdue": ("派单超时（超过12小时）", "Dispatch overdue (12 hours)"),
        "handle_reminder": ("到期前一工作日提醒承办单位", "Reminder to the unit, the working day before due"),
        "submit_reminder": ("到期前一工作日提醒派单员报送", "Reminder to submit, the working day before due"),
        "handle_overdue": ("办理逾期", "Handling overdue"),
        "transfer_warning": ("退单转派即将超时", "Transfer of a return due within 2 hours"),
        "transfer_overdue": ("退单转派超时（超过12小时）", "Transfer of a return overdue (12 hours)"),
        "review_warning": ("反馈审核即将超时", "Review of a reply due within 2 hours"),
        "review_overdue": ("反馈审核超时（超过12小时）", "Review of a reply overdue (12 hours)"),
        "env_decision_overdue": ("受理决定逾期（15日）", "Acceptance decision overdue (15 days)"),
        "env_forward_overdue": ("转送逾期（3个工作日）", "Forwarding overdue (3 working days)"),
        "env_finish_overdue": ("办结逾期", "Result overdue"),
        "env_supervision_overdue": ("督办回复逾期", "Supervision answer overdue"),
        "emergency_escalation": ("突发事件报告值班领导", "Emergency reported to the leader on duty"),
    },
    "overdue_stage": {  # R-12345-08: who held the ticket when its due passed
        "unit": ("承办单位办理", "With the unit"),
        "dispatcher": ("派单员审核回访", "With the dispatcher"),
    },
    "instruction_status": {
        "open": ("待回复", "Open"),
        "answered": ("已回复", "Answered"),
    },
    "satisfaction": {
        "satisfied": ("满意", "Satisfied"),
        "basically_satisfied": ("基本满意", "Basically satisfied"),
        "dissatisfied": ("不满意", "Dissatisfied"),
        "unreachable": ("无法联系", "Unreachable"),
    },
    "call_kind": {
        "dispatch_notice": ("派单通知", "Dispatch notice"),
        "reminder": ("催办提醒", "Reminder"),
        "callback": ("回访", "Callback"),
        "other": ("其他", "Other"),
        "emergency": ("突发事件报告领导", "Emergency report to leader"),
    },
    "reveal_reason": {
        "callback": ("回访来电人", "Call the caller back"),
        "verify": ("核实来电人身份", "Verify the caller"),
        "handling": ("办理需要", "Needed for handling"),
        "supervision": ("督办核查", "Supervision"),
    },
    "access_action": {
        "reveal": ("查看来电人信息", "Caller data revealed"),
        "download": ("下载归档文件", "Archive file downloaded"),
        "export": ("导出报表", "Report exported"),
        "document": ("打印文书", "Document printed"),
        "caller_lookup": ("按来电号码查找", "Lookup by caller number"),
    },
    "call_outcome": {
        "reached": ("已接通", "Reached"),
        "no_answer": ("无人接听", "No answer"),
        "busy": ("占线", "Busy"),
        "unreachable": ("无法接通", "Unreachable"),
        "notified": ("已通知", "Notified"),
    },
    "reply_section": {
        "answer": ("答复内容", "Answer"),
        "handling": ("办理情况", "Handling"),
        "result": ("处理结果", "Result"),
        "investigation": ("调查核实情况", "Investigation"),
        "basis": ("政策法规依据", "Legal basis"),
        "contact": ("与反映人沟通情况", "Contact with the caller"),
        "adoption": ("采纳情况", "Adoption"),
        "forwarded": ("转达情况", "Forwarded to"),
    },
    "unit_kind": {
        "township": ("乡镇街道", "Township"),
        "bureau": ("县直部门", "County bureau"),
        "company": ("企事业单位", "Enterprise or institution"),
        "other": ("其他", "Other"),
    },
    "contact_role": {
        "handler": ("经办人", "Handler"),
        "leader": ("分管领导", "Leader"),
        "other": ("其他", "Other"),
    },
    "shift": {
        "day": ("白班", "Day shift"),
        "night": ("夜班", "Night shift"),
        "holiday": ("节假日班", "Holiday shift"),
    },
    "key_status": {
        "active": ("有效", "Active"),
        "revoked": ("已吊销", "Revoked"),
    },
    "delivery_status": {
        "pending": ("待发送", "Pending"),
        "sending": ("发送中", "Sending"),
        "sent": ("已发送", "Sent"),
        "failed": ("发送失败", "Failed"),
        "submitted": ("已提交", "Submitted"),
        "delivered": ("已送达", "Delivered"),
        "gave_up": ("已放弃", "Gave up"),
        "retrying": ("等待重试", "Retrying"),
    },
    # office work (R-WORK-01…06)
    "action_status": {
        "open": ("进行中", "In progress"),
        "delayed": ("工作延误", "Delayed"),
        "submitted": ("成果待审核", "Deliverable to review"),
        "done": ("已完成", "Done"),
    },
    "approval_kind": {
        "leave": ("请假", "Leave"),
        "purchase": ("采购", "Purchase"),
        "document": ("文件", "Document"),
        "handover": ("交接", "Hand-over"),
        "other": ("其他事项", "Other request"),
    },
    "approval_status": {
        "pending": ("待审批", "Pending"),
        "approved": ("已同意", "Approved"),
        "rejected": ("不同意", "Rejected"),
    },
    "report_outcome": {
        "done": ("已完成", "Done"),
        "partly": ("部分完成", "Partly done"),
        "not_done": ("未完成", "Not done"),
    },
    "evidence_type": {
        "mp3": ("MP3 录音", "MP3 recording"),
        "wav": ("WAV 录音", "WAV recording"),
        "amr": ("AMR 录音", "AMR recording"),
        "jpeg": ("JPG 照片", "JPEG photo"),
        "png": ("PNG 图片", "PNG image"),
        "heic": ("HEIC 照片", "HEIC photo"),
        "pdf": ("PDF 文档", "PDF document"),
        "docx": ("Word 文档", "Word document"),
        "xlsx": ("Excel 表格", "Excel workbook"),
        "pptx": ("PowerPoint 演示文稿", "PowerPoint presentation"),
        "office_legacy": ("Office 文档（旧格式）", "Office document (legacy format)"),
    },
    "evidence_group": {
        "recording": ("录音资料", "Recording"),
        "photo": ("照片", "Photo"),
        "document": ("书面材料", "Document"),
        "office": ("书面材料", "Document"),
    },
    "evidence_status": {
        "pending": ("待上传", "Awaiting upload"),
        "stored": ("已存档", "Stored"),
    },
}

# the SPA's locale keys for each kind (frontend/src/locales/{zh-CN,en-US}.ts spread these in)
SPA_KEYS: Final[dict[str, str]] = {
    "role": "roles",
    "status": "status",
    "category": "category",
    "channel": "channel",
    "hotline": "hotlines",
    "flag": "flags",
    "verb": "verbs",
    "event": "events",
    "field": "eventData",
    "satisfaction": "satisfaction",
    "call_kind": "callKind",
    "call_outcome": "callOutcome",
    "reveal_reason": "revealReason",
    "access_action": "accessAction",
    "reply_section": "replySection",
    "unit_kind": "unitKind",
    "contact_role": "contactRole",
    "shift": "shift",
    "key_status": "keyStatus",
    "delivery_status": "deliveryStatus",
    "instruction_status": "instructionStatus",
    "overdue_stage": "overdueStage",
    "alert_kind": "alertKind",
    "action_status": "actionStatus",
    "approval_kind": "approvalKind",
    "approval_status": "approvalStatus",
    "report_outcome": "reportOutcome",
    "env_status": "envStatus",
    "env_decision": "envDecision",
    "env_reason": "envReason",
    "supervision_trigger": "supervisionTrigger",
    "result_section": "resultSection",
    "evidence_type": "evidenceType",
    "evidence_group": "evidenceGroup",
    "evidence_status": "evidenceStatus",
}
SPA_EXPORT: Final[Path] = Path(__file__).resolve().parents[2] / "frontend" / "src" / "locales" / "catalogue.json"


def label(kind: str, code: object, lang: Lang = "zh-CN") -> str:
    """The user-facing name of `code` (e.g. label("status", "handling") → 办理中); 其他 when unknown."""
    entry = CATALOGUE[kind].get(str(code))
    if entry is None:
        return UNKNOWN[lang]
    return entry[LANGS.index(lang)]


def table(kind: str, lang: Lang = "zh-CN") -> dict[str, str]:
    """code → name for one kind (for templates that look many codes up)."""
    i = LANGS.index(lang)
    return {code: names[i] for code, names in CATALOGUE[kind].items()}


def spa_export() -> dict[str, dict[str, dict[str, str]]]:
    """The catalogue in the SPA's locale shape: {lang: {spa key: {code: name}}}."""
    return {lang: {SPA_KEYS[kind]: table(kind, lang) for kind in CATALOGUE} for lang in LANGS}


def spa_export_text() -> str:
    """The exported JSON file's exact text."""
    return json.dumps(spa_export(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    """Write the SPA export (`python -m chalicelib.documents.labels`)."""
    SPA_EXPORT.write_text(spa_export_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {SPA_EXPORT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
