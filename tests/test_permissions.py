"""The role × action matrix, and the SQL visibility rule agreeing with the per-object rule."""

import pytest
from flask_login import AnonymousUserMixin

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import Comment
from consult.permissions import can, visible_comments

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
    ("comment.withdraw", "draft", {"delegate_a", "focal_a"}),
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

    draft = objects["draft"]
    withdraw_comment(people["focal_a"], draft, reason="duplicate")
    assert not can(people["focal_a"], "comment.edit", draft)
    assert not can(people["focal_a"], "comment.submit", draft)
    assert not can(people["focal_a"], "comment.withdraw", draft)


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
