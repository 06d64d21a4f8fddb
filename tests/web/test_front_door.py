"""The public front door (issue 14): anyone learns what is consulted, until when, and how to take part;
the drafts and the comments stay behind sign-in."""

from datetime import timedelta

import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models.base import utcnow
from consult.roadmap.services import create_milestone
from tests.conftest import login

PARAGRAPH = "The Assembly decided to extend the plan to 2025."
COMMENT = "Kenya asks for a stronger target."


@pytest.fixture
def consulted(world):
    """A consultation in its drafting round: a release open for ten more days, a comment, a roadmap."""
    document = world.document()
    release = world.release(document, label="Zero draft", days=10)
    today = utcnow().date()
    consultation = document.consultation
    create_milestone(
        None,
        consultation,
        {
            "title": "Drafting round",
            "kind": "internal",
            "starts_on": today - timedelta(days=5),
            "ends_on": today + timedelta(days=40),
        },
    )
    next_year = today.year + 1
    create_milestone(
        None,
        consultation,
        {
            "title": "Executive Board session",
            "kind": "board_session",
            "starts_on": today.replace(year=next_year, month=3, day=1),
            "ends_on": today.replace(year=next_year, month=3, day=31),
        },
    )
    create_comment(world.user("focal_point", "KEN"), document.sections[0], kind="general", body=COMMENT, submit=True)
    db.session.commit()
    return document, release


@pytest.mark.parametrize("path", ["/", "/consultations/plan"])
def test_anyone_learns_what_is_consulted_until_when_and_how_to_take_part(app, client, consulted, path):
    app.config["CONSULT_CONTACT_EMAIL"] = "consult@example.org"
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Strategic plan" in page  # what is consulted
    assert "Current phase" in page and "Drafting round" in page
    assert "Zero draft" in page and "closes in 10 days" in page  # the deadline
    assert "/consultations/plan/roadmap" in page and "Executive Board session" in page  # the roadmap's next step
    assert f"March {utcnow().year + 1}" in page  # a month-long milestone reads as its month
    assert "How to take part" in page and "focal point" in page and "/auth/login" in page
    assert 'href="mailto:consult@example.org"' in page
    assert PARAGRAPH not in page and COMMENT not in page


def test_without_a_contact_address_no_address_is_shown(client, consulted):
    page = client.get("/").get_data(as_text=True)
    assert "mailto:" not in page and "How to take part" in page


def test_the_roadmap_and_its_feed_are_public_but_drafts_and_comments_are_not(client, consulted):
    document, _ = consulted
    roadmap = client.get("/consultations/plan/roadmap")
    assert roadmap.status_code == 200
    page = roadmap.get_data(as_text=True)
    assert f"March {utcnow().year + 1}" in page and f"1 March {utcnow().year + 1}" not in page
    assert client.get("/consultations/plan/roadmap.ics").status_code == 200
    for path in (f"/documents/{document.id}", f"/sections/{document.sections[0].id}", "/delegation/comments"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
    assert client.get("/consultations/nowhere").status_code == 404


def test_published_outcomes_and_compilations_are_listed(client, consulted, world):
    from consult.matrix.services import publish_compilation

    document, release = consulted
    world.close_window(release)
    publish_compilation(world.user("secretariat"), release, override_reason="The answers follow in the report.")
    db.session.commit()
    page = client.get("/consultations/plan").get_data(as_text=True)
    assert "Compilation of comments on “Zero draft”" in page
    assert f"/documents/{document.id}/matrix?release={release.number}" in page
    assert COMMENT not in page


@pytest.mark.parametrize("days", [10, 1])
def test_every_open_window_says_when_it_closes_on_the_four_pages(app, consulted, world, days):
    document, release = consulted
    release.comments_close_at = utcnow() + timedelta(days=days)
    db.session.commit()
    client = app.test_client()
    login(client, world.user("delegate", "KEN"))
    expected = "closes in 1 day" if days == 1 else "closes in 10 days"
    for path in ("/", f"/documents/{document.id}", f"/sections/{document.sections[0].id}", "/delegation/comments"):
        page = client.get(path).get_data(as_text=True)
        assert expected in page, path
