"""Converting between the reader's wall-clock time and stored UTC."""

from datetime import UTC, datetime

from flask_babel import to_user_timezone, to_utc


def local_input_to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time typed in the reader's time zone → aware UTC."""
    if value is None:
        return None
    try:
        return to_utc(value).replace(tzinfo=UTC)
    except OverflowError:  # a time near year 1 or 9999 that the zone's offset moves out of range
        return None


def utc_to_local_input(value: datetime | None) -> datetime | None:
    """Aware UTC → naive wall-clock time in the reader's zone, to prefill an input."""
    if value is None:
        return None
    return to_user_timezone(value).replace(tzinfo=None, second=0, microsecond=0)
