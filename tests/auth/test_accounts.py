"""Accounts: everyone changes their own password; a password someone else chose on the web must be
replaced at first sign-in; the Secretariat manages every role but administrators, administrators
everything, focal points their own delegates; the last administrator stays."""

import threading

import pytest

from consult.auth.services import create_user, organization_by_code, update_user
from consult.errors import Conflict, NotAllowed
from consult.extensions import db
from consult.models import AuditEvent, User
from tests.conftest import PASSWORD, login

NEW_PASSWORD = "a password of my own"
TEMPORARY = "temporary password"


def _browser(app, user, password=PASSWORD):
    browser = app.test_client()
    login(browser, user, password)
    return browser


def _change(browser, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return browser.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm},
    )


def _account(email) -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def _events(action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_changing_ones_own_password(app, world):
    user = world.user("observer")
    browser = _browser(app, user)
    assert "Current password" in browser.get("/account/password").get_data(as_text=True)
    wrong = _change(browser, current="not my password")
    assert wrong.status_code == 422 and "This is not your current password." in wrong.get_data(as_text=True)
    short = _change(browser, new="short")
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    mismatch = _change(browser, confirm="something else entirely")
    assert mismatch.status_code == 422 and "The two new passwords are not the same." in mismatch.get_data(as_text=True)
    same = _change(browser, new=PASSWORD)
    assert same.status_code == 422 and "different from the current one" in same.get_data(as_text=True)
    done = _change(browser)
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    assert "Your password is changed." in browser.get("/account").get_data(as_text=True)
    assert app.test_client().post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    login(app.test_client(), user, NEW_PASSWORD)
    assert [event.object_id for event in _events("user.password_change")] == [user.id]


def test_a_password_set_by_the_secretariat_is_changed_at_first_sign_in(app, world):
    manager = _browser(app, world.user("secretariat"))
    created = manager.post(
        "/admin/users",
        data={
            "name": "Li Wei",
            "email": "li@example.org",
            "role": "focal_point",
            "organization": "CHN",
            "password": TEMPORARY,
        },
    )
    assert created.status_code == 302
    user = _account("li@example.org")
    assert user.must_change_password
    browser = app.test_client()
    signed_in = browser.post("/auth/login?next=/outbox", data={"email": user.email, "password": TEMPORARY})
    assert signed_in.headers["Location"] == "/account/password"
    # Every page, and every form, leads to the password change until it is done.
    for response in (
        browser.get("/"),
        browser.get("/account/tokens"),
        browser.post("/account/tokens", data={"name": "x"}),
    ):
        assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    page = browser.get("/account/password").get_data(as_text=True)
    assert "Your password was chosen by someone else." in page
    assert browser.get("/static/css/consult.css").status_code == 200
    assert browser.post("/language", data={"locale": "fr", "next": "/account/password"}).status_code == 302
    # The API answers as usual: it is not a page.
    headers = world.token(user)
    assert browser.get("/api/v1/consultations", headers=headers).status_code == 200
    assert _change(browser, current=TEMPORARY).status_code == 302
    assert not _account("li@example.org").must_change_password
    assert browser.get("/").status_code == 200


def test_the_password_must_really_change(app, world):
    create_user(world.user("admin"), email="new@example.org", name="New", role="editor", password=TEMPORARY)
    db.session.commit()
    browser = _browser(app, _account("new@example.org"), TEMPORARY)
    assert _change(browser, current=TEMPORARY, new=TEMPORARY).status_code == 422
    assert browser.get("/").headers["Location"] == "/account/password"


def test_the_command_line_and_the_demo_keep_their_passwords(app, runner):
    result = runner.invoke(
        args=["consult", "create-user", "ops@example.org", "--name", "Ops", "--role", "editor", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert not _account("ops@example.org").must_change_password
    assert runner.invoke(args=["consult", "demo"]).exit_code == 0
    assert not db.session.scalar(db.select(db.func.count()).where(User.must_change_password.is_(True)))
    assert login(app.test_client(), _account("ops@example.org")).headers["Location"] == "/"


def test_the_secretariat_edits_an_account(app, world):
    target = world.user("delegate", "KEN")
    manager = _browser(app, world.user("secretariat"))
    form = manager.get(f"/admin/users/{target.id}/edit").get_data(as_text=True)
    assert 'value="delegate-KEN"' in form and 'value="admin"' not in form  # no administrator role to give
    saved = manager.post(
        f"/admin/users/{target.id}/edit", data={"name": "Otieno Odhiambo", "role": "focal_point", "organization": "KEN"}
    )
    assert saved.status_code == 302
    target = _account(target.email)
    assert (target.name, target.role) == ("Otieno Odhiambo", "focal_point")
    (change,) = _events("user.role_change")
    assert (change.object_id, change.details) == (target.id, {"old_role": "delegate", "new_role": "focal_point"})
    (update,) = _events("user.update")
    assert update.details == {"name": ["delegate-KEN", "Otieno Odhiambo"]}
    missing = manager.post(f"/admin/users/{target.id}/edit", data={"name": "X", "role": "delegate", "organization": ""})
    assert missing.status_code == 422 and "belong to an organization" in missing.get_data(as_text=True)


def test_only_an_administrator_makes_or_manages_administrators(app, world):
    secretariat, admin = world.user("secretariat"), world.user("admin")
    target = world.user("editor")
    with pytest.raises(NotAllowed):
        create_user(secretariat, email="boss@example.org", name="Boss", role="admin", password=TEMPORARY)
    with pytest.raises(NotAllowed):
        update_user(secretariat, target, name=target.name, role="admin", organization=None)
    db.session.rollback()
    manager = _browser(app, secretariat)
    refused = manager.post(
        "/admin/users", data={"name": "Boss", "email": "boss@example.org", "role": "admin", "password": TEMPORARY}
    )
    assert refused.status_code == 422 and _account("boss@example.org") is None
    for path in ("edit", "password", "deactivate"):
        assert manager.get(f"/admin/users/{admin.id}/{path}").status_code == 403
    assert manager.post(f"/admin/users/{admin.id}/deactivate").status_code == 403
    assert _account(admin.email).active
    users_page = manager.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{admin.id}/edit" not in users_page and f"/admin/users/{target.id}/edit" in users_page
    # An administrator may.
    administrator = _browser(app, admin)
    promoted = administrator.post(
        f"/admin/users/{target.id}/edit", data={"name": target.name, "role": "admin", "organization": ""}
    )
    assert promoted.status_code == 302 and _account(target.email).role == "admin"


def test_the_last_active_administrator_stays(app, world):
    admin, other = world.user("admin"), world.user("admin", key="admin-2")
    browser = _browser(app, admin)
    assert browser.post(f"/admin/users/{other.id}/deactivate").status_code == 302
    demoted = browser.post(
        f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "editor", "organization": ""}
    )
    assert demoted.status_code == 409
    assert "This is the last active administrator" in demoted.get_data(as_text=True)
    assert _account(admin.email).role == "admin"
    # Nobody deactivates their own account from these pages.
    assert browser.get(f"/admin/users/{admin.id}/deactivate").status_code == 403
    assert browser.post(f"/admin/users/{admin.id}/deactivate").status_code == 403
    assert browser.post(f"/admin/users/{other.id}/reactivate").status_code == 302
    assert (
        browser.post(
            f"/admin/users/{admin.id}/edit", data={"name": admin.name, "role": "editor", "organization": ""}
        ).status_code
        == 302
    )


def test_two_administrators_demoting_each_other_at_once_leave_one(app, world):
    first, second = world.user("admin", key="admin-1"), world.user("admin", key="admin-2")
    ids = {"admin-1": first.id, "admin-2": second.id}
    start = threading.Barrier(2)
    outcomes = {}

    def demote(actor_key, target_key):
        with app.app_context():
            actor, target = db.session.get(User, ids[actor_key]), db.session.get(User, ids[target_key])
            start.wait()
            try:
                update_user(actor, target, name=target.name, role="editor", organization=None)
                db.session.commit()
                outcomes[actor_key] = "demoted"
            except (Conflict, NotAllowed) as error:
                db.session.rollback()
                outcomes[actor_key] = type(error).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=pair) for pair in (("admin-1", "admin-2"), ("admin-2", "admin-1"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) in (["Conflict", "demoted"], ["NotAllowed", "demoted"])
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).where(User.role == "admin", User.active.is_(True))) == 1


