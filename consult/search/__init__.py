"""Search in every version of the text, the comments the reader may see and dialogue conclusions.

Its page lives in routes.py, imported by the app factory; the API has its own endpoint.
"""

from flask import Blueprint

bp = Blueprint("search", __name__)
