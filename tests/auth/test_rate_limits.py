"""Sign-in attempts are limited per (account, address) and per address, never per account
alone, and invalid API tokens per address; the counters live in the database (SQLite or
PostgreSQL) shared by every worker. Each attempt is reserved before the password is checked."""

import threading
import time
from datetime import timedelta

import pytest

from consult.auth.ratelimits import Check, DatabaseCounters, RateLimited, RateLimiter, RedisCounters, rate_limiter
from consult.extensions import db
from consult.models import AuditEvent
from consult.models.accounts import RateLimitCounter
from consult.models.base import utcnow
from tests.conftest import PASSWORD, login
from tests.redis_server import running_redis

LIMIT = 10  # SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS


def _attempt(client, email, password="not the password", address="192.0.2.1"):
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _events(action):
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_an_account_is_locked_from_the_address_that_failed_ten_times(app, client, world):
    user = world.user("focal_point", "KEN")
    for _ in range(LIMIT):
        assert _attempt(client, user.email).status_code == 422
    locked = _attempt(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in locked.get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in locked.get_data(as_text=True)
    assert 890 <= int(locked.headers["Retry-After"]) <= 900
    # Any capitalisation of the address is the same account.
    assert _attempt(client, user.email.upper(), PASSWORD).status_code == 429
    # The owner elsewhere is not locked out by a stranger's guesses.
    assert _attempt(app.test_client(), user.email, PASSWORD, address="198.51.100.7").status_code == 302
    # Another account from the same address still signs in.
    assert login(client, world.user("observer")).status_code == 302
    failures = _events("user.sign_in_failed")
    assert [(event.object_id, event.details) for event in failures] == [(user.id, {"address": "192.0.2.1"})] * LIMIT
    locks = _events("user.sign_in_locked")
    assert [(event.object_id, event.details["address"], event.details["scope"]) for event in locks] == [
        (user.id, "192.0.2.1", "sign-in:account-address")
    ]


def test_unknown_addresses_are_counted_like_accounts_and_not_recorded(client):
    for _ in range(LIMIT):
        assert _attempt(client, "nobody@example.org", "hunter2-secret").status_code == 422
    assert _attempt(client, "nobody@example.org").status_code == 429
    failures = _events("user.sign_in_failed")
    assert len(failures) == LIMIT
    assert {(event.object_type, event.object_id) for event in failures} == {("user", None)}
    assert {str(event.details) for event in failures} == {str({"address": "192.0.2.1"})}
    assert [(event.object_id, event.details["scope"]) for event in _events("user.sign_in_locked")] == [
        (None, "sign-in:account-address")
    ]


def test_success_clears_the_account_count_and_gives_the_address_its_attempt_back(client, world):
    user = world.user("delegate", "KEN")
    for _ in range(2):
        for _ in range(LIMIT - 1):
            assert _attempt(client, user.email).status_code == 422
        assert _attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/auth/logout")
    # The address was charged the failures only.
    assert rate_limiter().counters.peek(Check("sign-in:address", "192.0.2.1", 0).key).count == 2 * (LIMIT - 1)


def test_the_lock_ends_with_its_window(client, world):
    user = world.user("observer")
    for _ in range(LIMIT):
        _attempt(client, user.email)
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    db.session.execute(db.update(RateLimitCounter).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 302


def test_an_address_is_limited_across_accounts(app, client, world):
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = 3
    user = world.user("secretariat")
    for number in range(3):
        assert _attempt(client, f"guess{number}@example.org").status_code == 422
    assert _attempt(client, user.email, PASSWORD).status_code == 429
    assert _attempt(client, user.email, PASSWORD, address="203.0.113.9").status_code == 302
    locks = _events("user.sign_in_locked")
    assert [(event.object_id, event.details["scope"]) for event in locks] == [(None, "sign-in:address")]


def test_counters_keep_neither_addresses_nor_e_mail_addresses(client, world):
    user = world.user("observer")
    _attempt(client, user.email, address="192.0.2.55")
    keys = db.session.scalars(db.select(RateLimitCounter.key)).all()
    assert len(keys) == 2
    assert not any(user.email in key or "192.0.2.55" in key for key in keys)


def _reservations(limiter, checks, times):
    """How many of ``times`` reservations were granted."""
    granted = 0
    for _ in range(times):
        try:
            limiter.reserve(checks, RateLimited.sign_in)
        except RateLimited:
            continue
        granted += 1
    return granted


def test_a_refused_reservation_takes_nothing(app):
    limiter = rate_limiter()
    narrow, wide = Check("test:narrow", "a", 3), Check("test:wide", "a", 10)
    assert _reservations(limiter, [narrow, wide], 5) == 3
    # The two refused attempts took nothing from the wider check either.
    assert (limiter.counters.peek(narrow.key).count, limiter.counters.peek(wide.key).count) == (3, 3)
    limiter.release(wide)
    assert limiter.counters.peek(wide.key).count == 2
    limiter.reset(narrow)
    limiter.release(narrow)  # given back after a success cleared it: never below zero
    assert _reservations(limiter, [narrow], 5) == 3


def test_concurrent_failures_are_all_counted(app):
    counters = rate_limiter().counters
    assert isinstance(counters, DatabaseCounters)
    errors = []

    def fail_five_times():
        with app.app_context():
            try:
                for _ in range(5):
                    counters.hit("test:concurrent", 900)
            except Exception as error:  # reported below
                errors.append(error)

    threads = [threading.Thread(target=fail_five_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counters.peek("test:concurrent").count == 40


def test_invalid_api_tokens_are_limited_per_address(app, client, world):
    app.config["API_TOKEN_LIMIT_PER_ADDRESS"] = 3
    bad = {"Authorization": "Bearer cst_wrong"}
    for _ in range(3):
        assert client.get("/api/v1/consultations", headers=bad).status_code == 401
    refused = client.get("/api/v1/consultations", headers=bad)
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "rate_limited"
    assert "Try again in 15 minutes" in refused.json["error"]["message"]
    assert refused.headers["Retry-After"] and refused.headers["X-Content-Type-Options"] == "nosniff"
    # A valid token still works from the same address; other addresses are not affected.
    assert client.get("/api/v1/consultations", headers=world.token(world.user("observer"))).status_code == 200
    other = client.get("/api/v1/consultations", headers=bad, environ_base={"REMOTE_ADDR": "203.0.113.10"})
    assert other.status_code == 401


@pytest.fixture
def redis_counters(tmp_path):
    with running_redis(tmp_path) as url:
        yield RedisCounters.from_url(url)


def test_the_redis_counters_count_in_a_window_from_the_first_failure(redis_counters):
    limiter = RateLimiter(redis_counters, window=900)
    check = Check("sign-in:account-address", "a@example.org 192.0.2.1", 2)
    assert limiter.fail([check]).count == 1
    usage = limiter.fail([check])
    assert usage.count == 2 and 895 <= usage.retry_after <= 900
    keys = [key.decode() for key in redis_counters.client.keys("*")]
    assert keys == [f"consult:rate:{check.key}"] and "a@example" not in keys[0]
    redis_counters.client.expire(keys[0], 1)
    time.sleep(1.1)
    assert redis_counters.peek(check.key).count == 0
    assert limiter.fail([check]).count == 1  # a new window


def test_redis_reservations_are_exact_and_given_back(redis_counters):
    limiter = RateLimiter(redis_counters, window=900)
    narrow, wide = Check("test:narrow", "a", 3), Check("test:wide", "a", 10)
    assert _reservations(limiter, [narrow, wide], 5) == 3
    assert (redis_counters.peek(narrow.key).count, redis_counters.peek(wide.key).count) == (3, 3)
    limiter.release(wide)
    assert redis_counters.peek(wide.key).count == 2
    assert 0 < redis_counters.client.ttl(RedisCounters.PREFIX + wide.key) <= 900  # giving back keeps the window
    limiter.reset(narrow)
    limiter.release(narrow)  # after a success cleared it: no key without expiry, never below zero
    assert redis_counters.client.exists(RedisCounters.PREFIX + narrow.key) == 0


def test_concurrent_redis_reservations_grant_exactly_the_limit(redis_counters):
    limiter = RateLimiter(redis_counters, window=900)
    check = Check("test:race", "a", 10)
    granted = []
    start = threading.Barrier(8)

    def attempt_five_times():
        start.wait()
        granted.append(_reservations(limiter, [check], 5))

    threads = [threading.Thread(target=attempt_five_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 10
    assert redis_counters.peek(check.key).count == 10
