"""A session cookie stops working once its account signs out, signs in again or changes
its password: the cookie carries the account's session nonce, which those replace."""

from consult.auth.services import user_for_session
from consult.extensions import db
from consult.models import AuditEvent
from tests.conftest import login


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A second browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def _signed_in(browser) -> bool:
    return browser.get("/settings").status_code == 200


def test_sign_in_issues_a_new_cookie(app, client, world):
    client.post("/language", data={"locale": "fr", "next": "/"})
    before = _session_cookie(client)
    login(client, world.user("observer"))
    after = _session_cookie(client)
    assert after != before
    assert _signed_in(client) and not _signed_in(_replay(app, before))
    assert 'lang="fr"' in client.get("/").get_data(as_text=True)  # the language survives sign-in


def test_cookie_is_useless_after_sign_out(app, client, world):
    user = world.user("observer")
    login(client, user)
    copied = _session_cookie(client)
    assert _signed_in(_replay(app, copied))
    client.post("/auth/logout")
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, copied))
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "user", AuditEvent.object_id == user.id)
    ).all()
    assert actions[-2:] == ["user.sign_in", "user.sign_out"]


def test_cookie_is_useless_after_a_new_sign_in(app, world):
    user = world.user("focal_point", "KEN")
    first, second = app.test_client(), app.test_client()
    login(first, user)
    old = _session_cookie(first)
    login(second, user)
    assert _session_cookie(second) != old
    assert _signed_in(second)
    assert not _signed_in(first) and not _signed_in(_replay(app, old))


def test_password_change_ends_sessions(app, client, world):
    user = world.user("delegate", "KEN")
    login(client, user)
    user.set_password("an entirely new password")
    db.session.commit()
    assert not _signed_in(client)


def test_session_ids_need_the_current_nonce(world):
    user = world.user("editor")
    assert user_for_session(user.get_id()) == user
    assert user_for_session(str(user.id)) is None  # a session from before nonces
    assert user_for_session(f"{user.id}:") is None
    assert user_for_session(f"{user.id}:{'0' * 32}") is None
    assert user_for_session("x:y") is None
    user.active = False
    db.session.commit()
    assert user_for_session(user.get_id()) is None
