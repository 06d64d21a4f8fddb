"""The one place that answers "may this user do this to that object?".

Each rule returns None when the action is allowed, or the error that explains why
not, so that services raise the precise error (403 for who you are, 409 for a
closed window) and templates hide the same actions through ``can``. What a reader
may not see at all answers 404 (NotFound), never 403: a refusal must not tell that
the object exists.
"""

from collections.abc import Callable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select, true

from consult.errors import Conflict, DomainError, NotAllowed, NotFound, WindowClosed
from consult.models import Comment, CommentGroup, CoSignature, Dialogue, Release, ReleaseSection, Section, User
from consult.models.base import utcnow

STAFF_ROLES = ("admin", "secretariat", "editor")
MANAGER_ROLES = ("admin", "secretariat")


def _role(user) -> str | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def _member_of(user, organization_id: int | None) -> bool:
    return (
        _role(user) in ("focal_point", "delegate")
        and organization_id is not None
        and user.organization_id == organization_id
    )


def _denied(message=None) -> NotAllowed:
    return NotAllowed(message)


def _roles(*roles: str) -> Callable:
    def rule(user, obj, now):
        return None if _role(user) in roles else _denied()

    return rule


def _anyone(user, obj, now):
    """The public front door: what is consulted, its phase, deadlines and roadmap (never drafts or comments)."""
    return None


def _signed_in(user, obj, now):
    return None if _role(user) else _denied()


def _comment_create(user, section: Section, now):
    if _role(user) not in ("focal_point", "delegate") or user.organization_id is None:
        return _denied(_l("Only members of a delegation can comment."))
    return None


def _comment_view(user, comment: Comment, now):
    role = _role(user)
    if role is None:
        return _denied()
    if _member_of(user, comment.organization_id):
        return None
    if comment.status == "draft":
        return _denied()
    if role in STAFF_ROLES or comment.release.has_closed(now) or _invitation(user, comment) is not None:
        return None
    return _denied()


def _invitation(user, comment: Comment) -> CoSignature | None:
    """The invitation of the reader's delegation to co-sign the comment, if it has one."""
    if _role(user) not in ("focal_point", "delegate") or user.organization_id is None:
        return None
    return next((row for row in comment.co_signatures if row.organization_id == user.organization_id), None)


_ANSWERED = _l("Your delegation has already answered this invitation.")


def _co_signature_step(*from_statuses: str, message) -> Callable:
    """Co-signing, declining and withdrawing support: the focal point of the invited delegation,
    while the window takes comments, from the status the step starts from."""

    def rule(user, comment: Comment, now):
        invitation = _invitation(user, comment)
        if invitation is None or _role(user) != "focal_point":
            return _denied(_l("Only the focal point of a delegation invited to co-sign this comment can do this."))
        if comment.status != "submitted":
            return Conflict(_l("This comment has been withdrawn by its delegation."))
        if invitation.status not in from_statuses:
            return Conflict(message)
        return _takes_comments(comment, now)

    return rule


# Refusals that depend on the comment's state, not on who asks, are conflicts (409): the
# comment changed since the reader last saw it, e.g. its focal point submitted it meanwhile.


def _takes_comments(comment: Comment, now):
    return None if comment.release.takes_comments(now) else WindowClosed()


def _comment_edit(user, comment: Comment, now):
    if not _member_of(user, comment.organization_id):
        return _denied()
    if comment.status == "withdrawn":
        return Conflict(_l("This comment has been withdrawn; it stays on record as it was."))
    # Once submitted, the text is the state's position: only its focal point changes it.
    if comment.status == "submitted" and _role(user) != "focal_point":
        return Conflict(_l("This comment has been submitted: only your focal point can change it now."))
    return _takes_comments(comment, now)


def _comment_submit(user, comment: Comment, now):
    if not _member_of(user, comment.organization_id) or _role(user) != "focal_point":
        return _denied(_l("Only the focal point of the delegation can submit its comments."))
    if comment.status != "draft":
        return Conflict(_l("Only a draft can be submitted: this comment is already submitted or withdrawn."))
    return _takes_comments(comment, now)


def _comment_withdraw(user, comment: Comment, now):
    if not _member_of(user, comment.organization_id):
        return _denied()
    if comment.status == "withdrawn":
        return Conflict(_l("This comment is already withdrawn."))
    if comment.status == "draft":
        return Conflict(_l("This comment is a draft and not on record: discard it instead."))
    if _role(user) != "focal_point":
        return Conflict(_l("This comment has been submitted: only your focal point can withdraw it now."))
    return _takes_comments(comment, now)


def _alignment_of(user, comment: Comment):
    return next((row for row in comment.alignments if row.organization_id == user.organization_id), None)


