"""Groups of States and who belongs to them, over time."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from consult import audit
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.extensions import db
from consult.models import GroupMembership, Organization, User
from consult.models.accounts import organization_name
from consult.models.base import utcnow
from consult.permissions import authorize
from consult.validation import clean_text, plausible_date

SOURCE_MAX_LENGTH = 500


def today() -> date:
    """Memberships are dated in UTC days, as the lists of the United Nations are."""
    return utcnow().date()


def groups() -> list[Organization]:
    """Every group of States, by name in the reader's language."""
    found = db.session.scalars(select(Organization).where(Organization.kind == "group")).all()
    return sorted(found, key=lambda group: organization_name(group).casefold())


def get_group(code: str) -> Organization:
    # Codes are short ASCII letters and digits: anything else (a NUL, a lone surrogate) is no group.
    plausible = isinstance(code, str) and code.isascii() and code.isalnum() and len(code) <= 12
    query = select(Organization).where(Organization.kind == "group", Organization.code == code)
    group = db.session.scalar(query) if plausible else None
    if group is None:
        raise NotFound(_l("No such group."))
    return group


def _current(day: date):
    return (
        or_(GroupMembership.valid_from.is_(None), GroupMembership.valid_from <= day),
        or_(GroupMembership.valid_to.is_(None), GroupMembership.valid_to >= day),
    )


def member_counts(day: date | None = None) -> dict[int, int]:
    """Group id → how many States belong to it on the day (today)."""
    rows = db.session.execute(
        select(GroupMembership.group_id, func.count(GroupMembership.id))
        .where(*_current(day or today()))
        .group_by(GroupMembership.group_id)
    )
    return dict(rows.all())


def memberships(group: Organization) -> list[GroupMembership]:
    """Every membership of the group on record, present and past: current members first, by name."""
    rows = db.session.scalars(select(GroupMembership).where(GroupMembership.group_id == group.id)).all()
    day = today()
    return sorted(rows, key=lambda row: (not row.current_on(day), organization_name(row.member).casefold()))


def groups_of(organization_id: int | None, day: date | None = None) -> list[Organization]:
    """The groups the organization belongs to on the day (today), by name."""
    if organization_id is None:
        return []
    found = db.session.scalars(
        select(Organization)
        .join(GroupMembership, GroupMembership.group_id == Organization.id)
        .where(GroupMembership.member_id == organization_id, *_current(day or today()))
        .distinct()
    ).all()
    return sorted(found, key=lambda group: organization_name(group).casefold())


def group_for_comment(organization_id: int, code) -> Organization:
    """The group a comment is submitted on behalf of: one its author's organization belongs to today."""
    if not isinstance(code, str) or not any(group.code == code for group in groups_of(organization_id)):
        raise ValidationFailed(
            field_errors={"on_behalf_of": [str(_l("Choose a group of States your delegation belongs to."))]}
        )
    return get_group(code)


def _lock_group(group: Organization) -> None:
    """Hold the group's row until the transaction ends, so that two changes to its members happen
    one after the other (a no-op UPDATE: it also takes SQLite's write lock)."""
    db.session.execute(update(Organization).where(Organization.id == group.id).values(kind=Organization.kind))


def add_member(actor: User, group: Organization, *, member_code, valid_from: date | None, source) -> GroupMembership:
    """Record that a State belongs to the group from a day on (the Secretariat)."""
    authorize(actor, "groups.manage", group)
    member = None
    if isinstance(member_code, str) and member_code:
        member = db.session.scalar(select(Organization).where(Organization.code == clean_text(member_code).upper()))
    if member is None or not member.is_state:
        raise ValidationFailed(field_errors={"member": [str(_l("Choose a Member State or an observer State."))]})
    valid_from = plausible_date("valid_from", valid_from) or today()
    source = clean_text(source if isinstance(source, str) else "")[:SOURCE_MAX_LENGTH]
    if not source:
        raise ValidationFailed(field_errors={"source": [str(_l("Say where the membership is written."))]})
    _lock_group(group)
    overlapping = db.session.scalar(
        select(GroupMembership.id).where(
            GroupMembership.group_id == group.id,
            GroupMembership.member_id == member.id,
            or_(GroupMembership.valid_to.is_(None), GroupMembership.valid_to >= valid_from),
        )
    )
    if overlapping is not None:
        raise Conflict(
            _l("%(member)s already belongs to the group on that day.", member=organization_name(member)),
        )
    membership = GroupMembership(
        group=group, member=member, valid_from=valid_from, source=source, created_by_id=actor.id, created_at=utcnow()
    )
    db.session.add(membership)
    db.session.flush()
    audit.record(
        actor, "group.add_member", membership, group=group.code, member=member.code, valid_from=str(valid_from)
    )
    return membership


def get_membership(group: Organization, membership_id: int) -> GroupMembership:
    membership = db.session.get(GroupMembership, membership_id)
    if membership is None or membership.group_id != group.id:
        raise NotFound(_l("No such membership."))
    return membership


def end_membership(actor: User, membership: GroupMembership, *, valid_to: date | None) -> GroupMembership:
    """Record the last day a State belonged to the group; the membership stays on record."""
    authorize(actor, "groups.manage", membership.group)
    if membership.valid_to is not None:
        raise Conflict(_l("This membership has already ended."))
    valid_to = plausible_date("valid_to", valid_to) or today()
    if membership.valid_from is not None and valid_to < membership.valid_from:
        raise ValidationFailed(field_errors={"valid_to": [str(_l("A membership ends on or after the day it began."))]})
    membership.valid_to = valid_to
    membership.ended_by_id = actor.id
    db.session.flush()  # versioned: of two who end it at once, the second gets a 409
    audit.record(
        actor,
        "group.end_membership",
        membership,
        group=membership.group.code,
        member=membership.member.code,
        valid_to=str(valid_to),
    )
    return membership
