"""The benchmark data set: a fresh database migrated by Alembic, then filled quickly.

The consultation, the documents and their releases go through the real services (the
importer and ``publish_release``). Users, API tokens, comments and their audit events
are bulk inserted with the columns the services write (``create_user``, ``issue_token``,
``create_comment`` + ``submit_comment``), with ``body_html`` rendered by the same
``render_markdown``, once per distinct text: 31,000 comments then take seconds.
"""

import os
import random
import secrets
import sqlite3
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bench import texts
from consult import create_app
from consult.auth.services import TOKEN_PREFIX, _hash_token
from consult.comments.similarity import compared_text, fingerprint_of
from consult.dialogues.services import create_dialogue, publish_outcome, save_outcome
from consult.drafts.services import create_consultation, import_document, publish_release, released_versions
from consult.extensions import db
from consult.models import (
    ApiToken,
    AuditEvent,
    Comment,
    CommentFingerprint,
    Organization,
    SearchEntry,
    Section,
    User,
)
from consult.models.base import utcnow
from consult.search.services import indexed_text
from consult.text import AMENDMENT_DIFF_BUDGET, diff_html, render_markdown

BENCH_DATABASE = "consult_bench"  # on PostgreSQL: created for a run, dropped after it
PASSWORD = "bench-password-2026"  # noqa: S105  (throw-away accounts on a throw-away database)
SECTIONS = 300
COMMENTS = 20_000
HOT_SECTION_COMMENTS = 500
HOT_POSITION = 42  # an English paragraph in chapter III
SUBMIT_POSITION = 10  # where the submission scenario posts
SCALING_COUNTS = (10, 100, 1_000, 10_000)
BURST_SECTIONS = 20
# Share of delegations' preferred languages (affects the language pages render in).
LOCALES = {"en": 50, "fr": 20, "es": 15, "ar": 7, "ru": 4, "zh": 4}
KINDS = {"general": 70, "amendment": 20, "question": 10}


@dataclass
class Dataset:
    password: str
    document_id: int
    hot_section_id: int
    submit_section_id: int
    burst_section_ids: list[int]
    section_ids: list[int]  # the 300 paragraphs of the draft
    scaling_section_ids: dict[int, int]  # number of comments → section id
    editor_email: str
    editor_token: str
    reader_email: str  # the focal point who reads the document page
    focal_tokens: dict[str, str]  # organization code → its focal point's token
    counts: dict[str, int]
    seconds: float


