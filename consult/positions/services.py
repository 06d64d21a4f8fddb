"""Positions beyond one delegation: groups of States and who belongs to them over time, and comments
co-signed by other delegations."""

from datetime import date

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from consult import audit
from consult.errors import Conflict, NotFound, ValidationFailed
from consult.extensions import db
from consult.models import Alignment, Comment, CoSignature, GroupMembership, Organization, User
from consult.models.accounts import named_in_order, organization_name, organization_sort_key
from consult.models.base import utcnow
from consult.notifications import messages
from consult.permissions import authorize
from consult.validation import clean_text, plausible_date

SOURCE_MAX_LENGTH = 500


def today() -> date:
    """Memberships are dated in UTC days, as the lists of the United Nations are."""
    return utcnow().date()


def groups() -> list[Organization]:
    """Every group of States, by name in the reader's language."""
    found = db.session.scalars(select(Organization).where(Organization.kind == "group")).all()
    return sorted(found, key=organization_sort_key)


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


def groups_with_members(day: date | None = None) -> list[tuple[Organization, list[Organization]]]:
    """Every group of States with its members on the day (today), both by name."""
    members: dict[int, list[Organization]] = {}
    for membership in db.session.scalars(select(GroupMembership).where(*_current(day or today()))):
        members.setdefault(membership.group_id, []).append(membership.member)
    return [(group, sorted(members.get(group.id, []), key=organization_sort_key)) for group in groups()]


def memberships(group: Organization) -> list[GroupMembership]:
    """Every membership of the group on record, present and past: current members first, by name."""
    rows = db.session.scalars(select(GroupMembership).where(GroupMembership.group_id == group.id)).all()
    day = today()
    return sorted(rows, key=lambda row: (not row.current_on(day), organization_sort_key(row.member)))


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
    return sorted(found, key=organization_sort_key)


def group_for_comment(organization_id: int, code) -> Organization:
    """The group a comment is submitted on behalf of: one its author's organization belongs to today,
    or the author's organization itself when it is a group (its own focal point speaks for it)."""
    own = db.session.get(Organization, organization_id) if organization_id is not None else None
    if own is not None and own.kind == "group" and own.code == code:
        return own
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


# -- joint comments ---------------------------------------------------------------------

# Who may be invited to co-sign: the delegations of States and groups.
CO_SIGNER_KINDS = ("member_state", "observer_state", "group")
MAX_CO_SIGNERS = 200


def co_signer_choices(organization_id: int | None) -> list[tuple[Organization, str]]:
    """The delegations a comment of this organization may invite to co-sign it, with their names, by name."""
    found = db.session.scalars(
        select(Organization).where(Organization.kind.in_(CO_SIGNER_KINDS), Organization.id != organization_id)
    )
    return named_in_order(found)


def co_signer_organizations(organization_id: int, codes) -> list[Organization]:
    """The delegations named by these codes, which a comment of the organization may invite to co-sign it."""
    error = ValidationFailed(
        field_errors={"co_signers": [str(_l("Give the codes of other delegations (KEN, AG …), at most 200."))]}
    )
    if not isinstance(codes, list) or len(codes) > MAX_CO_SIGNERS or not all(isinstance(c, str) for c in codes):
        raise error
    wanted = {clean_text(code).upper() for code in codes} - {""}
    if not all(code.isascii() and code.isalnum() and len(code) <= 12 for code in wanted):
        raise error
    found = db.session.scalars(
        select(Organization).where(Organization.code.in_(wanted), Organization.kind.in_(CO_SIGNER_KINDS))
    ).all()
    refused = wanted - {organization.code for organization in found}
    refused |= {organization.code for organization in found if organization.id == organization_id}
    if refused:
        message = _l("These are not other delegations: %(codes)s.", codes=", ".join(sorted(refused)))
        raise ValidationFailed(field_errors={"co_signers": [str(message)]})
    return sorted(found, key=lambda organization: organization.code)


