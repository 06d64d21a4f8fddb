"""The auth blueprint; its views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
