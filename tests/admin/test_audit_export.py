"""The audit log filtered by dates in the reader's time zone, and exported as CSV with the same
filters: streamed, UTF-8 with a byte-order mark, no cell a spreadsheet would run, the export on record."""

import codecs
import csv
import io
from datetime import UTC, datetime

import pytest

from consult.extensions import db
from consult.models import AuditEvent
from tests.admin.events import dated_event
from tests.conftest import login


@pytest.fixture
def tokyo(world, client):
    """A secretariat reader in Tokyo (UTC+9, no summer time), signed in, and events around one midnight there."""
    reader = world.user("secretariat")
    reader.timezone = "Asia/Tokyo"
    focal = world.user("focal_point", "KEN")
    # 23:30 and 00:30 in Tokyo: two days there, one day in UTC.
    dated_event(focal, "comment.submit", focal, datetime(2026, 3, 1, 14, 30, tzinfo=UTC), note="late on the 1st")
    dated_event(focal, "comment.submit", focal, datetime(2026, 3, 1, 15, 30, tzinfo=UTC), note="early on the 2nd")
    dated_event(None, "user.sign_in_failed", focal, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), address="192.0.2.1")
    db.session.commit()
    login(client, reader)
    return {"reader": reader, "focal": focal}


def listed(client, query: str) -> str:
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    return text[text.index('role="status"') :]


def test_dates_are_days_in_the_readers_time_zone(client, tokyo):
    second = listed(client, "from=2026-03-02&to=2026-03-02")
    assert "early on the 2nd" in second and "late on the 1st" not in second and "1 event" in second
    first = listed(client, "to=2026-03-01")
    assert "late on the 1st" in first and "early on the 2nd" not in first
    both = listed(client, "from=2026-03-01&to=2026-03-02&action=comment.submit")
    assert "late on the 1st" in both and "early on the 2nd" in both and "2 events" in both
    assert "user.sign_in_failed" in listed(client, "from=2026-03-03")


def test_any_action_can_be_filtered_with_dates(client, tokyo):
    failed = listed(client, "action=user.sign_in_failed&from=2026-03-01&to=2026-03-31")
    assert "192.0.2.1" in failed and "comment.submit" not in failed and "1 event" in failed
    assert "No events match." in listed(client, "action=user.sign_in_failed&to=2026-03-02")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-02-30", "Not a valid date value."),
        ("to=yesterday", "Not a valid date value."),
        ("from=0001-01-01", "Give a date between 1900 and 2999."),
        ("from=2026-03-02&to=2026-03-01", "The end date is before the start date."),
        ("from=2026-03-01%00", "Not a valid date value."),
    ],
)
def test_a_date_that_is_not_one_is_a_form_error(client, tokyo, query, message):
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text
    export = client.get(f"/admin/audit.csv?{query}")
    assert export.status_code == 422 and message in export.get_data(as_text=True)


def _csv(client, query: str) -> tuple[bytes, list[list[str]]]:
    response = client.get(f"/admin/audit.csv?{query}")
    assert response.status_code == 200
    assert response.is_streamed and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    data = response.get_data()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_filtered_log_exports_as_csv(client, tokyo):
    data, rows = _csv(client, "action=comment.submit&from=2026-03-01&to=2026-03-02")
    assert data.startswith(codecs.BOM_UTF8) and b"\r\n" in data
    assert rows[0] == ["When (Asia/Tokyo)", "Who", "E-mail", "Action", "Object", "Object ID", "Details"]
    focal = tokyo["focal"]
    assert rows[1:] == [
        [
            "2026-03-02 00:30:00",
            "focal_point-KEN",
            focal.email,
            "comment.submit",
            "user",
            str(focal.id),
            '{"note": "early on the 2nd"}',
        ],
        [
            "2026-03-01 23:30:00",
            "focal_point-KEN",
            focal.email,
            "comment.submit",
            "user",
            str(focal.id),
            '{"note": "late on the 1st"}',
        ],
    ]
    export = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert export.actor_id == tokyo["reader"].id
    assert export.details["format"] == "csv"
    assert export.details["filters"] == {
        "action": "comment.submit",
        "since": "2026-02-28T15:00:00+00:00",
        "until": "2026-03-02T15:00:00+00:00",
    }
    # The export is on record, and can be found like any other action.
    assert "audit.export" in listed(client, "action=audit.export")


def test_no_cell_of_the_export_is_a_formula(client, world, tokyo):
    intruder = world.user("delegate", "KEN")
    intruder.name = '=HYPERLINK("http://evil.example","x")'
    dated_event(intruder, "comment.draft", intruder, datetime(2026, 3, 4, tzinfo=UTC), body="+SUM(A1:A9)")
    db.session.commit()
    _, rows = _csv(client, "from=2026-03-04&to=2026-03-04")
    (row,) = rows[1:]
    assert row[1] == """'=HYPERLINK("http://evil.example","x")"""
    assert row[6] == '{"body": "+SUM(A1:A9)"}'  # JSON starts with a brace: nothing to run


def test_every_event_is_exported_in_chunks(client, tokyo):
    reader = tokyo["reader"]
    for number in range(1500):
        dated_event(reader, "test.numbered", reader, datetime(2026, 4, 1, tzinfo=UTC), number=number, text="x" * 60)
    db.session.commit()
    response = client.get("/admin/audit.csv?action=test.numbered")
    chunks = list(response.response)
    assert len(chunks) > 1 and chunks[0].startswith(codecs.BOM_UTF8)
    assert not any(chunk.startswith(codecs.BOM_UTF8) for chunk in chunks[1:])
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert len(rows) == 1 + 1500
