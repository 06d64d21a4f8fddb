"""Fixtures: a real database per test, created by the Alembic migrations once per run.

SQLite by default (a database file copied per test); PostgreSQL when TEST_DATABASE_URL
names a server (a database cloned per test from a migrated template).
"""

import os
import shutil
import time
import uuid
from datetime import timedelta

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consult import create_app
from consult.auth import two_factor
from consult.auth.services import create_user, issue_token, organization_by_code
from consult.demo import DEMO_PASSWORD, load_demo
from consult.drafts.services import create_consultation, import_document, publish_release
from consult.extensions import db
from consult.models import User
from consult.models.base import utcnow
from tests.api.conformance import DocumentedClient
from tests.smtp_server import SMTPServer

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


class RequestInItsOwnContext(DocumentedClient):
    """A test client whose every request runs in an application context of its own, as under a server.

    The test keeps its own context (and database session) for calling services and looking at
    the database; after each request that session forgets what it had loaded, so that the test
    reads what the request committed.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture
def app(database_url):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    # Every answer of /api/v1 is also checked against the OpenAPI document (DocumentedClient).
    app.test_client_class = RequestInItsOwnContext
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


@pytest.fixture
def smtp(app):
    """A real SMTP server on loopback, and the app sending to it."""
    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=10)
    yield server
    server.stop()


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


def turn_on_two_step(user) -> tuple[str, list[str]]:
    """Turn on two-step sign-in for the account as its owner would; (the app's secret, the recovery codes)."""
    secret = two_factor.new_secret()
    codes = two_factor.turn_on(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    return secret, codes


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted once, even right after the current one was used."""
    return pyotp.TOTP(secret).at(time.time() + two_factor.STEP_SECONDS)


def login_two_step(client, user, code: str, password: str = PASSWORD):
    """Both steps of signing in; the answer to the second."""
    first = client.post("/auth/login", data={"email": user.email, "password": password})
    assert first.status_code == 302 and first.headers["Location"] == "/auth/two-factor", first.status_code
    second = client.post("/auth/two-factor", data={"code": code})
    assert second.status_code == 302, second.get_data(as_text=True)[:500]
    return second


@pytest.fixture
def demo(app, world):
    """The demo consultation, its people (by the part of their e-mail before @) and their API tokens."""
    load_demo()
    db.session.commit()
    people = {
        email.split("@")[0]: db.session.scalar(db.select(User).where(User.email == email))
        for email in (
            "focal.ken@consult.example",
            "focal.fra@consult.example",
            "secretariat@consult.example",
            "editor@consult.example",
            "delegate.ken@consult.example",
        )
    }
    tokens = {name: world.token(user) for name, user in people.items()}
    return people, tokens


def browser_for(app, user):
    client = app.test_client()
    login(client, user, DEMO_PASSWORD)
    return client
