"""Sign-in attempts are limited per account and per address, and invalid API tokens per
address; the counters live in the database (SQLite or PostgreSQL) shared by every worker."""

import threading
from datetime import timedelta

from consult.extensions import db
from consult.models import AuditEvent
from consult.models.accounts import RateLimitCounter
from consult.models.base import utcnow
from consult.security import Check, DatabaseCounters, RateLimiter, RedisCounters, rate_limiter
from tests.conftest import PASSWORD, login

LIMIT = 10  # SIGN_IN_LIMIT_PER_ACCOUNT


def _attempt(client, email, password="not the password", address="192.0.2.1"):
    return client.post(
        "/auth/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_an_account_is_locked_after_ten_failures(app, client, world):
    user = world.user("focal_point", "KEN")
    for _ in range(LIMIT):
        assert _attempt(client, user.email).status_code == 422
    locked = _attempt(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in locked.get_data(as_text=True)
    assert 'class="error-summary" role="alert"' in locked.get_data(as_text=True)
    assert 890 <= int(locked.headers["Retry-After"]) <= 900
    # Any capitalisation of the address is the same account; other addresses too.
    assert _attempt(client, user.email.upper(), PASSWORD, address="198.51.100.7").status_code == 429
    # Another account from the same address still signs in.
    assert login(client, world.user("observer")).status_code == 302
    locks = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "user.sign_in_locked")).all()
    assert [(event.object_id, event.details["address"]) for event in locks] == [(user.id, "192.0.2.1")]


def test_unknown_addresses_are_counted_like_accounts(client):
    for _ in range(LIMIT):
        assert _attempt(client, "nobody@example.org").status_code == 422
    assert _attempt(client, "nobody@example.org").status_code == 429


def test_success_clears_the_account_count(client, world):
    user = world.user("delegate", "KEN")
    for _ in range(2):
        for _ in range(LIMIT - 1):
            assert _attempt(client, user.email).status_code == 422
        assert _attempt(client, user.email, PASSWORD).status_code == 302
        client.post("/auth/logout")


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


def test_counters_keep_neither_addresses_nor_e_mail_addresses(client, world):
    user = world.user("observer")
    _attempt(client, user.email, address="192.0.2.55")
    keys = db.session.scalars(db.select(RateLimitCounter.key)).all()
    assert len(keys) == 2
    assert not any(user.email in key or "192.0.2.55" in key for key in keys)


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


class FakeRedis:
    """The few Redis commands RedisCounters sends, with expiry on a clock the test moves."""

    def __init__(self):
        self.now = 0
        self.values = {}  # key → (value, expires at)

    def _live(self, key):
        value = self.values.get(key)
        return value if value and value[1] > self.now else None

    def pipeline(self, transaction):
        assert transaction
        fake = self

        class Pipeline(list):
            def __getattr__(self, command):
                return lambda *args, **kwargs: self.append((command, args, kwargs))

            def execute(self):
                return [getattr(fake, command)(*args, **kwargs) for command, args, kwargs in self]

        return Pipeline()

    def set(self, key, value, ex, nx):
        if nx and self._live(key):
            return None
        self.values[key] = (value, self.now + ex)
        return True

    def incr(self, key):
        value, expires = self._live(key)
        self.values[key] = (int(value) + 1, expires)
        return int(value) + 1

    def get(self, key):
        live = self._live(key)
        return str(live[0]).encode() if live else None

    def ttl(self, key):
        live = self._live(key)
        return live[1] - self.now if live else -2

    def delete(self, key):
        self.values.pop(key, None)


def test_the_redis_counters_count_in_a_window_from_the_first_failure():
    redis = FakeRedis()
    limiter = RateLimiter(RedisCounters(redis), window=900)
    checks = [Check("sign-in:account", "a@example.org", 2)]
    assert limiter.fail(checks).count == 1
    redis.now = 600
    usage = limiter.fail(checks)
    assert (usage.count, usage.retry_after) == (2, 300)
    assert limiter.retry_after(checks) == 300
    assert all(key.startswith("consult:rate:sign-in:account:") and "a@example" not in key for key in redis.values)
    redis.now = 901
    assert limiter.retry_after(checks) == 0
    assert limiter.fail(checks).count == 1
    limiter.reset(checks[0])
    assert redis.values == {}
