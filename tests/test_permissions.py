"""The role × action matrix, and the SQL visibility rule agreeing with the per-object rule."""

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from consult.comments.proposed_answers import finalize_answer, share_answers
from consult.comments.services import create_comment, record_disposition
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import Comment
from consult.models.base import utcnow
from consult.permissions import can, visible_answers, visible_comments
from consult.positions import services as positions

ROLES = [
    "anonymous",
    "observer",
    "delegate_a",
    "focal_a",
    "delegate_b",
    "focal_b",
    "editor",
    "secretariat",
    "admin",
]
SIGNED_IN = set(ROLES) - {"anonymous"}
DELEGATIONS = {"delegate_a", "focal_a", "delegate_b", "focal_b"}
MANAGERS = {"secretariat", "admin"}


@pytest.fixture
def people(world):
    return {
        "anonymous": AnonymousUserMixin(),
        "observer": world.user("observer"),
        "delegate_a": world.user("delegate", "KEN"),
        "focal_a": world.user("focal_point", "KEN"),
        "delegate_b": world.user("delegate", "FRA"),
        "focal_b": world.user("focal_point", "FRA"),
        "editor": world.user("editor"),
        "secretariat": world.user("secretariat"),
        "admin": world.user("admin"),
    }


@pytest.fixture
def objects(world, people):
    """A's comments in every state, on an open and on a closed release."""
    open_doc = world.document(slug="open")
    world.release(open_doc)
    closed_doc = world.document(slug="closed")
    closed_release = world.release(closed_doc)
    focal_a, delegate_a = people["focal_a"], people["delegate_a"]
    objects = {
        "section": open_doc.sections[0],
        "draft": create_comment(delegate_a, open_doc.sections[0], kind="general", body="draft"),
        "submitted_open": create_comment(focal_a, open_doc.sections[0], kind="general", body="sent", submit=True),
        "submitted_closed": create_comment(focal_a, closed_doc.sections[0], kind="general", body="sent", submit=True),
        "draft_closed": create_comment(delegate_a, closed_doc.sections[0], kind="general", body="x"),
    }
    db.session.commit()
    world.close_window(closed_release)
    return objects


EXPECTED = [
    ("consultation.view", None, set(ROLES)),
    ("roadmap.view", None, set(ROLES)),
    ("document.view", None, SIGNED_IN),
    ("document.import", None, MANAGERS),
    ("release.publish", None, MANAGERS),
    ("release.edit_window", None, MANAGERS),
    ("users.manage", None, MANAGERS),
    ("audit.view", None, MANAGERS),
    ("section.view_working", None, {"editor", "secretariat", "admin"}),
    ("section.revise", "section", {"editor", "admin"}),
    ("comment.create", "section", DELEGATIONS),
    ("comments.own_delegation", None, DELEGATIONS),
    ("comment.view", "draft", {"delegate_a", "focal_a"}),
    ("comment.view", "submitted_open", {"delegate_a", "focal_a", "editor", "secretariat", "admin"}),
    ("comment.view", "submitted_closed", SIGNED_IN),
    ("comment.view", "draft_closed", {"delegate_a", "focal_a"}),
    ("comment.edit", "draft", {"delegate_a", "focal_a"}),
    ("comment.edit", "submitted_open", {"focal_a"}),
    ("comment.edit", "submitted_closed", set()),
    ("comment.submit", "draft", {"focal_a"}),
    ("comment.submit", "submitted_open", set()),
    ("comment.submit", "draft_closed", set()),
    ("comment.withdraw", "draft", set()),
    ("comment.discard", "draft", {"delegate_a", "focal_a"}),
    ("comment.discard", "submitted_open", set()),
    ("comment.discard", "submitted_closed", set()),
    ("comment.discard", "draft_closed", {"delegate_a", "focal_a"}),  # it never reached the record
    ("comment.withdraw", "submitted_open", {"focal_a"}),
    ("comment.withdraw", "submitted_closed", set()),
]


@pytest.mark.parametrize(("action", "target", "allowed"), EXPECTED, ids=[f"{a}:{t}" for a, t, _ in EXPECTED])
def test_role_action_matrix(people, objects, action, target, allowed):
    obj = objects[target] if target else None
    granted = {role for role in ROLES if can(people[role], action, obj)}
    assert granted == allowed


def test_delegates_are_managed_by_their_own_focal_point(people):
    kenya = people["focal_a"].organization_id
    granted = {role for role in ROLES if can(people[role], "delegates.manage", kenya)}
    assert granted == {"focal_a", "secretariat", "admin"}


def test_sql_visibility_matches_the_object_rule(people, objects):
    comments = db.session.scalars(db.select(Comment)).all()
    assert len(comments) == 4
    for role in ROLES:
        user = people[role]
        by_query = set(db.session.scalars(db.select(Comment.id).where(visible_comments(user))))
        by_rule = {comment.id for comment in comments if can(user, "comment.view", comment)}
        assert by_query == by_rule, role


