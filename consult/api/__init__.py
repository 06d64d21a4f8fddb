"""The api blueprint; its views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
