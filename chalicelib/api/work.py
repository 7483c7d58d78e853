"""The office's own work (R-WORK-01…06): action items, approvals, weekly reports, settings, the due panel,
monthly figures (the sweep: handlers/work.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, local_admin, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import assessment
    from chalicelib.services import work as svc
else:
    assessment = on_first_use("chalicelib.services.assessment")
    svc = on_first_use("chalicelib.services.work")

bp = Blueprint(__name__)


@route(bp, "/work/actions", methods=["POST"])
def create_action() -> Response:
    """`{title, owner_id, deadline, deliverable?, assigner_id?, meeting?, detail?}` → 201 the item."""
    return Response(svc.create_action(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/work/actions", methods=["GET"])
def list_actions() -> dict[str, Any]:
    """The action-item board (`?mine=1`, `?owner_id=`, `?status=`)."""
    return {"items": svc.actions(adapters(), current_actor(bp), query(bp), now())}


@route(bp, "/work/actions/{action_id}", methods=["GET"])
def get_action(action_id: str) -> dict[str, Any]:
    """One action item."""
    return svc.get_action(adapters(), current_actor(bp), action_id, now())


@route(bp, "/work/actions/{action_id}/{verb}", methods=["POST"])
def act_on_action(action_id: str, verb: str) -> dict[str, Any]:
    """progress | complete | request-extension | decide-extension | review | delegate."""
    return svc.act_on_action(adapters(), current_actor(bp), action_id, verb, json_body(bp), now())


@route(bp, "/work/approvals", methods=["POST"])
def create_approval() -> Response:
    """`{kind, title, approver_id, detail?}` → 201 the request (due within 24 hours)."""
    return Response(svc.create_approval(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/work/approvals", methods=["GET"])
def list_approvals() -> dict[str, Any]:
    """`?box=inbox|sent|pending|all`: requests with who holds them and for how long."""
    return {"items": svc.approvals(adapters(), current_actor(bp), query(bp), now())}


@route(bp, "/work/approvals/{approval_id}/decide", methods=["POST"])
def decide_approval(approval_id: str) -> dict[str, Any]:
    """`{approve, note?}` by the approver only."""
    return svc.decide_approval(adapters(), current_actor(bp), approval_id, json_body(bp), now())


@route(bp, "/work/settings", methods=["GET"])
def get_settings() -> dict[str, Any]:
    """Departments, head of the centre, report due rule."""
    return svc.get_settings(adapters(), current_actor(bp))


@route(bp, "/work/settings", methods=["PUT"])
def put_settings() -> dict[str, Any]:
    """Admin: `{departments, head_id, report_due}`."""
    return svc.put_settings(adapters(), current_actor(bp), json_body(bp))


@route(bp, "/work/weekly/{week}", methods=["GET"])
def week_reports(week: str) -> dict[str, Any]:
    """The week's reports in my view and who is missing."""
    return svc.week_reports(adapters(), current_actor(bp), week, now())


@route(bp, "/work/weekly/{week}", methods=["PUT"])
def submit_report(week: str) -> dict[str, Any]:
    """`{planned, unplanned, plan, dept_id?}`: my (or my department's combined) report."""
    return svc.submit_report(adapters(), current_actor(bp), week, json_body(bp), now())


@route(bp, "/work/weekly/{week}/draft", methods=["GET"])
def report_draft(week: str) -> dict[str, Any]:
    """Last week's plan and unfinished items, prefilled (`?dept_id=`: the combined report's, its coordinator)."""
    return svc.report_draft(adapters(), current_actor(bp), week, query(bp), now())


@route(bp, "/work/weekly/{week}/departments", methods=["GET"])
def department_weeks(week: str) -> dict[str, Any]:
    """The departments' week (`?dept_id=`): members' report states and reports, the combined report."""
    return svc.department_weeks(adapters(), current_actor(bp), week, query(bp), now())


@route(bp, "/work/due", methods=["GET"])
def due_panel() -> dict[str, Any]:
    """The home page's panel: what is due for me."""
    return svc.due_panel(adapters(), current_actor(bp), now())


@route(bp, "/work/figures/{month}", methods=["GET"])
def month_figures(month: str) -> dict[str, Any]:
    """R-WORK-06 monthly completion per person."""
    return svc.month_figures(adapters(), current_actor(bp), month, now())


@route(bp, "/work/figures/{month}/export", methods=["GET"])
def month_figures_export(month: str) -> Response:
    """R-WORK-06 monthly completion per person as .xlsx."""
    body = svc.month_workbook(adapters(), current_actor(bp), month, now())
    from chalicelib.documents.excel import XLSX_TYPE  # openpyxl: loaded by its first use

    disposition = f'attachment; filename="work-figures-{month[:7]}.xlsx"'
    return Response(body, status_code=200, headers={"Content-Type": XLSX_TYPE, "Content-Disposition": disposition})


