"""In-process figures with Flask's test client: SQL statements per request, and render times.

A page whose statement count grows with its content (N+1 queries) shows here before
it shows in the timings. Statements are counted as the servers run (a kept page costs
the session's user and one read of the page stamps); render times are measured with
the page store off, so that they show what a page costs when it must be rendered.
"""

import json
import statistics
import time

from sqlalchemy import event

from bench.dataset import Dataset
from consult import create_app
from consult.extensions import db


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
