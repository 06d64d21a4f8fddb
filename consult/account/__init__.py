"""The account blueprint: the signed-in user's devices, password and API tokens; views live in routes.py."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")
