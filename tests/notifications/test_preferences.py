"""Each person chooses, per kind of news, how to hear about it: at once, in a daily digest, or never."""

from sqlalchemy import select

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import AuditEvent, Notification
from consult.notifications.services import preferences
from tests.conftest import login


def test_a_focal_point_chooses_on_the_account_page(app, world):
    focal = world.user("focal_point", "KEN")
    browser = app.test_client()
    login(browser, focal)
    page = browser.get("/account/notifications").get_data(as_text=True)
    for kind in ("release", "reminder", "review", "disposition", "alignment", "invitation", "outcome"):
        assert f'name="{kind}"' in page
    choices = {
        "release": "daily",
        "reminder": "immediately",
        "review": "never",
        "disposition": "immediately",
        "alignment": "never",
        "invitation": "immediately",
        "outcome": "daily",
    }
    assert browser.post("/account/notifications", data=choices).status_code == 302
    assert preferences(focal) == choices
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.notification_preferences"))
    # What they chose is what they get.
    document = world.document()
    world.release(document)
    create_comment(world.user("delegate", "KEN"), document.sections[0], kind="general", body="A draft.")
    db.session.commit()
    kinds = db.session.execute(
        select(Notification.kind, Notification.delivery).where(Notification.recipient_id == focal.id)
    ).all()
    assert kinds == [("release", "daily")]


def test_a_role_sees_only_the_kinds_it_may_hear_about_and_bad_choices_are_refused(app, world):
    delegate = world.user("delegate", "KEN")
    browser = app.test_client()
    login(browser, delegate)
    page = browser.get("/account/notifications").get_data(as_text=True)
    assert 'name="release"' in page and 'name="outcome"' in page and 'name="review"' not in page
    refused = browser.post("/account/notifications", data={"release": "hourly", "outcome": "never"})
    assert refused.status_code == 422 and preferences(delegate) == {"release": "immediately", "outcome": "immediately"}
    observer = app.test_client()
    login(observer, world.user("observer"))
    assert "only messages about your account" in observer.get("/account/notifications").get_data(as_text=True)
