"""Reading what a request names: ids in URLs, numbers in the query string, where to go next."""

from urllib.parse import urlsplit

from flask import request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from consult.validation import MAX_INTEGER, positive_integer


class IdConverter(IntegerConverter):
    """<int:…> in URLs. Ids are 32-bit in the database, which refuses to compare with more:
    a larger number is simply not found, whatever the method (were it only no match, a
    method another route of the same path takes would make it a 405)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_INTEGER:
            raise NotFound()
        return number


def safe_next(target: str | None) -> str:
    """Only follow a same-site relative path (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


def positive_int_arg(name: str, *, digits: int = 9) -> int | None:
    """The query argument as a positive integer, or None for anything else."""
    return positive_integer(request.args.get(name), digits)


def page_number() -> int:
    """The ?page= argument, 1 for anything that is not a positive number."""
    return positive_int_arg("page", digits=6) or 1
