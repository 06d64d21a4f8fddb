"""Fixtures: a real database per test, created by the Alembic migrations once per run.

SQLite by default (a database file copied per test); PostgreSQL when TEST_DATABASE_URL
names a server (a database cloned per test from a migrated template).
"""

import os
import shutil
import uuid
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consult import create_app
from consult.auth.services import create_user, issue_token, organization_by_code
from consult.drafts.services import create_consultation, import_document, publish_release
from consult.extensions import db
from consult.models.base import utcnow
from tests.api.conformance import DocumentedClient

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


SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")
TEMPLATE_NAME = "consult_test_template"


def _migrate(url: str) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def server_engine():
    """An autocommit connection to the PostgreSQL server, for creating databases."""
    if not ON_POSTGRES:
        yield None
        return
    engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory, server_engine):
    """An empty schema built by the migrations (which also load the organizations)."""
    if ON_POSTGRES:
        with server_engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_NAME} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {TEMPLATE_NAME}"))
        url = make_url(SERVER_URL).set(database=TEMPLATE_NAME).render_as_string(hide_password=False)
        _migrate(url)
        return url
    path = tmp_path_factory.mktemp("template") / "consult.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(template_database, tmp_path, server_engine):
    if not ON_POSTGRES:
        path = tmp_path / "consult.db"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"
        return
    name = f"consult_test_{uuid.uuid4().hex[:12]}"
    with server_engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_NAME}"))
    yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    with server_engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    app.test_client_class = DocumentedClient  # checks every answer of /api/v1 against the OpenAPI document
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
