"""Groups of States and their members; their views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("positions", __name__)
