"""Chalice application: registers the Blueprints, nothing else."""

from chalice import Chalice

from chalicelib.api import admin_directory, admin_partners, auth, openapi, partner, public, system, tickets
from chalicelib.api import archive as archive_api
from chalicelib.api import deadlines as deadlines_api
from chalicelib.api import documents as documents_api  # issue #7: statistics & documents
from chalicelib.api import instructions as instructions_api
from chalicelib.api import me as me_api
from chalicelib.api import open311 as open311_api
from chalicelib.api import stats as stats_api
from chalicelib.api import templates_admin as templates_api
from chalicelib.handlers import audit as audit_handlers
from chalicelib.handlers import notifications as notification_handlers
from chalicelib.handlers import sweep as sweep_handlers
from chalicelib.handlers import webhooks as webhook_handlers

app = Chalice(app_name="hotline")
app.api.binary_types.extend(["application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(tickets.bp)
app.register_blueprint(archive_api.bp)
app.register_blueprint(audit_handlers.bp)
app.register_blueprint(deadlines_api.bp)
app.register_blueprint(me_api.bp)
app.register_blueprint(sweep_handlers.bp)
app.register_blueprint(notification_handlers.bp)
app.register_blueprint(partner.bp)  # issue #5: partners, Open311, public lookup, OpenAPI
app.register_blueprint(admin_partners.bp)
app.register_blueprint(open311_api.bp)
app.register_blueprint(public.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(webhook_handlers.bp)
app.register_blueprint(stats_api.bp)  # issue #7
app.register_blueprint(documents_api.bp)
app.register_blueprint(templates_api.bp)
app.register_blueprint(instructions_api.bp)
app.register_blueprint(admin_directory.bp)  # admin: units and users
