"""Hostile text, typed into the comment form and sent through the API, on every page that shows it:
no script runs, no dialog opens, nothing dangerous reaches the DOM, and the layout holds at 1280 px."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    DELEGATE,
    EDITOR,
    FOCAL,
    SECRETARIAT,
    SLUG,
    VIEWPORT,
    find_places,
    path_of,
    sign_in,
)

MARKER = "hostilemarker"
PAYLOADS = {
    "script": '<script>alert("script")</script>',
    "img-onerror": "<img src=x onerror=alert(1)>",
    "markdown-javascript-links": (
        '[open me](javascript:alert(1)) [again](JaVaScRiPt:alert(2)) <a href="javascript:alert(3)">raw</a> '
        "![picture](javascript:alert(4))"
    ),
    "svg-onload": "<svg onload=alert(1)><circle r=5 /></svg> <svg/onload=alert(2)>",
    "attribute-breakout": '"><script>alert(1)</script><p title="',
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "rtl-override": "Approved \u202eylsuomina\u202c by consensus",
    "long-word": "Ab" * 2500,
    "zero-width": "zero\u200bwidth\u200c non\u200djoiner\ufeff word\u2060joiner",
}
HOSTILE = "\n\n".join([MARKER, *PAYLOADS.values()])
# A quoted passage is at most 5,000 characters: all but the long word.
HOSTILE_QUOTE = "\n\n".join(text for name, text in PAYLOADS.items() if name != "long-word")
# What must never reach the page body, whatever the field: elements that run code, event
# handlers, and javascript: URLs (browsers ignore whitespace and control characters in them).
DANGEROUS_JS = r"""() => [...document.body.querySelectorAll('*')]
  .filter(e => ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(e.tagName)
    || [...e.attributes].some(a => a.name.startsWith('on')
      || /^javascript:/i.test(a.value.replace(/[\s\u0000-\u001f]/g, ''))))
  .map(e => e.outerHTML.slice(0, 200))"""
OVERFLOW_TOLERANCE = 2  # pixels, for sub-pixel rounding


def api(server, token: str, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read().decode()}") from None


def id_in(path: str) -> int:
    return int(re.search(r"/(\d+)$", path)[1])


@pytest.fixture(scope="module")
def hostile(chromium_browser, server):
    """Hostile content in every field a participant or the API can fill; returns where it shows."""
    context = chromium_browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_in(page, EDITOR)
    places = find_places(page)
    context.close()
    section_id = id_in(places["section"])

    tokens = {email: server.token(email) for email in (FOCAL, EDITOR, SECRETARIAT)}
    api_comment = api(
        server,
        tokens[FOCAL],
        "POST",
        f"/sections/{section_id}/comments",
        {"kind": "amendment", "body": HOSTILE, "quote": HOSTILE_QUOTE, "proposed_text": HOSTILE, "submit": True},
    )
    api(server, tokens[EDITOR], "POST", f"/sections/{section_id}/versions", {"body": HOSTILE, "base_version": 1})
    api(
        server,
        tokens[EDITOR],
        "PUT",
        f"/comments/{api_comment['id']}/disposition",
        {"disposition": "not_accepted", "rationale": HOSTILE},
    )
    # The first dialogue's outcome is already published: the edit shows at once, to everyone.
    dialogue_id = id_in(places["dialogue"])
    api(
        server,
        tokens[SECRETARIAT],
        "PUT",
        f"/dialogues/{dialogue_id}/outcome",
        {"summary": HOSTILE, "conclusions": [{"text": HOSTILE, "section_ids": [section_id]}]},
    )
    return {**places, "api_comment": f"/comments/{api_comment['id']}"}


def assert_safe(page: Page, problems, shot, step: str) -> None:
    page.wait_for_load_state("load")
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    overflows = scroll_width > client_width + OVERFLOW_TOLERANCE
    shot(page, step, full_page=not overflows)  # a page 50,000 px wide is too big to capture whole
    assert not problems, "\n".join(problems)
    assert page.evaluate(DANGEROUS_JS) == []
    assert not overflows, f"{step}: the page scrolls sideways ({scroll_width} > {client_width} px)"


def test_hostile_comment_through_the_form(visit, hostile, problems, shot):
    focal = visit(FOCAL)
    focal.goto(hostile["section"])
    focal.get_by_text("Write a comment").click()
    focal.get_by_role("radio", name="Amendment (proposed text)").check()
    focal.get_by_label("Passage you comment on (optional)").fill(HOSTILE_QUOTE)
    focal.get_by_label("Comment", exact=True).fill(HOSTILE)
    focal.get_by_label(re.compile("^Proposed text")).fill(HOSTILE)
    focal.get_by_role("button", name="Save draft").click()
    expect(focal.locator(".flash")).to_contain_text("saved as a draft")
    comment_id = re.search(r"#comment-(\d+)$", focal.url)[1]
    assert_safe(focal, problems, shot, "1-section-draft")

    focal.get_by_role("link", name="Submit on behalf of the delegation").first.click()
    assert_safe(focal, problems, shot, "2-confirm")
    focal.get_by_role("button", name="Submit", exact=True).click()
    expect(focal.locator(".flash")).to_contain_text("submitted")

    # The literal text survives as text: escaped, not dropped.
    focal.goto(f"/comments/{comment_id}")
    expect(focal.locator(".comment__quote")).to_contain_text("ylsuomina")
    expect(focal.locator(".comment__body")).to_contain_text(PAYLOADS["long-word"])
    assert_safe(focal, problems, shot, "3-comment")

    focal.get_by_role("link", name="Our delegation's comments").click()
    assert_safe(focal, problems, shot, "4-delegation")


PAGES = [
    ("section", EDITOR, "{section}"),
    ("section-working-text", EDITOR, "{section}?version=2"),
    ("diff", EDITOR, "{section}/diff?from=1&to=2"),
    ("revise", EDITOR, "{section}/revise"),
    ("api-comment", EDITOR, "{api_comment}"),
    ("delegation", FOCAL, "/delegation/comments"),
    ("matrix", EDITOR, "{document}/matrix"),
    ("dialogue-outcome", SECRETARIAT, "{dialogue}"),
    ("synthesis", DELEGATE, "{section}/synthesis"),
    ("delegate-section", DELEGATE, "{section}"),
]


@pytest.mark.parametrize(("step", "email", "place"), PAGES, ids=[step for step, _, _ in PAGES])
def test_hostile_content_on_the_pages_that_show_it(visit, hostile, problems, shot, step, email, place):
    page = visit(email)
    page.goto(place.format(**hostile))
    assert path_of(page) != "/auth/login"
    assert_safe(page, problems, shot, step)


def test_search_finds_hostile_text_safely(visit, hostile, problems, shot):
    editor = visit(EDITOR)
    editor.goto(f"/consultations/{SLUG}")
    editor.get_by_role("link", name="Search").click()
    editor.get_by_label("Search paragraphs, comments and dialogue conclusions").fill(MARKER)
    editor.keyboard.press("Enter")
    expect(editor.get_by_role("status")).not_to_have_text(re.compile(r"^0 "))
    assert_safe(editor, problems, shot, "results")


def test_the_checks_catch_what_they_look_for(chromium_browser):
    """The same payloads as raw HTML, unescaped: every check above must notice."""
    context = chromium_browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as dialog:
        page.set_content(f"<main>{' '.join(PAYLOADS.values())}<a href=' java\tscript:alert(5)'>x</a></main>")
    assert dialog.value.type == "alert"
    assert len(page.evaluate(DANGEROUS_JS)) >= 6
    assert page.evaluate("document.documentElement.scrollWidth") > VIEWPORT["width"] + OVERFLOW_TOLERANCE
    context.close()
