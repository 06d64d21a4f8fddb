"""Error pages and JSON errors: nothing a user sends should end in a bare 500."""

from flask import g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from consult.errors import DomainError
from consult.extensions import db, login_manager

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("You are not allowed to do this."),
    404: _l("Not found."),
    405: _l("This action is not available here."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
    503: _l("The database is busy or unavailable. Nothing was saved; please try again in a few seconds."),
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}

# How long a client is asked to wait when the database is busy or unavailable.
RETRY_AFTER_SECONDS = 5

# SQLite's words for a database that is locked, read-only or out of reach; anything else it
# reports as an OperationalError (a syntax error, a missing table) is a fault of ours.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "database schema is locked",
    "readonly database",
    "disk I/O error",
    "unable to open database file",
    "database or disk is full",
)
# PostgreSQL SQLSTATE classes and codes of the same: connection exceptions (08), insufficient
# resources (53), operator intervention (57: shutdown, statement or lock timeout cancelled),
# lock_not_available, and read_only_sql_transaction (a standby, a read-only session).
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "53", "57")
_POSTGRES_UNAVAILABLE_CODES = ("55P03", "25006")


def database_unavailable(error: Exception) -> bool:
    """A database that is busy, read-only or unreachable for now, as opposed to a bug in a query."""
    if isinstance(error, PoolTimeout):  # every connection of the pool in use for too long
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # the connection was lost
        return True
    if isinstance(error, OperationalError) and error.statement is None:  # no connection could be made
        return True
    state = getattr(error.orig, "sqlstate", None)
    if state:
        return state[:2] in _POSTGRES_UNAVAILABLE_CLASSES or state in _POSTGRES_UNAVAILABLE_CODES
    return any(words in str(error.orig) for words in _SQLITE_UNAVAILABLE)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message, **extra):
    body = {"error": {"code": code, "message": str(message), **extra}}
    return jsonify(body), status


def _page(status: int, message):
    return render_template("errors/error.html", status=status, message=message), status


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: nothing to roll back on it
        db.session.close()


def _unavailable_page():
    try:
        body = render_template("errors/error.html", status=503, message=HTTP_MESSAGES[503])
    except SQLAlchemyError:
        # The page header names the signed-in reader, which needs the database: show it as to a visitor.
        _rollback()
        g._login_user = login_manager.anonymous_user()
        body = render_template("errors/error.html", status=503, message=HTTP_MESSAGES[503])
    return make_response(body, 503)


def register(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if wants_json():
            extra = {}
            if error.field_errors:
                extra["fields"] = error.field_errors
            if error.details:
                extra["details"] = error.details
            return json_error(error.status, error.code, error.message, **extra)
        return _page(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        db.session.rollback()
        message = _l("This form has expired or was sent from elsewhere. Go back, reload the page and try again.")
        return _page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, HTTP_MESSAGES[400 if status < 500 else 500])
        if wants_json():
            return json_error(status, HTTP_CODES.get(status, "error"), message)
        return _page(status, message)

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: SQLAlchemyError):
        if not database_unavailable(error):
            return unexpected_error(error)
        _rollback()
        app.logger.warning(
            "Database unavailable on %s %s: %s", request.method, request.path, getattr(error, "orig", error)
        )
        if wants_json():
            response, status = json_error(503, HTTP_CODES[503], HTTP_MESSAGES[503])
        else:
            response, status = _unavailable_page(), 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "server_error", HTTP_MESSAGES[500])
        return _page(500, HTTP_MESSAGES[500])
