"""The submission floor: what a submission's rows cost when written by hand, without Consult around them.

A bare Flask app answering ``POST /api/v1/sections/<id>/comments`` as Consult does for a focal
point: the token's account, the section and its release, the release held, the comment inserted
with its formatted text, its fingerprint and indexed sketch values, its search entry, the page
stamps of its audiences and its two audit events, in one transaction, each as one prepared Core
statement, and a short JSON answer. No ORM unit of work, schema, permission rule or error
handling: the least any implementation writing these rows can cost on this machine, to set
beside the one-row write ceiling (bench/ceiling.py) and Consult itself.
"""

import hashlib
import os
import secrets

from flask import Flask, request
from sqlalchemy import bindparam, create_engine, event, insert, select, update

from consult.comments.similarity import fingerprint_of, indexed, packed
from consult.extensions import upsert
from consult.models import (
    ApiToken,
    AuditEvent,
    Comment,
    CommentFingerprint,
    CommentSketchValue,
    PageStamp,
    Release,
    ReleaseSection,
    SearchEntry,
    Section,
    User,
)
from consult.models.base import utcnow
from consult.models.stamps import comments_scope, counts_scope
from consult.search.services import indexed_text
from consult.text import detect_language, render_markdown

URL = os.environ.get("DATABASE_URL", "sqlite://")
engine = create_engine(URL, connect_args={"timeout": 10} if URL.startswith("sqlite") else {})
DIALECT = engine.dialect.name


@event.listens_for(engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    if DIALECT != "sqlite":
        return
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


ACCOUNT = (
    select(User.id, User.organization_id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active.is_(True))
)
RELEASED = (
    select(Section.document_id, Release.id, ReleaseSection.version_id)
    .join(ReleaseSection, ReleaseSection.section_id == Section.id)
    .join(Release, Release.id == ReleaseSection.release_id)
    .where(Section.id == bindparam("section_id"))
    .order_by(Release.number.desc())
    .limit(1)
)
# SQLite has one writer: the release is held by a write; PostgreSQL shares it among submissions.
HOLD = (
    update(Release).where(Release.id == bindparam("release_id")).values(accept_late=Release.accept_late)
    if DIALECT == "sqlite"
    else select(Release.id).where(Release.id == bindparam("release_id")).with_for_update(read=True)
)
COMMENT = insert(Comment.__table__).returning(Comment.__table__.c.id)
FINGERPRINT = insert(CommentFingerprint.__table__)
SKETCH = insert(CommentSketchValue.__table__)
ENTRY = insert(SearchEntry.__table__)
_stamp = upsert(DIALECT, PageStamp.__table__)
STAMPS = _stamp.on_conflict_do_update(
    index_elements=[PageStamp.__table__.c.scope], set_={"value": _stamp.excluded.value}
)
EVENTS = insert(AuditEvent.__table__)

app = Flask(__name__)


@app.post("/api/v1/sections/<int:section_id>/comments")
def submit(section_id: int):
    body = request.get_json(force=True)["body"]
    token = request.headers.get("Authorization", "").partition(" ")[2]
    language = detect_language(body)
    html = str(render_markdown(body))
    found = fingerprint_of(body)
    with engine.begin() as connection:
        user_id, organization_id = connection.execute(
            ACCOUNT, {"token_hash": hashlib.sha256(token.encode()).hexdigest()}
        ).one()
        document_id, release_id, version_id = connection.execute(RELEASED, {"section_id": section_id}).one()
        connection.execute(HOLD, {"release_id": release_id})
        now = utcnow()
        comment_id = connection.execute(
            COMMENT,
            {
                "section_id": section_id,
                "release_id": release_id,
                "version_id": version_id,
                "organization_id": organization_id,
                "author_id": user_id,
                "submitted_by_id": user_id,
                "kind": "general",
                "body": body,
                "body_html": html,
                "language": language,
                "status": "submitted",
                "late": False,
                "imported": False,
                "answer_outdated": False,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now,
                "row_version": 1,
            },
        ).scalar_one()
        connection.execute(
            FINGERPRINT,
            {
                "comment_id": comment_id,
                "document_id": document_id,
                "text_hash": found.text_hash,
                "sketch": packed(found.sketch),
            },
        )
        values = [{"comment_id": comment_id, "value": v, "document_id": document_id} for v in indexed(found.sketch)]
        connection.execute(SKETCH, values)
        connection.execute(
            ENTRY, {"kind": "comment", "ref_id": comment_id, "section_id": section_id, **indexed_text(html, language)}
        )
        connection.execute(
            EVENTS,
            [
                {
                    "created_at": now,
                    "actor_id": user_id,
                    "action": action,
                    "object_type": "comment",
                    "object_id": comment_id,
                    "details": {},
                }
                for action in ("comment.draft", "comment.submit")
            ],
        )
        # Last, as Consult writes them: every submission shares the staff's stamps.
        audiences = ("staff", f"org:{organization_id}")
        scopes = sorted(
            [comments_scope(section_id, a) for a in audiences] + [counts_scope(document_id, a) for a in audiences]
        )
        stamp = secrets.randbits(62)
        connection.execute(STAMPS, [{"scope": scope, "value": stamp} for scope in scopes])
    answer = {"id": comment_id, "section_id": section_id, "status": "submitted", "language": language}
    return {**answer, "body": body, "body_html": html, "submitted_at": now.isoformat()}, 201


@app.get("/healthz")
def ready():
    return "ok"
