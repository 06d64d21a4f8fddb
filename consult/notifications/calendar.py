"""Dialogue invitations as iCalendar objects (RFC 5545, iTIP methods of RFC 5546).

Every message about one dialogue carries the same UID as its entry in the roadmap feed, and a
SEQUENCE that grows with every change (the dialogue's row version), so that a calendar program
replaces the event it filed instead of adding another, and removes it on METHOD:CANCEL.
"""

from datetime import timedelta
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from consult.models import Dialogue, User
from consult.models.base import utcnow

# A dialogue entered without an end lasts this long in calendars (as in the roadmap feed).
DEFAULT_LENGTH = timedelta(hours=3)


def dialogue_uid(dialogue: Dialogue, host: str) -> str:
    return f"dialogue-{dialogue.id}@{host}"


def dialogue_event(dialogue: Dialogue, *, method: str, attendee: User, url: str, host: str) -> str:
    """The invitation (``method`` REQUEST) or its cancellation (CANCEL) for one invited person;
    ``host``: the site's, which names the dialogue's UID."""
    name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    feed = Calendar()
    feed.add("prodid", "-//UN-Habitat//Consult//EN")
    feed.add("version", "2.0")
    feed.add("method", method)
    event = Event()
    event.add("uid", dialogue_uid(dialogue, host))
    event.add("sequence", dialogue.row_version)
    event.add("dtstamp", utcnow())
    event.add("dtstart", dialogue.starts_at)
    event.add("dtend", dialogue.ends_at or dialogue.starts_at + DEFAULT_LENGTH)
    event.add("summary", dialogue.title)
    if dialogue.place:
        event.add("location", dialogue.place)
    if dialogue.description:
        event.add("description", dialogue.description)
    event.add("url", url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or "Consult")
    event.add("organizer", organizer)
    invited = vCalAddress(f"mailto:{attendee.email}")
    invited.params["cn"] = vText(attendee.name)
    invited.params["role"] = vText("REQ-PARTICIPANT")
    invited.params["partstat"] = vText("NEEDS-ACTION")
    invited.params["rsvp"] = vText("FALSE")
    event.add("attendee", invited)
    feed.add_component(event)
    return feed.to_ical().decode()
