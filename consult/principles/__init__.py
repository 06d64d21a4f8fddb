"""The principles blueprint; its views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("principles", __name__)
