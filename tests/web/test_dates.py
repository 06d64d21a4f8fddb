"""Dates and times the UN way (issue 14): day month year, a 24-hour clock without seconds, the time zone
named in the reader's language, in the reader's own zone; months read as months."""

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from consult.auth.services import set_preferences
from consult.dialogues.services import create_dialogue
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import User
from consult.web import dates
from tests.conftest import PASSWORD, login, next_code, turn_on_two_step

CLOSES = datetime(2099, 3, 12, 13, 5, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "12 March 2099, 14:05 (Central European Time)"),
        ("fr", "12 mars 2099, 14:05 (heure d’Europe centrale)"),
        ("ar", "12 مارس 2099، 14:05 (توقيت وسط أوروبا)"),
        ("zh", "2099年3月12日 14:05 (中欧时间)"),
    ],
)
def test_a_moment_reads_the_un_way_in_each_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert dates.moment(CLOSES, "long", zone="Europe/Paris") == expected


def test_zones_are_named_not_numbered(app):
    with app.test_request_context(), force_locale("en"):
        assert dates.moment(CLOSES, "long", zone="Africa/Nairobi") == "12 March 2099, 16:05 (East Africa Time)"
        assert dates.moment(CLOSES, "long", zone="UTC") == "12 March 2099, 13:05 (Coordinated Universal Time)"
        assert dates.moment(CLOSES, "short", zone="UTC") == "12 Mar 2099, 13:05"
        assert dates.moment(CLOSES, zone="UTC") == "12 March 2099, 13:05"  # the page's footer names the zone


def test_a_whole_month_reads_as_the_month(app):
    assert dates.is_whole_month(date(2024, 1, 1), date(2024, 1, 31))
    assert dates.is_whole_month(date(2024, 2, 1), date(2024, 2, 29))
    assert not dates.is_whole_month(date(2024, 1, 1), date(2024, 1, 30))
    assert not dates.is_whole_month(date(2024, 1, 2), date(2024, 1, 31))
    assert not dates.is_whole_month(date(2024, 1, 1), date(2024, 2, 29))
    assert not dates.is_whole_month(date(2024, 1, 1), None)
    with app.test_request_context():
        for locale, expected in (("en", "January 2024"), ("fr", "janvier 2024"), ("zh", "2024年1月")):
            with force_locale(locale):
                assert dates.month(date(2024, 1, 1)) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "12 March 2099, 14:05 (Central European Time)"),
        ("fr", "12 mars 2099, 14:05 (heure d’Europe centrale)"),
        ("ar", "12 مارس 2099، 14:05 (توقيت وسط أوروبا)"),
        ("zh", "2099年3月12日 14:05 (中欧时间)"),
    ],
)
def test_each_reader_sees_the_deadline_in_their_zone_and_language(app, world, locale, expected):
    document = world.document()
    publish_release(None, document, label="Zero draft", comments_close_at=CLOSES)
    reader = world.user("delegate", "FRA")
    set_preferences(reader, locale=locale, timezone="Europe/Paris")
    db.session.commit()
    client = app.test_client()
    login(client, reader)
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f'<time datetime="2099-03-12T13:05:42+00:00">{expected}</time>' in page  # no seconds shown
    assert expected.split("(")[1].rstrip(")") in page.split('class="site-footer"')[1]  # the footer names the zone


def test_a_dialogue_shows_the_venues_local_time_beside_the_readers(app, world):
    document = world.document()
    create_dialogue(
        None,
        document.consultation,
        {
            "title": "Dialogue in Nairobi",
            "constituency": "un_system",
            "format": "in_person",
            "place": "Nairobi",
            "starts_at": CLOSES,
            "timezone": "Africa/Nairobi",
        },
    )
    reader = world.user("delegate", "FRA")
    set_preferences(reader, timezone="Europe/Paris")
    db.session.commit()
    client = app.test_client()
    login(client, reader)
    page = client.get("/dialogues/1").get_data(as_text=True)
    assert "12 March 2099, 14:05 (Central European Time)" in page
    assert "Local time at the venue: <time" in page and "12 March 2099, 16:05 (East Africa Time)" in page


def _sign_in_with_guess(client, user, guess):
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "timezone": guess})


def test_the_browsers_zone_is_a_first_guess_never_an_override(app, world):
    newcomer, settled = world.user("delegate", "KEN"), world.user("delegate", "FRA")
    set_preferences(settled, timezone="Europe/Paris")
    db.session.commit()
    assert _sign_in_with_guess(app.test_client(), newcomer, "Africa/Nairobi").status_code == 302
    assert _sign_in_with_guess(app.test_client(), settled, "Asia/Tokyo").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).timezone == "Africa/Nairobi"
    assert db.session.get(User, settled.id).timezone == "Europe/Paris"


def test_a_zone_that_is_no_zone_is_ignored(app, world):
    newcomer = world.user("delegate", "KEN")
    for guess in ("Mars/Olympus_Mons", "Europe/" + "x" * 5000, "../../etc/passwd"):
        assert _sign_in_with_guess(app.test_client(), newcomer, guess).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).timezone is None


def test_with_two_steps_the_guess_waits_for_the_second(app, world):
    newcomer = world.user("delegate", "KEN")
    secret, _ = turn_on_two_step(newcomer)
    db.session.commit()
    client = app.test_client()
    assert _sign_in_with_guess(client, newcomer, "Africa/Nairobi").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).timezone is None
    client.post("/auth/two-factor", data={"code": next_code(secret)})
    db.session.expire_all()
    assert db.session.get(User, newcomer.id).timezone == "Africa/Nairobi"


def test_the_guess_comes_from_a_static_script(app, client, world):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="timezone"' in page and "data-timezone-guess" in page
    assert '<script src="/static/js/timezone.js?v=' in page
    user = world.user("delegate", "KEN")
    login(client, user)
    assert "data-timezone-guess" in client.get("/settings").get_data(as_text=True)
    set_preferences(user, timezone="Africa/Nairobi")
    db.session.commit()
    assert "data-timezone-guess" not in client.get("/settings").get_data(as_text=True)
