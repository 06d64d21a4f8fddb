"""Accounts: users, organizations, sign-in and API tokens (services)."""

import functools
import hashlib
import hmac
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from consult import audit
from consult.errors import NotFound, ValidationFailed
from consult.extensions import db
from consult.models import ApiToken, Organization, User
from consult.models.accounts import DELEGATION_ROLES, ROLES, new_session_nonce
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.security import Check, RateLimited, rate_limiter
from consult.validation import clean_text, required_text

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "cst_"  # noqa: S105  (marks tokens in logs and secret scanners)

# Verifying against a real hash when the e-mail is unknown keeps sign-in timing
# from revealing which addresses have accounts.
_DUMMY_HASH = "scrypt:32768:8:1$dummy$" + "0" * 128


def normalize_email(email: str | None) -> str:
    return clean_text(email).lower()  # clean_text: PostgreSQL refuses NUL even in a comparison


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        return None
    if not user.active or not user.check_password(password or ""):
        return None
    return user


def sign_in(email: str, password: str, address: str) -> User | None:
    """The account these credentials open, with a new session nonce; None if they are wrong.

    Failures are counted per account (known or not, so that the answer does not tell) and
    per client address; while either has failed too often, RateLimited is raised before the
    password is even checked. Success clears the account's count.
    """
    config = current_app.config
    per_account = Check("sign-in:account", normalize_email(email), config["SIGN_IN_LIMIT_PER_ACCOUNT"])
    per_address = Check("sign-in:address", address, config["SIGN_IN_LIMIT_PER_ADDRESS"])
    limiter = rate_limiter()
    wait = limiter.retry_after([per_account, per_address])
    if wait:
        raise RateLimited.sign_in(wait)
    user = authenticate(email, password)
    if user is None:
        usage = limiter.fail([per_account, per_address])
        if usage.count == per_account.limit:  # this failure locks the account
            account = db.session.scalar(select(User).where(User.email == per_account.value))
            if account is not None:
                audit.record(None, "user.sign_in_locked", account, address=address, seconds=usage.retry_after)
        return None
    limiter.reset(per_account)
    user.session_nonce = new_session_nonce()
    audit.record(user, "user.sign_in", user, address=address)
    return user


def sign_out(user: User) -> None:
    """End every session of the account: cookies issued before no longer sign anyone in."""
    user.session_nonce = new_session_nonce()
    audit.record(user, "user.sign_out", user)


@functools.cache
def _user_by_id():
    # Built once: every signed-in request runs it (cheaper than session.get, which builds its query each time).
    return select(User).where(User.id == bindparam("user_id"))


def user_for_session(session_id: str) -> User | None:
    """The active account a session belongs to, while its nonce is the account's current one."""
    user_id, _, nonce = session_id.partition(":")
    user = db.session.scalars(_user_by_id(), {"user_id": int(user_id)}).first() if user_id.isdigit() else None
    if user is None or not user.active or not nonce:
        return None
    return user if hmac.compare_digest(nonce, user.session_nonce) else None


def organization_by_code(code: str | None) -> Organization | None:
    if not code:
        return None
    return db.session.scalar(select(Organization).where(func.upper(Organization.code) == clean_text(code).upper()))


def create_user(
    actor,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    organization: Organization | None = None,
    locale: str | None = None,
) -> User:
    """Create an account. ``actor`` None means the command line (trusted operator)."""
    if actor is not None:
        if role == "delegate" and organization is not None and not can(actor, "users.manage"):
            authorize(actor, "delegates.manage", organization.id)
        else:
            authorize(actor, "users.manage")
    errors: dict[str, list[str]] = {}
    try:
        email = validate_email(normalize_email(email), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [str(_l("Enter a valid e-mail address."))]
    else:
        if db.session.scalar(select(User.id).where(User.email == email)):
            errors["email"] = [str(_l("An account with this e-mail address already exists. Use another address."))]
    if role not in ROLES:
        errors["role"] = [str(_l("Unknown role."))]
    elif role in DELEGATION_ROLES and organization is None:
        errors["organization"] = [str(_l("Focal points and delegates belong to an organization."))]
    if len(password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = [str(_l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))]
    try:
        name = required_text("name", name, 200)
    except ValidationFailed as error:
        errors.update(error.field_errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    user = User(
        email=email,
        name=name,
        role=role,
        organization=organization,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, role=role, organization=getattr(organization, "code", None))
    return user


def set_preferences(user: User, *, locale: str | None = None, timezone: str | None = None) -> None:
    if locale is not None:
        user.locale = locale
    if timezone is not None:
        user.timezone = timezone


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """Create an API token and return it; only its hash (and last four characters) is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(user=user, token_hash=_hash_token(token), name=clean_text(name), last_four=token[-4:])
    db.session.add(api_token)
    db.session.flush()
    audit.record(user, "token.issue", api_token)
    return token


def user_for_token(token: str | None) -> User | None:
    if not token:
        return None
    return db.session.scalar(_token_user_query(), {"token_hash": _hash_token(token.strip())})


@functools.cache
def _token_user_query():
    # One query, built once (every API request asks it): the account of an unrevoked
    # token while the account is active, with its organization, which most answers name.
    return (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))
        .options(joinedload(User.organization))
    )


def active_token(token_id: int) -> ApiToken:
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.revoked_at is not None:
        raise NotFound(_l("No such token, or it is already revoked."))
    return api_token


def revoke_token(actor: User, api_token: ApiToken) -> None:
    authorize(actor, "token.revoke", api_token)
    api_token.revoked_at = utcnow()
    audit.record(actor, "token.revoke", api_token, owner=api_token.user_id)
