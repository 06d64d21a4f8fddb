"""Signed-in sessions, one per device: several at once, each ended on its own, all at once, by
a password change or a deactivation, by being idle too long and by age. The cookie carries a
random secret of which the database keeps only a hash."""

import hashlib
from datetime import timedelta

from consult.auth.services import user_for_session
from consult.extensions import db
from consult.models import AuditEvent, PageStamp, UserSession
from consult.models.base import utcnow
from tests.conftest import PASSWORD, login


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A second browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _signed_in(browser) -> bool:
    return browser.get("/settings").status_code == 200


def _devices(app, user, count: int):
    """Browsers signed in to the account, each with its own user agent and address."""
    browsers = []
    for number in range(count):
        browser = app.test_client()
        browser.environ_base.update(HTTP_USER_AGENT=f"Browser {number}", REMOTE_ADDR=f"192.0.2.{number + 1}")
        login(browser, user)
        browsers.append(browser)
    return browsers


def _open_sessions(user) -> list[UserSession]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()


def test_sign_in_issues_a_new_cookie(app, client, world):
    client.post("/language", data={"locale": "fr", "next": "/"})
    before = _session_cookie(client)
    login(client, world.user("observer"))
    after = _session_cookie(client)
    assert after != before
    assert _signed_in(client) and not _signed_in(_replay(app, before))
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)  # the language survives sign-in


def test_a_laptop_and_a_phone_are_signed_in_at_once(app, world):
    user = world.user("focal_point", "KEN")
    laptop, phone = _devices(app, user, 2)
    assert _signed_in(laptop) and _signed_in(phone)
    sessions = _open_sessions(user)
    assert sorted((s.user_agent, s.address) for s in sessions) == [
        ("Browser 0", "192.0.2.1"),
        ("Browser 1", "192.0.2.2"),
    ]


def test_sign_out_ends_only_this_device(app, world):
    user = world.user("observer")
    laptop, phone = _devices(app, user, 2)
    copied = _session_cookie(laptop)
    laptop.post("/auth/logout")
    assert not _signed_in(laptop)
    assert not _signed_in(_replay(app, copied))
    assert _signed_in(phone)
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
    ).all()
    assert actions[-3:] == ["user.sign_in", "user.sign_in", "user.sign_out"]


def test_the_account_page_lists_devices_and_signs_one_out(app, world):
    user = world.user("delegate", "KEN")
    laptop, phone = _devices(app, user, 2)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Browser 0" in page and "Browser 1" in page and "192.0.2.2" in page
    assert page.count("This device") == 1
    phone_session = next(s for s in _open_sessions(user) if s.user_agent == "Browser 1")
    assert laptop.post(f"/account/sessions/{phone_session.id}/end").status_code == 302
    assert not _signed_in(phone) and _signed_in(laptop)
    assert "Browser 1" not in laptop.get("/account").get_data(as_text=True)
    # Ending one's own device signs this browser out.
    laptop_session = _open_sessions(user)[0]
    assert laptop.post(f"/account/sessions/{laptop_session.id}/end").headers["Location"] == "/auth/login"
    assert not _signed_in(laptop)


def test_nobody_ends_another_persons_session(app, world):
    owner, stranger = world.user("editor"), world.user("secretariat")
    (device,) = _devices(app, owner, 1)
    (other,) = _devices(app, stranger, 1)
    (owner_session,) = _open_sessions(owner)
    assert other.post(f"/account/sessions/{owner_session.id}/end").status_code == 404
    assert other.post("/account/sessions/999999/end").status_code == 404
    assert _signed_in(device)


def test_sign_out_everywhere(app, world):
    user = world.user("editor")
    laptop, phone, tablet = _devices(app, user, 3)
    response = laptop.post("/account/sessions/end")
    assert response.headers["Location"] == "/auth/login"
    assert "You are signed out on every device" in laptop.get("/auth/login").get_data(as_text=True)
    assert not any(_signed_in(browser) for browser in (laptop, phone, tablet))
    assert _open_sessions(user) == []
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.sign_out_everywhere"))
    assert event.details == {"sessions": 3}


def test_a_password_change_signs_the_other_devices_out(app, world):
    user = world.user("delegate", "KEN")
    laptop, phone = _devices(app, user, 2)
    changed = laptop.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "an entirely new password",
            "confirm": "an entirely new password",
        },
    )
    assert changed.status_code == 302
    assert _signed_in(laptop) and not _signed_in(phone)


def test_a_deactivated_account_is_signed_out_everywhere(app, world):
    user = world.user("observer")
    devices = _devices(app, user, 2)
    manager = app.test_client()
    login(manager, world.user("secretariat"))
    assert manager.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert not any(_signed_in(browser) for browser in devices)
    assert _open_sessions(user) == []
    assert manager.post(f"/admin/users/{user.id}/reactivate").status_code == 302
    assert not any(_signed_in(browser) for browser in devices)  # reactivation opens no old session


def test_an_idle_session_ends(app, world):
    user = world.user("observer")
    (browser,) = _devices(app, user, 1)
    (user_session,) = _open_sessions(user)
    user_session.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1)
    db.session.commit()
    assert not _signed_in(browser)


def test_a_session_in_use_ends_at_its_maximum_age(app, world):
    app.config["SESSION_MAX_HOURS"] = 1
    user = world.user("observer")
    (browser,) = _devices(app, user, 1)
    (user_session,) = _open_sessions(user)
    user_session.created_at = utcnow() - timedelta(minutes=59)
    db.session.commit()
    assert _signed_in(browser)
    user_session.created_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    assert not _signed_in(browser)


def test_last_use_is_written_at_most_once_a_minute(app, world):
    user = world.user("observer")
    (browser,) = _devices(app, user, 1)
    (user_session,) = _open_sessions(user)
    signed_in_at = user_session.last_seen_at
    assert _signed_in(browser)
    assert _open_sessions(user)[0].last_seen_at == signed_in_at
    user_session = _open_sessions(user)[0]
    user_session.last_seen_at = utcnow() - timedelta(minutes=90)
    db.session.commit()
    assert _signed_in(browser)
    assert utcnow() - _open_sessions(user)[0].last_seen_at < timedelta(seconds=30)


def test_sessions_leave_kept_pages_alone(app, world):
    """Signing in and out, and each request's last use, write no page stamp."""
    user = world.user("observer")
    stamps = db.session.execute(db.select(PageStamp.scope, PageStamp.value)).all()
    (browser,) = _devices(app, user, 1)
    user_session = _open_sessions(user)[0]
    user_session.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert _signed_in(browser)
    browser.post("/auth/logout")
    db.session.expire_all()
    assert db.session.execute(db.select(PageStamp.scope, PageStamp.value)).all() == stamps


def test_only_a_hash_of_the_session_secret_is_stored(app, world):
    user = world.user("editor")
    with app.test_request_context():
        from consult.auth.services import start_session

        start_session(user, address="192.0.2.9", user_agent="Test")
        db.session.commit()
        login_id = user.login_id
    user_id, secret = login_id.split(":")
    assert user_id == str(user.id) and len(secret) >= 40
    stored = _open_sessions(user)[0]
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert user_for_session(login_id) == user
    for forged in (str(user.id), f"{user.id}:", f"{user.id}:{'0' * 43}", f"{user.id + 1}:{secret}", "x:y", ":"):
        assert user_for_session(forged) is None, forged
    user.active = False
    db.session.commit()
    assert user_for_session(login_id) is None
