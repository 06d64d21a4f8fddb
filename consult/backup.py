"""Consistent backups of the live database, for `flask --app wsgi consult backup PATH`.

SQLite: the online backup API copies one snapshot of the database while the app keeps
writing (WAL). PostgreSQL: pg_dump --format=custom from a snapshot exported by a
transaction that also counts the rows, so the counts describe exactly what the dump holds.
Either way the backup is written next to PATH and renamed into place once complete, so
PATH never holds half a backup.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, table, text

from consult.extensions import db


class BackupError(Exception):
    """The backup could not be written; the message says why."""


@dataclass
class Backup:
    path: Path
    size: int  # bytes
    revision: str | None  # the schema's migration, as in the backup
    counts: dict[str, int]  # table → rows in the backup


def postgres_tool(name: str) -> str:
    """pg_dump, pg_restore …: from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parts[-3].split(".")],
    )
    if not candidates:
        raise BackupError(
            f"{name} not found in PATH nor in /usr/lib/postgresql/*/bin: "
            "install the PostgreSQL client (apt-get install postgresql-client)."
        )
    return candidates[-1]


def backup(path: Path) -> Backup:
    """Write a consistent backup of the app's database to ``path``."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"No directory {path.parent} to write the backup in.")
    partial = path.with_name(f".{path.name}.partial")
    dialect = db.engine.dialect.name
    try:
        if dialect == "sqlite":
            revision, counts = _sqlite(partial)
        elif dialect == "postgresql":
            revision, counts = _postgresql(partial)
        else:
            raise BackupError(f"Backing up a {dialect} database is not supported.")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path=path, size=path.stat().st_size, revision=revision, counts=counts)


def _count(name: str):
    return select(func.count()).select_from(table(name))


def _tables() -> list[str]:
    return sorted([*db.metadata.tables, "alembic_version"])


def _sqlite(target: Path) -> tuple[str | None, dict[str, int]]:
    target.unlink(missing_ok=True)
    source = db.engine.raw_connection()
    try:
        with closing(sqlite3.connect(target)) as copy:
            # One step (pages=-1): a single read transaction, so one consistent snapshot.
            source.driver_connection.backup(copy)
            # A self-contained file: no -wal file to carry along with it.
            copy.execute("PRAGMA journal_mode=DELETE")
            dialect = db.engine.dialect
            counts = {
                name: copy.execute(str(_count(name).compile(dialect=dialect))).fetchone()[0] for name in _tables()
            }
            revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        source.close()
    return revision[0] if revision else None, counts


def _postgresql(target: Path) -> tuple[str | None, dict[str, int]]:
    pg_dump = postgres_tool("pg_dump")
    url = db.engine.url
    # libpq takes the URL without SQLAlchemy's driver name; the password goes by environment, not argv.
    server = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        result = subprocess.run(  # noqa: S603  (pg_dump, our arguments)
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", server],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        counts = {name: connection.scalar(_count(name)) for name in _tables()}
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return revision, counts
