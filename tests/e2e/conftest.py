"""End-to-end fixtures: the real app under gunicorn with the demo loaded, driven by Chromium.

One server (and one fresh database from the suite's migrated template) per test module;
one browser per run; a fresh browser context per visitor. Each account signs in through the
form once per module; its later visits reuse those cookies.
Chromium comes from Debian (/usr/bin/chromium); without it the run fails, never skips.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.e2e.helpers import VIEWPORT, set_language, sign_in

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous: on a loaded two-core CI machine a page can take seconds; no test measures time.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


class Server:
    def __init__(self, url: str, env: dict):
        self.url = url
        self.env = env

    def flask(self, *args: str) -> str:
        """Run a `flask --app wsgi …` command against the server's database; return its output."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def token(self, email: str) -> str:
        return self.flask("consult", "token", email).strip().splitlines()[-1]


@pytest.fixture(scope="session")
def chromium_browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the end-to-end tests need it. "
            "Install it with `apt-get install -y chromium fonts-noto-cjk fonts-noto-core` (.ci/run does)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def module_database_url(template_database, server_engine, tmp_path_factory):
    """Like tests/conftest.py's `database_url`, but shared by one module's tests and its server."""
    if server_engine is None:
        path = tmp_path_factory.mktemp("e2e") / "consult.db"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"
        return
    template = make_url(template_database)
    name = f"consult_e2e_{uuid.uuid4().hex[:12]}"
    with server_engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {template.database}"))
    yield template.set(database=name).render_as_string(hide_password=False)
    with server_engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(module_database_url, tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": module_database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "CONSULT_CONFIG": "development",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        # Threads let the page and its stylesheet load together, as behind a real proxy.
        "GUNICORN_THREADS": "4",
        "GUNICORN_ACCESS_LOG": str(log_path),
    }
    env.pop("TEST_DATABASE_URL", None)
    live = Server(f"http://127.0.0.1:{port}", env)
    live.flask("consult", "demo")
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the workers stop with it
        )
    try:
        _wait_until_healthy(live.url, process, log_path)
        yield live
    finally:
        _stop(process)


def _wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"The server did not answer /healthz within 60 s:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class Problems(list):
    """Dialogs, page errors and console errors seen by a test's pages; each should be none."""

    def watch(self, page: Page) -> None:
        def on_dialog(dialog):
            self.append(f"dialog ({dialog.type}) on {page.url}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: self.append(f"page error on {page.url}: {error}"))

        def on_console(message):
            # A page answered 4xx on purpose (409 at the release gate …) is asserted by the test;
            # any other failed load or script error is a problem.
            own_status = message.text.startswith("Failed to load resource") and message.location["url"] == page.url
            if message.type == "error" and not own_status:
                self.append(f"console error on {page.url}: {message.text} ({message.location['url']})")

        page.on("console", on_console)


@pytest.fixture
def problems():
    return Problems()


@pytest.fixture(scope="module")
def signed_in():
    """Each account's cookies after its first sign-in through the form, reused by the module's later visits."""
    return {}


@pytest.fixture
def visit(chromium_browser, server, problems, signed_in):
    """visit(email=None, language=None) -> a page in a fresh context, signed in when given an e-mail."""
    contexts = []

    def open_page(email: str | None = None, language: str | None = None) -> Page:
        context = chromium_browser.new_context(
            viewport=VIEWPORT, base_url=server.url, locale="en-GB", storage_state=signed_in.get(email)
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page)
        if email and email not in signed_in:
            sign_in(page, email)
            signed_in[email] = context.storage_state()
        if language:
            set_language(page, language)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def shot(request):
    """shot(page, step): save test-artifacts/screenshots/<test>-<step>.png (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def save(page: Page, step: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page, timeout=2 * TIMEOUT_MS)
        return path

    return save
