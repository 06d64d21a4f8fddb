"""The acceptance journey through the web pages, and page-level rules."""

import re

import pytest
from sqlalchemy import event

from consult import create_app
from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import Comment, SectionVersion
from tests.conftest import login


def test_sign_in_and_out(client, world):
    user = world.user("observer")
    assert client.get("/").status_code == 200
    bad = client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    assert bad.status_code == 422
    assert "not correct" in bad.get_data(as_text=True)
    login(client, user)
    assert user.name in client.get("/").get_data(as_text=True)
    client.post("/auth/logout")
    assert client.get("/documents/1").status_code == 302


def test_login_does_not_redirect_off_site(client, world):
    user = world.user("observer")
    response = client.post(
        "/auth/login?next=//evil.example/x", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.headers["Location"] == "/"


def test_full_journey(app, world):
    document = world.document()
    release = world.release(document)
    section = document.sections[1]
    delegate, focal = world.user("delegate", "KEN"), world.user("focal_point", "KEN")
    editor, other = world.user("editor"), world.user("focal_point", "FRA")

    browser = app.test_client()
    login(browser, delegate)
    page = browser.get(f"/sections/{section.id}").get_data(as_text=True)
    assert "Write a comment" in page
    response = browser.post(f"/sections/{section.id}/comments", data={"kind": "general", "body": "Please add cities."})
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert comment.status == "draft" and comment.author_id == delegate.id
    assert "Awaiting the focal point" in browser.get("/delegation/comments").get_data(as_text=True)
    assert browser.post(f"/comments/{comment.id}/submit").status_code == 403

    browser = app.test_client()
    login(browser, focal)
    page = browser.get("/delegation/comments").get_data(as_text=True)
    assert "Review and submit" in page, page[page.find("<main") :]
    confirm = browser.get(f"/comments/{comment.id}/submit")
    assert confirm.status_code == 200 and "Submit this comment on behalf of your delegation?" in confirm.get_data(
        as_text=True
    )
    assert browser.post(f"/comments/{comment.id}/submit").status_code == 302
    db.session.refresh(comment)
    assert comment.status == "submitted" and comment.submitted_by_id == focal.id

    browser = app.test_client()
    login(browser, other)
    assert "Please add cities." not in browser.get(f"/sections/{section.id}").get_data(as_text=True)
    assert browser.get(f"/comments/{comment.id}").status_code == 404

    browser = app.test_client()
    login(browser, editor)
    form = browser.get(f"/sections/{section.id}/revise").get_data(as_text=True)
    assert f'value="{comment.id}"' in form
    body = section.versions[0].body + "\n\n(c) Cities first."
    saved = browser.post(
        f"/sections/{section.id}/revise",
        data={"base_version": "1", "body": body, "change_note": "Adds (c)", "addresses": [str(comment.id)]},
    )
    assert saved.status_code == 302
    page = browser.get(f"/sections/{section.id}?version=2").get_data(as_text=True)
    assert "Addressed in version 2" in page
    diff = browser.get(f"/sections/{section.id}/diff?from=1&to=2").get_data(as_text=True)
    assert "<ins>" in diff and "Cities first" in diff

    world.close_window(release)
    browser = app.test_client()
    login(browser, other)
    page = browser.get(f"/sections/{section.id}").get_data(as_text=True)
    assert "Please add cities." in page
    assert "Kenya" in page


def test_conflicting_save_keeps_the_editors_text(app, world):
    document = world.document()
    section = document.sections[0]
    editor = world.user("editor")
    browser = app.test_client()
    login(browser, editor)
    assert (
        browser.post(f"/sections/{section.id}/revise", data={"base_version": "1", "body": "First save"}).status_code
        == 302
    )
    conflict = browser.post(f"/sections/{section.id}/revise", data={"base_version": "1", "body": "My careful text"})
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "My careful text" in page and "First save" in page
    assert 'name="base_version" type="hidden" value="2"' in page
    assert (
        db.session.scalar(db.select(db.func.count(SectionVersion.id)).where(SectionVersion.section_id == section.id))
        == 2
    )


def test_closed_window_refuses_with_a_message(app, world):
    document = world.document()
    release = world.release(document)
    world.close_window(release)
    browser = app.test_client()
    login(browser, world.user("focal_point", "KEN"))
    page = browser.get(f"/sections/{document.sections[0].id}").get_data(as_text=True)
    assert "Write a comment" not in page and "closed" in page
    response = browser.post(f"/sections/{document.sections[0].id}/comments", data={"kind": "general", "body": "x"})
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_section_page_with_500_comments_is_paginated_without_per_comment_queries(app, world):
    document = world.document()
    world.release(document)
    section = document.sections[0]
    focal = world.user("focal_point", "KEN")
    for number in range(500):
        create_comment(focal, section, kind="general", body=f"Comment number {number}", submit=True)
    db.session.commit()
    browser = app.test_client()
    login(browser, world.user("editor"))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = browser.get(f"/sections/{section.id}").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(re.findall(r'class="comment comment--submitted"', page)) == 50
    assert "Page 1 of 10" in page
    assert len(statements) < 30, statements
    second = browser.get(f"/sections/{section.id}?page=10").get_data(as_text=True)
    assert "Comment number 499" in second or "Comment number 0" in second


def test_forms_require_csrf(database_url, world):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    user = world.user("observer")
    with app.test_client() as browser:
        response = browser.post("/auth/login", data={"email": user.email, "password": "correct horse battery"})
        assert response.status_code == 400
        page = browser.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        ok = browser.post(
            "/auth/login", data={"email": user.email, "password": "correct horse battery", "csrf_token": token}
        )
        assert ok.status_code == 302


@pytest.mark.parametrize("locale", ["zh", "ar", "fr"])
def test_pages_follow_the_readers_language(app, world, locale):
    document = world.document()
    world.release(document)
    browser = app.test_client()
    user = world.user("focal_point", "KEN")
    user.locale = locale
    db.session.commit()
    login(browser, user)
    page = browser.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f'lang="{locale}"' in page
    assert ('dir="rtl"' in page) == (locale == "ar")
    names = {"zh": "肯尼亚", "ar": "كينيا", "fr": "Kenya"}
    assert names[locale] in page


def test_settings_and_language_switch(app, world):
    user = world.user("observer")
    browser = app.test_client()
    login(browser, user)
    bad = browser.post("/settings", data={"locale": "fr", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert browser.post("/settings", data={"locale": "fr", "timezone": "Europe/Zurich"}).status_code == 302
    db.session.refresh(user)
    assert (user.locale, user.timezone) == ("fr", "Europe/Zurich")
    assert "heure d’Europe centrale" in browser.get("/").get_data(as_text=True)  # the zone named in French
    browser.post("/language", data={"locale": "ar", "next": "/"})
    page = browser.get("/").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page


def test_language_switch_for_anonymous_visitors(client):
    assert client.post("/language", data={"locale": "zh", "next": "https://evil.example/"}).headers["Location"] == "/"
    assert 'lang="zh"' in client.get("/auth/login").get_data(as_text=True)