def _alignment_step(aligning: bool) -> Callable:
    """Aligning a State with another delegation's comment, and withdrawing that: the State's focal
    point, on a submitted comment it may see (no invitation is needed), not its own delegation's
    nor one it co-signs. Not bound to the window: other delegations see comments once it closed."""

    def rule(user, comment: Comment, now):
        if _role(user) != "focal_point" or user.organization is None or not user.organization.is_state:
            return _denied(_l("Only the focal point of a State can align its delegation with a comment."))
        if user.organization_id == comment.organization_id:
            return _denied(_l("A delegation does not align itself with its own comment."))
        refused = _comment_view(user, comment, now)
        if refused is not None:
            return refused
        if comment.status != "submitted":
            return Conflict(_l("Only a submitted comment takes alignments: this one is a draft or withdrawn."))
        invitation = _invitation(user, comment)
        if invitation is not None and invitation.status == "signed":
            return Conflict(_l("Your delegation co-signs this comment: it need not align itself with it."))
        alignment = _alignment_of(user, comment)
        if aligning and alignment is not None and alignment.status == "aligned":
            return Conflict(_l("Your delegation is already aligned with this comment."))
        if not aligning and (alignment is None or alignment.status != "aligned"):
            return Conflict(_l("Your delegation is not aligned with this comment now."))
        return None

    return rule


def _comment_discard(user, comment: Comment, now):
    """Any member of the delegation may discard its draft, at any time; what was submitted stays on record."""
    if not _member_of(user, comment.organization_id):
        return _denied()
    if comment.status != "draft":
        return Conflict(_l("Only a draft can be discarded: a submitted comment stays on record and can be withdrawn."))
    return None


def _delegates_manage(user, organization_id, now):
    if _role(user) in MANAGER_ROLES:
        return None
    if _role(user) == "focal_point" and user.organization_id == organization_id:
        return None
    return _denied()


def _comment_dispose(user, comment: Comment, now):
    if _role(user) not in ("admin", "secretariat", "editor"):
        return _denied(_l("Only editors and the Secretariat answer comments."))
    if comment.status != "submitted":
        return Conflict(_l("Only submitted comments are answered: this one is a draft or withdrawn."))
    return None


def _sees_shared_answer(user, comment: Comment) -> bool:
    """The delegation a proposed answer is shared with: the comment's, and those co-signing it."""
    if _role(user) not in ("focal_point", "delegate") or user.organization_id is None:
        return False
    return user.organization_id == comment.organization_id or any(
        row.organization_id == user.organization_id and row.status == "signed" for row in comment.co_signatures
    )


def _answer_view(user, comment: Comment, now):
    """A final answer is read by whoever reads the comment; a proposed one by the staff, and once
    shared by the delegation it is proposed to (others learn of it when it is final)."""
    if comment.answer_stage is None or _role(user) in STAFF_ROLES:
        return None
    if comment.answer_stage == "shared" and _sees_shared_answer(user, comment):
        return None
    return NotFound(_l("This comment has no answer yet."))


def earlier_answers(user, comment: Comment) -> list:
    """The comment's earlier answers ``user`` may read: a proposal replaced before it was final only
    by those who could read it then (the staff; once shared, its delegation)."""
    if _role(user) in STAFF_ROLES:
        return list(comment.disposition_history)
    shared_with_reader = _sees_shared_answer(user, comment)
    return [
        answer
        for answer in comment.disposition_history
        if answer.stage is None or (answer.stage == "shared" and shared_with_reader)
    ]


def _comment_react(user, comment: Comment, now):
    if not (_role(user) == "focal_point" and _member_of(user, comment.organization_id)):
        return _denied(_l("The focal point of the delegation that made the comment reacts to its proposed answer."))
    if comment.status != "submitted" or comment.answer_stage != "shared":
        return Conflict(_l("No answer to this comment waits for your delegation's reaction."))
    return None


def _answer_finalize(user, comment: Comment, now):
    if _role(user) not in STAFF_ROLES:
        return _denied(_l("Only editors and the Secretariat answer comments."))
    if comment.status != "submitted" or comment.answer_stage is None:
        return Conflict(_l("This comment has no proposed answer to make final."))
    return None


def _proposing_release(*roles: str):
    def rule(user, release: Release, now):
        if _role(user) not in roles:
            return _denied()
        if not release.propose_answers:
            return Conflict(_l("This release does not propose answers to delegations before they are final."))
        return None

    return rule


def _token_revoke(user, api_token, now):
    """Everyone their own tokens; the Secretariat and administrators anyone's. Someone
    else's token is not found: its id must not tell that it exists."""
    if _role(user) is None:
        return _denied()
    if api_token.user_id == user.id or _role(user) in MANAGER_ROLES:
        return None
    return NotFound(_l("No such token, or it is already revoked."))


