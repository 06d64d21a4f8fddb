"""Migration 0014 gives the search entries written before it their stems, and the index finds them."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from consult import create_app
from consult.extensions import db
from consult.models import SearchEntry
from consult.search.services import _matching_entry_ids
from tests.migrations.test_upgrade_filled import empty_url  # noqa: F401  (the fixture)

ENTRIES = {
    1: "ندعم مشاركة الدول النامية.",
    2: "Le logement est un droit.",
    3: "Мы поддерживаем развитие городов.",
    4: "城市化的力量",
}


def _found(query: str) -> set[int]:
    return set(db.session.scalars(select(SearchEntry.ref_id).where(SearchEntry.id.in_(_matching_entry_ids(query)))))


def test_entries_written_before_the_stems_are_found_by_them(empty_url):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_url)
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            for ref_id, body in ENTRIES.items():
                connection.execute(
                    text("INSERT INTO search_entry (kind, ref_id, text) VALUES ('conclusion', :ref_id, :body)"),
                    {"ref_id": ref_id, "body": body},
                )
        upgrade()
        languages = dict(db.session.execute(select(SearchEntry.ref_id, SearchEntry.stem_language)).all())
        assert languages == {1: "en", 2: "fr", 3: "en", 4: "en"}
        assert (_found("للدول"), _found("logements"), _found("город"), _found("的力量")) == ({1}, {2}, {3}, {4})
        # Back to 0013 and up again: the index is whole at each step.
        db.session.remove()
        downgrade(revision="0013")
        upgrade()
        assert (_found("والدول"), _found("Logement")) == ({1}, {2})
        db.session.remove()
        db.engine.dispose()
