"""The account blueprint: the signed-in user's own API tokens; views live in routes.py."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
