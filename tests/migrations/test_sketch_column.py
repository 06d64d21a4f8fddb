"""Migration 0017 packs the sketches written before it into their column and keeps only their smallest
values as index rows: the comments found similar before are found after, and back again."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from consult import create_app
from consult.comments import similarity
from consult.extensions import db
from consult.models import Comment, CommentFingerprint, CommentSketchValue
from tests.migrations.test_upgrade_filled import OldDatabase, _fill, empty_url  # noqa: F401  (the fixture)

TEXTS = (
    "We ask that the plan double investment in affordable housing for informal settlements by 2029.",
    "We request that the plan double investment in affordable housing for informal settlements by 2030.",
    "The section on resilience should mention early warning systems for coastal cities.",
)


def _values(comment_id: int) -> list[int]:
    query = select(CommentSketchValue.value).where(CommentSketchValue.comment_id == comment_id)
    return sorted(db.session.scalars(query))


def test_sketches_written_before_the_column_find_the_same_comments(empty_url):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            ids = _fill(OldDatabase(connection))
        upgrade(revision="0016")
        sketches = {}
        with db.engine.begin() as connection:
            old = OldDatabase(connection)
            first = connection.execute(text("SELECT * FROM comment WHERE id = :id"), {"id": ids["comment"]}).one()
            copied = {
                column: getattr(first, column)
                for column in ("section_id", "release_id", "version_id", "organization_id", "author_id")
            }
            for body in TEXTS:
                comment_id = old.add("comment", **copied, kind="general", body=body, status="submitted")
                found = similarity.fingerprint_of(body)
                old.add(
                    "comment_fingerprint",
                    comment_id=comment_id,
                    document_id=ids["document"],
                    text_hash=found.text_hash,
                )
                for value in found.sketch:
                    old.add("comment_sketch_value", comment_id=comment_id, value=value, document_id=ids["document"])
                sketches[comment_id] = found.sketch
        upgrade()

        asking, alike, unrelated = sketches
        for comment_id, sketch in sketches.items():
            kept = db.session.get(CommentFingerprint, comment_id)
            assert similarity.unpacked(kept.sketch) == sketch and len(sketch) == similarity.SKETCH_SIZE
            assert _values(comment_id) == similarity.indexed(sketch)
        found = similarity.similar_comments(db.session.get(Comment, asking))
        assert [(comment.id, score) for comment, score in found] == [
            (alike, round(similarity.similarity(sketches[asking], sketches[alike]), 2))
        ]
        assert unrelated not in {comment.id for comment, _ in found}

        # Back to 0016: every value is an index row again; up again: the same as after the first upgrade.
        db.session.remove()
        downgrade(revision="0016")
        with db.engine.connect() as connection:
            for comment_id, sketch in sketches.items():
                rows = connection.scalars(
                    text("SELECT value FROM comment_sketch_value WHERE comment_id = :id"), {"id": comment_id}
                )
                assert set(rows) == sketch
        upgrade()
        for kept in db.session.scalars(select(CommentFingerprint)):  # also the one 0013 computed
            assert _values(kept.comment_id) == similarity.indexed(similarity.unpacked(kept.sketch))
        assert [comment.id for comment, _ in similarity.similar_comments(db.session.get(Comment, asking))] == [alike]
        db.session.remove()
        db.engine.dispose()
