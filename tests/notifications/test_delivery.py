"""Mail that reaches people, against a real SMTP server: each message in its reader's language,
sent once however often the sender runs, kept while the server is down, and sent once by two
senders running at the same time."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_datetime
from sqlalchemy import func, select, update

from consult.comments.services import create_comment
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import Comment, Document, Notification, User
from consult.models.base import utcnow
from consult.notifications import delivery, messages
from consult.notifications.messages import Message
from consult.notifications.services import set_preferences
from tests.smtp_server import body_text, send


def _demo_user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _english_document() -> Document:
    return db.session.scalar(select(Document).where(Document.language == "en"))


def _delivered_so_far(smtp) -> None:
    """Send what the demo wrote when it was loaded, then start from an empty inbox."""
    send()
    smtp.inbox.messages.clear()


def test_a_release_mails_every_focal_point_in_their_own_language(app, demo, smtp):
    people, _ = demo
    _delivered_so_far(smtp)
    document = _english_document()
    closes = datetime(2027, 1, 15, 17, 0, tzinfo=UTC)
    release = publish_release(
        people["secretariat"],
        document,
        label="First draft",
        comments_close_at=closes,
        override_reason="The demo comments are answered in the next round.",
    )
    db.session.commit()
    report = send()

    focal_points = db.session.scalars(select(User).where(User.role == "focal_point")).all()
    assert len(focal_points) == 5 and report.unreachable is None
    for focal in focal_points:
        (message,) = [m for m in smtp.inbox.to(focal.email) if "First draft" in m["Subject"]]
        assert message["Content-Language"] == focal.locale
        text = body_text(message)
        # The close, as the focal point reads dates: in their language (month names from CLDR).
        assert format_datetime(closes, "long", tzinfo=UTC, locale=focal.locale) in text
        assert f"http://consult.test/documents/{document.id}" in text
        html = message.get_body(("html",)).get_content()
        assert f'lang="{focal.locale}"' in html and f'href="http://consult.test/documents/{document.id}"' in html
        assert ('dir="rtl"' in html) == (focal.locale == "ar")
        assert message["Message-ID"] == db.session.scalar(
            select(Notification.message_id)
            .where(
                Notification.recipient_id == focal.id, Notification.kind == "release", Notification.sent_at.is_not(None)
            )
            .order_by(Notification.id.desc())
        )
    # Delegates and the task force hear of it too; the Secretariat, who published it, does not.
    assert smtp.inbox.to("delegate.ken@consult.example") and smtp.inbox.to("editor@consult.example")
    assert not smtp.inbox.to("secretariat@consult.example")
    assert release.number == 2


def _close_in(release, hours: float) -> None:
    release.comments_open_at = utcnow() - timedelta(days=20)
    release.comments_close_at = utcnow() + timedelta(hours=hours)
    db.session.commit()


def test_a_window_closing_in_two_days_reminds_kenya_of_its_delegates_draft(app, demo, smtp):
    people, _ = demo
    _delivered_so_far(smtp)
    document = _english_document()
    release = document.releases[-1]
    section = next(s for s in document.sections if s.number == "12")
    create_comment(people["delegate.ken"], section, kind="general", body="Mention informal settlements here.")
    db.session.commit()
    _close_in(release, 47)

    first = send()
    second = send()

    reminders = [m for m in smtp.inbox.to("focal.ken@consult.example") if "closes on" in m["Subject"]]
    assert len(reminders) == 1
    text = body_text(reminders[0])
    assert "Mention informal settlements here." in text and "Paragraph 12" in text
    assert people["delegate.ken"].name in text
    assert "http://consult.test/delegation/comments" in text
    # France's focal point is reminded too, in French, of a delegation with other drafts (or none).
    (french,) = [m for m in smtp.inbox.to("focal.fra@consult.example") if "prend fin le" in m["Subject"]]
    assert french["Content-Language"] == "fr" and "Mention informal settlements" not in body_text(french)
    assert first.reminders >= 5 and second.reminders == 0 and second.sent == 0


def test_each_threshold_reminds_once_and_a_moved_window_reminds_again(app, demo, smtp):
    document = _english_document()
    release = document.releases[-1]
    _close_in(release, 100)  # the 7-day threshold has passed, the 48-hour one not yet
    assert delivery.reminder_due(release, utcnow()) == 168
    assert delivery.create_due_reminders(utcnow()) == 5
    assert delivery.create_due_reminders(utcnow()) == 0
    _close_in(release, 30)
    assert delivery.create_due_reminders(utcnow()) == 5
    # A window opened three days before it closes was never "closing in 7 days": only the 48-hour reminder.
    release.comments_open_at = release.comments_close_at - timedelta(days=3)
    assert delivery.reminder_due(release, release.comments_close_at - timedelta(hours=60)) is None
    assert delivery.reminder_due(release, release.comments_close_at - timedelta(hours=1)) == 48
    db.session.commit()
    keys = db.session.scalars(select(Notification.dedup_key).where(Notification.kind == "reminder")).all()
    assert len(keys) == len(set(keys)) == 10


def _queue(count: int, kind: str = "release") -> list[User]:
    """``count`` people with one message each, due now."""
    people = []
    for number in range(count):
        user = User(email=f"reader{number}@example.org", name=f"Reader {number}", role="observer")
        user.set_password("a long enough password")
        people.append(user)
    db.session.add_all(people)
    db.session.flush()
    messages.notify(people, kind, lambda user: Message(f"Hello {user.name}", "A message."), link="/")
    db.session.commit()
    return people


def test_running_the_sender_twice_sends_nothing_twice(app, world, smtp, runner):
    _queue(7)
    first = runner.invoke(args=["consult", "send-mail"])
    second = runner.invoke(args=["consult", "send-mail"])
    assert first.exit_code == 0 and first.output.strip().splitlines()[-1] == "sent 7"
    assert second.exit_code == 0 and second.output.strip().splitlines()[-1] == "sent 0"
    assert len(smtp.inbox.messages) == 7 and len(set(smtp.inbox.ids())) == 7


def test_with_the_server_stopped_nothing_is_lost_and_everything_goes_out_once_it_is_back(app, world, smtp, runner):
    _queue(4)
    smtp.stop()
    down = runner.invoke(args=["consult", "send-mail"])
    assert down.exit_code == 1
    assert down.output.strip().splitlines()[-1] == "sent 0"
    waiting = db.session.scalars(select(Notification)).all()
    assert len(waiting) == 4 and all(n.sent_at is None and n.claimed_at is None for n in waiting)
    assert all("127.0.0.1" in n.last_error and n.attempts == 0 for n in waiting)
    assert all(n.next_attempt_at <= utcnow() for n in waiting)  # still due: the next run tries them at once

    smtp.start()
    back = runner.invoke(args=["consult", "send-mail"])
    again = runner.invoke(args=["consult", "send-mail"])
    assert back.exit_code == 0 and back.output.strip().splitlines()[-1] == "sent 4"
    assert again.output.strip().splitlines()[-1] == "sent 0"
    db.session.expire_all()
    assert sorted(smtp.inbox.ids()) == sorted(n.message_id for n in db.session.scalars(select(Notification)))
    assert db.session.scalar(select(func.count()).where(Notification.sent_at.is_(None))) == 0


def test_a_refused_message_is_kept_with_its_error_and_tried_again_later(app, world, smtp):
    people = _queue(3)
    smtp.inbox.refused.add(people[1].email)
    report = send()
    assert (report.sent, report.failed) == (2, 1)
    refused = db.session.scalar(select(Notification).where(Notification.recipient_id == people[1].id))
    assert refused.sent_at is None and refused.attempts == 1 and "550" in refused.last_error
    assert refused.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert send().sent == 0  # not due yet
    # The second failure waits twice as long.
    db.session.execute(update(Notification).where(Notification.id == refused.id).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert send().failed == 1
    db.session.refresh(refused)
    assert refused.attempts == 2 and refused.next_attempt_at > utcnow() + timedelta(seconds=110)
    smtp.inbox.refused.clear()
    db.session.execute(update(Notification).where(Notification.id == refused.id).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert send().sent == 1
    assert len(smtp.inbox.to(people[1].email)) == 1


def test_a_message_whose_sender_died_is_sent_again_under_the_same_message_id(app, world, smtp):
    _queue(2)
    token, ids = delivery.claim(utcnow(), 10)  # a sender claims them, then dies before sending
    assert len(ids) == 2
    assert send().sent == 0  # held by the claim
    lapsed = utcnow() - timedelta(seconds=app.config["MAIL_CLAIM_SECONDS"] + 1)
    db.session.execute(update(Notification).values(claimed_at=lapsed))
    db.session.commit()
    assert send().sent == 2
    stored = set(db.session.scalars(select(Notification.message_id)))
    assert set(smtp.inbox.ids()) == stored


@pytest.mark.parametrize("senders", [2, 3])
def test_senders_running_at_once_send_each_message_once(app, world, smtp, senders):
    _queue(45)
    app.config["MAIL_BATCH_SIZE"] = 4
    reports, errors = [], []
    start = threading.Barrier(senders)

    def sender():
        try:
            with app.app_context():
                start.wait()
                report = delivery.Report()
                delivery.send_due(report)
                reports.append(report)
                db.session.remove()
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.sent for r in reports) == 45
    assert len(smtp.inbox.messages) == 45 and len(set(smtp.inbox.ids())) == 45
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Notification.sent_at.is_(None))) == 0


def test_a_daily_digest_is_one_message_in_the_readers_language(app, world, smtp):
    focal = world.user("focal_point", "FRA")
    focal.locale = "fr"
    focal.timezone = "Europe/Paris"
    set_preferences(focal, {"release": "daily"})
    db.session.commit()
    for slug in ("one", "two"):
        world.release(world.document(slug=slug), label=f"Draft {slug}")
    waiting_only = delivery.Report()
    delivery.send_due(waiting_only)  # sends what is due, writes no digest
    assert smtp.inbox.to(focal.email) == []
    waiting = db.session.scalars(select(Notification).where(Notification.recipient_id == focal.id)).all()
    assert len(waiting) == 2 and {n.delivery for n in waiting} == {"daily"} and {n.language for n in waiting} == {"fr"}

    early = datetime.now(UTC).replace(hour=4, minute=0)  # 05:00 or 06:00 in Paris: before the digest hour
    assert delivery.create_due_digests(early) == 0
    morning = early.replace(hour=9)
    assert delivery.create_due_digests(morning) == 1
    assert delivery.create_due_digests(morning) == 0  # once a day, however often the sender runs
    db.session.commit()
    delivery.send_due(delivery.Report())
    (digest,) = smtp.inbox.to(focal.email)
    assert digest["Content-Language"] == "fr"
    assert "Draft one" in body_text(digest) and "Draft two" in body_text(digest)
    db.session.expire_all()
    assert all(n.sent_at is not None and n.digest_id is not None for n in waiting)


def test_never_means_no_message_and_account_mail_comes_all_the_same(app, world, smtp):
    focal = world.user("focal_point", "KEN")
    delegate = world.user("delegate", "KEN")
    set_preferences(focal, {"review": "never", "release": "never"})
    db.session.commit()
    document = world.document()
    world.release(document)
    create_comment(delegate, document.sections[0], kind="general", body="A draft to review.")
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(Notification.recipient_id == focal.id)) == 0
    messages.password_reset_requested(focal)
    db.session.commit()
    send()
    (message,) = smtp.inbox.to(focal.email)
    assert re.search(r"http://consult\.test/auth/reset/\S+", body_text(message))


def test_a_delegates_draft_tells_the_focal_point(app, world, smtp):
    focal = world.user("focal_point", "KEN")
    delegate = world.user("delegate", "KEN")
    document = world.document()
    world.release(document)
    comment = create_comment(delegate, document.sections[0], kind="general", body="Please look at this.")
    db.session.commit()
    send()
    (message,) = [m for m in smtp.inbox.to(focal.email) if "review" in m["Subject"]]
    assert "Please look at this." in body_text(message)
    assert f"http://consult.test/comments/{comment.id}" in body_text(message)
    assert not [m for m in smtp.inbox.to(delegate.email) if "review" in m["Subject"]]


def test_without_a_mail_server_messages_are_written_to_the_log(app, world, caplog):
    app.config["MAIL_SERVER"] = None
    _queue(2)
    with caplog.at_level("INFO", logger="consult.mail"):
        report = send()
    assert report.sent == 2 and report.unreachable is None
    logged = [r.getMessage() for r in caplog.records if r.name == "consult.mail"]
    assert len(logged) == 2 and all("Hello Reader" in line for line in logged)
    assert db.session.scalar(select(func.count()).where(Notification.sent_at.is_(None))) == 0


def test_the_outbox_shows_ones_own_messages_and_only_the_kind_of_others(app, world, client):
    from tests.conftest import login

    focal = world.user("focal_point", "KEN")
    delegate = world.user("delegate", "KEN")
    document = world.document()
    world.release(document)
    create_comment(delegate, document.sections[0], kind="general", body="Confidential draft wording.")
    db.session.commit()
    login(client, focal)
    own = client.get("/outbox").get_data(as_text=True)
    assert "Confidential draft wording." in own and "waiting" in own
    manager = app.test_client()
    login(manager, world.user("secretariat"))
    page = manager.get("/outbox").get_data(as_text=True)
    assert "Confidential draft wording." not in page
    assert "draft waiting for your review" in page


def test_the_comment_answered_message_links_to_the_comment(app, world, smtp):
    from consult.comments.services import record_disposition

    focal = world.user("focal_point", "KEN")
    document = world.document()
    world.release(document)
    comment = create_comment(focal, document.sections[0], kind="general", body="Sent.", submit=True)
    record_disposition(world.user("editor"), comment, disposition="noted", rationale="Thank you.")
    db.session.commit()
    send()
    (message,) = [m for m in smtp.inbox.to(focal.email) if "answered" in m["Subject"]]
    assert "Thank you." in body_text(message) and f"/comments/{comment.id}" in body_text(message)
    assert db.session.get(Comment, comment.id).disposition == "noted"


def test_the_mail_worker_sends_what_falls_due_until_it_is_stopped(app, world, smtp, database_url):
    _queue(3)
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CONSULT_CONFIG": "development",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "BASE_URL": "http://consult.test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "consult", "mail-worker", "--interval", "0.2"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(smtp.inbox.messages) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        later = messages.notify(
            [world.user("observer")], "release", lambda user: Message("Later", "Written meanwhile.")
        )
        db.session.commit()
        while len(smtp.inbox.messages) < 3 + later and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert "mail worker stopped" in output
    assert len(smtp.inbox.messages) == 4 and len(set(smtp.inbox.ids())) == 4
