"""The dialogues blueprint; its views live in routes.py, imported by the app factory."""

from flask import Blueprint

bp = Blueprint("dialogues", __name__)
