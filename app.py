"""Chalice application: registers the Blueprints, nothing else (adapters: chalicelib/bootstrap.py)."""

from chalice.app import Chalice

from chalicelib.api import (
    admin_directory,
    admin_partners,
    archive,
    auth,
    browser,
    deadlines,
    documents,
    duplicates,
    emergency,
    env_complaints,
    evidence,
    fallback,
    handover,
    instructions,
    limits_admin,
    me,
    open311,
    openapi,
    partner,
    public,
    security_log,
    stats,
    surface,
    system,
    templates_admin,
    tickets,
    work,
)
from chalicelib.handlers import audit, notifications, sweep, webhooks
from chalicelib.handlers import work as work_schedule

app = Chalice(app_name="hotline")
app.api.binary_types.extend(["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
for blueprint in (
    # HTTP
    browser.bp,  # first (the outermost middleware): pinned CORS, no-store, security headers on every answer
    surface.bp,  # then: a deployed function serves only its surface's routes
    system.bp,
    auth.bp,
    tickets.bp,
    evidence.bp,
    emergency.bp,
    archive.bp,
    deadlines.bp,
    me.bp,
    partner.bp,
    admin_partners.bp,
    open311.bp,
    public.bp,
    openapi.bp,
    stats.bp,
    documents.bp,
    templates_admin.bp,
    instructions.bp,
    admin_directory.bp,
    work.bp,
    env_complaints.bp,
    security_log.bp,  # R-SEC-01: the auditor's security log
    duplicates.bp,  # R-12345-18 duplicates and merge
    limits_admin.bp,
    handover.bp,
    fallback.bp,  # last: unknown routes and chalice's own errors in our shape
    # TicketEvents stream and schedules
    audit.bp,
    notifications.bp,
    sweep.bp,
    webhooks.bp,
    work_schedule.bp,
):
    app.register_blueprint(blueprint)
