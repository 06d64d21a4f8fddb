"""Two-step sign-in: a time-based code from an authenticator app (TOTP, RFC 6238) after the password,
or one of ten single-use recovery codes.

Codes are accepted for the current 30-second step and the one either side (clocks drift); the step
of an accepted code is stored with a single conditional UPDATE, so that no code opens the account
twice, even from two requests at once. Attempts count against the same kind of limits as passwords.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, update

from consult import audit
from consult.auth.ratelimits import Check, RateLimited, rate_limiter
from consult.auth.services import start_session
from consult.errors import Conflict, ValidationFailed
from consult.extensions import db
from consult.models import RecoveryCode, User
from consult.models.base import utcnow

# Those who speak for the platform or for a State may be required to use it (TWO_FACTOR_REQUIRED).
REQUIRED_ROLES = ("admin", "secretariat", "editor", "focal_point")
RECOVERY_CODES = 10
STEP_SECONDS = 30
WRONG_CODE = _l("This code is not right. Type the code your app shows now, or an unused recovery code.")


def required_for(user: User) -> bool:
    return bool(current_app.config["TWO_FACTOR_REQUIRED"]) and user.role in REQUIRED_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """What the QR code holds: the secret, the account and the site's name, for the authenticator app."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_code(uri: str) -> str:
    """The QR code as a PNG data URI, drawn here: the page runs no script and loads nothing from elsewhere."""
    return segno.make(uri, error="m").png_data_uri(scale=5, border=2, dark="#000", light="#fff")


def _digits(code: str | None) -> str:
    return "".join((code or "").split())


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (previous, current or next) whose code this is, if any."""
    code = _digits(code)
    if not (len(code) == 6 and code.isdecimal()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _recovery_hash(user: User, code: str) -> str:
    normalized = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hashlib.sha256(f"{user.id}:{normalized}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with new ones; the codes themselves are returned once, never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, code)) for code in codes)
    db.session.flush()
    return codes


def turn_on(user: User, secret: str, code: str) -> list[str]:
    """Turn two-step sign-in on once the app shows the right code for ``secret``; the new recovery codes."""
    if user.two_factor_on:
        raise Conflict(_l("Two-step sign-in is already on."))
    if _matching_step(secret, code) is None:
        raise ValidationFailed(
            field_errors={"code": [str(_l("This code is not right. Type the six digits your app shows now."))]}
        )
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    # Not the step of this code: the owner, who just typed it, may sign in with it once more right away.
    user.totp_last_step = None
    codes = _new_recovery_codes(user)
    audit.record(user, "user.two_factor_on", user)
    return codes


def _password_confirmed(user: User, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationFailed(field_errors={"password": [str(_l("This is not your current password."))]})


def turn_off(user: User, password: str) -> None:
    if required_for(user):
        raise Conflict(_l("Your role must sign in in two steps: it cannot be turned off."))
    if not user.two_factor_on:
        raise Conflict(_l("Two-step sign-in is already off."))
    _password_confirmed(user, password)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(user, "user.two_factor_off", user)


def replace_recovery_codes(user: User, password: str) -> list[str]:
    if not user.two_factor_on:
        raise Conflict(_l("Two-step sign-in is off: there are no recovery codes."))
    _password_confirmed(user, password)
    codes = _new_recovery_codes(user)
    audit.record(user, "user.recovery_codes_replaced", user)
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _factor(user: User, code: str) -> tuple[str, int | str] | None:
    """What the code is, read only: ("app", its time step) or ("recovery code", its hash); None if it opens nothing."""
    step = _matching_step(user.totp_secret, code)
    if step is not None:
        return ("app", step) if user.totp_last_step is None or user.totp_last_step < step else None
    code_hash = _recovery_hash(user, code)
    unused = db.session.scalar(
        db.select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash, RecoveryCode.used_at.is_(None)
        )
    )
    return ("recovery code", code_hash) if unused else None


def _use(user: User, factor: tuple[str, int | str]) -> bool:
    """Use the code up in one conditional statement: of two requests with the same code, one wins."""
    kind, value = factor
    if kind == "app":
        statement = (
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < value))
            .values(totp_last_step=value)
        )
    else:
        statement = (
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == value, RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow())
        )
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1


def complete_sign_in(user: User, code: str, *, address: str, user_agent: str = "") -> bool:
    """The second step: a right code signs the account in on a new session (True).

    Limited like the password, per (account, address) and per address; RateLimited past the limit."""
    config = current_app.config
    per_account = Check(
        "two-factor:account-address", f"{user.id} {address}", config["SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS"]
    )
    per_address = Check("two-factor:address", address, config["SIGN_IN_LIMIT_PER_ADDRESS"])
    limiter = rate_limiter()
    limiter.reserve([per_account, per_address], RateLimited.sign_in)
    factor = _factor(user, code) if user.active and user.two_factor_on else None
    if factor is None:
        audit.record(None, "user.two_factor_failed", user, address=address)
        return False
    # The counters are written on connections of their own: before this transaction writes anything.
    limiter.reset(per_account)
    limiter.release(per_address)
    if not _use(user, factor):  # the same code, used by a request that came first
        audit.record(None, "user.two_factor_failed", user, address=address, reused=True)
        return False
    start_session(user, address=address, user_agent=user_agent)
    audit.record(user, "user.sign_in", user, address=address, second_factor=factor[0])
    return True
