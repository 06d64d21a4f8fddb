"""Fixtures: a real database file per test, created by the Alembic migrations once per run."""

import shutil
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from consult import create_app
from consult.auth.services import create_user, issue_token, organization_by_code
from consult.drafts.services import create_consultation, import_document, publish_release
from consult.extensions import db
from consult.models.base import utcnow

PASSWORD = "correct horse battery"

SAMPLE_DOCUMENT = """HSP/EB.2024/5

I. Introduction

1. The Assembly decided to extend the plan to 2025.

II. Guiding principles

2. The secretariat proposes the following principles:

(a) Ambitious, relevant and responsive;

(b) Focused and prioritized.

3. The secretariat will synthesize the conclusions of each dialogue.
"""


@pytest.fixture(scope="session")
def template_database(tmp_path_factory):
    """An empty schema built by the migrations (which also load the organizations)."""
    path = tmp_path_factory.mktemp("template") / "consult.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(template_database, tmp_path):
    path = tmp_path / "consult.db"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class World:
    """Builds the people and documents a test needs, through the real services."""

    def __init__(self):
        self._users = {}

    def user(self, role: str, org: str | None = None, key: str | None = None):
        key = key or f"{role}-{org or 'none'}"
        if key not in self._users:
            self._users[key] = create_user(
                None,
                email=f"{key.lower()}@example.org",
                name=key,
                role=role,
                password=PASSWORD,
                organization=organization_by_code(org),
            )
            db.session.commit()
        return self._users[key]

    def token(self, user) -> dict:
        token = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    def document(self, text: str = SAMPLE_DOCUMENT, language: str = "en", slug: str = "plan"):
        from consult.models import Consultation

        consultation = db.session.scalar(db.select(Consultation).where(Consultation.slug == slug))
        if consultation is None:
            consultation = create_consultation(None, slug=slug, title="Strategic plan")
        document = import_document(None, consultation, title="Draft plan", text=text, language=language)
        db.session.commit()
        return document

    def release(self, document, label: str = "Zero draft", days: int = 30):
        release = publish_release(None, document, label=label, comments_close_at=utcnow() + timedelta(days=days))
        db.session.commit()
        return release

    def close_window(self, release):
        release.comments_open_at = utcnow() - timedelta(days=40)
        release.comments_close_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


@pytest.fixture
def world(app):
    return World()


def login(client, user, password: str = PASSWORD):
    response = client.post("/auth/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
