"""The real server on loopback, the clients that load it, and what the database must then hold.

The server runs as in production (gunicorn.conf.py, two sync workers) in its own process
group, so that one os.killpg reaches the master and every worker at once.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from consult.models import AuditEvent, Comment

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
WORKERS = 2
# What a client sees when the server dies under it or is not there.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Live (not zombie) processes with this parent or in this process group, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name (field 2) may hold spaces; the fields after ")" do not:
            # state, parent, process group, …
            state, ppid, pgrp = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:  # the process ended meanwhile
            continue
        if state != "Z" and (int(ppid) == parent or int(pgrp) == group):
            found.append(int(entry.name))
    return sorted(found)


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "CONSULT_CONFIG": "development", **extra}


class Server:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on a free loopback port; restartable."""

    def __init__(self, database_url: str, log_dir: Path, workers: int = WORKERS, env: dict[str, str] | None = None):
        self.database_url = database_url
        self.log_dir = log_dir
        self.workers = workers
        self.env = env or {}  # more settings for the app, e.g. REDIS_URL
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    def start(self, timeout: float = 60) -> None:
        self.starts += 1
        self.port = free_port()
        self.log = self.log_dir / f"gunicorn-{self.starts}.log"
        env = server_env(
            self.database_url,
            BIND=f"{HOST}:{self.port}",
            WEB_CONCURRENCY=str(self.workers),
            GUNICORN_ACCESS_LOG="/dev/null",
            **self.env,
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our gunicorn, our arguments)
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one killpg reaches every worker
            )
        try:
            self._wait_ready(timeout)
        except RuntimeError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                ready = self.request("GET", "/readyz", timeout=5)[0] == 200
            except CONNECTION_ERRORS:
                ready = False
            # Every worker up, so that a kill hits the master and all its workers.
            if ready and len(processes(parent=self.process.pid)) == self.workers:
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn was not ready within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> int:
        """SIGKILL the master and its workers at once; how many processes were killed."""
        group = self.process.pid  # start_new_session made the master its group's leader
        doomed = processes(group=group)
        os.killpg(group, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while processes(group=group):
            if time.monotonic() > deadline:
                raise RuntimeError(f"processes of group {group} outlived SIGKILL: {processes(group=group)}")
            time.sleep(0.05)
        return len(doomed)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        group = self.process.pid
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=40)  # gunicorn's graceful_timeout is 30 s
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def request(self, method: str, path: str, *, auth=None, body=None, timeout: float = 30):
        """One request on a fresh connection: (status, parsed JSON or None)."""
        connection = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            headers = dict(auth or {})
            payload = None
            if body is not None:
                payload = json.dumps(body)
                headers["Content-Type"] = "application/json"
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            is_json = response.headers.get_content_type() == "application/json"
            return response.status, json.loads(data) if data and is_json else None
        finally:
            connection.close()


class Burst:
    """Clients submitting comments back to back until stopped, each answer recorded.

    ``clients`` holds one (auth headers, section id) per client. A client ends at its
    first connection error: in these tests only a killed server causes one.
    """

    def __init__(
        self, server: Server, clients: list[tuple[dict, int]], tag: str, per_client: int = 400, seconds: float = 90
    ):
        self.server = server
        self.tag = tag
        # Bounds on the burst in count and in time, even if nobody stops it.
        self.per_client = per_client
        self.seconds = seconds
        self.deadline = 0.0
        self.acknowledged: list[tuple[int, str]] = []  # (id, body) answered 201
        self.cut_off: list[str] = []  # bodies whose request died in flight: stored once or not at all
        self.failures: list[tuple[int, object]] = []  # any other answer
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(index, auth, section_id), daemon=True)
            for index, (auth, section_id) in enumerate(clients)
        ]
        self._running = len(self._threads)

    def start(self) -> "Burst":
        self.deadline = time.monotonic() + self.seconds
        for thread in self._threads:
            thread.start()
        return self

    def _client(self, index: int, auth: dict, section_id: int) -> None:
        try:
            for number in range(self.per_client):
                if self._stop.is_set() or time.monotonic() > self.deadline:
                    return
                body = f"{self.tag} client {index} comment {number} {uuid.uuid4().hex}"
                try:
                    status, answer = self.server.request(
                        "POST",
                        f"/api/v1/sections/{section_id}/comments",
                        auth=auth,
                        body={"body": body, "submit": True},
                    )
                except ConnectionRefusedError:  # never reached a server
                    return
                except CONNECTION_ERRORS:
                    with self._changed:
                        self.cut_off.append(body)
                    return
                with self._changed:
                    if status == 201 and answer["body"] == body and answer["status"] == "submitted":
                        self.acknowledged.append((answer["id"], body))
                    else:
                        self.failures.append((status, answer))
                    self._changed.notify_all()
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 60) -> bool:
        """Until ``count`` submissions are acknowledged; False if the clients end or time runs out first."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.acknowledged) >= count or not self._running, timeout)
            return len(self.acknowledged) >= count

    def stop(self, timeout: float = 60) -> None:
        self._stop.set()
        self.join(timeout)

    def join(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(thread.is_alive() for thread in self._threads), "a client did not finish"

    def snapshot(self) -> list[tuple[int, str]]:
        with self._changed:
            return list(self.acknowledged)


def stored_comments(connection) -> list:
    return connection.execute(
        select(
            Comment.id,
            Comment.body,
            Comment.status,
            Comment.submitted_at,
            Comment.submitted_by_id,
            Comment.body_html,
            Comment.late,
        )
    ).all()


def assert_complete_and_once(rows, acknowledged, cut_off=()) -> None:
    """Every acknowledged comment stored exactly once (by id and by its unique body), and
    no comment half-written: all were created with ``submit`` in one request."""
    assert len({comment_id for comment_id, _ in acknowledged}) == len(acknowledged), "an id was acknowledged twice"
    by_id = {row.id: row for row in rows}
    bodies = Counter(row.body for row in rows)
    lost = [(comment_id, body) for comment_id, body in acknowledged if comment_id not in by_id]
    assert not lost, f"acknowledged but not stored: {lost[:5]}"
    changed = [comment_id for comment_id, body in acknowledged if by_id[comment_id].body != body]
    assert not changed, f"stored with another body: {changed[:5]}"
    duplicated = [body for body, count in bodies.items() if count > 1]
    assert not duplicated, f"stored more than once: {duplicated[:5]}"
    assert all(bodies[body] <= 1 for body in cut_off)
    half = [
        row.id
        for row in rows
        if not (
            row.status == "submitted"
            and row.submitted_at is not None
            and row.submitted_by_id is not None
            and row.body_html.strip()
            and row.late is False
        )
    ]
    assert not half, f"half-written comments: {half[:5]}"


def assert_audited(connection, comment_ids) -> None:
    """Each comment has its draft and submit events exactly once: written in its transaction."""
    events = connection.execute(
        select(AuditEvent.object_id, AuditEvent.action, func.count())
        .where(AuditEvent.object_type == "comment")
        .group_by(AuditEvent.object_id, AuditEvent.action)
    ).all()
    counts = {(object_id, action): count for object_id, action, count in events}
    wrong = [
        comment_id
        for comment_id in comment_ids
        if counts.get((comment_id, "comment.draft")) != 1 or counts.get((comment_id, "comment.submit")) != 1
    ]
    assert not wrong, f"comments without exactly one draft and one submit event: {wrong[:5]}"
    assert {object_id for object_id, _action in counts} <= set(comment_ids), "audit events of comments not stored"
