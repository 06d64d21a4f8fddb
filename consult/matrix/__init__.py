"""The matrix blueprint (comment-response matrix, exports, imports, dashboard); views in routes.py."""

from flask import Blueprint

bp = Blueprint("matrix", __name__)
