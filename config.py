"""Configuration: defaults for development, overridable by environment variables."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'consult.db'}")
    # Heroku-style URLs name the dialect "postgres", which SQLAlchemy no longer accepts.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    return url


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def _hours(name: str, default: str) -> tuple[int, ...]:
    return tuple(sorted({int(hours) for hours in os.environ.get(name, default).split(",") if hours.strip()}))


DEVELOPMENT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (refused in production)


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Seconds a statement waits for a lock another transaction holds (SQLite's busy timeout,
    # PostgreSQL's lock_timeout) before the request answers 503 "busy, try again".
    DATABASE_LOCK_TIMEOUT = float(os.environ.get("DATABASE_LOCK_TIMEOUT", "10"))
    # Seconds /readyz waits for its write probe before it reports the database as not writable.
    READINESS_WRITE_TIMEOUT = float(os.environ.get("READINESS_WRITE_TIMEOUT", "1"))
    WTF_CSRF_TIME_LIMIT = None  # a delegate may keep a comment form open for hours
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ["en", "fr", "es", "ru", "zh", "ar"]
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 16 * 1024 * 1024))
    # Longest comment or section text accepted, in characters.
    MAX_TEXT_LENGTH = int(os.environ.get("MAX_TEXT_LENGTH", 100_000))
    COMMENTS_PER_PAGE = 50
    # Uploaded Office files (.xlsx, .docx) are refused beyond this many parts or this many MiB
    # once uncompressed, whatever their compression ratio; reading one stops after this many
    # seconds, or when the process reading it has grown by this many MiB.
    MAX_UPLOAD_PARTS = int(os.environ.get("MAX_UPLOAD_PARTS", "1000"))
    MAX_UPLOAD_UNCOMPRESSED_MB = int(os.environ.get("MAX_UPLOAD_UNCOMPRESSED_MB", "100"))
    MAX_UPLOAD_PARSE_SECONDS = float(os.environ.get("MAX_UPLOAD_PARSE_SECONDS", "20"))
    MAX_UPLOAD_PARSE_MEMORY_MB = int(os.environ.get("MAX_UPLOAD_PARSE_MEMORY_MB", "1024"))
    # A release as PDF is typeset in a process of its own, ended after this many seconds.
    MAX_PDF_SECONDS = float(os.environ.get("MAX_PDF_SECONDS", "60"))
    # How long the preview of a comment import can be confirmed.
    COMMENT_IMPORT_PREVIEW_MINUTES = int(os.environ.get("COMMENT_IMPORT_PREVIEW_MINUTES", "30"))
    # How long the preview of a next draft or a translation can be confirmed (once).
    DRAFT_IMPORT_PREVIEW_MINUTES = int(os.environ.get("DRAFT_IMPORT_PREVIEW_MINUTES", "60"))
    # Rendered pages each worker keeps (consult/pagecache.py); 0 turns the store off.
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_MB", "64")) * 2**20
    PAGE_CACHE_SECONDS = 600
    # Number of reverse proxies in front whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/json", "image/svg+xml", "text/csv"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 1024
    # Rate-limit counters are shared by every worker: in Redis when REDIS_URL is set
    # (redis://host:6379/0), else in the database.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Failed sign-ins allowed per client address and per account from one address (never per
    # account alone: a stranger elsewhere must not lock its owner out), and failed API token
    # checks per address, in RATE_LIMIT_WINDOW seconds counted from the first failure.
    SIGN_IN_LIMIT_PER_ADDRESS = int(os.environ.get("SIGN_IN_LIMIT_PER_ADDRESS", "50"))
    SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS = int(os.environ.get("SIGN_IN_LIMIT_PER_ACCOUNT_ADDRESS", "10"))
    API_TOKEN_LIMIT_PER_ADDRESS = 50
    RATE_LIMIT_WINDOW = 15 * 60
    # A signed-in session ends after this long without a request, and this long after sign-in in any case.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    # Strict-Transport-Security max-age, sent when cookies are HTTPS-only.
    HSTS_MAX_AGE = 365 * 24 * 3600
    # The address people reach Consult at: links in messages start with it.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Whom visitors write to about taking part or getting an account; shown on the public pages.
    CONSULT_CONTACT_EMAIL = os.environ.get("CONSULT_CONTACT_EMAIL", "").strip()
    # Outgoing mail over SMTP; without MAIL_SERVER messages are written to the log instead.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")  # STARTTLS after connecting
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")  # TLS from the start (SMTPS, usually port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Consult <consult@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # A failed message is tried again after MAIL_RETRY_SECONDS, then twice as long each time, at
    # most MAIL_RETRY_MAX_SECONDS apart; a sender that died holding a message frees it after
    # MAIL_CLAIM_SECONDS. The mail worker looks for due messages every MAIL_WORKER_INTERVAL seconds.
    MAIL_RETRY_SECONDS = int(os.environ.get("MAIL_RETRY_SECONDS", "60"))
    MAIL_RETRY_MAX_SECONDS = int(os.environ.get("MAIL_RETRY_MAX_SECONDS", str(6 * 3600)))
    MAIL_CLAIM_SECONDS = int(os.environ.get("MAIL_CLAIM_SECONDS", "300"))
    MAIL_BATCH_SIZE = 50
    MAIL_WORKER_INTERVAL = float(os.environ.get("MAIL_WORKER_INTERVAL", "30"))
    # The daily digest goes out at this hour of each recipient's own day (their time zone).
    MAIL_DIGEST_HOUR = int(os.environ.get("MAIL_DIGEST_HOUR", "7"))
    # Focal points are reminded this many hours before a comment window closes.
    REMINDER_HOURS = _hours("REMINDER_HOURS", "168,48")
    # Links to set a new account's password, and to reset a forgotten one, work once and this long.
    ACCOUNT_SETUP_HOURS = int(os.environ.get("ACCOUNT_SETUP_HOURS", "72"))
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))
    # "Forgot your password" requests per address and per e-mail address in RATE_LIMIT_WINDOW.
    PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "20"))
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "5"))
    # Administrators, the Secretariat, editors and focal points must turn on two-step sign-in.
    TWO_FACTOR_REQUIRED = _flag("TWO_FACTOR_REQUIRED")
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Consult")
    # The OpenAPI document closes every object of an answer (additionalProperties: false): the
    # tests then find any key an answer carries that the document does not name. Left open in
    # production, so that clients built from the document accept keys added later.
    API_CLOSED_OBJECTS = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    REDIS_URL = None  # the tests count in the database under test
    BASE_URL = "http://consult.test"
    MAIL_SERVER = None  # tests that send start their own SMTP server
    MAIL_DEFAULT_SENDER = "Consult <consult@consult.test>"
    TWO_FACTOR_REQUIRED = False
    # Fast hashing keeps the suite quick; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    API_CLOSED_OBJECTS = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}