def test_a_withdrawn_comment_cannot_be_submitted_or_edited(people, objects):
    from consult.comments.services import withdraw_comment

    comment = objects["submitted_open"]
    withdraw_comment(people["focal_a"], comment, reason="duplicate")
    for action in ("comment.edit", "comment.submit", "comment.withdraw", "comment.discard"):
        assert not can(people["focal_a"], action, comment), action


# Account rules: (action, target account or role, roles allowed). Only an administrator makes or
# manages administrators; the Secretariat manages every other account; a focal point only the
# delegates of their own delegation; nobody resets or deactivates their own account here.
ACCOUNT_RULES = [
    ("role.assign", "role:admin", {"admin"}),
    ("role.assign", "role:secretariat", MANAGERS),
    ("role.assign", "role:delegate", MANAGERS),
    ("user.edit", "other_admin", {"admin"}),
    ("user.edit", "secretariat", MANAGERS),
    ("user.edit", "delegate_a", MANAGERS),
    ("user.edit", "focal_a", MANAGERS),
    ("user.reset_password", "delegate_a", MANAGERS | {"focal_a"}),
    ("user.reset_password", "delegate_b", MANAGERS | {"focal_b"}),
    ("user.reset_password", "focal_a", MANAGERS),
    ("user.reset_password", "other_admin", {"admin"}),
    ("user.reset_password", "secretariat", {"admin"}),
    ("user.deactivate", "delegate_a", MANAGERS | {"focal_a"}),
    ("user.deactivate", "focal_b", MANAGERS),
    ("user.deactivate", "editor", MANAGERS),
    ("user.deactivate", "secretariat", {"admin"}),
    ("user.deactivate", "admin", set()),  # an administrator by themselves: never
    ("user.deactivate", "other_admin", {"admin"}),
    ("user.reactivate", "delegate_a", MANAGERS | {"focal_a"}),
    ("user.reactivate", "other_admin", {"admin"}),
]


@pytest.mark.parametrize(("action", "target", "allowed"), ACCOUNT_RULES, ids=[f"{a}:{t}" for a, t, _ in ACCOUNT_RULES])
def test_account_rules(world, people, action, target, allowed):
    if target.startswith("role:"):
        obj = target.removeprefix("role:")
    elif target == "other_admin":
        obj = world.user("admin", key="admin-2")
    else:
        obj = people[target]
    granted = {role for role in ROLES if can(people[role], action, obj)}
    assert granted == allowed


def test_a_session_is_ended_by_its_owner_only(app, people):
    from consult.auth.services import start_session

    user_session = start_session(people["delegate_a"])
    db.session.commit()
    assert {role for role in ROLES if can(people[role], "session.end", user_session)} == {"delegate_a"}


def _dialogue(days_from_now: int):
    from datetime import timedelta

    from consult.dialogues.services import create_dialogue
    from consult.drafts.services import get_consultation
    from consult.models.base import utcnow

    starts = utcnow() + timedelta(days=days_from_now)
    data = {"title": "Dialogue", "constituency": "un_system", "format": "online", "starts_at": starts}
    return create_dialogue(None, get_consultation("open"), data)


@pytest.mark.parametrize("action", ["dialogue.attendance", "outcome.publish"])
def test_what_waits_for_the_dialogue_to_start(people, objects, action):
    """The Secretariat records attendance and publishes outcomes once a dialogue has started;
    before, it is told so (409), and everyone else is refused for who they are (403)."""
    from consult.errors import Conflict, NotAllowed
    from consult.permissions import check

    past, future = _dialogue(-1), _dialogue(1)
    assert {role for role in ROLES if can(people[role], action, past)} == MANAGERS
    assert {role for role in ROLES if can(people[role], action, future)} == set()
    for role in ROLES:
        error = check(people[role], action, future)
        assert type(error) is (Conflict if role in MANAGERS else NotAllowed), role
        assert error.status == (409 if role in MANAGERS else 403)


def test_refusals_about_what_one_may_not_see_are_not_found(people, objects, world):
    """Someone else's API token and a comment group none of whose comments one sees: 404, not 403."""
    from consult.comments.services import group_comments
    from consult.models import ApiToken
    from consult.permissions import check

    world.token(people["delegate_a"])
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == people["delegate_a"].id))
    statuses = {role: getattr(check(people[role], "token.revoke", token), "status", 200) for role in ROLES}
    assert statuses == {
        "anonymous": 403,
        "observer": 404,
        "delegate_a": 200,
        "focal_a": 404,
        "delegate_b": 404,
        "focal_b": 404,
        "editor": 404,
        "secretariat": 200,
        "admin": 200,
    }
    second = create_comment(people["focal_a"], objects["section"], kind="general", body="again", submit=True)
    group = group_comments(people["editor"], objects["section"], [objects["submitted_open"].id, second.id])
    statuses = {role: getattr(check(people[role], "comments.group", group), "status", 200) for role in ROLES}
    # A's submitted comments, while the window is open: A and the staff see them, no one else.
    assert statuses == {
        "anonymous": 404,
        "observer": 404,
        "delegate_a": 403,
        "focal_a": 403,
        "delegate_b": 404,
        "focal_b": 404,
        "editor": 200,
        "secretariat": 200,
        "admin": 200,
    }


