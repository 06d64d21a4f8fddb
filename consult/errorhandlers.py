"""Error pages and JSON errors: nothing a user sends should end in a bare 500."""

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from consult.errors import DomainError
from consult.extensions import db

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in."),
    403: _l("You are not allowed to do this."),
    404: _l("Not found."),
    405: _l("This action is not available here."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Nothing was saved; please try again."),
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
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message, **extra):
    body = {"error": {"code": code, "message": str(message), **extra}}
    return jsonify(body), status


def _page(status: int, message):
    return render_template("errors/error.html", status=status, message=message), status


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

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "server_error", HTTP_MESSAGES[500])
        return _page(500, HTTP_MESSAGES[500])
