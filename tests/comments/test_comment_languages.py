"""Each comment records the language it is written in and is shown with its lang and dir."""

import re

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import Comment
from tests.conftest import login


def _browser(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_writer_gives_the_language_else_it_is_their_interface_language(app, world):
    document = world.document()
    world.release(document)
    section = document.sections[0]
    france = world.user("focal_point", "FRA")
    france.locale = "fr"
    db.session.commit()
    client = _browser(app, france)
    form = client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert re.search(
        r'<select id="language" name="language"[^>]*>.*<option selected value="fr">Français</option>', form, re.S
    )
    for data, expected in (({"language": "zh"}, "zh"), ({}, "fr")):
        body = f"Written in {expected}."
        response = client.post(f"/sections/{section.id}/comments", data={"kind": "general", "body": body, **data})
        assert response.status_code == 302
        assert db.session.scalar(db.select(Comment.language).where(Comment.body == body)) == expected
    refused = client.post(f"/sections/{section.id}/comments", data={"kind": "general", "body": "X", "language": "de"})
    assert refused.status_code == 422 and 'id="language-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 2


def test_every_text_of_a_comment_carries_its_language(app, world):
    document = world.document()
    world.release(document)
    section = document.sections[0]
    egypt = world.user("focal_point", "EGY")
    arabic = create_comment(
        egypt, section, kind="amendment", body="نقترح.", proposed_text="نص.", quote="اقتباس", language="ar"
    )
    unknown = create_comment(egypt, section, kind="general", body="Written before languages were recorded.")
    unknown.language = None
    db.session.commit()
    client = _browser(app, egypt)
    html = client.get(f"/comments/{arabic.id}").get_data(as_text=True)
    assert '<div class="comment__body" lang="ar" dir="rtl">' in html
    assert '<blockquote class="comment__quote" lang="ar" dir="rtl">' in html
    assert '<div class="diff" lang="ar" dir="rtl">' in html
    html = client.get(f"/comments/{unknown.id}").get_data(as_text=True)
    assert '<div class="comment__body" dir="auto">' in html
    assert create_comment(egypt, section, kind="general", body="Detected from its words.").language == "en"
    assert '<td data-label="Comment text" lang="ar" dir="rtl">نقترح.</td>' in client.get(
        "/delegation/comments"
    ).get_data(as_text=True)
    submitted = client.get(f"/comments/{arabic.id}/submit").get_data(as_text=True)
    assert '<div class="comment__body" lang="ar" dir="rtl">' in submitted


def test_a_quote_or_proposed_text_in_another_script_carries_its_own_language(app, world):
    document = world.document()
    world.release(document)
    section = document.sections[0]
    kenya = world.user("focal_point", "KEN")
    chinese = create_comment(
        kenya,
        section,
        kind="amendment",
        body="肯尼亚建议修改本段。",
        proposed_text="The programme of work and the budget.",
        quote="the strategic plan",
        language="zh",
    )
    db.session.commit()
    client = _browser(app, kenya)
    html = client.get(f"/comments/{chinese.id}").get_data(as_text=True)
    assert '<div class="comment__body" lang="zh" dir="ltr">' in html
    assert '<blockquote class="comment__quote" lang="en" dir="ltr">' in html
    assert '<div class="diff" lang="en" dir="ltr">' in html