def test_unreleased_sections_are_seen_by_the_staff_only(people, world):
    from consult.drafts.services import add_section, get_section, readable_section_ids
    from consult.errors import NotFound

    document = world.document(slug="sections")
    world.release(document)
    released = document.sections[0]
    unreleased = add_section(None, document, number="9", body="Not released yet.")
    db.session.commit()
    for role in ROLES:
        seen = readable_section_ids(people[role], [released.id, unreleased.id])
        expected = {released.id, unreleased.id} if role in {"editor", "secretariat", "admin"} else {released.id}
        assert seen == (expected if role != "anonymous" else set()), role
        if unreleased.id in seen:
            assert get_section(people[role], unreleased.id) == unreleased
        else:
            with pytest.raises(NotFound):
                get_section(people[role], unreleased.id)


def test_only_the_managers_cancel_a_dialogue_and_only_before_it_starts(people, objects):
    from consult.errors import Conflict
    from consult.permissions import check

    past, future = _dialogue(-1), _dialogue(1)
    assert {role for role in ROLES if can(people[role], "dialogue.cancel", future)} == MANAGERS
    assert {role for role in ROLES if can(people[role], "dialogue.cancel", past)} == set()
    assert isinstance(check(people["secretariat"], "dialogue.cancel", past), Conflict)
    future.cancelled_at = future.starts_at
    assert isinstance(check(people["admin"], "dialogue.cancel", future), Conflict)


def test_anyone_reads_a_dialogue_and_its_published_outcome_never_a_draft_one(people, objects):
    """The front door (issue 14): a dialogue and its outcome once published, even signed out."""
    from consult.dialogues.services import publish_outcome, save_outcome

    dialogue = _dialogue(-1)
    assert {role for role in ROLES if can(people[role], "dialogue.view", dialogue)} == set(ROLES)
    outcome = save_outcome(people["secretariat"], dialogue, summary="Heard.", conclusions=[])
    assert {role for role in ROLES if can(people[role], "outcome.view", outcome)} == {"editor", "secretariat", "admin"}
    publish_outcome(people["secretariat"], dialogue)
    assert {role for role in ROLES if can(people[role], "outcome.view", outcome)} == set(ROLES)


@pytest.fixture
def answers(world, people):
    """A's comments on a closed release that proposes answers, with an answer at each stage; B co-signs
    the one whose answer is shared."""
    document = world.document(slug="answers")
    release = publish_release(
        None, document, label="Proposing", comments_close_at=utcnow() + timedelta(days=30), propose_answers=True
    )
    focal_a, editor = people["focal_a"], people["editor"]
    made = {
        stage: create_comment(
            focal_a,
            document.sections[0],
            kind="general",
            body=stage,
            co_signers=["FRA"] if stage == "shared" else None,
            submit=True,
        )
        for stage in ("proposed", "shared", "final")
    }
    positions.cosign(people["focal_b"], made["shared"])
    for stage in ("shared", "final"):
        record_disposition(editor, made[stage], disposition="noted", rationale="Seen.")
    share_answers(people["secretariat"], release)
    finalize_answer(editor, made["final"])
    record_disposition(editor, made["proposed"], disposition="noted", rationale="Seen.")
    db.session.commit()
    world.close_window(release)
    return made | {"release": release}


STAFF = {"editor", "secretariat", "admin"}
ANSWER_RULES = [
    ("comment.answer.view", "proposed", STAFF),
    ("comment.answer.view", "shared", STAFF | DELEGATIONS),  # A's, and B's that co-signs it
    ("comment.answer.view", "final", set(ROLES)),  # whoever reads the comment
    ("comment.react", "proposed", set()),
    ("comment.react", "shared", {"focal_a"}),
    ("comment.react", "final", set()),
    ("comment.finalize_answer", "proposed", STAFF),
    ("comment.finalize_answer", "shared", STAFF),
    ("comment.finalize_answer", "final", set()),
    ("answers.share", "release", MANAGERS),
    ("answers.finalize", "release", STAFF),
]


@pytest.mark.parametrize(("action", "target", "allowed"), ANSWER_RULES, ids=[f"{a}:{t}" for a, t, _ in ANSWER_RULES])
def test_who_reads_and_acts_on_a_proposed_answer(people, answers, action, target, allowed):
    granted = {role for role in ROLES if can(people[role], action, answers[target])}
    assert granted == allowed


def test_sql_answer_visibility_matches_the_object_rule(people, answers):
    comments = [answers[stage] for stage in ("proposed", "shared", "final")]
    for role in ROLES:
        user = people[role]
        by_query = set(
            db.session.scalars(
                db.select(Comment.id).where(Comment.id.in_([c.id for c in comments]), visible_answers(user))
            )
        )
        by_rule = {comment.id for comment in comments if can(user, "comment.answer.view", comment)}
        assert by_query == by_rule, role
