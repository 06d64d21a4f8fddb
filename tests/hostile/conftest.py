"""A consultation with something of everything, for hostile input to aim at."""

from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from consult.comments import services as comments
from consult.dialogues import services as dialogues
from consult.extensions import db
from consult.items import services as items
from consult.models import (
    Comment,
    CommentRevision,
    Dialogue,
    Milestone,
    OutcomeRevision,
    Release,
    SectionVersion,
    User,
)
from consult.models.base import utcnow
from consult.roadmap import services as roadmap
from tests.conftest import login

# Hostile requests fail by the hundred: with the usual limits on failed sign-ins and token
# checks, most would be answered 429 before reaching the code under test.
UNLIMITED_FAILURES = {
    "SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS": 10**6,
    "SIGN_IN_LIMIT_PER_ADDRESS": 10**6,
    "API_TOKEN_LIMIT_PER_ADDRESS": 10**6,
}

# Rows that hostile requests may add to but must never take away.
KEPT_TABLES = (Comment, CommentRevision, SectionVersion, Release, User, Dialogue, OutcomeRevision, Milestone)


class Scene:
    def __init__(self, app, world):
        self.app = app
        self.world = world
        app.config.update(UNLIMITED_FAILURES)
        self.users = {
            "admin": world.user("admin"),
            "secretariat": world.user("secretariat", "UNH"),
            "editor": world.user("editor", "UNH"),
            "focal": world.user("focal_point", "KEN"),
            "delegate": world.user("delegate", "KEN"),
            "focal_fra": world.user("focal_point", "FRA"),
            "observer": world.user("observer"),
        }
        # Readers at both ends of the clock: dates near the edges overflow in their zones.
        self.users["secretariat"].timezone = "America/Lima"
        self.users["focal_fra"].timezone = "Pacific/Kiritimati"
        self.users["observer"].timezone = "Pacific/Pago_Pago"
        self.document = world.document()
        self.release = world.release(self.document)
        self.section = self.document.sections[1]
        self.consultation = self.document.consultation
        self.draft = self.new_comment("delegate", body="Original draft text.")
        self.submitted = self.new_comment("focal", body="Original submitted text.", submit=True)
        self.foreign = self.new_comment("focal_fra", body="Texte original.", submit=True)
        self.group = comments.group_comments(
            self.users["secretariat"], self.section, [self.submitted.id, self.foreign.id], label="Same point"
        )
        self.principle = items.add_item(
            None, self.consultation, kind="guiding_principles", number="a", title="Ambitious", body="Be *ambitious*."
        )
        self.priority = items.add_item(
            None,
            self.consultation,
            kind="priority_statements",
            number="10(a)",
            title="Housing",
            body="Adequate housing.",
            group="entry_points",
        )
        self.milestone = self.new_milestone()
        self.dialogue = self.new_dialogue(published_outcome=True)
        db.session.commit()
        self.originals = {comment.id: comment.body for comment in (self.draft, self.submitted, self.foreign)} | {
            "outcome": self.dialogue.outcome.summary
        }
        self.first_versions = {section.id: section.versions[0].body for section in self.document.sections}
        self.counts = self.row_counts()
        self._clients = {}
        self._tokens = {}

    # -- fresh objects, for actions that can only happen once per object --------------

    def new_comment(self, author: str = "focal", *, body: str = "A comment.", submit: bool = False) -> Comment:
        comment = comments.create_comment(self.users[author], self.section, kind="general", body=body, submit=submit)
        db.session.commit()
        return comment

    def new_milestone(self):
        milestone = roadmap.create_milestone(
            None,
            self.consultation,
            {"title": "Executive Board", "kind": "board_session", "starts_on": utcnow().date(), "place": "Nairobi"},
        )
        db.session.commit()
        return milestone

    def new_dialogue(self, *, published_outcome: bool = False):
        starts = utcnow().replace(microsecond=0) - timedelta(days=3)
        dialogue = dialogues.create_dialogue(
            None,
            self.consultation,
            {
                "title": "Dialogue with member States",
                "constituency": "member_states",
                "format": "online",
                "timezone": "Africa/Nairobi",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "agenda": [{"title": "Principles", "section_ids": [self.section.id]}],
                "participants": ["KEN", "FRA"],
            },
        )
        if published_outcome:
            dialogues.save_outcome(
                self.users["secretariat"],
                dialogue,
                summary="Original outcome summary.",
                conclusions=[{"text": "Keep the principles.", "section_ids": [self.section.id]}],
            )
            dialogues.publish_outcome(self.users["secretariat"], dialogue)
        db.session.commit()
        return dialogue

    def new_group(self):
        members = [self.new_comment("focal", submit=True), self.new_comment("focal_fra", submit=True)]
        group = comments.group_comments(self.users["secretariat"], self.section, [c.id for c in members])
        db.session.commit()
        return group

    # -- talking to the app -----------------------------------------------------------

    def client(self, user: str | None):
        """A browser signed in as the user (None: signed out), kept across requests."""
        if user not in self._clients:
            client = self.app.test_client()
            if user is not None:
                login(client, self.users[user])
            self._clients[user] = client
        return self._clients[user]

    def token(self, user: str) -> dict:
        if user not in self._tokens:
            self._tokens[user] = self.world.token(self.users[user])
        return self._tokens[user]

    def url(self, endpoint: str, **values) -> str:
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    # -- what must never be lost ------------------------------------------------------

    def row_counts(self) -> dict[str, int]:
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in KEPT_TABLES}

    def assert_nothing_lost(self) -> None:
        db.session.expire_all()
        now = self.row_counts()
        for name, before in self.counts.items():
            assert now[name] >= before, f"{name}: {before} rows before, {now[name]} after"
        for comment_id, body in self.originals.items():
            if comment_id == "outcome":
                outcome = self.dialogue.outcome
                kept = [outcome.summary] + [revision.summary for revision in outcome.revisions]
            else:
                comment = db.session.get(Comment, comment_id)
                kept = [comment.body] + [revision.body for revision in comment.revisions]
            assert body in kept, f"{comment_id}: the original text is gone"
        for section in self.document.sections:
            if section.id in self.first_versions:  # paragraphs inserted meanwhile have their own first text
                assert section.versions[0].body == self.first_versions[section.id]


@pytest.fixture
def scene(app, world):
    return Scene(app, world)
