"""Accounts: users, organizations, sign-in and API tokens (services)."""

import functools
import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from consult import audit
from consult.auth.ratelimits import Check, RateLimited, rate_limiter
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.extensions import db
from consult.models import ApiToken, Organization, User, UserSession
from consult.models.accounts import DELEGATION_ROLES, ROLES
from consult.models.base import utcnow
from consult.notifications import messages
from consult.permissions import authorize, can
from consult.validation import clean_text, required_text

MIN_PASSWORD_LENGTH = 10
# A session's last use is written at most this often: the idle timeout needs no finer grain.
SEEN_INTERVAL = timedelta(minutes=1)
TOKEN_PREFIX = "cst_"  # noqa: S105  (marks tokens in logs and secret scanners)

# Verifying against a real hash when the e-mail is unknown keeps sign-in timing
# from revealing which addresses have accounts.
_DUMMY_HASH = "scrypt:32768:8:1$dummy$" + "0" * 128


def normalize_email(email: str | None) -> str:
    return clean_text(email).lower()  # clean_text: PostgreSQL refuses NUL even in a comparison


def account_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _opens(user: User | None, password: str) -> bool:
    """Whether the password opens this active account; as slow for an unknown account as for a known one."""
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password or "")
        return False
    return user.check_password(password or "") and user.active


def sign_in(email: str, password: str, *, address: str, user_agent: str = "") -> User | None:
    """The account these credentials open, signed in on a new session; None if they are wrong.
    An account with two-step sign-in gets no session yet: that waits for its second step
    (``consult.auth.two_factor.complete_sign_in``).

    Attempts are limited per (account, address) and per address, never per account alone, so
    that a stranger elsewhere cannot lock the owner out. Each attempt is reserved before the
    password is checked (RateLimited when a limit is reached): concurrent attempts are counted
    exactly. A failure keeps its reservation; success clears the (account, address) count and
    gives the address's reservation back.
    """
    config = current_app.config
    email = normalize_email(email)
    per_account = Check("sign-in:account-address", f"{email} {address}", config["SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS"])
    per_address = Check("sign-in:address", address, config["SIGN_IN_LIMIT_PER_ADDRESS"])
    limiter = rate_limiter()
    account_usage, address_usage = limiter.reserve([per_account, per_address], RateLimited.sign_in)
    user = account_by_email(email)
    if not _opens(user, password):
        # What was typed for an unknown account is not kept: it may be someone's password or a typo of one.
        audit.record(None, "user.sign_in_failed", user or User, address=address)
        for check, usage in ((per_account, account_usage), (per_address, address_usage)):
            if usage.count == check.limit:  # this failure reached the limit
                locked = (user or User) if check is per_account else User
                audit.record(
                    None, "user.sign_in_locked", locked, address=address, scope=check.scope, seconds=usage.retry_after
                )
        return None
    limiter.reset(per_account)
    limiter.release(per_address)
    if user.two_factor_on:
        audit.record(user, "user.sign_in_password", user, address=address)
        return user
    start_session(user, address=address, user_agent=user_agent)
    audit.record(user, "user.sign_in", user, address=address)
    return user