@contextmanager
def database(kind: str, directory: Path):
    """A fresh, empty database: (SQLAlchemy URL, server description)."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'bench.db'}", f"SQLite {sqlite3.sqlite_version}"
        return
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgresql"):
        sys.exit("bench.run postgresql needs DATABASE_URL=postgresql://… (run it under scripts/with-postgres)")
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            version = connection.scalar(text("SHOW server_version"))
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DATABASE}"))
        yield (
            make_url(server_url).set(database=BENCH_DATABASE).render_as_string(hide_password=False),
            f"PostgreSQL {version}",
        )
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)"))
        server.dispose()


def _insert(model, rows: list[dict]) -> list[int]:
    """Bulk insert; the new ids, in the order of ``rows`` (for the audit events)."""
    if not rows:
        return []
    table = model.__table__
    result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def _audit(actor_id, action: str, object_type: str, object_id: int, at: datetime, **details) -> dict:
    # What consult.audit.record writes; object_type is the model's lowercased class name.
    return {
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "details": details,
        "created_at": at,
    }


def _users(rng: random.Random, now: datetime) -> tuple[dict[str, int], int, int, list[dict]]:
    """193 focal points, an editor and a secretariat officer; one password hash for all."""
    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    states = db.session.scalars(
        select(Organization).where(Organization.kind == "member_state").order_by(Organization.code)
    ).all()
    secretariat_org = db.session.scalar(select(Organization.id).where(Organization.code == "UNH"))
    rows, orgs = [], []
    for state in states:
        locale = "en" if state.code == "KEN" else rng.choices(list(LOCALES), weights=list(LOCALES.values()))[0]
        rows.append(
            {
                "email": f"focal.{state.code.lower()}@bench.example",
                "name": f"Focal point ({state.name})",
                "role": "focal_point",
                "organization_id": state.id,
                "locale": locale,
            }
        )
        orgs.append(state.code)
    for role in ("editor", "secretariat"):
        rows.append(
            {
                "email": f"{role}@bench.example",
                "name": f"Bench {role}",
                "role": role,
                "organization_id": secretariat_org,
                "locale": "en",
            }
        )
        orgs.append("UNH")
    for row in rows:
        row.update(password_hash=password_hash, active=True, created_at=now, timezone=None)
    ids = _insert(User, rows)
    audit = [
        _audit(None, "user.create", "user", user_id, now, role=row["role"], organization=code)
        for user_id, row, code in zip(ids, rows, orgs, strict=True)
    ]
    focal_points = {code: user_id for code, user_id in zip(orgs, ids, strict=True) if code != "UNH"}
    return focal_points, ids[-2], ids[-1], audit


def _tokens(user_ids: list[int], now: datetime) -> tuple[list[str], list[dict]]:
    # As issue_token: the token is shown once, only its SHA-256 is stored.
    tokens = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in user_ids]
    rows = [
        {"user_id": user_id, "token_hash": _hash_token(token), "name": "bench", "created_at": now, "revoked_at": None}
        for user_id, token in zip(user_ids, tokens, strict=True)
    ]
    ids = _insert(ApiToken, rows)
    audit = [
        _audit(user_id, "token.issue", "apitoken", token_id, now)
        for user_id, token_id in zip(user_ids, ids, strict=True)
    ]
    return tokens, audit


class _CommentFactory:
    """Rows of submitted comments, as create_comment(submit=True) leaves them."""

    def __init__(self, rng: random.Random, release, focal_points: dict[str, int], org_ids: dict[str, int]):
        self.rng = rng
        self.release = release
        self.focal_points = focal_points
        self.org_ids = org_ids
        # Some delegations comment far more than others.
        self.codes = list(focal_points)
        self.weights = [rng.paretovariate(1.5) for _ in self.codes]
        self.pool = texts.comment_pool(rng)
        self.html = {body: str(render_markdown(body)) for _, _, body in self.pool}
        self.by_kind = {kind: [entry for entry in self.pool if entry[0] == kind] for kind in KINDS}
        # Section id → (proposed text, its stored diff against the section), as comments store them.
        self.amendments: dict[int, list[tuple[str, str]]] = {}

    def rows(self, section: Section, version, count: int, now: datetime) -> list[dict]:
        rng, opens = self.rng, self.release.comments_open_at
        span = (now - opens).total_seconds() - 600
        if section.id not in self.amendments:
            self.amendments[section.id] = [
                (proposed, str(diff_html(version.body, proposed, AMENDMENT_DIFF_BUDGET)))
                for proposed in texts.amendments(version.body)
            ]
        rows = []
        for code in rng.choices(self.codes, weights=self.weights, k=count):
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            if kind == "amendment" and not self.amendments[section.id]:
                kind = "general"
            _, language, body = rng.choice(self.by_kind[kind])
            submitted = opens + timedelta(seconds=rng.uniform(3600, span))
            author = self.focal_points[code]
            proposed, proposed_diff = rng.choice(self.amendments[section.id]) if kind == "amendment" else (None, None)
            rows.append(
                {
                    "section_id": section.id,
                    "release_id": self.release.id,
                    "version_id": version.id,
                    "organization_id": self.org_ids[code],
                    "author_id": author,
                    "submitted_by_id": author,
                    "kind": kind,
                    "body": body,
                    "body_html": self.html[body],
                    "proposed_text": proposed,
                    "proposed_diff_html": proposed_diff,
                    "quote": texts.quote(version.body) if rng.random() < 0.15 else None,
                    "language": language,
                    "status": "submitted",
                    "late": False,
                    "created_at": max(opens, submitted - timedelta(seconds=rng.uniform(300, 2 * 86400))),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                    "withdrawn_at": None,
                    "withdrawal_reason": None,
                }
            )
        return rows


def _comment_audit(rows: list[dict], ids: list[int]) -> list[dict]:
    events = []
    for row, comment_id in zip(rows, ids, strict=True):
        events.append(
            _audit(
                row["author_id"], "comment.draft", "comment", comment_id, row["created_at"], section=row["section_id"]
            )
        )
        events.append(
            _audit(row["submitted_by_id"], "comment.submit", "comment", comment_id, row["submitted_at"], late=False)
        )
    return events


def _publish(document, secretariat: User, now: datetime):
    # The window opened three weeks ago, so that comments can carry realistic dates.
    return publish_release(
        secretariat,
        document,
        label="Zero draft",
        comments_open_at=now - timedelta(days=21),
        comments_close_at=now + timedelta(days=30),
    )


DIALOGUES = 40
CONSTITUENCIES = ("member_states", "un_system", "major_stakeholders")


def _dialogues(rng: random.Random, consultation, secretariat: User, sections, state_codes: list[str]) -> None:
    """Forty dialogues over two years, agenda items tagged to paragraphs; half with a published outcome."""
    start = datetime(2024, 1, 31, 7, tzinfo=UTC)
    for number in range(DIALOGUES):
        dialogue = create_dialogue(
            secretariat,
            consultation,
            {
                "title": f"Dialogue {number + 1} on the strategic plan",
                "constituency": CONSTITUENCIES[number % 3],
                "format": ("in_person", "online", "hybrid")[number % 3],
                "starts_at": start + timedelta(days=18 * number),
                "ends_at": start + timedelta(days=18 * number, hours=3),
                "timezone": "Africa/Nairobi",
                "place": "Nairobi",
                "participants": rng.sample(state_codes, 12),
                "agenda": [
                    {"title": f"Agenda item {item + 1}", "section_ids": [s.id for s in rng.sample(sections, 3)]}
                    for item in range(3)
                ],
            },
        )
        if number % 2 == 0:
            save_outcome(
                secretariat,
                dialogue,
                summary=texts.paragraph(rng, chinese=False),
                conclusions=[
                    {
                        "text": texts.paragraph(rng, chinese=False),
                        "section_ids": [s.id for s in rng.sample(sections, 2)],
                    }
                    for _ in range(4)
                ],
            )
            publish_outcome(secretariat, dialogue)


def _index_rows(rows: list[dict], ids: list[int], document_ids: dict[int, int]) -> tuple[list[dict], list[dict]]:
    """The search entries and text fingerprints the services write with each comment (the sketches
    of similar comments are left out: the round does not ask for them)."""
    entries, fingerprints, indexed, hashes = [], [], {}, {}
    for row, comment_id in zip(rows, ids, strict=True):
        source = "\n\n".join(filter(None, (row["body"], row["proposed_text"])))
        if (source, row["language"]) not in indexed:
            indexed[source, row["language"]] = indexed_text(source, row["language"])
        entries.append(
            {
                "kind": "comment",
                "ref_id": comment_id,
                "section_id": row["section_id"],
                **indexed[source, row["language"]],
            }
        )
        compared = compared_text(row["body"], row["proposed_text"])
        if compared not in hashes:
            hashes[compared] = fingerprint_of(compared).text_hash
        fingerprints.append(
            {"comment_id": comment_id, "document_id": document_ids[row["section_id"]], "text_hash": hashes[compared]}
        )
    return entries, fingerprints


def build(url: str, seed: int = 2026, comments: int = COMMENTS, indexed: bool = False) -> Dataset:
    """Migrate the empty database at ``url`` and fill it; the ids and tokens the scenarios need.

    ``comments`` on the draft's paragraphs; ``indexed``: with their search entries and text
    fingerprints, as the services write them (the IPCC-scale round searches and counts campaigns)."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311  (reproducible data, not secrets)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        now = utcnow()
        focal_points, editor_id, secretariat_id, audit = _users(rng, now)
        user_ids = [*focal_points.values(), editor_id, secretariat_id]
        tokens, token_audit = _tokens(user_ids, now)
        audit += token_audit
        token_by_user = dict(zip(user_ids, tokens, strict=True))
        org_ids = dict(db.session.execute(select(Organization.code, Organization.id)).tuples().all())

        secretariat = db.session.get(User, secretariat_id)
        consultation = create_consultation(secretariat, slug="strategic-plan-bench", title="Strategic plan 2026–2029")
        document = import_document(secretariat, consultation, title="Draft strategic plan", text=texts.document(rng))
        sections = document.sections
        if len(sections) != SECTIONS:
            raise RuntimeError(f"the importer made {len(sections)} sections of the generated draft, not {SECTIONS}")
        release = _publish(document, secretariat, now)
        scaling_text = "I. Scaling\n\n" + "\n\n".join(
            f"{number}. {texts.paragraph(rng, chinese=False)}" for number in range(1, len(SCALING_COUNTS) + 1)
        )
        scaling = import_document(secretariat, consultation, title="Scaling sections", text=scaling_text)
        scaling_release = _publish(scaling, secretariat, now)
        db.session.flush()

        _dialogues(rng, consultation, secretariat, sections, list(focal_points))

        factory = _CommentFactory(rng, release, focal_points, org_ids)
        hot = sections[HOT_POSITION - 1]
        others = [section for section in sections if section is not hot]
        # Spread the rest unevenly: some paragraphs draw many more comments than others.
        spread = rng.choices(others, weights=[rng.uniform(0.2, 2.0) for _ in others], k=comments - HOT_SECTION_COMMENTS)
        per_section = Counter(spread)
        per_section[hot] = HOT_SECTION_COMMENTS
        versions = released_versions(release)
        rows = []
        for section, count in per_section.items():
            rows += factory.rows(section, versions[section.id], count, now)
        factory.release = scaling_release
        versions = released_versions(scaling_release)
        for section, count in zip(scaling.sections, SCALING_COUNTS, strict=True):
            rows += factory.rows(section, versions[section.id], count, now)
        rows.sort(key=lambda row: row["submitted_at"])  # ids grow with time, as in real use
        comment_ids = _insert(Comment, rows)
        audit += _comment_audit(rows, comment_ids)
        if indexed:
            document_ids = {section.id: section.document_id for section in [*sections, *scaling.sections]}
            entries, fingerprints = _index_rows(rows, comment_ids, document_ids)
            db.session.execute(insert(SearchEntry.__table__), entries)
            db.session.execute(insert(CommentFingerprint.__table__), fingerprints)
        db.session.execute(insert(AuditEvent.__table__), audit)
        db.session.commit()

        hot_count = db.session.scalar(select(func.count(Comment.id)).where(Comment.section_id == hot.id))
        if hot_count != HOT_SECTION_COMMENTS:
            raise RuntimeError(f"section {hot.id} has {hot_count} comments, not {HOT_SECTION_COMMENTS}")
        codes = {user_id: code for code, user_id in focal_points.items()}
        dataset = Dataset(
            password=PASSWORD,
            document_id=document.id,
            hot_section_id=hot.id,
            submit_section_id=sections[SUBMIT_POSITION - 1].id,
            burst_section_ids=[section.id for section in rng.sample(others, BURST_SECTIONS)],
            section_ids=[section.id for section in sections],
            scaling_section_ids={
                count: section.id for count, section in zip(SCALING_COUNTS, scaling.sections, strict=True)
            },
            editor_email="editor@bench.example",
            editor_token=token_by_user[editor_id],
            reader_email="focal.ken@bench.example",
            focal_tokens={codes[user_id]: token_by_user[user_id] for user_id in focal_points.values()},
            counts={
                "users": len(user_ids),
                "api_tokens": len(tokens),
                "sections": len(sections),
                "comments": comments,
                "comments_on_hot_section": HOT_SECTION_COMMENTS,
                "scaling_comments": sum(SCALING_COUNTS),
                "distinct_comment_texts": len(factory.html),
                "dialogues": DIALOGUES,
                "audit_events": db.session.scalar(select(func.count(AuditEvent.id))),
            },
            seconds=0.0,
        )
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            # The steady state autovacuum reaches within minutes in production; left to
            # itself it would start in the middle of a scenario.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    dataset.seconds = round(time.monotonic() - started, 1)
    return dataset
