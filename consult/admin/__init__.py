"""The admin blueprint; its views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
