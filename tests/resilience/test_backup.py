"""`flask consult backup PATH` while submissions pour in: the backup restores, holds every
comment acknowledged before it started, and its schema is at the newest migration."""

import glob
import os
import re
import shutil
import subprocess
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consult import create_app
from consult.backup import BackupError, postgres_tool
from consult.extensions import db
from tests.resilience.helpers import (
    BIN,
    ROOT,
    Burst,
    assert_audited,
    assert_complete_and_once,
    server_env,
    stored_comments,
)

CLIENTS = 4
BEFORE = 20  # acknowledged submissions before the backup starts


@contextmanager
def restored(backup, database_url: str, server_engine, tmp_path):
    """The URL of a fresh database restored from the backup."""
    if make_url(database_url).get_backend_name() == "sqlite":
        copy = tmp_path / "restored.db"
        shutil.copy(backup, copy)
        yield f"sqlite:///{copy}"
        return
    name = f"consult_restore_{uuid.uuid4().hex[:12]}"
    url = make_url(database_url).set(database=name)
    with server_engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
        subprocess.run(
            [postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={target}", str(backup)],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with server_engine.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def test_backup_while_submissions_run(server, consultation, database_url, server_engine, tmp_path):
    backup = tmp_path / "consult.backup"
    burst = Burst(server, consultation.clients()[:CLIENTS], "backup").start()
    try:
        assert burst.wait_for(BEFORE), f"the burst stalled:\n{server.log_tail()}"
        before = burst.snapshot()
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "consult", "backup", str(backup)],
            cwd=ROOT,
            env=server_env(database_url),
            capture_output=True,
            text=True,
            timeout=120,
        )
        during = len(burst.snapshot()) - len(before)
    finally:
        burst.stop()
    assert result.returncode == 0, result.stderr
    assert not burst.failures and not burst.cut_off
    size = backup.stat().st_size
    assert f"{size:,} bytes" in result.stdout
    assert not list(tmp_path.glob(".consult.backup*"))  # no partial file left behind

    with restored(backup, database_url, server_engine, tmp_path) as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            ready = app.test_client().get("/readyz")
            assert ready.status_code == 200, ready.json  # alembic_version is the newest migration
            assert f"schema revision {ready.json['schema']}." in result.stdout
            connection = db.session.connection()
            rows = stored_comments(connection)
            assert_complete_and_once(rows, before)
            assert_audited(connection, [row.id for row in rows])
            # The command reports what the backup holds.
            assert re.search(rf"^\s+comment\s+{len(rows):,}$", result.stdout, re.MULTILINE), result.stdout
            if connection.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            db.session.remove()
            db.engine.dispose()
    print(
        f"\nbackup: {size:,} bytes holding {len(rows)} comments; {len(before)} acknowledged before it started, "
        f"{during} while it ran"
    )


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(glob, "glob", lambda pattern: [])
    with pytest.raises(BackupError, match=r"pg_dump not found.*apt-get install postgresql-client"):
        postgres_tool("pg_dump")
