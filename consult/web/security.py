"""Security headers on every response, and the throttle on invalid API tokens."""

from flask import Flask, request

from consult.auth.ratelimits import Check, DatabaseCounters, RateLimited, RateLimiter, RedisCounters, rate_limiter
from consult.web.errorhandlers import json_error

# Pages: no inline script or style at all (templates use neither), nothing from elsewhere.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# JSON, files and feeds are never rendered as documents that load anything.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def register(app: Flask) -> None:
    app.extensions["consult.rate_limits"] = RateLimiter(
        RedisCounters.from_url(app.config["REDIS_URL"]) if app.config["REDIS_URL"] else DatabaseCounters(),
        window=app.config["RATE_LIMIT_WINDOW"],
    )
    hsts = f"max-age={app.config['HSTS_MAX_AGE']}" if app.config["SESSION_COOKIE_SECURE"] else None

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        policy = PAGE_POLICY if response.mimetype == "text/html" else DATA_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response

    @app.after_request
    def throttle_invalid_api_tokens(response):
        # Only failures are counted, so a valid token costs nothing; an address that keeps
        # sending invalid ones gets 429 instead of 401 until its window has passed.
        if response.status_code != 401 or request.blueprint != "api":
            return response
        check = Check("api-token:address", request.remote_addr or "", app.config["API_TOKEN_LIMIT_PER_ADDRESS"])
        usage = rate_limiter().fail([check])
        if usage.count <= check.limit:
            return response
        error = RateLimited.api_token(usage.retry_after)
        throttled, status = json_error(429, error.code, error.message)
        throttled.status_code = status
        throttled.headers["Retry-After"] = str(error.retry_after)
        return throttled
