"""Every conversion between a typed time and stored UTC, in one place.

Times are stored in UTC. People type wall-clock times: in their own time zone (a closing
date), at a venue (a dialogue), or as ISO 8601 text through the API.
"""

import zoneinfo
from datetime import UTC, datetime

from flask_babel import get_timezone


def _zone(name: str | None):
    if name:
        return zoneinfo.ZoneInfo(name)
    # Flask-Babel's zone is a pytz one, whose tzinfo must not go into datetime.replace(): use its name.
    reader = get_timezone()
    return zoneinfo.ZoneInfo(str(reader)) if reader is not None else UTC


def wall_clock_to_utc(value: datetime | None, zone: str | None = None) -> datetime | None:
    """A naive time as read on a clock in ``zone`` (the reader's by default) → aware UTC.

    None for a time near year 1 or 9999 that the zone's offset moves out of range.
    """
    if value is None:
        return None
    try:
        return value.replace(tzinfo=_zone(zone)).astimezone(UTC)
    except OverflowError:
        return None


def utc_to_wall_clock(value: datetime | None, zone: str | None = None) -> datetime | None:
    """Aware UTC → the naive time a clock in ``zone`` (the reader's by default) shows, to the minute."""
    if value is None:
        return None
    return value.astimezone(_zone(zone)).replace(tzinfo=None, second=0, microsecond=0)


def iso_to_utc(text: str) -> datetime:
    """ISO 8601 text → aware UTC; a time without an offset is taken as UTC, the zone everything is stored in.

    ValueError for text that is no date and time, or that its offset moves past year 1 or 9999.
    """
    parsed = datetime.fromisoformat(text)
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError as error:
        raise ValueError(str(error)) from error
