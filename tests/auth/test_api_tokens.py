"""API tokens on the account page: created and shown once, listed by name, revocable."""

import hashlib
import re

import pytest

from consult.extensions import db
from consult.models import ApiToken, AuditEvent
from tests.conftest import login

API = "/api/v1/consultations"


def _create(browser, name="Mission script"):
    response = browser.post("/account/tokens", data={"name": name})
    assert response.status_code == 200
    token = re.search(r'id="new-token-value" type="text" value="(cst_[^"]+)"', response.get_data(as_text=True))
    return response, token.group(1)


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role, org", [("observer", None), ("delegate", "KEN"), ("admin", None)])
def test_every_signed_in_user_has_a_tokens_page(app, world, role, org):
    browser = app.test_client()
    assert browser.get("/account/tokens").status_code == 302
    login(browser, world.user(role, org))
    page = browser.get("/account/tokens")
    assert page.status_code == 200 and "You have no API tokens." in page.get_data(as_text=True)
    assert 'href="/account/tokens"' in browser.get("/").get_data(as_text=True)


def test_a_new_token_is_shown_once_and_works(app, client, world):
    user = world.user("focal_point", "KEN")
    login(client, user)
    response, token = _create(client)
    assert response.headers["Cache-Control"] == "no-store"
    assert "shown only this once" in response.get_data(as_text=True)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token not in listing
    assert "Mission script" in listing and f"ends in {token[-4:]}" in listing
    stored = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and stored.last_four == token[-4:]
    assert app.test_client().get(API, headers=_bearer(token)).status_code == 200


def test_a_token_needs_a_name(client, world):
    login(client, world.user("observer"))
    response = client.post("/account/tokens", data={"name": "   "})
    assert response.status_code == 422 and 'class="field__errors"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_revoked_token_opens_nothing(app, client, world):
    login(client, world.user("delegate", "KEN"))
    _, token = _create(client)
    api_token = db.session.scalar(db.select(ApiToken))
    confirm = client.get(f"/account/tokens/{api_token.id}/revoke")
    assert confirm.status_code == 200 and "Revoke this API token?" in confirm.get_data(as_text=True)
    response = client.post(f"/account/tokens/{api_token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/account/tokens"
    assert "is revoked" in client.get("/account/tokens").get_data(as_text=True)
    refused = app.test_client().get(API, headers=_bearer(token))
    assert refused.status_code == 401 and refused.json["error"]["code"] == "unauthorized"
    assert client.get(f"/account/tokens/{api_token.id}/revoke").status_code == 404
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "token.revoke"))
    assert event.object_id == api_token.id and event.details == {"owner": api_token.user_id}


@pytest.mark.parametrize("role, org", [("delegate", "KEN"), ("focal_point", "KEN"), ("editor", None)])
def test_others_cannot_revoke_someone_elses_token(app, world, role, org):
    owner = world.user("delegate", "KEN", key="owner")
    headers = world.token(owner)
    api_token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == owner.id))
    browser = app.test_client()
    login(browser, world.user(role, org))
    # Not found, as a token that does not exist: the answer must not tell that this one does.
    for url in (f"/account/tokens/{api_token.id}/revoke", f"/account/tokens/{api_token.id + 100}/revoke"):
        assert browser.get(url).status_code == 404
        assert browser.post(url).status_code == 404
    db.session.refresh(api_token)
    assert api_token.revoked_at is None
    assert app.test_client().get(API, headers=headers).status_code == 200


def test_the_secretariat_revokes_a_token_from_the_users_page(app, world):
    owner = world.user("focal_point", "FRA")
    headers = world.token(owner)
    api_token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == owner.id))
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    users_page = browser.get("/admin/users").get_data(as_text=True)
    assert f'href="/account/tokens/{api_token.id}/revoke"' in users_page
    response = browser.post(f"/account/tokens/{api_token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    assert app.test_client().get(API, headers=headers).status_code == 401
    assert f'href="/account/tokens/{api_token.id}/revoke"' not in browser.get("/admin/users").get_data(as_text=True)