def invite_co_signers(actor: User, comment: Comment, organizations: list[Organization]) -> list[CoSignature]:
    """Invite these delegations to co-sign the comment; each focal point answers once the comment
    is submitted. Delegations already invited are left as they are."""
    invited = {row.organization_id for row in comment.co_signatures}
    now = utcnow()
    added = [
        CoSignature(organization=organization, invited_at=now, invited_by_id=actor.id)
        for organization in organizations
        if organization.id not in invited
    ]
    comment.co_signatures.extend(added)
    db.session.flush()
    for row in added:
        audit.record(actor, "comment.invite_co_signer", comment, organization=row.organization.code)
    return added


def invitation_of(user: User, comment: Comment) -> CoSignature:
    row = next((row for row in comment.co_signatures if row.organization_id == user.organization_id), None)
    if row is None:
        raise NotFound(_l("Your delegation is not invited to co-sign this comment."))
    return row


def cosign(actor: User, comment: Comment) -> CoSignature:
    """The invited delegation's focal point co-signs the comment, as this request read its text."""
    authorize(actor, "comment.cosign", comment)
    # A co-signature supports the text its focal point was shown: one edited since is a 409.
    if hold_comment(comment) != comment.row_version:
        db.session.rollback()
        raise Conflict(_l("The comment was changed meanwhile: read it again before co-signing."))
    return _answer(actor, comment, "signed", "comment.cosign")


def hold_comment(comment: Comment) -> int:
    """Hold the comment's row until the transaction ends, and its row version as committed now.

    Co-signing and editing a submitted comment both take this first, so that they happen one after
    the other, each seeing what the other committed. A no-op UPDATE: it also takes SQLite's write lock.
    """
    held = Comment.__table__.c
    db.session.execute(update(Comment.__table__).where(held.id == comment.id).values(row_version=held.row_version))
    return db.session.scalar(select(held.row_version).where(held.id == comment.id))


def decline(actor: User, comment: Comment) -> CoSignature:
    """The invited delegation's focal point declines to co-sign the comment."""
    authorize(actor, "comment.decline", comment)
    return _answer(actor, comment, "declined", "comment.decline")


def withdraw_signature(actor: User, comment: Comment) -> CoSignature:
    """A co-signing delegation's focal point withdraws its support; the co-signature stays on record."""
    authorize(actor, "comment.withdraw_signature", comment)
    row = invitation_of(actor, comment)
    row.status = "withdrawn"
    row.withdrawn_at = utcnow()
    row.withdrawn_by_id = actor.id
    db.session.flush()  # versioned: a step taken meanwhile by another makes this a 409
    audit.record(actor, "comment.withdraw_signature", comment, organization=row.organization.code)
    return row


def _answer(actor: User, comment: Comment, status: str, action: str) -> CoSignature:
    row = invitation_of(actor, comment)
    row.status = status
    row.answered_at = utcnow()
    row.answered_by_id = actor.id
    db.session.flush()  # versioned: of two answers given at once, the second is a 409
    audit.record(actor, action, comment, organization=row.organization.code)
    return row


def invitations(user: User) -> list[CoSignature]:
    """The invitations of the user's delegation to co-sign submitted (or since withdrawn) comments, newest first."""
    authorize(user, "comments.own_delegation")
    return list(
        db.session.scalars(
            select(CoSignature)
            .join(Comment, Comment.id == CoSignature.comment_id)
            .where(CoSignature.organization_id == user.organization_id, Comment.status != "draft")
            .order_by(CoSignature.invited_at.desc(), CoSignature.id.desc())
        )
    )


def ask_again(actor: User, comment: Comment) -> None:
    """The comment's text changed: the delegations that co-signed the earlier text are invited again
    (a co-signature is support for a text), and told so."""
    # As committed when this request took hold_comment, whatever it read before.
    signed = db.session.scalars(
        select(CoSignature)
        .where(CoSignature.comment_id == comment.id, CoSignature.status == "signed")
        .execution_options(populate_existing=True)
    ).all()
    if not signed:
        return
    for row in signed:
        row.status = "invited"
    db.session.flush()
    audit.record(
        actor, "comment.ask_co_signers_again", comment, organizations=[row.organization.code for row in signed]
    )
    tell_invited(comment, [row.organization_id for row in signed])


