"""Domain errors raised by services; routes map them to form errors or HTTP statuses."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    status = 422
    code = "invalid"
    default_message = _l("The request could not be carried out.")

    def __init__(self, message=None, *, field_errors: dict | None = None, details=None):
        self.message = message if message is not None else self.default_message
        self.field_errors = field_errors or {}
        self.details = details or {}
        # Kept lazy: permission checks build many of these and most are never shown.
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"
    default_message = _l("Some fields need attention.")


class TooLarge(ValidationFailed):
    status = 413
    code = "too_large"
    default_message = _l("What you sent is too large.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("This conflicts with a change made in the meantime. Reload and try again.")


class Expired(DomainError):
    status = 410
    code = "expired"
    default_message = _l("This has expired. Start again.")


class WindowClosed(Conflict):
    code = "window_closed"
    default_message = _l("The comment window for this release is closed.")


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _l("Someone saved a newer version of this section while you were editing.")


class UnansweredComments(Conflict):
    code = "unanswered_comments"
    default_message = _l("Comments on the previous release have no answer yet.")
