"""Every download of the matrix and of the comment template is on record: who, which release,
which format, which filters, from the pages and from the API."""

import pytest

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import AuditEvent
from tests.conftest import login


@pytest.fixture
def released(world):
    document = world.document()
    release = world.release(document)
    create_comment(world.user("focal_point", "KEN"), document.sections[0], kind="general", body="Kenya.", submit=True)
    db.session.commit()
    return document, release


def events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_matrix_downloads_from_the_pages_are_recorded(app, world, released):
    document, release = released
    editor = world.user("editor")
    browser = app.test_client()
    login(browser, editor)
    response = browser.get(f"/documents/{document.id}/matrix.csv?release=1&kind=general&organization=KEN")
    assert response.status_code == 200 and b"Kenya." in response.get_data()
    (event,) = events("matrix.download")
    assert (event.actor_id, event.object_type, event.object_id) == (editor.id, "release", release.id)
    assert event.details == {
        "document": document.id,
        "release": 1,
        "format": "csv",
        "filters": {"kind": "general", "organization": "KEN"},
    }


@pytest.mark.parametrize("extension", ["xlsx", "docx", "csv"])
def test_matrix_downloads_through_the_api_are_recorded(client, world, released, extension):
    document, _release = released
    secretariat = world.user("secretariat")
    response = client.get(f"/api/v1/documents/{document.id}/matrix.{extension}", headers=world.token(secretariat))
    assert response.status_code == 200
    (event,) = events("matrix.download")
    assert event.actor_id == secretariat.id and event.details["format"] == extension
    assert event.details["filters"] == {}


def test_a_public_compilation_downloaded_by_a_visitor_is_recorded(app, client, world, released):
    document, release = released
    world.close_window(release)
    secretariat = app.test_client()
    login(secretariat, world.user("secretariat"))
    reason = {"override_reason": "Answers follow in the next release."}
    assert secretariat.post(f"/documents/{document.id}/matrix/publish?release=1", data=reason).status_code == 302
    assert client.get(f"/documents/{document.id}/matrix.xlsx").status_code == 200
    (event,) = events("matrix.download")
    assert event.actor_id is None and event.details["format"] == "xlsx"


def test_a_refused_download_leaves_no_record(client, world, released):
    document, _release = released
    assert client.get(f"/documents/{document.id}/matrix.csv").status_code == 302  # not public yet: sign in
    assert client.get(f"/api/v1/documents/{document.id}/matrix.csv?release=x").status_code == 401
    assert events("matrix.download") == []


def test_template_downloads_are_recorded(app, client, world, released):
    document, _release = released
    focal = world.user("focal_point", "KEN")
    browser = app.test_client()
    login(browser, focal)
    assert browser.get(f"/documents/{document.id}/comments/template.xlsx").status_code == 200
    assert (
        client.get(f"/api/v1/documents/{document.id}/comments/template.xlsx", headers=world.token(focal)).status_code
        == 200
    )
    recorded = events("comments.template_download")
    assert [(event.actor_id, event.object_type, event.object_id) for event in recorded] == [
        (focal.id, "document", document.id)
    ] * 2


def test_a_word_matrix_too_large_to_open_is_refused_with_what_to_do_and_not_recorded(app, world, released, monkeypatch):
    document, _ = released
    create_comment(world.user("focal_point", "PER"), document.sections[0], kind="general", body="Peru.", submit=True)
    db.session.commit()
    monkeypatch.setattr("consult.matrix.services.WORD_MATRIX_LIMIT", 1)
    editor = world.user("editor")
    response = app.test_client().get(f"/api/v1/documents/{document.id}/matrix.docx", headers=world.token(editor))
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "2 comments" in message and "XLSX" in message
    browser = app.test_client()
    login(browser, editor)
    page = browser.get(f"/documents/{document.id}/matrix.docx")
    assert page.status_code == 422 and "too many for a Word table" in page.get_data(as_text=True)
    assert events("matrix.download") == []
    # Filtered to one delegation it fits; the spreadsheet always does.
    assert browser.get(f"/documents/{document.id}/matrix.docx?organization=KEN").status_code == 200
    assert browser.get(f"/documents/{document.id}/matrix.xlsx").status_code == 200
    assert [event.details["format"] for event in events("matrix.download")] == ["docx", "xlsx"]