def _hash_token(secret: str) -> str:
    """What is stored of a session secret or an API token: they are shown once and never kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(user: User, *, address: str = "", user_agent: str = "") -> UserSession:
    """A new signed-in session on one device; the cookie gets ``user.get_id()``, the database its hash."""
    secret = secrets.token_urlsafe(32)
    user_session = UserSession(
        user=user,
        secret_hash=_hash_token(secret),
        address=clean_text(address)[:45],
        user_agent=clean_text(user_agent)[:200],
    )
    db.session.add(user_session)
    db.session.flush()
    user.login_id = f"{user.id}:{secret}"
    user.current_session_id = user_session.id
    return user_session


def _session_limits(now) -> dict:
    config = current_app.config
    return {
        "idle_since": now - timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        "started_since": now - timedelta(hours=config["SESSION_MAX_HOURS"]),
    }


@functools.cache
def _session_user_query():
    # Built once: every signed-in request runs it, and nothing else, to find its user.
    return (
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.secret_hash == bindparam("secret_hash"),
            UserSession.user_id == bindparam("user_id"),
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > bindparam("idle_since"),
            UserSession.created_at > bindparam("started_since"),
            User.active.is_(True),
        )
    )


@functools.cache
def _touch_session_statement():
    table = UserSession.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("session_id"), table.c.last_seen_at < bindparam("seen_before"))
        .values(last_seen_at=bindparam("now"))
    )


def user_for_session(login_id: str) -> User | None:
    """The active account of a session that has not ended, idled out or outlived its maximum age."""
    user_id, _, secret = login_id.partition(":")
    if not (user_id.isdecimal() and len(user_id) < 10 and secret):
        return None
    now = utcnow()
    row = db.session.execute(
        _session_user_query(), {"user_id": int(user_id), "secret_hash": _hash_token(secret), **_session_limits(now)}
    ).first()
    if row is None:
        return None
    user, session_id, last_seen_at = row
    if now - last_seen_at >= SEEN_INTERVAL:
        # Committed at once on a connection of its own: most requests write nothing and commit nothing.
        with db.engine.begin() as connection:
            connection.execute(
                _touch_session_statement(), {"session_id": session_id, "seen_before": now - SEEN_INTERVAL, "now": now}
            )
    user.login_id = login_id
    user.current_session_id = session_id
    return user


def end_sessions(user: User, *, keep: int | None = None) -> int:
    """End the account's sessions (all, or all but ``keep``); how many were still open."""
    condition = [UserSession.user_id == user.id, UserSession.ended_at.is_(None)]
    if keep is not None:
        condition.append(UserSession.id != keep)
    result = db.session.execute(
        update(UserSession).where(*condition).values(ended_at=utcnow()).execution_options(synchronize_session=False)
    )
    return result.rowcount


def sign_out(user: User) -> None:
    """End the session this request was signed in with; the account's other devices stay signed in."""
    if user.current_session_id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == user.current_session_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    audit.record(user, "user.sign_out", user, session=user.current_session_id)


def sign_out_everywhere(user: User) -> int:
    """End every session of the account, this one included; how many there were."""
    ended = end_sessions(user)
    audit.record(user, "user.sign_out_everywhere", user, sessions=ended)
    return ended


def open_sessions(user: User) -> list[UserSession]:
    """The account's sessions that still sign someone in, most recently used first."""
    limits = _session_limits(utcnow())
    return db.session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > limits["idle_since"],
            UserSession.created_at > limits["started_since"],
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


def open_session(session_id: int) -> UserSession:
    user_session = db.session.get(UserSession, session_id)
    if user_session is None or user_session.ended_at is not None:
        raise NotFound(_l("No such session, or it has already ended."))
    return user_session


def end_session(actor: User, user_session: UserSession) -> None:
    """Sign one device out ("sign out this device" on the account page)."""
    authorize(actor, "session.end", user_session)
    user_session.ended_at = utcnow()
    audit.record(actor, "user.session_end", actor, session=user_session.id)


def password_errors(field: str, password: str | None) -> dict[str, list[str]]:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return {field: [str(_l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH))]}
    return {}


def change_password(user: User, *, current: str, new: str) -> None:
    """The owner replaces their password; every other session of the account ends."""
    errors = password_errors("new_password", new)
    if not user.check_password(current or ""):
        errors["current_password"] = [str(_l("This is not your current password."))]
    elif not errors and user.check_password(new):
        errors["new_password"] = [str(_l("Choose a password different from the current one."))]
    if errors:
        raise ValidationFailed(field_errors=errors)
    user.set_password(new)
    user.must_change_password = False
    ended = end_sessions(user, keep=user.current_session_id)
    audit.record(user, "user.password_change", user, other_sessions_ended=ended)


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
    password: str | None,
    organization: Organization | None = None,
    locale: str | None = None,
) -> User:
    """Create an account. ``actor`` None means the command line (trusted operator), whose password
    the account keeps; a password chosen on the web by someone else must be changed at first sign-in.
    Without a password (on the web) the account is mailed a link to choose its own: no password
    travels by mail, and until then no password opens it."""
    # A focal point adds delegates to their own delegation; everything else is the managers'.
    own_delegate = role == "delegate" and organization is not None and can(actor, "delegates.manage", organization.id)
    if actor is not None and not own_delegate:
        authorize(actor, "users.manage")
        authorize(actor, "role.assign", role)
    errors: dict[str, list[str]] = {}
    try:
        email = validate_email(normalize_email(email), check_deliverability=False).normalized
    except EmailNotValidError:
        errors["email"] = [str(_l("Enter a valid e-mail address."))]
    else:
        if db.session.scalar(select(User.id).where(User.email == email)):
            errors["email"] = [str(_l("An account with this e-mail address already exists. Use another address."))]
    errors.update(_role_errors(role, organization))
    invited = actor is not None and not password
    if not invited:
        errors.update(password_errors("password", password))
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
        must_change_password=actor is not None and not invited,
    )
    user.set_password(secrets.token_urlsafe(32) if invited else password)
    db.session.add(user)
    db.session.flush()
    invitation = {"invited": True} if invited else {}
    audit.record(actor, "user.create", user, role=role, organization=getattr(organization, "code", None), **invitation)
    if invited:
        messages.account_created(user, actor)
    return user


