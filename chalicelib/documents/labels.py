"""The one label catalogue: every code a user can meet, in Chinese (zh-CN) and English (en-US).

Used by the printed archive record, reports, SMS, Open311 and exported to the SPA's locales
(`frontend/src/locales/catalogue.json`, written by `python -m chalicelib.documents.labels`; a test
fails when the exported file and this catalogue differ). No code, enum value or rule id is shown to
a user: a code missing here is shown as 「其他」/"Other", never as itself.
"""

from __future__ import annotations

import json
import re
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
        "admin": ("系统管理员", "System administrator"),
        "partner": ("合作平台", "Partner platform"),
        "system": ("系统", "System"),
        "auditor": ("安全审计员", "Auditor"),
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
        "merged": ("已并单", "Merged"),
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
    "festival": {  # chinesecalendar's names of the statutory holidays (the working-calendar page)
        "New Year's Day": ("元旦", "New Year's Day"),
        "Spring Festival": ("春节", "Spring Festival"),
        "Tomb-sweeping Day": ("清明节", "Tomb-sweeping Day"),
        "Labour Day": ("劳动节", "Labour Day"),
        "Dragon Boat Festival": ("端午节", "Dragon Boat Festival"),
        "Mid-autumn Festival": ("中秋节", "Mid-autumn Festival"),
        "National Day": ("国庆节", "National Day"),
        "Anti-Fascist 70th Day": (
            "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
            "Victory Day (70th anniversary)",
        ),
    },
    "calendar_source": {  # where a day of the working calendar comes from
        "package": ("国务院放假安排", "State Council schedule"),
        "override": ("管理员调整", "Admin override"),
    },
    "extension_decision": {  # a leader's answer to an extension request (domain-rules "ticket graph")
        "approved": ("同意延期", "Extension approved"),
        "denied": ("不同意延期", "Extension denied"),
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
        "merge": ("并单", "Merge"),
        "unmerge": ("取消并单", "Unmerge"),
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
        "decision_reminder_due": ("疑难工单领导决定到期提醒", "Reminder: leader decision due"),
        "marked_decision_overdue": ("疑难工单领导决定逾期", "Leader decision overdue"),
        "merged": ("并单（重复诉求）", "Merged as a duplicate"),
        "unmerged": ("取消并单", "Unmerged"),
        "merge_followed": ("主工单办结，按其结果回访", "Main ticket closed: its result to call back"),
        "handover_started": ("开始代办（负责人不在岗）", "Hand-over started (owner away)"),
        "handover_ended": ("代办结束，交还负责人", "Hand-over ended, back to the owner"),
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
        "other_unit": ("转其他单位", "To another unit"),
        "good_reason": ("退单理由成立", "Return justified"),
        "reason": ("原因", "Reason"),
        "note": ("备注", "Note"),
        "approve": ("同意", "Approved"),
        "handle_due": ("办理期限", "Due"),
        "dispatch_due": ("派单期限", "Dispatch due"),
        "previous_due": ("原期限", "Previous due"),
        "new_due": ("延期至", "Extended to"),
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
        "escalated": ("列入疑难工单", "Escalated to the leader"),
        "joined": ("并入待决定的疑难工单", "Joined the pending difficult episode"),
        "decision_due": ("领导决定期限", "Leader decision due"),
        "overdue_hours": ("超期小时数", "Hours overdue before escalation"),
        "decision_on_time": ("按期决定", "Decided on time"),
        "difficult_trigger": ("列入疑难原因", "Why it went to the leader"),
        "into": ("并入主工单", "Merged into"),
        "main": ("主工单", "Main ticket"),
        "main_status": ("主工单状态", "Main ticket status"),
        "main_closed_at": ("主工单办结时间", "Main ticket closed at"),
        "from": ("原主工单", "Previous main ticket"),
        "to_status": ("恢复为", "Back to"),
        "handover_id": ("代办安排", "Hand-over"),
        "from_id": ("负责人", "Owner"),
        "to_id": ("代办人", "Delegate"),
        "until": ("代办至", "Until"),
    },
    "input": {  # request fields, named in validation errors (field_label; the SPA highlights the field)
        "approver_id": ("审批人", "Approver"),
        "body": ("请求内容", "Request body"),
        "box": ("信箱", "Box"),
        "code": ("查询码", "Code"),
        "date": ("日期", "Date"),
        "day": ("日期", "Day"),
        "delegate_id": ("代办人", "Delegate"),
        "deliverable": ("工作成果", "Deliverable"),
        "deliverable_ref": ("成果编号", "Deliverable reference"),
        "departments": ("科室", "Departments"),
        "dept_id": ("科室", "Department"),
        "entries": ("条目", "Entries"),
        "file": ("文件", "File"),
        "filename": ("文件名", "File name"),
        "flag": ("标记", "Flag"),
        "format": ("格式", "Format"),
        "grace_hours": ("宽限小时数", "Grace hours"),
        "group": ("确认分组", "Group"),
        "holidays": ("节假日", "Holidays"),
        "id": ("编号", "Number"),
        "keyword": ("关键词", "Keyword"),
        "leader_id": ("领导", "Leader"),
        "leader_name": ("领导姓名", "Leader's name"),
        "limit": ("每页条数", "Page size"),
        "meeting": ("会议", "Meeting"),
        "months": ("月份", "Months"),
        "new_deadline": ("新期限", "New deadline"),
        "new_due": ("延期至", "Extend to"),
        "number": ("工单编号", "Number"),
        "office_hours": ("办公时间", "Office hours"),
        "password": ("密码", "Password"),
        "new_password": ("新密码", "New password"),
        "temporary_password": ("临时密码", "Temporary password"),
        "username": ("用户名", "User name"),
        "email": ("邮箱", "Email"),
        "phone": ("电话号码", "Phone"),
        "plan": ("工作计划", "Plan"),
        "post": ("值班岗位", "Duty post"),
        "public_text": ("公开文本", "Public text"),
        "rate": ("抽查比例", "Rate"),
        "received_from": ("受理日期（起）", "Received from"),
        "received_to": ("受理日期（止）", "Received to"),
        "report_due": ("报送期限", "Report due"),
        "result": ("办理结果", "Result"),
        "roles": ("角色", "Roles"),
        "role": ("角色", "Role"),
        "scope": ("统计口径", "Scope"),
        "size": ("大小", "Size"),
        "ticket_id": ("工单编号", "Ticket number"),
        "title": ("标题", "Title"),
        "content": ("内容", "Content"),
        "unit_ids": ("单位", "Units"),
        "version": ("版本", "Version"),
        "week": ("周次", "Week"),
        "weights": ("权重", "Weights"),
        "year": ("年份", "Year"),
        "caller": ("来电人", "Caller"),
        "name": ("姓名", "Name"),
        "address": ("地址", "Address"),
        "category": ("类别", "Category"),
        "urgency": ("紧急程度", "Urgency"),
        "page": ("页码", "Page"),
        "effective_from": ("生效时间", "Effective from"),
        "start": ("开始时间", "Start"),
        "end": ("结束时间", "End"),
        "days": ("天数", "Days"),
        "url": ("地址（URL）", "URL"),
        "q": ("搜索内容", "Search"),
        "totp": ("动态验证码", "One-time code"),
        "mfa_code": ("动态验证码", "One-time code"),
        "id_card": ("身份证号", "ID card number"),
        "employer": ("工作单位", "Employer"),
        "confidential": ("保密", "Confidential"),
        "description": ("描述", "Description"),
        "callback_url": ("回调地址", "Callback URL"),
        "partner_id": ("合作方", "Partner"),
        "shift": ("班次", "Shift"),
        "user_id": ("账号", "Account"),
        "caller_name": ("来电人姓名", "Caller name"),
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
        "overdue_escalation": ("超期列入疑难工单", "Overdue: escalated to the leader"),
        "decision_reminder": ("领导决定到期前一工作日提醒", "Reminder of the leader decision, the working day before"),
        "decision_overdue": ("领导决定逾期", "Leader decision overdue"),
    },
    "overdue_stage": {  # R-12345-08: who held the ticket when its due passed
        "unit": ("承办单位办理", "With the unit"),
        "dispatcher": ("派单员审核回访", "With the dispatcher"),
    },
    "instruction_status": {
        "open": ("待回复", "Open"),
        "answered": ("已回复", "Answered"),
    },
    "difficult_trigger": {  # R-12345-10: what put a ticket in the leader's 疑难 queue (domain/escalation.TRIGGERS)
        "manual": ("人工标记", "Flagged by staff"),
        "overdue": ("超期未办结", "Overdue"),
        "unjustified_return": ("无故退单", "Unjustified return"),
        "false_reply": ("虚假反馈", "False reply"),
        "co_units": ("多单位协办", "Several units"),
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
        "retention_ended": ("保存期限届满", "Retention period ended"),
    },
    "access_action": {
        "reveal": ("查看来电人信息", "Caller data revealed"),
        "download": ("下载归档文件", "Archive file downloaded"),
        "export": ("导出报表", "Report exported"),
        "document": ("打印文书", "Document printed"),
        "caller_lookup": ("按来电号码查找", "Lookup by caller number"),
        "caller_name_lookup": ("按来电人姓名查找", "Lookup by caller name"),
        "pii_destroyed": ("保存期满销毁个人信息", "Personal data destroyed (retention ended)"),
        # the security log (R-SEC-01…03): logins, the log's own reads, admin and configuration changes
        "login": ("登录", "Login"),
        "login_failed": ("登录失败", "Failed login"),
        "lockout": ("账号锁定", "Account locked"),
        "logout": ("退出登录", "Logout"),
        "security_log_read": ("查阅安全审计日志", "Security log read"),
        "user_created": ("新增用户", "User created"),
        "user_updated": ("修改用户或角色", "User or role changed"),
        "user_enabled": ("启用账号", "Account enabled"),
        "user_disabled": ("停用账号", "Account disabled"),
        "unit_created": ("新增单位", "Unit created"),
        "unit_updated": ("修改单位", "Unit changed"),
        "unit_deactivated": ("停用单位", "Unit deactivated"),
        "partner_created": ("登记合作平台", "Partner registered"),
        "partner_updated": ("修改合作平台", "Partner changed"),
        "partner_key_issued": ("签发平台密钥", "Partner key issued"),
        "partner_key_revoked": ("吊销平台密钥", "Partner key revoked"),
        "duty_roster_changed": ("修改值班表", "Duty roster changed"),
        "duty_default_changed": ("修改默认值班", "Default duty changed"),
        "duty_staff_changed": ("修改值班人员联系方式", "Duty staff changed"),
        "calendar_changed": ("修改工作日历", "Calendar changed"),
        "calendar_confirmed": ("确认工作日历", "Calendar confirmed"),
        "office_hours_changed": ("修改办公时间", "Office hours changed"),
        "emergency_keywords_changed": ("修改紧急关键词", "Emergency keywords changed"),
        "template_saved": ("修改答复模板", "Reply template saved"),
        "recount_run": ("重新统计", "Recount run"),
        "reconcile_run": ("归档核对", "Reconciliation run"),
        "work_settings_changed": ("修改日常工作设置", "Office-work settings changed"),
        "assessment_weights_changed": ("修改考核权重", "Assessment weights changed"),
        "escalation_policy_changed": ("修改疑难升级规则", "Escalation policy changed"),
        "duty_fallback_changed": ("修改中心值班总机号码", "Duty fallback number changed"),
        "limits_changed": ("修改办理时限", "Time limits changed"),
        "mfa_reset": ("重置身份验证器", "Authenticator reset"),
        "account_unlocked": ("解除账号锁定", "Account unlocked"),
    },
    "security_kind": {
        "access": ("个人信息与文件访问", "Data access"),
        "change": ("管理与配置变更", "Admin change"),
        "login": ("登录", "Login"),
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
    "duplicate_reason": {  # R-12345-18: why a ticket is a likely duplicate
        "similar_text": ("内容相似", "Similar text"),
        "same_caller": ("同一来电号码", "Same caller number"),
        "same_place": ("同一地点或被反映对象", "Same place or reported party"),
    },
    "evidence_status": {
        "pending": ("待上传", "Awaiting upload"),
        "stored": ("已存档", "Stored"),
    },
    "handover_status": {  # R-12345-03 hand-over (domain/handover.py)
        "requested": ("待领导审批", "Awaiting the leader"),
        "approved": ("已批准，待开始", "Approved, not started"),
        "active": ("代办中", "Active"),
        "ended": ("已结束", "Ended"),
        "rejected": ("未批准", "Rejected"),
    },
    "limit_unit": {  # handling time limits (domain/limits.py)
        "working_days": ("工作日", "working days"),
        "calendar_days": ("自然日（受理后）", "calendar days after acceptance"),
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
    "extension_decision": "extensionDecision",
    "festival": "festival",
    "calendar_source": "calendarSource",
    "supervision_trigger": "supervisionTrigger",
    "result_section": "resultSection",
    "evidence_type": "evidenceType",
    "evidence_group": "evidenceGroup",
    "evidence_status": "evidenceStatus",
    "difficult_trigger": "difficultTrigger",
    "security_kind": "securityKind",
    "duplicate_reason": "duplicateReason",
    "handover_status": "handoverStatus",
    "limit_unit": "limitUnit",
    "input": "inputField",
}
SPA_EXPORT: Final[Path] = Path(__file__).resolve().parents[2] / "frontend" / "src" / "locales" / "catalogue.json"


def label(kind: str, code: object, lang: Lang = "zh-CN") -> str:
    """The user-facing name of `code` (e.g. label("status", "handling") → 办理中); 其他 when unknown."""
    entry = CATALOGUE[kind].get(str(code))
    if entry is None:
        return UNKNOWN[lang]
    return entry[LANGS.index(lang)]


PARTNER_SOURCE: Final[Mapping[Lang, str]] = {"zh-CN": "合作平台（{name}）", "en-US": "Partner platform ({name})"}


def source_label(source: object, partner_name: str | None, lang: Lang = "zh-CN") -> str:
    """Where a ticket came from: a channel by its name, or the partner platform that pushed it, named when the
    partner store knows it (合作平台（县应急平台）); a deleted or unknown partner is just 合作平台."""
    if str(source) in CATALOGUE["channel"]:
        return label("channel", source, lang)
    return PARTNER_SOURCE[lang].format(name=partner_name) if partner_name else label("role", "partner", lang)


def field_label(path: str, lang: Lang = "zh-CN") -> str | None:
    """The name of a request field a validation error points at, each part by its name joined with " · "
    (`caller.phone` → 来电人 · 电话号码, `co_calls[1].to_phone` → 电话通知协办单位（第2项） · 电话, `days.praise` →
    天数 · 表扬); parts are looked up in the input names, the event-data names, then the categories; a part after
    `sections` first in the reply and 12369 result section names (`sections.basis` → 答复章节 · 政策法规依据).
    None when the last named part has no name (the SPA then shows the reason alone, never the path)."""
    i = LANGS.index(lang)
    shown: list[str] = []
    last_known = False
    previous = ""
    for part in _PATH_PART.findall(path):
        if part.startswith("["):
            if shown and last_known:
                n = int(part[1:-1]) + 1
                shown[-1] += f"（第{n}项）" if lang == "zh-CN" else f" (item {n})"
            continue
        kinds = _SECTION_KINDS + _PATH_KINDS if previous == "sections" else _PATH_KINDS
        entry = next((CATALOGUE[k][part] for k in kinds if part in CATALOGUE[k]), None)
        previous = part
        last_known = entry is not None
        if entry is not None:
            shown.append(entry[i])
    return " · ".join(shown) if shown and last_known else None


_PATH_KINDS = ("input", "field", "category")
_SECTION_KINDS = ("reply_section", "result_section")
_PATH_PART = re.compile(r"\[\d+\]|[A-Za-z_][A-Za-z0-9_]*")


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
