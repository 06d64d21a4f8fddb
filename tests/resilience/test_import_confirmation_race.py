"""The same comment-import preview confirmed by several requests at once, through the pages of a
gunicorn server with four workers: the comments are created once, every other confirmation is a 409."""

import http.client
import io
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import openpyxl
import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Comment, CommentImportPreview
from tests.conftest import PASSWORD
from tests.resilience.helpers import HOST, Server

ROUNDS = 8
RACERS = 4  # confirmations of one preview sent together


class Browser:
    """A signed-in browser: its cookies, and the CSRF token of the last page it read."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = ""):
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=60)
        try:
            headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
            if content_type:
                headers["Content-Type"] = content_type
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
            if found := re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text):
                self.csrf = found[1]
            return response.status, text
        finally:
            connection.close()

    def post_form(self, path: str, fields: dict):
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.request("POST", path, body, "application/x-www-form-urlencoded")

    def post_file(self, path: str, fields: dict, filename: str, content: bytes):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in {"csrf_token": self.csrf, **fields}.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def sign_in(self, email: str) -> None:
        self.request("GET", "/auth/login")
        status, _ = self.post_form("/auth/login", {"email": email, "password": PASSWORD})
        assert status == 302


def workbook(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Paragraph", "Kind", "Comment"])
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.fixture
def server(database_url, tmp_path):
    server = Server(database_url, tmp_path, workers=4)
    server.start()
    yield server
    server.stop()


def test_a_preview_confirmed_many_times_at_once_creates_its_comments_once(server, world):
    document = world.document()
    world.release(document)
    secretariat = world.user("secretariat")
    browser = Browser(server)
    browser.sign_in(secretariat.email)
    page = f"/documents/{document.id}/comments/import"
    barrier = threading.Barrier(RACERS, timeout=60)

    def confirm(token: str) -> int:
        barrier.wait()  # every confirmation leaves together
        return browser.post_form(f"{page}/confirm", {"token": token})[0]

    outcomes = []
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        for round_number in range(ROUNDS):
            rows = [["2", "general", f"Round {round_number}: Mexico supports (a)."], ["3", "question", "¿Cuándo?"]]
            browser.request("GET", page)
            status, html = browser.post_file(page, {"organization": "MEX"}, "mexico.xlsx", workbook(rows))
            assert status == 200, html[:2000]
            token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)[1]
            statuses = sorted(future.result() for future in [pool.submit(confirm, token) for _ in range(RACERS)])
            outcomes.append(statuses)
            assert statuses == [302] + [409] * (RACERS - 1), statuses

    db.session.rollback()
    bodies = db.session.scalars(select(Comment.body).where(Comment.imported.is_(True))).all()
    assert len(bodies) == 2 * ROUNDS
    assert sorted(body for body in bodies if body.startswith("Round")) == sorted(
        f"Round {number}: Mexico supports (a)." for number in range(ROUNDS)
    )
    imports = db.session.scalar(select(func.count()).where(AuditEvent.action == "comments.import"))
    assert imports == ROUNDS
    assert db.session.scalar(select(func.count()).where(CommentImportPreview.used_at.is_(None))) == 0
    print(f"\nimport confirmations: {ROUNDS} rounds of {RACERS} at once on 4 workers, each {outcomes[0]}")