def _role_errors(role: str, organization: Organization | None) -> dict[str, list[str]]:
    if role not in ROLES:
        return {"role": [str(_l("Unknown role."))]}
    if role in DELEGATION_ROLES and organization is None:
        return {"organization": [str(_l("Focal points and delegates belong to an organization."))]}
    return {}


def account(actor: User, user_id: int) -> User:
    """The account, if the actor may know of it; otherwise NotFound, so that ids reveal nothing."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such account."))
    authorize(actor, "user.view", user)
    return user


def _lock(user: User) -> User:
    """Hold the account's row until the transaction ends, and re-read it: two managers changing
    one account act one after the other, each on what the other committed."""
    db.session.execute(
        update(User).where(User.id == user.id).values(active=User.active).execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    return user


def _lock_administrators() -> None:
    """Hold every active administrator's row: the first statement of any change that may take
    an administrator away, so that such changes lock in one order and two administrators
    demoting each other at once cannot both succeed."""
    db.session.execute(
        update(User)
        .where(User.role == "admin", User.active.is_(True))
        .values(active=User.active)
        .execution_options(synchronize_session=False)
    )


def _keep_an_administrator(user: User) -> None:
    """Refuse to demote or deactivate the last active administrator (under _lock_administrators)."""
    if user.role != "admin" or not user.active:
        return
    others = db.session.scalar(
        select(func.count()).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise Conflict(
            _l("This is the last active administrator: make another account an administrator first."),
        )


def update_user(actor: User, user: User, *, name: str, role: str, organization: Organization | None) -> None:
    """The Secretariat or an administrator changes an account's name, role and organization."""
    authorize(actor, "user.edit", user)
    if role != "admin":
        _lock_administrators()
    _lock(user)
    authorize(actor, "user.edit", user)  # again, on the row as it now is
    errors = _role_errors(role, organization)
    try:
        name = required_text("name", name, 200)
    except ValidationFailed as error:
        errors.update(error.field_errors)
    if errors:
        raise ValidationFailed(field_errors=errors)
    if role != user.role:
        authorize(actor, "role.assign", role)
        _keep_an_administrator(user)
        audit.record(actor, "user.role_change", user, old_role=user.role, new_role=role)
        user.role = role
    changes = {}
    if name != user.name:
        changes["name"] = [user.name, name]
    if organization is not user.organization:
        changes["organization"] = [getattr(user.organization, "code", None), getattr(organization, "code", None)]
    if changes:
        user.name = name
        user.organization = organization
        audit.record(actor, "user.update", user, **changes)


def reset_password(actor: User, user: User, temporary: str) -> None:
    """A manager (or a delegate's focal point) sets a temporary password, which the owner must
    replace at next sign-in; every session of the account ends."""
    authorize(actor, "user.reset_password", user)
    _lock(user)
    authorize(actor, "user.reset_password", user)
    if errors := password_errors("password", temporary):
        raise ValidationFailed(field_errors=errors)
    user.set_password(temporary)
    user.must_change_password = True
    ended = end_sessions(user)
    audit.record(actor, "user.password_reset", user, sessions_ended=ended)


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivate (every session ends, API tokens stop working) or reactivate an account."""
    action = "user.reactivate" if active else "user.deactivate"
    authorize(actor, action, user)
    if not active:
        _lock_administrators()
    _lock(user)
    authorize(actor, action, user)
    if user.active == active:
        return
    if not active:
        _keep_an_administrator(user)
        end_sessions(user)
    user.active = active
    audit.record(actor, action, user)


def set_preferences(user: User, *, locale: str | None = None, timezone: str | None = None) -> None:
    if locale is not None:
        user.locale = locale
    if timezone is not None:
        user.timezone = timezone


def adopt_guessed_timezone(user: User, guess: str | None) -> None:
    """A first time zone from the browser, for someone who has not chosen one; their choice is never overridden."""
    if user.timezone is None and guess and guess in zoneinfo.available_timezones():
        user.timezone = guess


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
