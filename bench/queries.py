"""In-process figures with Flask's test client: SQL statements per request, and render times.

A page whose statement count grows with its content (N+1 queries) shows here before
it shows in the timings. Statements are counted as the servers run (a kept page costs
the session's user and one read of the page stamps); render times are measured with
the page store off, so that they show what a page costs when it must be rendered.
"""

import json
import statistics
import time
from datetime import timedelta

from sqlalchemy import event, select

from bench.dataset import Dataset
from consult import create_app
from consult.comments.services import create_comment
from consult.drafts.services import import_document, publish_release
from consult.extensions import db
from consult.models import Document, User
from consult.models.base import utcnow


def statements_per_request(url: str, data: Dataset) -> dict[str, int]:
    # CSRF off: the test client signs in without scraping the form (the servers keep it on).
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    counts: dict[str, int] = {}
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

        def count(name: str, client, method: str, path: str, status: int, **kwargs) -> None:
            client.open(path, method=method, **kwargs)  # the first request warms caches
            statements.clear()
            response = client.open(path, method=method, **kwargs)
            if response.status_code != status:
                raise RuntimeError(f"{method} {path} answered {response.status_code}, expected {status}")
            counts[name] = len(statements)

        reader, editor, api = app.test_client(), app.test_client(), app.test_client()
        for client, email in ((reader, data.reader_email), (editor, data.editor_email)):
            if client.post("/auth/login", data={"email": email, "password": data.password}).status_code != 302:
                raise RuntimeError(f"the test client could not sign in as {email}")
        count("document_page", reader, "GET", f"/documents/{data.document_id}", 200)
        count("section_page", editor, "GET", f"/sections/{data.hot_section_id}", 200)
        for comments, section_id in data.scaling_section_ids.items():
            count(f"section_page_{comments}", editor, "GET", f"/sections/{section_id}", 200)
        count(
            "comment_list_api",
            api,
            "GET",
            f"/api/v1/sections/{data.hot_section_id}/comments",
            200,
            headers={"Authorization": f"Bearer {data.editor_token}"},
        )
        count(
            "submit_comment_api",
            api,
            "POST",
            f"/api/v1/sections/{data.submit_section_id}/comments",
            201,
            headers={"Authorization": f"Bearer {data.focal_tokens['KEN']}"},
            data=json.dumps({"body": "Statement count probe.", "submit": True}),
            content_type="application/json",
        )
        db.session.remove()
        db.engine.dispose()
    return counts


def render_times(url: str, data: Dataset, repeats: int = 20) -> dict[str, float]:
    """Median ms of the scaling sections' pages rendered in full (page store off), in-process."""
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, PAGE_CACHE_BYTES=0)
    medians: dict[str, float] = {}
    with app.app_context():
        client = app.test_client()
        if client.post("/auth/login", data={"email": data.editor_email, "password": data.password}).status_code != 302:
            raise RuntimeError(f"the test client could not sign in as {data.editor_email}")
        for comments, section_id in data.scaling_section_ids.items():
            client.get(f"/sections/{section_id}")  # warms the template and statement caches
            timings = []
            for _ in range(repeats):
                began = time.perf_counter()
                if client.get(f"/sections/{section_id}").status_code != 200:
                    raise RuntimeError(f"/sections/{section_id} did not answer 200")
                timings.append((time.perf_counter() - began) * 1000)
            medians[str(comments)] = round(statistics.median(timings), 1)
        db.session.remove()
        db.engine.dispose()
    return medians


def amendment_pages(url: str, data: Dataset, repeats: int = 10) -> dict:
    """A paragraph with 20 ordinary amendments against one with 20 built to defeat the word diff.

    Both paragraphs and their amendments are ~100,000 characters long. Returns the median ms to
    write one amendment of each kind, and to render each page in full (page store off) on its
    first view and after: the pathological page must cost about what the ordinary one costs.
    """
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, PAGE_CACHE_BYTES=0)
    words = [f"w{i % 50}" for i in range(15_000)]
    paragraph = " ".join(words)
    ordinary = [paragraph.replace("w7 w8", f"w7 amended{n} w8", 1) for n in range(20)]
    pathological = [" ".join(w if (i + n) % 3 else "x" for i, w in enumerate(words)) for n in range(20)]
    figures: dict = {}
    with app.app_context():
        secretariat = db.session.scalar(select(User).where(User.role == "secretariat"))
        focal = db.session.scalar(select(User).where(User.email == data.reader_email))
        consultation = db.session.get(Document, data.document_id).consultation
        text = f"I. Amendments\n\n1. {paragraph}\n\n2. {paragraph}"
        document = import_document(secretariat, consultation, title="Amendment pages", text=text)
        publish_release(secretariat, document, label="Zero draft", comments_close_at=utcnow() + timedelta(days=30))
        db.session.commit()
        client = app.test_client()
        if client.post("/auth/login", data={"email": data.editor_email, "password": data.password}).status_code != 302:
            raise RuntimeError(f"the test client could not sign in as {data.editor_email}")
        for name, section, proposals in (
            ("ordinary", document.sections[0], ordinary),
            ("pathological", document.sections[1], pathological),
        ):
            writes = []
            for proposed in proposals:
                began = time.perf_counter()
                create_comment(
                    focal, section, kind="amendment", body="Proposed change.", proposed_text=proposed, submit=True
                )
                db.session.commit()
                writes.append((time.perf_counter() - began) * 1000)
            path = f"/sections/{section.id}"
            began = time.perf_counter()
            if client.get(path).status_code != 200:
                raise RuntimeError(f"{path} did not answer 200")
            first = (time.perf_counter() - began) * 1000
            timings = []
            for _ in range(repeats):
                began = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - began) * 1000)
            figures[name] = {
                "write_ms": round(statistics.median(writes), 1),
                "first_view_ms": round(first, 1),
                "render_ms": round(statistics.median(timings), 1),
            }
        db.session.remove()
        db.engine.dispose()
    figures["ratio"] = round(figures["pathological"]["render_ms"] / figures["ordinary"]["render_ms"], 2)
    return figures
