"""The drafting roadmap: milestones, today's place on it, its calendar feed."""

import re
from datetime import date

from icalendar import Calendar

from consult.demo import SLUG
from consult.extensions import db
from consult.models import Milestone
from tests.conftest import browser_for


def test_roadmap_shows_the_path_to_adoption_and_today(app, demo):
    people, _ = demo
    page = browser_for(app, people["focal.ken"]).get(f"/consultations/{SLUG}/roadmap").get_data(as_text=True)
    for expected in (
        "Second session of the UN-Habitat Assembly",
        "Executive Board, first session of 2024",
        "First dialogue with Member States",
        "Africa Urban Forum",
        "World Urban Forum",
        "resumed second session",
        "Zero draft",
        'aria-current="date"',
    ):
        assert expected in page, expected
    # Today's marker stands after the 2024 path and before the adoption, which lies ahead.
    assert page.index("Executive Board, first session of 2024") < page.index('aria-current="date"')
    assert page.index('aria-current="date"') < page.index("resumed second session")
    # Read down the page, no badge says "Done" below one that says "Under way" or "Upcoming".
    badges = re.findall(r"badge--(done|current|upcoming)", page)
    assert "done" not in badges[badges.index("current") :]


def test_roadmap_is_edited_by_the_secretariat_only(app, demo):
    people, _ = demo
    secretariat = browser_for(app, people["secretariat"])
    bad = secretariat.post(
        f"/consultations/{SLUG}/roadmap/new",
        data={"title": "Board", "kind": "board_session", "starts_on": "2026-12-10", "ends_on": "2026-12-01"},
    )
    assert bad.status_code == 422 and "cannot be before" in bad.get_data(as_text=True)
    good = secretariat.post(
        f"/consultations/{SLUG}/roadmap/new",
        data={"title": "Executive Board, first session of 2027", "kind": "board_session", "starts_on": "2027-03-10"},
    )
    assert good.status_code == 302
    assert db.session.scalar(db.select(Milestone).where(Milestone.title.like("%2027"))).starts_on == date(2027, 3, 10)
    delegate = browser_for(app, people["focal.ken"])
    assert delegate.get(f"/consultations/{SLUG}/roadmap/new").status_code == 403


def test_roadmap_calendar_feed_parses(client, demo):
    response = client.get(f"/consultations/{SLUG}/roadmap.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    summaries = {str(event["SUMMARY"]) for event in events}
    assert any("First dialogue with Member States" in s for s in summaries)
    board = next(e for e in events if str(e["SUMMARY"]) == "Executive Board, first session of 2024")
    assert board.decoded("DTSTART") == date(2024, 5, 6) and board.decoded("DTEND") == date(2024, 5, 9)
    assert len({str(event["UID"]) for event in events}) == len(events)