def _comments_group(user, obj, now):
    """Staff group comments. To anyone else a group none of whose comments they may see is not found."""
    if _role(user) in STAFF_ROLES:
        return None
    if isinstance(obj, CommentGroup) and not any(_comment_view(user, comment, now) is None for comment in obj.comments):
        return NotFound(_l("No such group."))
    return _denied()


def _role_assign(user, role: str, now):
    """Only an administrator makes administrators; the Secretariat gives every other role."""
    if _role(user) == "admin" or (_role(user) == "secretariat" and role != "admin"):
        return None
    if _role(user) == "secretariat":
        return _denied(_l("Only an administrator can create administrators or give the administrator role."))
    return _denied()


def _user_view(user, account: User, now):
    """An account is known to its owner, the managers and the focal point of its delegation; to
    anyone else its id is not found, so that ids tell nothing about who has an account."""
    role = _role(user)
    if role in MANAGER_ROLES or (role and account.id == user.id):
        return None
    if role == "focal_point" and user.organization_id is not None and account.organization_id == user.organization_id:
        return None
    return NotFound(_l("No such account."))


def _user_edit(user, account: User, now):
    """Administrators manage every account; the Secretariat every account but administrators'."""
    if _role(user) == "admin" or (_role(user) == "secretariat" and account.role != "admin"):
        return None
    if _role(user) == "secretariat":
        return _denied(_l("Only an administrator can change an administrator's account."))
    return _denied()


def _is_own_delegate(user, account: User) -> bool:
    return (
        _role(user) == "focal_point"
        and account.role == "delegate"
        and user.organization_id is not None
        and account.organization_id == user.organization_id
    )


def _user_reset_password(user, account: User, now):
    if _role(user) and account.id == user.id:
        return _denied(_l("Change your own password on your account page."))
    return None if _is_own_delegate(user, account) else _user_edit(user, account, now)


def _user_deactivate(user, account: User, now):
    if _role(user) and account.id == user.id:
        return _denied(_l("You cannot deactivate your own account."))
    return None if _is_own_delegate(user, account) else _user_edit(user, account, now)


def _user_reactivate(user, account: User, now):
    return None if _is_own_delegate(user, account) else _user_edit(user, account, now)


def _session_end(user, user_session, now):
    """Only one's own devices; another person's session is not even there."""
    return None if _role(user) and user_session.user_id == user.id else NotFound()


def _matrix_view(user, release, now):
    """Anyone once the compilation is published; else those who may see some comments."""
    if release.compilation_published_at is not None:
        return None
    return None if _role(user) else _denied()


def _outcome_view(user, outcome, now):
    """A published outcome is the front door's, read by anyone; a draft stays with the staff."""
    if outcome.status == "published" or _role(user) in STAFF_ROLES:
        return None
    return _denied()


def _not_started(message) -> Callable:
    def rule(user, dialogue: Dialogue, now):
        if _role(user) not in MANAGER_ROLES:
            return _denied()
        return None if dialogue.has_started(now) else Conflict(message)

    return rule


def _dialogue_cancel(user, dialogue: Dialogue, now):
    if _role(user) not in MANAGER_ROLES:
        return _denied()
    if dialogue.cancelled_at is not None:
        return Conflict(_l("This dialogue is already cancelled."))
    if dialogue.has_started(now):
        return Conflict(_l("This dialogue has started: it can no longer be cancelled."))
    return None


RULES: dict[str, Callable] = {
    "consultation.view": _anyone,
    "roadmap.view": _anyone,
    "document.view": _signed_in,
    "document.import": _roles(*MANAGER_ROLES),
    "release.publish": _roles(*MANAGER_ROLES),
    "release.edit_window": _roles(*MANAGER_ROLES),
    "section.view_working": _roles(*STAFF_ROLES),
    "section.revise": _roles("admin", "editor"),
    "section.translate": _roles(*STAFF_ROLES),
    "comment.create": _comment_create,
    "comment.view": _comment_view,
    "comment.edit": _comment_edit,
    "comment.submit": _comment_submit,
    "comment.withdraw": _comment_withdraw,
    "comment.discard": _comment_discard,
    "comments.own_delegation": _roles("focal_point", "delegate"),
    "comment.cosign": _co_signature_step("invited", message=_ANSWERED),
    "comment.decline": _co_signature_step("invited", message=_ANSWERED),
    "comment.withdraw_signature": _co_signature_step(
        "signed", message=_l("Your delegation does not co-sign this comment now.")
    ),
    "comment.align": _alignment_step(aligning=True),
    "comment.unalign": _alignment_step(aligning=False),
    "users.manage": _roles(*MANAGER_ROLES),
    "delegates.manage": _delegates_manage,
    "role.assign": _role_assign,
    "user.view": _user_view,
    "user.edit": _user_edit,
    "user.reset_password": _user_reset_password,
    "user.deactivate": _user_deactivate,
    "user.reactivate": _user_reactivate,
    "session.end": _session_end,
    "audit.view": _roles(*MANAGER_ROLES),
    "roadmap.edit": _roles(*MANAGER_ROLES),
    "dialogue.manage": _roles(*MANAGER_ROLES),
    "dialogue.cancel": _dialogue_cancel,
    "dialogue.attendance": _not_started(_l("Attendance can be recorded once the dialogue has started.")),
    "outcome.edit": _roles(*MANAGER_ROLES),
    "outcome.publish": _not_started(_l("The outcome can be published once the dialogue has started.")),
    "outcome.view": _outcome_view,
    "dialogue.view": _anyone,  # when and where, who takes part, the agenda: as public as the roadmap
    "items.manage": _roles(*MANAGER_ROLES),
    "section.link": _roles(*STAFF_ROLES),
    "comment.dispose": _comment_dispose,
    "comment.answer.view": _answer_view,
    "comment.react": _comment_react,
    "comment.finalize_answer": _answer_finalize,
    "answers.share": _proposing_release(*MANAGER_ROLES),
    "answers.finalize": _proposing_release(*STAFF_ROLES),
    "comment.similar": _roles(*STAFF_ROLES),
    "comments.group": _comments_group,
    "comments.import": _roles(*MANAGER_ROLES),
    "matrix.view": _matrix_view,
    "compilation.publish": _roles(*MANAGER_ROLES),
    "dashboard.view": _roles(*STAFF_ROLES),
    "groups.view": _signed_in,
    "groups.manage": _roles(*MANAGER_ROLES),
    "outbox.view": _signed_in,
    "token.revoke": _token_revoke,
}