def tell_invited(comment: Comment, organization_ids: list[int] | None = None) -> int:
    """Once the comment is submitted: its invited delegations' focal points (or these) are asked to co-sign."""
    if organization_ids is None:
        organization_ids = [row.organization_id for row in comment.co_signatures if row.status == "invited"]
    return messages.co_signature_invited(comment, organization_ids) if organization_ids else 0


# -- alignment ---------------------------------------------------------------------------


def align(actor: User, comment: Comment) -> Alignment:
    """The focal point of a State aligns its delegation with another delegation's comment; its
    author's focal points are told. A State that withdrew its alignment may align again."""
    authorize(actor, "comment.align", comment)
    # One after the other with another alignment of the same State (and with an edit), each
    # seeing what the other committed: the second of two at once is a 409, never a second row.
    hold_comment(comment)
    row = _alignment_row(comment, actor.organization_id)
    if row is not None and row.status == "aligned":
        raise Conflict(_l("Your delegation is already aligned with this comment."))
    now = utcnow()
    if row is None:
        row = Alignment(organization_id=actor.organization_id, aligned_at=now, aligned_by_id=actor.id)
        comment.alignments.append(row)
    else:
        row.status, row.aligned_at, row.aligned_by_id = "aligned", now, actor.id
        row.withdrawn_at = row.withdrawn_by_id = None
    db.session.flush()
    organization = db.session.get(Organization, actor.organization_id)
    audit.record(actor, "comment.align", comment, organization=organization.code)
    messages.comment_aligned(comment, organization, withdrawn=False)
    return row


def unalign(actor: User, comment: Comment) -> Alignment:
    """The focal point of a State withdraws its alignment with a comment; it stays on record as withdrawn."""
    authorize(actor, "comment.unalign", comment)
    hold_comment(comment)
    row = _alignment_row(comment, actor.organization_id)
    if row is None or row.status != "aligned":
        raise Conflict(_l("Your delegation is not aligned with this comment now."))
    row.status, row.withdrawn_at, row.withdrawn_by_id = "withdrawn", utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "comment.unalign", comment, organization=row.organization.code)
    messages.comment_aligned(comment, row.organization, withdrawn=True)
    return row


def _alignment_row(comment: Comment, organization_id: int) -> Alignment | None:
    # As committed when this request took hold_comment, whatever it read before.
    return db.session.scalar(
        select(Alignment)
        .where(Alignment.comment_id == comment.id, Alignment.organization_id == organization_id)
        .execution_options(populate_existing=True)
    )


def alignment_line(comment: Comment) -> str:
    """The States aligned with a comment now, in the reader's language ("aligned: Brazil and Chile"), or ""."""
    names = sorted((organization_name(organization) for organization in comment.aligned), key=str.casefold)
    return _("aligned: %(organizations)s", organizations=format_list(names, locale=get_locale())) if names else ""


def signatories(comment: Comment) -> str:
    """Who a comment speaks for, in the reader's language: "Kenya on behalf of African Group", "Kenya,
    Brazil, and Egypt (joint)", or the delegation's name alone."""
    author = organization_name(comment.organization)
    co_signers = [organization_name(organization) for organization in comment.co_signers]
    group = comment.on_behalf_of
    if group is not None and group.id != comment.organization_id:
        speaker = _("%(organization)s on behalf of %(group)s", organization=author, group=organization_name(group))
        if co_signers:
            names = format_list(co_signers, locale=get_locale())
            return _("%(speaker)s, co-signed by %(organizations)s", speaker=speaker, organizations=names)
        return speaker
    if co_signers:
        return _("%(organizations)s (joint)", organizations=format_list([author, *co_signers], locale=get_locale()))
    return author
