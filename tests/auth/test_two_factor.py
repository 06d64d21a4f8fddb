"""Two-step sign-in: turned on with a QR code and a confirming code, then asked after the password;
no session before the second step; codes work once; recovery codes; limits like the password's."""

import re
import time

import pyotp
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, RecoveryCode, User, UserSession
from tests.conftest import PASSWORD, login, login_two_step, next_code, turn_on_two_step


def _sessions(user) -> int:
    return db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == user.id))


def test_turning_it_on_shows_a_qr_code_and_the_secret_then_recovery_codes_once(app, world):
    user = world.user("delegate", "KEN")
    browser = app.test_client()
    login(browser, user)
    page = browser.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    secret = re.search(r'<code id="totp-secret" class="secret">([A-Z2-7]+)</code>', html).group(1)
    assert re.search(r'<img class="qr-code" src="data:image/png;base64,[A-Za-z0-9+/=]+"', html)
    assert browser.get("/account/two-factor").get_data(as_text=True).count(secret) == 1  # the same until confirmed

    wrong = browser.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and not db.session.get(User, user.id).two_factor_on
    done = browser.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "no-store" in done.headers["Cache-Control"]
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    user = db.session.get(User, user.id)
    assert user.two_factor_on and user.totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # kept hashed only
    status = browser.get("/account/two-factor").get_data(as_text=True)
    assert "10 recovery codes are unused" in status and secret not in status and codes[0] not in status


def test_an_editor_with_two_step_sign_in_cannot_sign_in_with_the_password_alone(app, world):
    editor = world.user("editor")
    secret, _codes = turn_on_two_step(editor)
    browser = app.test_client()
    first = browser.post("/auth/login?next=/search", data={"email": editor.email, "password": PASSWORD})
    assert first.status_code == 302 and first.headers["Location"] == "/auth/two-factor"
    # The password alone opened nothing: no session, no page.
    assert _sessions(editor) == 0
    assert browser.get("/account").status_code == 302
    assert browser.get("/api/v1/consultations").status_code == 401
    wrong = browser.post("/auth/two-factor", data={"code": "123456"})
    assert wrong.status_code == 422 and _sessions(editor) == 0
    second = browser.post("/auth/two-factor", data={"code": next_code(secret)})
    assert second.status_code == 302 and second.headers["Location"] == "/search"
    assert browser.get("/account").status_code == 200 and _sessions(editor) == 1
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.sign_in", AuditEvent.object_id == editor.id)
    )
    assert event.details["second_factor"] == "app"


