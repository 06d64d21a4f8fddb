"""Links that let a person choose a password: a new account's first, or a forgotten one's replacement.

A link carries a token signed with SECRET_KEY that names the account, what it is for and a
fingerprint of the account's password hash. Setting a password changes the hash, so a link works
once; it also stops working after ACCOUNT_SETUP_HOURS (a new account) or PASSWORD_RESET_MINUTES
(a reset). The token is made when the message is sent and is stored nowhere.
"""

import hashlib
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from consult import audit
from consult.auth.ratelimits import Check, RateLimited, rate_limiter
from consult.auth.services import account_by_email, end_sessions, normalize_email, password_errors
from consult.errors import Expired, ValidationFailed
from consult.extensions import db
from consult.models import User
from consult.notifications import messages

PURPOSES = ("account_setup", "password_reset")
LINK_UNUSABLE = _l("This link does not work any more: it was used already, or it has expired. Ask for a new one below.")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="consult.password-link")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:20]


def _lifetime(purpose: str) -> int:
    config = current_app.config
    return config["ACCOUNT_SETUP_HOURS"] * 3600 if purpose == "account_setup" else config["PASSWORD_RESET_MINUTES"] * 60


def password_link(user: User, purpose: str) -> str:
    """The path of the page where ``user`` chooses a password; valid from now for the purpose's lifetime."""
    token = _serializer().dumps({"user": user.id, "for": purpose, "password": _fingerprint(user)})
    return current_app.url_map.bind("localhost").build("auth.reset_with_token", {"token": token})


def account_for_link(token: str) -> User:
    """The account a link is for, while it works; Expired (410) once used, expired or if it is no link of ours."""
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature as error:
        raise Expired(LINK_UNUSABLE) from error
    purpose = data.get("for") if isinstance(data, dict) else None
    if purpose not in PURPOSES or time.time() - signed_at.timestamp() > _lifetime(purpose):
        raise Expired(LINK_UNUSABLE)
    user = db.session.get(User, data.get("user")) if isinstance(data.get("user"), int) else None
    if user is None or not user.active or data.get("password") != _fingerprint(user):
        raise Expired(LINK_UNUSABLE)
    return user


def request_password_reset(email: str, *, address: str) -> None:
    """Mail a reset link to the account with this address, if there is an active one.

    The caller says the same whatever happened, so that the page tells no one which addresses have
    accounts. Requests are limited per client address and per e-mail address (RateLimited).
    """
    config = current_app.config
    email = normalize_email(email)
    rate_limiter().reserve(
        [
            Check("password-reset:address", address, config["PASSWORD_RESET_LIMIT_PER_ADDRESS"]),
            Check("password-reset:account", email, config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"]),
        ],
        RateLimited.password_reset,
    )
    user = account_by_email(email)
    if user is None or not user.active:
        return
    messages.password_reset_requested(user)
    audit.record(None, "user.password_reset_requested", user, address=address)


def set_password_from_link(token: str, password: str) -> User:
    """Set the password of the link's account; the link stops working and every session of the account ends."""
    user = account_for_link(token)
    # Two uses of one link at once: the second finds the hash changed (the row is locked until the first commits).
    db.session.execute(User.__table__.update().where(User.id == user.id).values(password_hash=User.password_hash))
    db.session.refresh(user)
    user = account_for_link(token)
    if errors := password_errors("password", password):
        raise ValidationFailed(field_errors=errors)
    user.set_password(password)
    user.must_change_password = False
    ended = end_sessions(user)
    audit.record(None, "user.password_set_from_link", user, sessions_ended=ended)
    return user
