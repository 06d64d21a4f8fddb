"""Dialogue invitations that open in a calendar program: METHOD:REQUEST with a stable UID, an update
with a higher SEQUENCE when the dialogue moves, METHOD:CANCEL when it is cancelled or an
organization is no longer invited; through the API and through the pages."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from consult.demo import SLUG
from consult.dialogues.services import cancel_dialogue, create_dialogue, publish_outcome, save_outcome
from consult.errors import Conflict
from consult.extensions import db
from consult.models import AuditEvent, Dialogue, Notification
from consult.models.base import utcnow
from tests.conftest import browser_for
from tests.smtp_server import body_text, send

KENYA, FRANCE = "focal.ken@consult.example", "focal.fra@consult.example"


def _event(message):
    """The invitation as a calendar program reads it: the attachment, which the inline part repeats."""
    (attachment,) = [part for part in message.iter_attachments() if part.get_filename() == "invitation.ics"]
    inline = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(inline) == 1 and inline[0].get_param("method") == Calendar.from_ical(attachment.get_content())["method"]
    calendar = Calendar.from_ical(attachment.get_content())
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _starting(days: int) -> str:
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


@pytest.fixture
def invited(app, demo, smtp):
    """A dialogue created through the API, inviting Kenya and France; what the demo wrote is sent first."""
    _, tokens = demo
    send()
    smtp.inbox.messages.clear()
    response = app.test_client().post(
        f"/api/v1/consultations/{SLUG}/dialogues",
        json={
            "title": "Dialogue on urban resilience",
            "constituency": "member_states",
            "format": "hybrid",
            "timezone": "Africa/Nairobi",
            "starts_at": _starting(20),
            "ends_at": (utcnow() + timedelta(days=20, hours=3)).replace(microsecond=0).isoformat(),
            "place": "Nairobi, UN Gigiri",
            "description": "Resilience of informal settlements.",
            "participants": ["KEN", "FRA"],
        },
        headers=tokens["secretariat"],
    )
    assert response.status_code == 201, response.json
    send()
    return response.json["id"], tokens


def test_an_invitation_opens_in_a_calendar_program(app, invited, smtp):
    dialogue_id, _ = invited
    for address, subject in ((KENYA, "Invitation: "), (FRANCE, "Invitation\u00a0: ")):
        (message,) = smtp.inbox.to(address)
        assert message["Subject"].startswith(f"{subject}Dialogue on urban resilience")  # in its reader's language
        calendar, event = _event(message)
        assert calendar["method"] == "REQUEST"
        assert str(event["uid"]) == f"dialogue-{dialogue_id}@consult.test"
        assert event["summary"] == "Dialogue on urban resilience" and event["location"] == "Nairobi, UN Gigiri"
        assert event["status"] == "CONFIRMED"
        assert (
            str(event["attendee"]) == f"mailto:{address}" and str(event["organizer"]) == "mailto:consult@consult.test"
        )
        dialogue = db.session.get(Dialogue, dialogue_id)
        assert event.decoded("dtstart") == dialogue.starts_at and event.decoded("dtend") == dialogue.ends_at
        assert f"http://consult.test/dialogues/{dialogue_id}" in body_text(message)
    assert smtp.inbox.to(FRANCE)[0]["Content-Language"] == "fr"
    # Only the focal points of the organizations invited.
    assert not smtp.inbox.to("focal.chn@consult.example") and not smtp.inbox.to("delegate.ken@consult.example")


def test_moving_it_sends_an_update_and_uninviting_sends_a_cancellation(app, invited, smtp):
    dialogue_id, tokens = invited
    first_sequence = _event(smtp.inbox.to(KENYA)[0])[1]["sequence"]
    client = app.test_client()
    moved = client.patch(
        f"/api/v1/dialogues/{dialogue_id}",
        json={
            "starts_at": _starting(21),
            "ends_at": (utcnow() + timedelta(days=21, hours=2)).replace(microsecond=0).isoformat(),
            "participants": ["KEN", "CHN"],
        },
        headers=tokens["secretariat"],
    )
    assert moved.status_code == 200, moved.json
    send()
    update = smtp.inbox.to(KENYA)[-1]
    calendar, event = _event(update)
    assert update["Subject"].startswith("Changed: Dialogue on urban resilience")
    assert calendar["method"] == "REQUEST" and event["sequence"] > first_sequence
    assert str(event["uid"]) == f"dialogue-{dialogue_id}@consult.test"
    assert event.decoded("dtstart") == db.session.get(Dialogue, dialogue_id).starts_at
    # France is no longer invited: its calendar drops the event; China is newly invited.
    calendar, event = _event(smtp.inbox.to(FRANCE)[-1])
    assert calendar["method"] == "CANCEL" and str(event["uid"]) == f"dialogue-{dialogue_id}@consult.test"
    calendar, event = _event(smtp.inbox.to("focal.chn@consult.example")[-1])
    assert (
        calendar["method"] == "REQUEST" and smtp.inbox.to("focal.chn@consult.example")[-1]["Content-Language"] == "zh"
    )

    # A change that calendars do not show (the constituency) tells nobody.
    count = len(smtp.inbox.messages)
    client.patch(f"/api/v1/dialogues/{dialogue_id}", json={"constituency": "un_system"}, headers=tokens["secretariat"])
    send()
    assert len(smtp.inbox.messages) == count


def test_cancelling_on_the_page_sends_method_cancel_and_is_audited(app, invited, smtp, demo):
    dialogue_id, _ = invited
    people, _ = demo
    secretariat = browser_for(app, people["secretariat"])
    confirm = secretariat.get(f"/dialogues/{dialogue_id}/cancel")
    assert confirm.status_code == 200 and "Cancel this dialogue?" in confirm.get_data(as_text=True)
    version = db.session.get(Dialogue, dialogue_id).row_version
    done = secretariat.post(f"/dialogues/{dialogue_id}/cancel", data={"version": str(version)})
    assert done.status_code == 302
    send()
    sequences = []
    for address, cancelled in ((KENYA, "Cancelled: "), (FRANCE, "Annulation\u00a0: ")):
        invitation, cancellation = smtp.inbox.to(address)
        calendar, event = _event(cancellation)
        assert calendar["method"] == "CANCEL" and event["status"] == "CANCELLED"
        assert event["uid"] == _event(invitation)[1]["uid"]
        assert event["sequence"] > _event(invitation)[1]["sequence"]
        assert cancellation["Subject"].startswith(f"{cancelled}Dialogue on urban resilience")
        sequences.append(event["sequence"])
    dialogue = db.session.get(Dialogue, dialogue_id)
    assert dialogue.cancelled_at is not None and dialogue.cancelled_by_id == people["secretariat"].id
    assert db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "dialogue.cancel", AuditEvent.object_id == dialogue_id)
    )
    page = secretariat.get(f"/dialogues/{dialogue_id}").get_data(as_text=True)
    assert "This dialogue was cancelled" in page and f"/dialogues/{dialogue_id}/edit" not in page
    # Once cancelled it changes no more, and is not cancelled twice.
    again = secretariat.post(f"/dialogues/{dialogue_id}/cancel", data={"version": str(dialogue.row_version)})
    assert again.status_code == 409
    _, tokens = invited
    patched = app.test_client().patch(
        f"/api/v1/dialogues/{dialogue_id}", json={"place": "Geneva"}, headers=tokens["secretariat"]
    )
    assert patched.status_code == 409
    feed = app.test_client().get(f"/consultations/{SLUG}/roadmap.ics").get_data()
    (entry,) = [
        e for e in Calendar.from_ical(feed).walk("VEVENT") if str(e["uid"]).startswith(f"dialogue-{dialogue_id}@")
    ]
    assert entry["status"] == "CANCELLED"


def test_a_stale_cancellation_is_refused(app, invited, demo):
    dialogue_id, _ = invited
    people, _ = demo
    secretariat = browser_for(app, people["secretariat"])
    stale = secretariat.post(f"/dialogues/{dialogue_id}/cancel", data={"version": "0"})
    assert stale.status_code == 409 and db.session.get(Dialogue, dialogue_id).cancelled_at is None


def test_a_dialogue_that_has_started_cannot_be_cancelled(app, world):
    from consult.drafts.services import create_consultation

    consultation = create_consultation(None, slug="past", title="Past")
    dialogue = create_dialogue(
        None,
        consultation,
        {
            "title": "Held",
            "constituency": "member_states",
            "format": "online",
            "starts_at": datetime(2024, 1, 31, 9, tzinfo=UTC),
            "participants": ["KEN"],
        },
    )
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0  # a past dialogue invites no one
    with pytest.raises(Conflict):
        cancel_dialogue(world.user("secretariat"), dialogue)


def test_a_published_outcome_tells_those_who_took_part(app, world, smtp):
    from consult.drafts.services import create_consultation

    kenya, kenya_delegate, france = (
        world.user("focal_point", "KEN"),
        world.user("delegate", "KEN"),
        world.user("focal_point", "FRA"),
    )
    consultation = create_consultation(None, slug="held", title="Held")
    dialogue = create_dialogue(
        None,
        consultation,
        {
            "title": "Held dialogue",
            "constituency": "member_states",
            "format": "online",
            "starts_at": utcnow() - timedelta(days=2),
            "participants": ["KEN", "FRA"],
        },
    )
    db.session.commit()
    secretariat = world.user("secretariat")
    from consult.dialogues.services import record_attendance

    record_attendance(secretariat, dialogue, ["KEN"])
    save_outcome(secretariat, dialogue, summary="We heard *Kenya*.", conclusions=[])
    publish_outcome(secretariat, dialogue)
    db.session.commit()
    send()
    for person in (kenya, kenya_delegate):
        (message,) = smtp.inbox.to(person.email)
        assert message["Subject"] == "Outcome published: Held dialogue" and "We heard *Kenya*." in body_text(message)
    assert smtp.inbox.to(france.email) == []  # invited, but did not attend