@route(bp, "/work/notices", methods=["POST"])
def create_notice() -> Response:
    """`{title, body, unit_ids, deadline, attachments?}` → 201 the notice, sent to the units."""
    return Response(svc.create_notice(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/work/notices", methods=["GET"])
def list_notices() -> dict[str, Any]:
    """Notices (a unit: those sent to it)."""
    return {"items": svc.notices(adapters(), current_actor(bp))}


@route(bp, "/work/notices/{notice_id}", methods=["GET"])
def get_notice(notice_id: str) -> dict[str, Any]:
    """One notice with each unit's receipt and report."""
    return svc.get_notice(adapters(), current_actor(bp), notice_id)


@route(bp, "/work/notices/{notice_id}/export", methods=["GET"])
def export_notice(notice_id: str) -> Response:
    """The whole task as .xlsx (who submitted what, when)."""
    body = svc.notice_workbook(adapters(), current_actor(bp), notice_id)
    disposition = f'attachment; filename="{notice_id}.xlsx"'
    from chalicelib.documents.excel import XLSX_TYPE  # openpyxl: loaded by its first use

    return Response(body, status_code=200, headers={"Content-Type": XLSX_TYPE, "Content-Disposition": disposition})


@route(bp, "/work/notices/{notice_id}/{verb}", methods=["POST"])
def act_on_notice(notice_id: str, verb: str) -> dict[str, Any]:
    """receive | submit `{text, attachments?}` (the unit) | close (the sender)."""
    return svc.act_on_notice(adapters(), current_actor(bp), notice_id, verb, json_body(bp), now())


@route(bp, "/work/friday/{week}", methods=["GET"])
def friday_report(week: str) -> Response:
    """R-WORK-04 the week's progress and delays `?format=html|pdf` (the archived copy once generated)."""
    body, content_type = svc.friday_report(adapters(), current_actor(bp), week, query(bp).get("format", "html"), now())
    return Response(body, status_code=200, headers={"Content-Type": content_type})


@route(bp, "/work/assessment/weights", methods=["GET"])
def assessment_weights() -> dict[str, Any]:
    """The unit-assessment weights in force and their versions."""
    return assessment.get_weights(adapters(), current_actor(bp))


@route(bp, "/work/assessment/weights", methods=["PUT"])
def put_assessment_weights() -> dict[str, Any]:
    """`{weights: {figure: points}, deductions?: {figure: points per case}}` (analyst, admin) → the new version."""
    return assessment.put_weights(adapters(), current_actor(bp), json_body(bp), now())


@route(bp, "/work/assessment/{month}", methods=["GET"])
def assessment_month(month: str) -> dict[str, Any]:
    """Every unit's score for the month with its inputs, ranked (`?version=` an earlier version of the weights)."""
    return assessment.month_scores(adapters(), current_actor(bp), month, query(bp), now())


@route(bp, "/work/assessment/{month}/export", methods=["GET"])
def assessment_export(month: str) -> Response:
    """The month's unit assessment as .xlsx."""
    body = assessment.month_workbook(adapters(), current_actor(bp), month, query(bp), now())
    from chalicelib.documents.excel import XLSX_TYPE  # openpyxl: loaded by its first use

    disposition = f'attachment; filename="assessment-{month[:7]}.xlsx"'
    return Response(body, status_code=200, headers={"Content-Type": XLSX_TYPE, "Content-Disposition": disposition})


@route(bp, "/admin/work-sweep", methods=["POST"])
def work_sweep_at() -> dict[str, Any]:
    """Local mode only: run the office-work sweep now, or `{at}` (up to 31 days ahead) to show what it does then."""
    local_admin(bp)
    return dict(svc.sweep_at(adapters(), json_body(bp), now()))


@route(bp, "/work/announcements", methods=["POST"])
def create_announcement() -> Response:
    """`{title, body, roles?, unit_ids?, attachments?}` (leader, analyst, admin) → 201 the announcement."""
    return Response(svc.create_announcement(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/work/announcements", methods=["GET"])
def list_announcements() -> dict[str, Any]:
    """Announcements for me, newest first (`?unread=1`: those I have not confirmed)."""
    return {"items": svc.announcements(adapters(), current_actor(bp), query(bp))}


@route(bp, "/work/announcements/{ann_id}", methods=["GET"])
def get_announcement(ann_id: str) -> dict[str, Any]:
    """One announcement; its sender and the office's announcers also see who read it and which units have not."""
    return svc.get_announcement(adapters(), current_actor(bp), ann_id)


@route(bp, "/work/announcements/{ann_id}/read", methods=["POST"])
def read_announcement(ann_id: str) -> dict[str, Any]:
    """The reader confirms having read it (once; again is harmless)."""
    return svc.read_announcement(adapters(), current_actor(bp), ann_id, now())