def test_a_code_works_once(app, world):
    user = world.user("focal_point", "KEN")
    secret, _codes = turn_on_two_step(user)
    code = next_code(secret)
    login_two_step(app.test_client(), user, code)
    again = app.test_client()
    again.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert again.post("/auth/two-factor", data={"code": code}).status_code == 422
    # Nor does the code of a step before the one used.
    assert again.post("/auth/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 422
    assert _sessions(user) == 1


def test_a_recovery_code_signs_in_once(app, world):
    user = world.user("secretariat")
    _secret, codes = turn_on_two_step(user)
    login_two_step(app.test_client(), user, codes[3].upper().replace("-", " "))
    browser = app.test_client()
    browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert browser.post("/auth/two-factor", data={"code": codes[3]}).status_code == 422
    assert login_two_step(app.test_client(), user, codes[4]).status_code == 302
    unused = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    assert unused == 8


def test_second_step_attempts_are_limited_like_passwords(app, world):
    app.config["SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS"] = 3
    user = world.user("editor")
    secret, _codes = turn_on_two_step(user)
    browser = app.test_client()
    browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    statuses = [browser.post("/auth/two-factor", data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    limited = browser.post("/auth/two-factor", data={"code": next_code(secret)})
    assert limited.status_code == 429 and limited.headers["Retry-After"] and _sessions(user) == 0
    failures = select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.two_factor_failed")
    assert db.session.scalar(failures) == 3


def test_the_second_step_must_follow_the_password_soon(app, world):
    user = world.user("editor")
    secret, _codes = turn_on_two_step(user)
    browser = app.test_client()
    browser.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    with browser.session_transaction() as session:
        session["two_factor"] = {**session["two_factor"], "since": int(time.time()) - 301}
    late = browser.post("/auth/two-factor", data={"code": next_code(secret)})
    assert late.status_code == 302 and late.headers["Location"] == "/auth/login" and _sessions(user) == 0
    assert app.test_client().get("/auth/two-factor").headers["Location"] == "/auth/login"


def test_the_setting_requires_it_of_those_who_speak_for_the_platform_or_a_state(app, world):
    app.config["TWO_FACTOR_REQUIRED"] = True
    editor, observer = world.user("editor"), world.user("observer")
    browser = app.test_client()
    login(browser, editor)
    for path in ("/", "/search", "/account", "/outbox"):
        assert browser.get(path).headers.get("Location") == "/account/two-factor", path
    assert browser.get("/account/two-factor").status_code == 200
    reader = app.test_client()
    login(reader, observer)
    assert reader.get("/account").status_code == 200
    # Once on, it cannot be turned off by those who must use it.
    secret = re.search(
        r'id="totp-secret" class="secret">(\w+)<', browser.get("/account/two-factor").get_data(as_text=True)
    )
    browser.post("/account/two-factor", data={"code": pyotp.TOTP(secret.group(1)).now()})
    assert browser.get("/account").status_code == 200
    refused = browser.post("/account/two-factor/off", data={"off-password": PASSWORD})
    assert refused.status_code == 409 and db.session.get(User, editor.id).two_factor_on


def test_turning_it_off_and_new_recovery_codes_need_the_password(app, world):
    user = world.user("observer")
    secret, codes = turn_on_two_step(user)
    browser = app.test_client()
    login_two_step(browser, user, next_code(secret))
    refused = browser.post("/account/two-factor/recovery-codes", data={"replace-password": "wrong password"})
    assert refused.status_code == 422
    renewed = browser.post("/account/two-factor/recovery-codes", data={"replace-password": PASSWORD})
    fresh = re.findall(r"<li><code>([0-9a-f-]{13})</code></li>", renewed.get_data(as_text=True))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    assert browser.post("/account/two-factor/off", data={"off-password": "wrong password"}).status_code == 422
    assert browser.post("/account/two-factor/off", data={"off-password": PASSWORD}).status_code == 302
    user = db.session.get(User, user.id)
    assert not user.two_factor_on and user.totp_secret is None
    assert db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id)) == 0
    assert login(app.test_client(), user).headers["Location"] == "/"


def test_a_reset_password_still_leaves_the_second_step(app, world, smtp):
    from tests.smtp_server import body_text, send

    user = world.user("focal_point", "KEN")
    secret, _codes = turn_on_two_step(user)
    app.test_client().post("/auth/reset", data={"email": user.email})
    send()
    link = re.search(r"http://consult\.test(/auth/reset/\S+)", body_text(smtp.inbox.to(user.email)[0])).group(1)
    app.test_client().post(link, data={"password": "my new long password", "confirm": "my new long password"})
    browser = app.test_client()
    first = browser.post("/auth/login", data={"email": user.email, "password": "my new long password"})
    assert first.headers["Location"] == "/auth/two-factor" and _sessions(user) == 0


def test_the_code_that_turned_it_on_signs_in_once_right_after(app, world):
    user = world.user("editor")
    browser = app.test_client()
    login(browser, user)
    secret = re.search(
        r'id="totp-secret" class="secret">(\w+)<', browser.get("/account/two-factor").get_data(as_text=True)
    )
    code = pyotp.TOTP(secret.group(1)).now()
    assert browser.post("/account/two-factor", data={"code": code}).status_code == 200
    browser.post("/auth/logout")
    assert login_two_step(app.test_client(), user, code).status_code == 302
    replay = app.test_client()
    replay.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert replay.post("/auth/two-factor", data={"code": code}).status_code == 422
