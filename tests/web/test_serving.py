"""Health, readiness, static caching, compression."""

import re

from consult.extensions import db


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready"


def test_readiness_fails_when_migrations_are_pending(client):
    db.session.execute(db.text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json["schema"] == "0001"


def test_static_files_are_hashed_and_cached_for_long(client):
    page = client.get("/auth/login").get_data(as_text=True)
    href = re.search(r'href="(/static/css/consult\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(href)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" not in client.get("/static/css/consult.css").headers.get("Cache-Control", "")


def test_pages_are_compressed_when_the_client_accepts_it(client):
    response = client.get("/auth/login", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers.get("Content-Encoding") == "br"
    assert client.get("/auth/login", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/auth/login").headers


def test_pages_answer_conditional_requests(client):
    first = client.get("/auth/login")
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    again = client.get("/auth/login", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
