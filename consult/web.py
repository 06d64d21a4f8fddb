"""Small helpers shared by the HTML routes."""

from urllib.parse import urlsplit

from flask import request, url_for


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
    return int(value) if value.isdigit() and 0 < int(value) < 1_000_000 else 1
