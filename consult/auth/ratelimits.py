"""Rate limits that every worker shares: failures counted per key, refused past a limit.

Counters live in Redis when ``REDIS_URL`` is set, otherwise in the ``rate_limit_counter``
table; both count failures under a key from the first one until a fixed window has passed.
"""

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import redis
from flask import current_app
from flask_babel import ngettext
from sqlalchemy import case, delete, select, update

from consult.errors import DomainError
from consult.extensions import db, upsert
from consult.models.accounts import RateLimitCounter
from consult.models.base import utcnow


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, message, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after

    @staticmethod
    def _minutes(seconds: int) -> int:
        return max(1, math.ceil(seconds / 60))

    @classmethod
    def sign_in(cls, retry_after: int) -> "RateLimited":
        minutes = cls._minutes(retry_after)
        message = ngettext(
            "Too many sign-in attempts. Try again in %(num)d minute.",
            "Too many sign-in attempts. Try again in %(num)d minutes.",
            minutes,
        )
        return cls(message, retry_after)

    @classmethod
    def password_reset(cls, retry_after: int) -> "RateLimited":
        minutes = cls._minutes(retry_after)
        message = ngettext(
            "Too many requests for a new password. Try again in %(num)d minute.",
            "Too many requests for a new password. Try again in %(num)d minutes.",
            minutes,
        )
        return cls(message, retry_after)

    @classmethod
    def api_token(cls, retry_after: int) -> "RateLimited":
        minutes = cls._minutes(retry_after)
        message = ngettext(
            "Too many requests with an invalid API token. Try again in %(num)d minute.",
            "Too many requests with an invalid API token. Try again in %(num)d minutes.",
            minutes,
        )
        return cls(message, retry_after)


@dataclass(frozen=True)
class Usage:
    count: int
    retry_after: int  # seconds until the counter starts again from zero


class Check(NamedTuple):
    """Failures of one kind (scope) from one source (value: an address, an account)."""

    scope: str
    value: str
    limit: int

    @property
    def key(self) -> str:
        """The counter's key; the address or e-mail address itself is not stored."""
        return f"{self.scope}:{hashlib.sha256(self.value.encode()).hexdigest()[:40]}"


class RateLimiter:
    """Counts attempts or failures per check; a check that reached its limit blocks until its window ends."""

    def __init__(self, counters, window: int):
        self.counters = counters
        self.window = window

    def fail(self, checks: Iterable[Check]) -> Usage:
        """Count a failure under every check; the usage of the first."""
        usages = [self.counters.hit(check.key, self.window) for check in checks]
        return usages[0]

    def reserve(self, checks: Iterable[Check], refusal: Callable[[int], "RateLimited"]) -> list[Usage]:
        """Take one attempt from every check, in order, before the attempt is made.

        Each count is one atomic increment, so however many workers try at once, at most
        ``limit`` attempts per check get through. When a check is over its limit every
        reservation taken is given back and ``refusal(seconds to wait)`` is raised.
        """
        taken: list[tuple[Check, Usage]] = []
        for check in checks:
            usage = self.counters.hit(check.key, self.window)
            taken.append((check, usage))
            if usage.count > check.limit:
                for reserved, _usage in taken:
                    self.release(reserved)
                raise refusal(usage.retry_after)
        return [usage for _check, usage in taken]

    def release(self, check: Check) -> None:
        """Give back one reservation that turned out not to be a failure."""
        self.counters.release(check.key)

    def reset(self, check: Check) -> None:
        self.counters.clear(check.key)


def rate_limiter() -> RateLimiter:
    return current_app.extensions["consult.rate_limits"]


class DatabaseCounters:
    """One row per key, updated by a single INSERT … ON CONFLICT statement (SQLite and
    PostgreSQL), so that concurrent workers never lose a count. Each change is committed
    at once on its own connection: the request's transaction may roll back."""

    def hit(self, key: str, window: int) -> Usage:
        now = utcnow()
        table = RateLimitCounter.__table__
        running = table.c.expires_at > now
        insert = upsert(db.engine.dialect.name, table).values(
            key=key, count=1, expires_at=now + timedelta(seconds=window)
        )
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((running, table.c.count + 1), else_=1),
                "expires_at": case((running, table.c.expires_at), else_=insert.excluded.expires_at),
            },
        ).returning(table.c.count, table.c.expires_at)
        with db.engine.begin() as connection:
            count, expires_at = connection.execute(statement).one()
        # Counters whose window has passed are dropped here, in a transaction of their own.
        with db.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.expires_at <= now))
        return Usage(count, _seconds_until(expires_at, now))

    def peek(self, key: str) -> Usage:
        now = utcnow()
        table = RateLimitCounter.__table__
        with db.engine.connect() as connection:
            row = connection.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == key, table.c.expires_at > now)
            ).one_or_none()
        return Usage(row.count, _seconds_until(row.expires_at, now)) if row else Usage(0, 0)

    def release(self, key: str) -> None:
        # Never below zero: a success may have cleared the counter since the reservation.
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.key == key, table.c.count > 0, table.c.expires_at > utcnow())
                .values(count=table.c.count - 1)
            )

    def clear(self, key: str) -> None:
        table = RateLimitCounter.__table__
        with db.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.key == key))


def _seconds_until(moment, now) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


class RedisCounters:
    """One Redis key per counter; it expires by itself when its window has passed."""

    PREFIX = "consult:rate:"
    # Decrement only a live, positive counter: DECR alone would recreate a cleared or expired
    # key without an expiry, at -1.
    RELEASE = "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then return redis.call('DECR', KEYS[1]) end return 0"

    def __init__(self, client):
        self.client = client

    @classmethod
    def from_url(cls, url: str) -> "RedisCounters":
        return cls(redis.Redis.from_url(url))

    def hit(self, key: str, window: int) -> Usage:
        pipeline = self.client.pipeline(transaction=True)
        pipeline.set(self.PREFIX + key, 0, ex=window, nx=True)  # the window starts at the first failure
        pipeline.incr(self.PREFIX + key)
        pipeline.ttl(self.PREFIX + key)
        _, count, ttl = pipeline.execute()
        return Usage(int(count), max(0, int(ttl)))

    def peek(self, key: str) -> Usage:
        pipeline = self.client.pipeline(transaction=True)
        pipeline.get(self.PREFIX + key)
        pipeline.ttl(self.PREFIX + key)
        count, ttl = pipeline.execute()
        return Usage(int(count), max(0, int(ttl))) if count is not None else Usage(0, 0)

    def release(self, key: str) -> None:
        self.client.eval(self.RELEASE, 1, self.PREFIX + key)

    def clear(self, key: str) -> None:
        self.client.delete(self.PREFIX + key)
