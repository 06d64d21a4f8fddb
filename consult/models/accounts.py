"""Organizations, users, their signed-in sessions, API tokens and the counters that throttle sign-in attempts."""

from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from consult import geography
from consult.extensions import db
from consult.models.base import UTCDateTime, utcnow
from consult.models.stamps import everywhere_if_changed, nowhere, shown_on

ORGANIZATION_KINDS = {
    "member_state": _l("Member State"),
    "observer_state": _l("Observer State"),
    "group": _l("Group of States"),
    "un_entity": _l("UN system entity"),
    "stakeholder": _l("Stakeholder"),
    "secretariat": _l("Secretariat"),
}

ROLES = {
    "admin": _l("Administrator"),
    "secretariat": _l("Secretariat"),
    "editor": _l("Editor (task force)"),
    "focal_point": _l("Focal point"),
    "delegate": _l("Delegate"),
    "observer": _l("Observer"),
}

# Roles that act for an organization and therefore must belong to one.
DELEGATION_ROLES = ("focal_point", "delegate")


# A new member changes only the list of members, which no kept page shows.
@shown_on(everywhere_if_changed())
class Organization(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # English name for organizations other than states; states are named by Babel.
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list["User"]] = relationship(back_populates="organization")

    @property
    def is_state(self) -> bool:
        return self.kind in ("member_state", "observer_state")

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"


_GROUP_NAMES = {group.code: group.name for group in (*geography.GROUPS, *geography.GROUPS_ADDED_WITH_MEMBERS)}


def organization_name(organization: Organization | None, locale=None) -> str:
    """The organization's name in the reader's language (or ``locale``'s; States as the UN names them)."""
    if organization is None:
        return ""
    if organization.is_state and organization.code in geography.STATES_BY_CODE:
        return geography.country_name(organization.code, locale or get_locale())
    if organization.code in _GROUP_NAMES:
        return str(_GROUP_NAMES[organization.code])
    return organization.name


def organization_sort_key(organization: Organization) -> str:
    """Puts organizations in alphabetical order of their names in the reader's language."""
    return geography.name_sort_key(organization_name(organization), get_locale())


def named_in_order(organizations) -> list[tuple[Organization, str]]:
    """The organizations with their names in the reader's language, in alphabetical order of them
    (the reader's language looked up once, not twice for each of two hundred delegations)."""
    locale = get_locale()
    named = [(organization, organization_name(organization, locale)) for organization in organizations]
    return sorted(named, key=lambda pair: geography.name_sort_key(pair[1], locale))


# Pages show an account's name only: a new account, a sign-in or a new role changes none of them.
@shown_on(everywhere_if_changed("name", when_new=False))
class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when someone else chose the password on the web: the owner replaces it at first sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Two-step sign-in (TOTP): the shared secret (set while it is being turned on, kept once on),
    # when it was turned on, and the last time step whose code was accepted (no code works twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()

    organization: Mapped[Organization | None] = relationship(back_populates="members")

    # Not a column: "<user id>:<session secret>" of the session this object was signed in or
    # loaded for (see consult.auth.services), which Flask-Login keeps in the session cookie.
    login_id = None
    current_session_id = None  # that session's row (UserSession.id)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses sign-in to deactivated accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session; the id alone (which opens no session) outside one."""
        return self.login_id or str(self.id)

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def two_factor_on(self) -> bool:
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


@shown_on(nowhere)
class UserSession(db.Model):
    """One signed-in browser or device. The cookie holds a random secret; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Advanced at most once a minute: enough for the idle timeout, cheap on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(45), default="")  # the longest IPv6 text

    user: Mapped[User] = relationship()


@shown_on(nowhere)
class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app; only its SHA-256 is stored."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@shown_on(nowhere)
class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # SHA-256 of the token: the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # The token's last characters, not secret, so that its owner can tell tokens apart.
    last_four: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


@shown_on(nowhere)
class RateLimitCounter(db.Model):
    """Failures counted under one key (an account, an address) until ``expires_at``."""

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
