"""Drafts: releases snapshot versions, diffs between releases, the upload form, audit."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update

from consult.drafts.concordance import compare
from consult.drafts.services import (
    lock_release,
    publish_release,
    released_version,
    revise_section,
)
from consult.errors import NotAllowed, StaleVersion, ValidationFailed
from consult.extensions import db
from consult.models import AuditEvent, Document, Release
from consult.models.base import utcnow
from tests.conftest import login

CHINESE = """一、 导言

1. 会员国决定延长战略计划。

二、 指导原则

2. 秘书处建议以下原则：

(a) 利用城市化的力量促进公平繁荣；
"""


def test_a_release_snapshots_the_versions_of_its_time(world):
    document = world.document()
    editor = world.user("editor")
    first = world.release(document)
    section = document.sections[0]
    revise_section(editor, section, body="Revised text.", change_note="", base_version=1)
    db.session.commit()
    assert released_version(section, first).number == 1
    second = world.release(document, label="First draft")
    assert released_version(section, second).number == 2
    diffs = compare(first, second)
    changed = [d for d in diffs if d.text_changed]
    assert [d.section.number for d in changed] == ["1"]
    assert "<ins>" in changed[0].html and "<del>" in changed[0].html


def test_chinese_diff_marks_only_the_changed_characters(world):
    document = world.document(text=CHINESE, language="zh")
    section = document.sections[1]
    editor = world.user("editor")
    body = section.versions[0].body.replace("城市化的力量", "城市化力量")
    revise_section(editor, section, body=body, change_note="删去“的”", base_version=1)
    db.session.commit()
    from consult.text import diff_html

    html = str(diff_html(section.versions[0].body, section.versions[1].body))
    assert "<del>的</del>" in html
    assert "<ins>" not in html


def test_revision_rules(world):
    document = world.document()
    section = document.sections[0]
    with pytest.raises(NotAllowed):
        revise_section(world.user("focal_point", "KEN"), section, body="x", change_note="", base_version=1)
    editor = world.user("editor")
    with pytest.raises(ValidationFailed):
        revise_section(editor, section, body="  ", change_note="", base_version=1)
    with pytest.raises(StaleVersion):
        revise_section(editor, section, body="x", change_note="", base_version=0)
    revise_section(editor, section, body="x", change_note="", base_version=1)
    db.session.commit()
    events = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "section")).all()
    assert events == ["section.revise"]


def test_release_window_is_validated(world):
    document = world.document()
    secretariat = world.user("secretariat")
    with pytest.raises(ValidationFailed):
        publish_release(secretariat, document, label="X", comments_close_at=utcnow() - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        publish_release(secretariat, document, label=" ", comments_close_at=utcnow() + timedelta(days=1))
    with pytest.raises(NotAllowed):
        publish_release(world.user("editor"), document, label="X", comments_close_at=utcnow() + timedelta(days=1))
    assert document.releases == []


def test_upload_form_imports_a_document(app, world):
    world.document()
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    response = browser.post(
        "/consultations/plan/import",
        data={
            "title": "中文草案",
            "kind": "plan_draft",
            "language": "",
            "file": (io.BytesIO(CHINESE.encode()), "d.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(db.select(Document).where(Document.title == "中文草案"))
    assert document.language == "zh" and [s.number for s in document.sections] == ["1", "2"]
    bad = browser.post(
        "/consultations/plan/import",
        data={"title": "Bad", "kind": "plan_draft", "language": "", "file": (io.BytesIO(b"\x00\x01binary"), "d.bin")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "not plain text" in bad.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 2


def test_publish_release_through_the_page_uses_the_readers_time_zone(app, world):
    document = world.document()
    secretariat = world.user("secretariat")
    secretariat.timezone = "Africa/Nairobi"
    db.session.commit()
    browser = app.test_client()
    login(browser, secretariat)
    assert browser.get(f"/documents/{document.id}/releases/new").status_code == 200
    response = browser.post(
        f"/documents/{document.id}/releases/new",
        data={"label": "Zero draft", "comments_close_at": "2099-03-01T18:00"},
    )
    assert response.status_code == 302
    release = document.releases[0]
    assert release.comments_close_at.isoformat() == "2099-03-01T15:00:00+00:00"  # Nairobi is UTC+3
    page = browser.get(f"/documents/{document.id}").get_data(as_text=True)
    assert "1 March 2099, 18:00 (East Africa Time)" in page and "Zero draft" in page


def test_working_text_stays_with_staff(app, world):
    document = world.document()
    world.release(document)
    revise_section(
        world.user("editor"), document.sections[0], body="Secret working text", change_note="", base_version=1
    )
    db.session.commit()
    browser = app.test_client()
    login(browser, world.user("focal_point", "KEN"))
    assert "Secret working text" not in browser.get(f"/documents/{document.id}?view=working").get_data(as_text=True)
    assert "Secret working text" not in browser.get(f"/sections/{document.sections[0].id}?version=2").get_data(
        as_text=True
    )
    staff = app.test_client()
    login(staff, world.user("editor"))
    assert "Secret working text" in staff.get(f"/documents/{document.id}?view=working").get_data(as_text=True)


def test_lock_release_reads_the_window_another_transaction_committed(database_url, world):
    release = world.release(world.document())
    assert release.accept_late is False  # loaded before the other transaction writes
    closes = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    other = create_engine(database_url)
    with other.begin() as connection:
        connection.execute(
            update(Release).where(Release.id == release.id).values(comments_close_at=closes, accept_late=True)
        )
    other.dispose()
    assert lock_release(release) is release
    assert (release.comments_close_at, release.accept_late) == (closes, True)
    db.session.rollback()