def check(user, action: str, obj=None, now: datetime | None = None) -> DomainError | None:
    """None if allowed, else the error to raise."""
    return RULES[action](user, obj, now or utcnow())


def can(user, action: str, obj=None, now: datetime | None = None) -> bool:
    return check(user, action, obj, now) is None


def authorize(user, action: str, obj=None, now: datetime | None = None) -> None:
    error = check(user, action, obj, now)
    if error is not None:
        raise error


def visible_comments(user: User, now: datetime | None = None):
    """SQL condition matching exactly the comments ``comment.view`` allows."""
    role = _role(user)
    if role is None:
        return false()
    now = now or utcnow()
    not_draft = Comment.status != "draft"
    if role in STAFF_ROLES:
        public = not_draft
    else:
        closed_releases = select(Release.id).where(Release.comments_close_at <= now)
        public = and_(not_draft, Comment.release_id.in_(closed_releases))
    if role in ("focal_point", "delegate") and user.organization_id:
        own = Comment.organization_id == user.organization_id
        invited = select(CoSignature.comment_id).where(CoSignature.organization_id == user.organization_id)
        return or_(own, public, and_(not_draft, Comment.id.in_(invited)))
    return public


def visible_answers(user: User):
    """SQL condition: the comment's answer may be read by ``user`` (``comment.answer.view``), for
    comments the reader may see."""
    role = _role(user)
    if role in STAFF_ROLES:
        return true()
    final = Comment.answer_stage.is_(None)
    if role not in ("focal_point", "delegate") or not user.organization_id:
        return final
    co_signed = select(CoSignature.comment_id).where(
        CoSignature.organization_id == user.organization_id, CoSignature.status == "signed"
    )
    shared_with_reader = and_(
        Comment.answer_stage == "shared",
        or_(Comment.organization_id == user.organization_id, Comment.id.in_(co_signed)),
    )
    return or_(final, shared_with_reader)


def comment_audiences(comment: Comment, co_signer_ids, now: datetime) -> list[str]:
    """Who may read ``comment`` under ``comment.view``, as audiences (the page store keeps pages per
    audience, so that a comment submitted while the window is open makes only its delegation's, its
    co-signers' and the staff's pages stale). Must name every reader the rule allows."""
    if comment.organization_id is None:
        return ["all"]
    own = f"org:{comment.organization_id}"
    if comment.status == "draft":
        return [own]
    if comment.release is None or comment.release.has_closed(now):
        return ["all"]
    return ["staff", own, *(f"org:{organization_id}" for organization_id in co_signer_ids)]


def reader_audiences(user) -> list[str]:
    """The audiences a reader belongs to (see ``comment_audiences``)."""
    role = _role(user)
    audiences = ["all"]
    if role in STAFF_ROLES:
        audiences.append("staff")
    if role in ("focal_point", "delegate") and user.organization_id:
        audiences.append(f"org:{user.organization_id}")
    return audiences


def visible_sections(user):
    """SQL condition matching the sections the reader may see: the staff the whole working
    draft, everyone else only what a release published. Until then even a section's heading
    and number stay with the staff."""
    role = _role(user)
    if role is None:
        return false()
    if role in STAFF_ROLES:
        return true()
    return Section.id.in_(select(ReleaseSection.section_id))
