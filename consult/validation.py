"""Input clean-up and checks shared by every service."""

import re

from flask import current_app
from flask_babel import lazy_gettext as _l

from consult.errors import ValidationFailed

# C0 controls other than tab and newlines: PostgreSQL rejects NUL, and none carry meaning.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """Normalise line endings, drop control characters, trim outer whitespace."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARACTERS.sub("", value).strip()


def required_text(field: str, value: str | None, max_length: int | None = None) -> str:
    text = clean_text(value)
    if not text:
        raise ValidationFailed(field_errors={field: [str(_l("This field is required."))]})
    return limited_text(field, text, max_length)


def optional_text(field: str, value: str | None, max_length: int | None = None) -> str | None:
    text = clean_text(value)
    return limited_text(field, text, max_length) if text else None


def limited_text(field: str, text: str, max_length: int | None = None) -> str:
    limit = max_length or current_app.config["MAX_TEXT_LENGTH"]
    if len(text) > limit:
        raise ValidationFailed(
            field_errors={
                field: [
                    str(
                        _l(
                            "This text is too long (%(length)d characters; at most %(limit)d).",
                            length=len(text),
                            limit=limit,
                        )
                    )
                ]
            }
        )
    return text


def one_of(field: str, value: str | None, choices) -> str:
    if value not in choices:
        raise ValidationFailed(
            field_errors={field: [str(_l("Choose one of: %(choices)s.", choices=", ".join(choices)))]}
        )
    return value
