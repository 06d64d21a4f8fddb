"""Adding users (administrator, secretariat) and delegates (focal point)."""

from consult.extensions import db
from consult.models import User
from tests.conftest import login


def test_secretariat_adds_a_focal_point(app, world):
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    response = browser.post(
        "/admin/users",
        data={
            "name": "Li Wei",
            "email": "li@example.org",
            "role": "focal_point",
            "organization": "CHN",
            "password": "a long password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "li@example.org"))
    assert user.organization.code == "CHN"
    duplicate = browser.post(
        "/admin/users",
        data={
            "name": "Li Wei",
            "email": "LI@example.org",
            "role": "focal_point",
            "organization": "CHN",
            "password": "a long password",
        },
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)


def test_focal_point_adds_delegates_only_to_their_own_mission(app, world):
    focal = world.user("focal_point", "KEN")
    browser = app.test_client()
    login(browser, focal)
    page = browser.get("/admin/delegation").get_data(as_text=True)
    assert "Our delegation: Kenya" in page
    response = browser.post(
        "/admin/delegation", data={"name": "Otieno", "email": "otieno@example.org", "password": "a long password"}
    )
    assert response.status_code == 302
    delegate = db.session.scalar(db.select(User).where(User.email == "otieno@example.org"))
    assert delegate.role == "delegate" and delegate.organization_id == focal.organization_id
    assert (
        browser.post(
            "/admin/users", data={"name": "X", "email": "x@example.org", "role": "admin", "password": "a long password"}
        ).status_code
        == 403
    )
    assert db.session.scalar(db.select(User).where(User.email == "x@example.org")) is None
