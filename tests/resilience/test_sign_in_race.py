"""Sign-in attempts fired at once at four gunicorn workers are counted exactly: of 40
simultaneous wrong passwords for one account from one address, exactly the limit are checked
and the rest refused with 429, while the owner signs in from elsewhere; an address is limited
exactly across accounts too. With the counters in the database and in Redis."""

import http.client
import re
import threading
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent
from tests.conftest import PASSWORD
from tests.redis_server import running_redis
from tests.resilience.helpers import HOST, Server

ACCOUNT_LIMIT = 10  # SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS, the default
ADDRESS_LIMIT = 30  # SIGN_IN_LIMIT_PER_ADDRESS, lowered for the test
ATTACKER, OWNER, OTHER = "203.0.113.5", "198.51.100.7", "192.0.2.80"


class Browser:
    """One client with its own cookies, coming from ``address`` through the (trusted) proxy."""

    def __init__(self, server: Server, address: str):
        self.server = server
        self.address = address
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=60)
        try:
            headers = {
                "X-Forwarded-For": self.address,
                "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            }
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
            return response.status, response.read()
        finally:
            connection.close()

    def open_form(self) -> "Browser":
        status, page = self.request("GET", "/auth/login")
        assert status == 200
        self.csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)[1].decode()
        return self

    def sign_in(self, email: str, password: str) -> int:
        return self.request(
            "POST", "/auth/login", urlencode({"csrf_token": self.csrf, "email": email, "password": password})
        )[0]


def _all_at_once(attempts) -> list[int]:
    """Run the (browser, email, password) sign-ins at the same moment; their statuses."""
    statuses: list[int] = []
    start = threading.Barrier(len(attempts))
    lock = threading.Lock()

    def attempt(browser, email, password):
        start.wait()
        status = browser.sign_in(email, password)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=attempt, args=args) for args in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(statuses) == len(attempts)
    return statuses


@pytest.fixture(params=["database", "redis"])
def counters_env(request, tmp_path):
    if request.param == "database":
        yield {}
        return
    with running_redis(tmp_path) as url:
        yield {"REDIS_URL": url}


@pytest.fixture
def server(database_url, tmp_path, counters_env):
    env = {"PROXY_COUNT": "1", "SIGN_IN_LIMIT_PER_ADDRESS": str(ADDRESS_LIMIT), **counters_env}
    server = Server(database_url, tmp_path, workers=4, env=env)
    server.start()
    yield server
    server.stop()


def _count(action: str) -> int:
    db.session.rollback()  # read what the server committed
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_simultaneous_sign_in_attempts_are_counted_exactly(server, world):
    user = world.user("focal_point", "KEN")
    attackers = [Browser(server, ATTACKER).open_form() for _ in range(40)]
    statuses = _all_at_once([(browser, user.email, "not the password") for browser in attackers])
    assert sorted(statuses) == [422] * ACCOUNT_LIMIT + [429] * (40 - ACCOUNT_LIMIT)
    assert _count("user.sign_in_failed") == ACCOUNT_LIMIT
    assert _count("user.sign_in_locked") == 1
    # Locked from that address, even with the right password; the owner elsewhere signs in.
    assert Browser(server, ATTACKER).open_form().sign_in(user.email, PASSWORD) == 429
    owner = Browser(server, OWNER).open_form()
    assert owner.sign_in(user.email, PASSWORD) == 302
    assert owner.request("GET", "/settings")[0] == 200

    # From another address, guesses at many accounts: the address's own limit, exactly.
    guessers = [Browser(server, OTHER).open_form() for _ in range(ADDRESS_LIMIT + 10)]
    statuses = _all_at_once(
        [(browser, f"guess{number}@example.org", "a guess") for number, browser in enumerate(guessers)]
    )
    assert sorted(statuses) == [422] * ADDRESS_LIMIT + [429] * 10
    assert _count("user.sign_in_failed") == ACCOUNT_LIMIT + ADDRESS_LIMIT
    assert Browser(server, OTHER).open_form().sign_in(user.email, PASSWORD) == 429
    assert Browser(server, OWNER).open_form().sign_in(user.email, PASSWORD) == 302
