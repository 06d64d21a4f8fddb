"""Choosing a password from a mailed link: a forgotten one, or a new account's first. No password
travels by mail; a link works once, for a limited time; the page says the same for any address."""

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.auth.recovery import account_for_link, password_link
from consult.errors import Expired
from consult.extensions import db
from consult.models import AuditEvent, Notification, User, UserSession
from tests.conftest import PASSWORD, login
from tests.smtp_server import body_text, send

LINK = re.compile(r"http://consult\.test(/auth/reset/\S+)")
NEW_PASSWORD = "a brand new passphrase"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*>')


def _mailed_link(smtp, address: str) -> str:
    (message,) = smtp.inbox.to(address)
    assert PASSWORD not in body_text(message)
    return LINK.search(body_text(message)).group(1)


def test_a_forgotten_password_is_reset_from_the_mailed_link_which_then_no_longer_works(app, world, smtp):
    editor = world.user("editor")
    browser = app.test_client()
    login(browser, editor)  # signed in on another device, which the reset signs out
    anyone = app.test_client()
    asked = anyone.post("/auth/reset", data={"email": editor.email.upper()})
    assert asked.status_code == 200
    send()
    link = _mailed_link(smtp, editor.email)

    form = anyone.get(link)
    assert form.status_code == 200 and editor.email in form.get_data(as_text=True)
    assert "no-store" in form.headers["Cache-Control"] and form.headers["Referrer-Policy"] == "no-referrer"
    mismatch = anyone.post(link, data={"password": NEW_PASSWORD, "confirm": "something else entirely"})
    assert mismatch.status_code == 422
    short = anyone.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.get_data(as_text=True)
    done = anyone.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"

    assert login(app.test_client(), editor, NEW_PASSWORD).headers["Location"] == "/"
    assert app.test_client().post("/auth/login", data={"email": editor.email, "password": PASSWORD}).status_code == 422
    assert browser.get("/account").status_code == 302  # the other device is signed out
    # The link has done its work.
    assert anyone.get(link).status_code == 410
    reused = anyone.post(link, data={"password": "yet another passphrase", "confirm": "yet another passphrase"})
    assert reused.status_code == 410
    assert db.session.get(User, editor.id).check_password(NEW_PASSWORD)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.password_set_from_link"))


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, world, smtp):
    focal = world.user("focal_point", "KEN")
    known = app.test_client().post("/auth/reset", data={"email": focal.email})
    unknown = app.test_client().post("/auth/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def page(response, address):  # without what differs anyway: the address typed, each browser's CSRF token
        return CSRF_TOKEN.sub("", response.get_data(as_text=True).replace(address, "ADDRESS"))

    assert page(known, focal.email) == page(unknown, "nobody@example.org")
    deactivated = world.user("observer")
    deactivated.active = False
    db.session.commit()
    app.test_client().post("/auth/reset", data={"email": deactivated.email})
    send()
    assert [m["To"] for m in smtp.inbox.messages] == [f"{focal.name} <{focal.email}>"]


def test_reset_requests_are_limited_per_address_and_per_account(app, world):
    app.config.update(PASSWORD_RESET_LIMIT_PER_ACCOUNT=2, PASSWORD_RESET_LIMIT_PER_ADDRESS=3)
    focal = world.user("focal_point", "KEN")
    client = app.test_client()
    statuses = [client.post("/auth/reset", data={"email": focal.email}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "password_reset")) == 2
    # Another address still may: the limit per address is its own.
    other = client.post("/auth/reset", data={"email": "someone@example.org"})
    refused = client.post("/auth/reset", data={"email": "another@example.org"})
    assert other.status_code == 200 and refused.status_code == 429 and refused.headers["Retry-After"]


def test_a_link_expires(app, world):
    focal = world.user("focal_point", "KEN")
    token = password_link(focal, "password_reset").rsplit("/", 1)[1]
    assert account_for_link(token) == focal
    app.config["PASSWORD_RESET_MINUTES"] = 0
    time.sleep(1.1)
    with pytest.raises(Expired):
        account_for_link(token)
    assert app.test_client().get(f"/auth/reset/{token}").status_code == 410
    for forged in (token[:-2] + "xx", "not-a-token", token.replace(".", "", 1)):
        assert app.test_client().get(f"/auth/reset/{forged}").status_code == 410


def test_a_new_account_created_on_the_web_gets_a_link_instead_of_a_password(app, world, smtp):
    manager = app.test_client()
    login(manager, world.user("secretariat"))
    created = manager.post(
        "/admin/users",
        data={
            "name": "Amina Diallo",
            "email": "amina@example.org",
            "role": "focal_point",
            "organization": "SEN",
            "locale": "fr",
        },
    )
    assert created.status_code == 302
    account = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert not account.must_change_password and account.locale == "fr"
    send()
    (message,) = smtp.inbox.to("amina@example.org")
    assert message["Content-Language"] == "fr"
    link = LINK.search(body_text(message)).group(1)
    browser = app.test_client()
    assert browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert login(browser, account, NEW_PASSWORD).headers["Location"] == "/"
    assert browser.get(link).status_code == 410


def test_a_focal_point_adds_a_delegate_who_chooses_their_own_password(app, world, smtp):
    focal = world.user("focal_point", "KEN")
    browser = app.test_client()
    login(browser, focal)
    added = browser.post("/admin/delegation", data={"name": "Otieno", "email": "otieno@example.org"})
    assert added.status_code == 302
    send()
    delegate = db.session.scalar(select(User).where(User.email == "otieno@example.org"))
    assert delegate.role == "delegate" and delegate.organization_id == focal.organization_id
    link = _mailed_link(smtp, "otieno@example.org")
    assert app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    # Until then, no password opened the account; the link was the only way in.
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == delegate.id)) == 0


def test_a_password_chosen_by_a_manager_is_still_changed_at_first_sign_in(app, world):
    manager = app.test_client()
    login(manager, world.user("secretariat"))
    manager.post(
        "/admin/users",
        data={
            "name": "Temp",
            "email": "temp@example.org",
            "role": "observer",
            "organization": "",
            "password": PASSWORD,
        },
    )
    account = db.session.scalar(select(User).where(User.email == "temp@example.org"))
    assert account.must_change_password
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == account.id)) == 0


def test_the_link_is_made_when_sent_and_stored_nowhere(app, world, smtp):
    focal = world.user("focal_point", "KEN")
    app.test_client().post("/auth/reset", data={"email": focal.email})
    stored = db.session.scalar(select(Notification).where(Notification.recipient_id == focal.id))
    assert stored.link is None and "/auth/reset/" not in stored.body
    send()
    assert _mailed_link(smtp, focal.email).startswith("/auth/reset/")
    assert timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"]) == timedelta(hours=1)
