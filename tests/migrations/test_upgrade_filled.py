"""Upgrading a database filled under the schema of the last landed release (0006) loses nothing.

The rows are written with the old schema's own tables (reflected from the database), not
through today's models, as a production database would hold them, including the damage
the races of that time could leave: two earlier texts of one comment both numbered 1.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from consult import create_app
from consult.comments.services import record_disposition, update_comment
from consult.drafts.services import publish_release, revise_section
from consult.extensions import db
from consult.models import (
    Comment,
    CommentRevision,
    Dialogue,
    DispositionRevision,
    Notification,
    Outcome,
    Release,
    User,
)
from tests.conftest import ON_POSTGRES, PASSWORD, SERVER_URL, login

LAST_LANDED = "0006"
OPENED = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def empty_url(tmp_path):
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    name = f"consult_upgrade_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    server.dispose()


class OldDatabase:
    """Inserts rows into the tables as they are in the database, filling unnamed required columns."""

    def __init__(self, connection):
        self.connection = connection
        self.metadata = MetaData()
        self.metadata.reflect(bind=connection)

    def add(self, table_name: str, **values) -> int:
        table = self.metadata.tables[table_name]
        for column in table.columns:
            if column.name in values or column.nullable or column.primary_key or column.server_default is not None:
                continue
            values[column.name] = self._filler(column.type)
        result = self.connection.execute(table.insert().values(**values))
        return result.inserted_primary_key[0] if result.inserted_primary_key else None

    @staticmethod
    def _filler(kind):
        if isinstance(kind, Boolean):
            return False
        if isinstance(kind, Integer):
            return 0
        if isinstance(kind, DateTime):
            return OPENED
        if isinstance(kind, JSON):
            return {}
        return ""


def _fill(old: OldDatabase) -> dict:
    kenya = old.connection.scalar(text("SELECT id FROM organization WHERE code = 'KEN'"))
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    users = {
        role: old.add(
            "user",
            email=f"{role}@old.example",
            name=f"Old {role}",
            role=role,
            organization_id=kenya if role == "focal_point" else None,
            password_hash=password,
            active=True,
            session_nonce="0" * 32,
        )
        for role in ("focal_point", "editor", "secretariat")
    }
    consultation = old.add("consultation", slug="old", title="Old consultation", description="")
    document = old.add("document", consultation_id=consultation, title="Old draft", kind="plan_draft", language="en")
    section = old.add(
        "section", document_id=document, anchor="para-1", number="1", position=1, latest_version=2, heading=""
    )
    first = old.add(
        "section_version", section_id=section, number=1, body="Cities grow.", body_html="<p>Cities grow.</p>"
    )
    old.add(
        "section_version", section_id=section, number=2, body="Cities grow fast.", body_html="<p>Cities grow fast.</p>"
    )
    release = old.add(
        "release",
        document_id=document,
        number=1,
        label="Zero draft",
        published_at=OPENED,
        comments_open_at=OPENED,
        comments_close_at=OPENED + timedelta(days=365),
        accept_late=False,
    )
    old.add("release_section", release_id=release, section_id=section, version_id=first)
    comment = old.add(
        "comment",
        section_id=section,
        release_id=release,
        version_id=first,
        organization_id=kenya,
        author_id=users["focal_point"],
        submitted_by_id=users["focal_point"],
        kind="amendment",
        body="Say how fast.",
        body_html="<p>Say how fast.</p>",
        proposed_text="Cities grow very fast.",
        status="submitted",
        submitted_at=OPENED + timedelta(days=1),
        disposition="noted",
        rationale="Later.",
    )
    # Two focal points edited at once before row versions existed: two earlier texts numbered 1.
    for minutes, body in ((5, "First text."), (6, "Second text.")):
        old.add(
            "comment_revision",
            comment_id=comment,
            number=1,
            kind="amendment",
            body=body,
            replaced_at=OPENED + timedelta(days=1, minutes=minutes),
        )
    for minutes, rationale in ((1, "Thinking."), (2, "Still thinking.")):
        old.add(
            "disposition_revision",
            comment_id=comment,
            number=1,
            disposition="noted",
            rationale=rationale,
            replaced_at=OPENED + timedelta(days=2, minutes=minutes),
        )
    dialogue = old.add(
        "dialogue",
        consultation_id=consultation,
        title="Old dialogue",
        constituency="member_states",
        starts_at=OPENED,
        format="online",
        created_at=OPENED - timedelta(days=10),
    )
    old.add("participation", dialogue_id=dialogue, organization_id=kenya, attended=True)
    outcome = old.add(
        "outcome", dialogue_id=dialogue, summary="Heard.", summary_html="<p>Heard.</p>", status="published"
    )
    old.add("outcome_revision", outcome_id=outcome, number=1, summary="Draft.", conclusions=[])
    old.add("audit_event", action="comment.submit", object_type="comment", object_id=comment, details={})
    # The outbox before there was a sender: one message delivered by hand, one still waiting.
    for subject, sent_at in (("Delivered", OPENED + timedelta(days=3)), ("Waiting", None)):
        old.add(
            "notification",
            recipient_id=users["focal_point"],
            kind="disposition",
            subject=subject,
            body="Your comment was answered.",
            comment_id=comment,
            created_at=OPENED + timedelta(days=2),
            sent_at=sent_at,
        )
    return {"users": users, "comment": comment, "section": section, "document": document, "dialogue": dialogue}


def test_a_database_filled_before_this_round_upgrades_without_loss(empty_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade(revision=LAST_LANDED)
        with db.engine.begin() as connection:
            ids = _fill(OldDatabase(connection))
        upgrade()

        comment = db.session.get(Comment, ids["comment"])
        assert (comment.body, comment.status, comment.disposition, comment.row_version) == (
            "Say how fast.",
            "submitted",
            "noted",
            1,
        )
        assert comment.answer_outdated is False and "<ins>very fast</ins>" in comment.proposed_diff_html
        # An answer given before answers could be proposed first is final: the release gate counts it.
        assert comment.answer_stage is None and comment.answered and comment.reactions == []
        assert comment.release.propose_answers is False
        assert [(r.number, r.body) for r in comment.revisions] == [(1, "First text."), (2, "Second text.")]
        assert [(r.number, r.rationale) for r in comment.disposition_history] == [
            (1, "Thinking."),
            (2, "Still thinking."),
        ]
        dialogue = db.session.get(Dialogue, ids["dialogue"])
        assert dialogue.updated_at == dialogue.created_at and dialogue.outcome.status == "published"
        assert dialogue.cancelled_at is None
        # Each old message has its own Message-ID; the one never sent is due, for the sender to deliver.
        delivered, waiting = db.session.scalars(select(Notification).order_by(Notification.id))
        assert delivered.message_id != waiting.message_id and "@" in waiting.message_id
        assert (delivered.next_attempt_at, waiting.next_attempt_at) == (None, waiting.created_at)
        assert (waiting.language, waiting.delivery, waiting.attempts) == ("en", "immediately", 0)
        assert db.session.get(Outcome, dialogue.outcome.id).revisions[0].number == 1

        # The upgraded rows take part in today's rules.
        focal, editor, secretariat = (
            db.session.get(User, ids["users"][role]) for role in ("focal_point", "editor", "secretariat")
        )
        update_comment(focal, comment, body="Say how fast, with figures.")
        assert comment.answer_outdated and [r.number for r in comment.revisions] == [1, 2, 3]
        record_disposition(editor, comment, disposition="accepted", rationale=None, resolved_in_version=2)
        assert [r.number for r in comment.disposition_history] == [1, 2, 3]
        revise_section(editor, comment.section, body="Cities grow faster.", change_note="", base_version=2)
        publish_release(
            secretariat, comment.section.document, label="First draft", comments_close_at=OPENED + timedelta(days=400)
        )
        db.session.commit()
        assert db.session.scalar(select(Release.number).order_by(Release.number.desc())) == 2
        assert db.session.scalar(select(db.func.count(CommentRevision.id))) == 3
        assert db.session.scalar(select(db.func.count(DispositionRevision.id))) == 3

        # Everyone signs in again (sessions are per device now), with the password they had.
        browser = app.test_client()
        login(browser, focal)
        assert browser.get(f"/sections/{ids['section']}").status_code == 200
        db.session.remove()
        db.engine.dispose()
