"""Guiding principles and priority statements; their views live in routes.py, imported by the app factory.

Each kind keeps its own blueprint, so that its pages keep their addresses and endpoint names.
"""

from flask import Blueprint

principles = Blueprint("principles", __name__)
priorities = Blueprint("priorities", __name__)
