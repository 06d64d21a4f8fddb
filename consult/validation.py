"""Input clean-up and checks shared by every service."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from consult.errors import ValidationFailed
from consult.text import clean_characters

# Ids and version numbers are 32-bit integers in the database, which refuses to compare
# a column with anything larger.
MAX_INTEGER = 2**31 - 1

# Dates outside these years are typing mistakes; near the ends of the calendar they would
# overflow when converted to the reader's time zone.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def clean_text(value: str | None) -> str:
    """Normalise line endings, drop control characters, trim outer whitespace.

    PostgreSQL rejects NUL and no database stores a lone surrogate (JSON may escape one).
    """
    return clean_characters(value).strip() if value else ""


def is_integer(value) -> bool:
    """An int the database can hold (True and False are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_INTEGER


def positive_integer(text: str | None, digits: int = 9, *, allow_zero: bool = False) -> int | None:
    """The text as a positive integer (or zero) a 32-bit column holds, or None for anything else.

    ASCII digits only: ``isdecimal`` also admits Arabic-Indic and other digits, which are not
    how ids and numbers travel in URLs and forms.
    """
    if text and text.isascii() and text.isdecimal() and len(text) <= digits and (int(text) > 0 or allow_zero):
        return int(text)
    return None


def plausible_date(field: str, value):
    """The date or date-time, if its year is one a consultation can have."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationFailed(
            field_errors={
                field: [str(_l("Give a date between %(first)d and %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR))]
            }
        )
    return value


def _text(field: str, value) -> str:
    if value is not None and not isinstance(value, str):  # JSON may send a number, a list …
        raise ValidationFailed(field_errors={field: [str(_l("This field has the wrong type."))]})
    return clean_text(value)


def required_text(field: str, value: str | None, max_length: int | None = None) -> str:
    text = _text(field, value)
    if not text:
        raise ValidationFailed(field_errors={field: [str(_l("This field is required."))]})
    return limited_text(field, text, max_length)


def optional_text(field: str, value: str | None, max_length: int | None = None) -> str | None:
    text = _text(field, value)
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
