"""Dates and times the way the United Nations writes them, in the reader's language and time zone.

Day, month, year; a 24-hour clock without seconds; the time zone named in the reader's language:
"12 March 2026, 14:05 (Central European Time)". English follows British usage, as UN English does.
"""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_gmt, get_timezone_name
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult.web import pagecache

# UN English writes dates the British way (12 March 2026), which CLDR's plain "en" does not.
_DATE_LOCALES = {"en": "en_GB"}


def _locale() -> Locale:
    reader = get_locale() or Locale.parse("en")
    return Locale.parse(_DATE_LOCALES.get(str(reader), str(reader)))


def _zone(name: str | None = None) -> zoneinfo.ZoneInfo:
    if name:
        return zoneinfo.ZoneInfo(name)
    reader = get_timezone()
    return zoneinfo.ZoneInfo(str(reader)) if reader is not None else zoneinfo.ZoneInfo("UTC")


def zone_name(moment: datetime) -> str:
    """The name of the zone of an aware time, in the reader's language: "Central European Time".

    The generic name where CLDR has one; else the name of the time itself ("East Africa Time",
    "Coordinated Universal Time") rather than an offset or a country ("GMT+03:00", "Kenya Time").
    """
    locale = _locale()
    generic = get_timezone_name(moment, "long", zone_variant="generic", locale=locale)
    if generic != get_timezone_gmt(moment, "long", locale=locale):
        return generic
    return get_timezone_name(moment, "long", locale=locale)


def day(value: date | None, format: str = "long") -> str:
    """A day: "12 March 2026" ("long") or "12 Mar 2026" ("medium", "short")."""
    if value is None:
        return ""
    return format_date(value, "long" if format in ("full", "long") else "medium", locale=_locale())


def month(value: date | None) -> str:
    """A month: "March 2026", "mars 2026", "2026年3月"."""
    if value is None:
        return ""
    locale = _locale()
    pattern = locale.datetime_skeletons.get("yMMMM")
    return format_date(value, pattern or "MMMM y", locale=locale)


def moment(value: datetime | None, format: str = "medium", zone: str | None = None) -> str:
    """A date and time in the reader's zone (or ``zone``).

    "full" and "long" name the zone: "12 March 2026, 14:05 (Central European Time)", for deadlines and
    meetings; "medium" leaves it to the page's footer ("12 March 2026, 14:05"); "short" abbreviates the month.
    """
    if value is None:
        return ""
    local = value.astimezone(_zone(zone))
    locale = _locale()
    text = locale.datetime_formats["medium"].format(
        format_time(local, "HH:mm", locale=locale), day(local.date(), "short" if format == "short" else "long")
    )
    return f"{text} ({zone_name(local)})" if format in ("full", "long") else text


def time_tag(value: datetime | None, format: str = "medium", zone: str | None = None) -> Markup:
    """A <time> element: machine-readable UTC, read in the reader's zone (or ``zone``) and language."""
    if value is None:
        return Markup("")
    machine = value.astimezone(UTC).isoformat()
    return Markup('<time datetime="{}">{}</time>').format(machine, moment(value, format, zone))


def reader_zone_name() -> str:
    """The reader's own zone, named in their language (the page footer's "Times are shown in …")."""
    return zone_name(datetime.now(UTC).astimezone(_zone()))


def is_whole_month(starts_on: date | None, ends_on: date | None) -> bool:
    """Whether a span is exactly one calendar month (a milestone planned "for March 2026")."""
    if starts_on is None or ends_on is None or starts_on.day != 1:
        return False
    return (ends_on + timedelta(days=1)).day == 1 and (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month)


CLOSES_TODAY = _l("closes today")


def closes_in(closes_at: datetime, now: datetime) -> str:
    """How long a window stays open, counted in the reader's calendar days: "closes in 3 days"."""
    zone = _zone()
    today = now.astimezone(zone).date()
    # A kept page says "closes in 3 days" until the reader's midnight only.
    pagecache.expires_by(datetime.combine(today + timedelta(days=1), time(), zone).astimezone(UTC))
    days = (closes_at.astimezone(zone).date() - today).days
    if days <= 0:
        return str(CLOSES_TODAY)
    return ngettext("closes in %(num)d day", "closes in %(num)d days", days)
