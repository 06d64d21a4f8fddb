"""Small helpers shared by the HTML routes."""

from urllib.parse import urlsplit

from flask import request, url_for
from werkzeug.routing import IntegerConverter

from consult.validation import MAX_INTEGER


class IdConverter(IntegerConverter):
    """<int:…> in URLs. Ids are 32-bit in the database, which refuses to compare with more:
    a larger number is simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def safe_next(target: str | None) -> str:
    """Only follow a same-site relative path (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


def page_number() -> int:
    """The ?page= argument, 1 for anything that is not a positive number."""
    value = request.args.get("page", "1")
    return int(value) if value.isdecimal() and len(value) < 7 and int(value) > 0 else 1
