"""Chalice application: registers the Blueprints, nothing else."""

from chalice import Chalice

from chalicelib.api import auth, system, tickets

app = Chalice(app_name="hotline")
app.register_blueprint(system.bp)
app.register_blueprint(auth.bp)
app.register_blueprint(tickets.bp)