def test_a_reset_password_is_temporary_and_signs_the_owner_out(app, world):
    target = world.user("editor")
    owner = _browser(app, target)
    manager = _browser(app, world.user("secretariat"))
    assert "temporary password" in manager.get(f"/admin/users/{target.id}/password").get_data(as_text=True)
    assert manager.post(f"/admin/users/{target.id}/password", data={"password": "short"}).status_code == 422
    assert manager.post(f"/admin/users/{target.id}/password", data={"password": TEMPORARY}).status_code == 302
    assert owner.get("/settings").status_code == 302  # signed out
    browser = app.test_client()
    assert browser.post("/auth/login", data={"email": target.email, "password": TEMPORARY}).headers["Location"] == (
        "/account/password"
    )
    (event,) = _events("user.password_reset")
    assert event.object_id == target.id and event.details == {"sessions_ended": 1}
    assert TEMPORARY not in str([e.details for e in db.session.scalars(db.select(AuditEvent))])


def test_focal_points_manage_their_own_delegates_only(app, world):
    focal = world.user("focal_point", "KEN")
    own, foreign = world.user("delegate", "KEN"), world.user("delegate", "FRA")
    colleague = world.user("focal_point", "KEN", key="focal-2")
    browser = _browser(app, focal)
    added = browser.post(
        "/admin/delegation", data={"name": "Otieno", "email": "otieno@example.org", "password": TEMPORARY}
    )
    assert added.status_code == 302 and _account("otieno@example.org").must_change_password
    page = browser.get("/admin/delegation").get_data(as_text=True)
    assert f"/admin/users/{own.id}/deactivate" in page and f"/admin/users/{colleague.id}/deactivate" not in page
    assert f"/admin/users/{own.id}/edit" not in page  # names and roles are the Secretariat's
    confirm = browser.get(f"/admin/users/{own.id}/deactivate")
    assert confirm.status_code == 200 and "Deactivate the account of delegate-KEN?" in confirm.get_data(as_text=True)
    delegate_browser = _browser(app, own)
    done = browser.post(f"/admin/users/{own.id}/deactivate")
    assert done.headers["Location"] == "/admin/delegation"
    assert not _account(own.email).active and delegate_browser.get("/settings").status_code == 302
    assert browser.post(f"/admin/users/{own.id}/reactivate").status_code == 302 and _account(own.email).active
    assert browser.post(f"/admin/users/{own.id}/password", data={"password": TEMPORARY}).status_code == 302
    assert _account(own.email).must_change_password
    # Another delegation's accounts are not even there; their own and a colleague's are refused.
    for target, status in ((foreign, 404), (colleague, 403), (focal, 403)):
        for path in ("password", "deactivate", "reactivate"):
            answer = browser.post(f"/admin/users/{target.id}/{path}", data={"password": TEMPORARY})
            assert answer.status_code == status, (target.email, path)
        assert browser.get(f"/admin/users/{target.id}/edit").status_code == status
    assert _account(foreign.email).active and _account(colleague.email).active
    assert browser.get("/admin/users/999999/password").status_code == 404
    actions = [
        event.action for event in db.session.scalars(db.select(AuditEvent).where(AuditEvent.actor_id == focal.id))
    ]
    assert {"user.create", "user.deactivate", "user.reactivate", "user.password_reset"} <= set(actions)


def test_a_focal_point_adds_only_delegates_of_their_own_delegation(world):
    """A focal point adding a delegate elsewhere, or another role, is refused."""
    focal = world.user("focal_point", "KEN")
    for role, code in (("delegate", "FRA"), ("focal_point", "KEN"), ("observer", None)):
        with pytest.raises(NotAllowed):
            create_user(
                focal,
                email=f"{role}@example.org",
                name="X",
                role=role,
                password=TEMPORARY,
                organization=organization_by_code(code),
            )
