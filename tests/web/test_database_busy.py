"""A database that is locked by another connection, read-only or out of reach: pages and the
API answer 503 with a clear message and Retry-After (never a 500, nothing half-written), and
/readyz says the database cannot be written. The locks are real, held from another connection."""

import contextlib
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consult import create_app
from consult.extensions import db
from consult.models import Comment
from consult.web.errorhandlers import database_unavailable
from tests.conftest import ON_POSTGRES, login

LOCK_TIMEOUT = 0.3  # seconds: what the app under test waits for a lock


@contextlib.contextmanager
def writes_locked(database_url: str, postgres_statement: str = "LOCK TABLE audit_event IN EXCLUSIVE MODE"):
    """Another connection holds a write lock until the block ends (SQLite: the whole database)."""
    if ON_POSTGRES:
        engine = create_engine(database_url)
        with engine.connect() as connection:
            transaction = connection.begin()
            connection.execute(text(postgres_statement))
            try:
                yield
            finally:
                transaction.rollback()
        engine.dispose()
        return
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def busy_app(database_url):
    """The app with short waits for locks, on the test's database."""
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        DATABASE_LOCK_TIMEOUT=LOCK_TIMEOUT,
        READINESS_WRITE_TIMEOUT=LOCK_TIMEOUT,
    )


@pytest.fixture
def section(world):
    document = world.document()
    world.release(document)
    return document.sections[0]


def comments() -> int:
    db.session.rollback()
    return db.session.scalar(db.select(db.func.count(Comment.id)))


def test_a_locked_database_answers_503_to_the_api(busy_app, database_url, world, section):
    headers = world.token(world.user("focal_point", "KEN"))
    client = busy_app.test_client()
    with writes_locked(database_url):
        started = time.monotonic()
        response = client.post(f"/api/v1/sections/{section.id}/comments", json={"body": "Kenya."}, headers=headers)
        elapsed = time.monotonic() - started
        # Reading goes on while the lock is held.
        assert client.get(f"/api/v1/sections/{section.id}", headers=headers).status_code == 200
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    assert "busy or unavailable" in response.json["error"]["message"]
    assert response.headers["Retry-After"] == "5"
    assert elapsed < 5  # the lock timeout, not the lock's lifetime
    assert comments() == 0
    created = client.post(f"/api/v1/sections/{section.id}/comments", json={"body": "Kenya."}, headers=headers)
    assert created.status_code == 201  # once the lock is gone


def test_a_locked_database_answers_503_to_a_page(busy_app, database_url, world, section):
    browser = busy_app.test_client()
    login(browser, world.user("focal_point", "KEN"))
    with writes_locked(database_url):
        response = browser.post(f"/sections/{section.id}/comments", data={"kind": "general", "body": "Kenya."})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "The database is busy or unavailable. Nothing was saved" in page
    assert "focal_point-KEN" in page  # the usual page, for the signed-in reader
    assert comments() == 0


def test_readiness_fails_while_the_database_cannot_be_written(busy_app, database_url):
    client = busy_app.test_client()
    assert client.get("/readyz").status_code == 200
    with writes_locked(database_url, "SELECT version_num FROM alembic_version FOR UPDATE"):
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json["status"] == "database not writable" and response.json["writable"] is False
    assert elapsed < 3  # the probe's own timeout
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {
        "status": "ready",
        "schema": ready.json["expected"],
        "expected": ready.json["expected"],
        "writable": True,
    }


@pytest.fixture
def read_only_url(database_url, server_engine):
    """The test's database, opened read-only (SQLite: mode=ro; PostgreSQL: read-only sessions)."""
    if ON_POSTGRES:
        name = make_url(database_url).database
        with server_engine.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} SET default_transaction_read_only = on"))
        yield database_url
        with server_engine.connect() as connection:
            connection.execute(text(f"ALTER DATABASE {name} RESET default_transaction_read_only"))
        return
    yield f"sqlite:///file:{make_url(database_url).database}?mode=ro&uri=true"


def test_a_read_only_database_is_not_ready_and_refuses_writes_with_503(app, world, section, read_only_url):
    headers = world.token(world.user("focal_point", "KEN"))
    section_id = section.id
    db.session.remove()
    db.engine.dispose()
    read_only = create_app("testing", SQLALCHEMY_DATABASE_URI=read_only_url, READINESS_WRITE_TIMEOUT=LOCK_TIMEOUT)
    client = read_only.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.json["status"] == "database not writable"
    assert client.get(f"/api/v1/sections/{section_id}", headers=headers).status_code == 200
    refused = client.post(f"/api/v1/sections/{section_id}/comments", json={"body": "Kenya."}, headers=headers)
    assert refused.status_code == 503 and refused.json["error"]["code"] == "unavailable"
    with read_only.app_context():
        db.engine.dispose()


def test_only_an_unavailable_database_is_a_503(app):
    """A query of ours that is wrong stays a 500 (and is logged), however the driver words it."""
    with pytest.raises(Exception) as wrong:
        db.session.execute(text("SELECT * FROM no_such_table"))
    assert not database_unavailable(wrong.value)
    db.session.rollback()


def test_a_database_out_of_reach_is_a_503(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'consult.db'}"  # a directory that does not exist
    if ON_POSTGRES:
        url = "postgresql+psycopg://consult@127.0.0.1:1/consult?connect_timeout=2"  # nothing listens there
    client = create_app("testing", SQLALCHEMY_DATABASE_URI=url).test_client()
    page = client.get("/healthz")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "busy or unavailable" in page.get_data(as_text=True)
    api = client.get("/api/v1/consultations", headers={"Authorization": "Bearer x"})
    assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"
    assert client.get("/readyz").json == {"status": "database unavailable", "writable": False}


@pytest.mark.skipif(not ON_POSTGRES, reason="a server connection to lose")
def test_a_lost_connection_is_a_503(app, server_engine):
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    with server_engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(Exception) as lost:
        db.session.execute(text("SELECT 1"))
    assert database_unavailable(lost.value)
    db.session.rollback()


def test_a_submission_waits_for_a_lock_held_briefly_and_the_wait_stays_bounded(busy_app, database_url, world, section):
    headers = world.token(world.user("focal_point", "KEN"))
    client = busy_app.test_client()
    submission = {"body": "Kenya submits.", "submit": True}
    section_id = section.id
    with writes_locked(database_url):
        # Held for longer than the app waits: refused, nothing written.
        refused = client.post(f"/api/v1/sections/{section.id}/comments", json=submission, headers=headers)
    assert refused.status_code == 503 and comments() == 0

    with writes_locked(database_url):
        holder_done = threading.Event()

        answers = []

        def submit():
            with busy_app.app_context():
                path = f"/api/v1/sections/{section_id}/comments"
                answers.append(client.post(path, json=submission, headers=headers).status_code)
            holder_done.set()

        worker = threading.Thread(target=submit)
        worker.start()
        time.sleep(0.1)  # the submission is waiting for the lock
        assert not holder_done.is_set()
    worker.join(5)
    # Taken as soon as it was free, well within the app's wait.
    assert answers == [201] and comments() == 1
