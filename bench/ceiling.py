"""The write ceiling: a bare Flask + Flask-SQLAlchemy app that inserts one row per POST and commits it.

Served by gunicorn with the same settings as Consult, on the same database with the same SQLite
settings (WAL, synchronous=NORMAL, the same busy timeout): what one acknowledged row costs on this
machine, without anything Consult adds. ``create_table(url)`` runs once before the servers start.
"""

import os

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Text, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CeilingRow(Base):
    __tablename__ = "bench_ceiling_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_table(url: str) -> None:
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", "sqlite://")
# Consult's busy timeout (DATABASE_LOCK_TIMEOUT, 5 s): a second writer waits as it would there.
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = (
    {"connect_args": {"timeout": 5}} if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else {}
)
db = SQLAlchemy(app, model_class=Base)


@app.post("/")
def insert_one_row():
    row = CeilingRow(body=request.get_data(as_text=True))
    db.session.add(row)
    db.session.commit()
    return {"id": row.id}, 201


@app.get("/healthz")
def ready():
    return "ok"
