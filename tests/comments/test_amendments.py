"""Amendments say what they change: the proposed text starts as the released paragraph, the comparison is
made on the text as read (never on its Markdown), inline or side by side, and can be previewed before saving.
No page a person reads shows Markdown syntax, and user text carries its language and direction."""

import re

from consult.comments.services import create_comment
from consult.drafts import translations
from consult.drafts.services import revise_section
from consult.extensions import db
from consult.models import Comment
from tests.conftest import login

DOCUMENT = """I. Principles

1. The Assembly **agrees** that the plan shall be:

(a) Ambitious, relevant and responsive;

(b) Focused and prioritized;

(c) Grounded in the normative mandate of the programme;

(d) Measured against clear indicators;

(e) Reviewed every two years.

2. The secretariat will report on its implementation.
"""


def _browser(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _paragraph(world):
    document = world.document(DOCUMENT)
    world.release(document)
    return document, document.sections[0]


def _proposed_field(html: str) -> str:
    found = re.search(r'<textarea[^>]*id="proposed_text"[^>]*>(.*?)</textarea>', html, re.S)
    assert found, "no proposed-text field"
    return found[0]


def _read(html: str) -> str:
    """The page as read: without the text of its form fields, which hold the Markdown being written."""
    return re.sub(r"<textarea[^>]*>.*?</textarea>", "", html, flags=re.S)


def _diff_marks(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<(del|ins)>(.*?)</\1>", html, re.S)


def test_a_change_to_sub_paragraph_c_shows_only_that_change_to_the_focal_point(app, world):
    _, section = _paragraph(world)
    delegate = world.user("delegate", "KEN")
    focal_point = world.user("focal_point", "KEN")
    client = _browser(app, delegate)

    page = client.get(f"/sections/{section.id}").get_data(as_text=True)
    field = _proposed_field(page)
    assert "The Assembly **agrees**" in field and "(e) Reviewed every two years." in field  # starts as released
    assert 'dir="ltr"' in field and 'lang="en"' in field

    proposed = section.versions[-1].body.replace("normative mandate", "normative and operational mandate")
    # The delegate's own comment uses bold too: the comparison must not see it as a change of wording.
    proposed = proposed.replace("The Assembly **agrees**", "The Assembly agrees")
    form = {"kind": "amendment", "body": "Kenya asks for **operational** too.", "proposed_text": proposed}

    preview = client.post(f"/sections/{section.id}/comments", data={**form, "preview": "inline"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview (not saved yet)" in html
    assert _diff_marks(html) == [("ins", "and operational")]
    assert "<strong>operational</strong>" in html and "**" not in _read(html)
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0  # a preview saves nothing

    side = client.post(f"/sections/{section.id}/comments", data={**form, "preview": "side"}).get_data(as_text=True)
    assert 'class="diff-sides"' in side and "diff diff--new" in side

    assert client.post(f"/sections/{section.id}/comments", data=form).status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert "Show side by side" in client.get(f"/sections/{section.id}").get_data(as_text=True)
    refused = client.post(f"/sections/{section.id}/comments", data={**form, "body": ""})
    assert refused.status_code == 422 and 'class="diff"' in refused.get_data(as_text=True)
    assert "Show side by side" not in refused.get_data(as_text=True)  # no link to an address that takes no GET

    review = _browser(app, focal_point).get(f"/comments/{comment.id}/submit").get_data(as_text=True)
    assert _diff_marks(review) == [("ins", "and operational")]
    assert "**" not in review
    assert "<del>" not in review  # the chapeau and (a), (b), (d), (e) are not struck through
    side_by_side = _browser(app, focal_point).get(f"/comments/{comment.id}/submit?diff=side").get_data(as_text=True)
    assert 'class="diff-sides"' in side_by_side and "Show the changes inline" in side_by_side


def test_an_amendment_to_a_translation_starts_from_and_is_compared_with_the_translation(app, world):
    document, section = _paragraph(world)
    arabic = "١ - تتفق الجمعية على أن الخطة يجب أن تكون:\n\n(ج) قائمة على الولاية المعيارية للبرنامج."
    translations.store_translation(None, section, language="ar", body=arabic, base_version=1)
    db.session.commit()
    egypt = world.user("focal_point", "EGY")
    client = _browser(app, egypt)
    field = _proposed_field(client.get(f"/sections/{section.id}?lang=ar").get_data(as_text=True))
    assert "قائمة على الولاية المعيارية" in field and 'dir="rtl"' in field and 'lang="ar"' in field

    proposed = arabic.replace("المعيارية", "المعيارية والتشغيلية")
    comment = create_comment(egypt, section, kind="amendment", body="نقترح.", proposed_text=proposed, language="ar")
    db.session.commit()
    assert _diff_marks(comment.proposed_diff_html) == [("ins", "والتشغيلية")]


def test_previewing_a_comment_being_edited_shows_the_diff_and_saves_nothing(app, world):
    _, section = _paragraph(world)
    kenya = world.user("focal_point", "KEN")
    comment = create_comment(kenya, section, kind="general", body="A general remark.")
    db.session.commit()
    client = _browser(app, kenya)
    field = _proposed_field(client.get(f"/comments/{comment.id}/edit").get_data(as_text=True))
    assert "(c) Grounded in the normative mandate" in field  # turning it into an amendment starts from the text

    proposed = section.versions[-1].body.replace("two years", "three years")
    data = {"kind": "amendment", "body": "Every **three** years.", "proposed_text": proposed, "quote": ""}
    html = client.post(f"/comments/{comment.id}/edit", data={**data, "preview": "inline"}).get_data(as_text=True)
    assert _diff_marks(html) == [("del", "two"), ("ins", "three")] and "<strong>three</strong>" in html
    db.session.refresh(comment)
    assert comment.kind == "general" and comment.proposed_text is None

    empty = client.post(f"/comments/{comment.id}/edit", data={**data, "proposed_text": "", "preview": "inline"})
    assert empty.status_code == 422 and 'id="proposed_text-error"' in empty.get_data(as_text=True)


def test_no_page_shows_the_markdown_of_a_comment(app, world):
    document, section = _paragraph(world)
    kenya = world.user("focal_point", "KEN")
    delegate = world.user("delegate", "KEN")
    secretariat = world.user("secretariat")
    bold = create_comment(
        delegate,
        section,
        kind="amendment",
        body="We **strongly** support (c).",
        proposed_text=section.versions[-1].body.replace("(e) Reviewed", "(e) **Independently** reviewed"),
        quote="**normative** mandate",
    )
    db.session.commit()
    focal = _browser(app, kenya)
    pages = {
        f"/sections/{section.id}": focal,
        f"/comments/{bold.id}": focal,
        f"/comments/{bold.id}/submit": focal,
        "/delegation/comments": focal,
    }
    for address, client in pages.items():
        html = client.get(address).get_data(as_text=True)
        assert "strongly" in html and "**" not in _read(html), address
    focal.post(f"/comments/{bold.id}/submit", data={})
    db.session.commit()
    staff = _browser(app, secretariat)
    for address in (f"/documents/{document.id}/matrix", f"/comments/{bold.id}/disposition"):
        response = staff.get(address)
        assert response.status_code == 200, address
        html = response.get_data(as_text=True)
        assert "strongly" in html and "**" not in html, address


def test_a_version_diff_compares_the_text_not_its_markdown(app, world):
    _, section = _paragraph(world)
    editor = world.user("editor")
    body = section.versions[-1].body
    revise_section(
        editor,
        section,
        body=body.replace("**agrees**", "agrees").replace("two", "three"),
        change_note="",
        base_version=1,
    )
    db.session.commit()
    html = _browser(app, editor).get(f"/sections/{section.id}/diff?from=1&to=2").get_data(as_text=True)
    assert _diff_marks(html) == [("del", "two"), ("ins", "three")] and "**" not in html


def test_an_arabic_page_with_english_paragraphs_marks_each_block_with_its_language(app, world):
    document, section = _paragraph(world)
    egypt = world.user("focal_point", "EGY")
    egypt.locale = "ar"
    db.session.commit()
    create_comment(egypt, section, kind="general", body="English remark from Egypt.", language="en")
    db.session.commit()
    client = _browser(app, egypt)
    page = client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert re.search(r'<html[^>]*lang="ar"[^>]*dir="rtl"', page)
    assert '<div class="passage__text" lang="en" dir="ltr">' in page
    assert '<div class="comment__body" lang="en" dir="ltr">' in page
    assert "<bdi>Zero draft</bdi>" in page  # the release's label inside an Arabic sentence
    assert "<bdi>focal_point-EGY</bdi>" in page  # the author of a draft, by name
    document_page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    blocks = re.findall(r'<div class="passage__text"([^>]*)>', document_page)
    assert blocks and all('lang="en" dir="ltr"' in attributes for attributes in blocks)
