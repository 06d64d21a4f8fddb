"""axe-core on every main page, in English and in Arabic (right to left): no WCAG 2.1 A/AA violation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.helpers import CHINA, DELEGATE, EDITOR, FOCAL, SECRETARIAT, SLUG, find_places, sign_in

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

# (name, who reads it, path — with {placeholders} filled from the demo)
PAGES = [
    ("welcome", None, "/"),
    # The public front door (issue 14): a consultation and its roadmap, read without signing in.
    ("public-consultation", None, f"/consultations/{SLUG}"),
    ("public-roadmap", None, f"/consultations/{SLUG}/roadmap"),
    ("public-dialogues", None, f"/consultations/{SLUG}/dialogues"),
    ("public-outcome", None, "{dialogue}"),  # the first dialogue's outcome is published
    ("sign-in", None, "/auth/login"),
    ("home", DELEGATE, "/"),
    ("consultation", DELEGATE, f"/consultations/{SLUG}"),
    ("roadmap", DELEGATE, f"/consultations/{SLUG}/roadmap"),
    ("principles", DELEGATE, f"/consultations/{SLUG}/principles"),
    ("document", DELEGATE, "{document}"),
    ("section-with-comments", EDITOR, "{section}"),
    ("comment-form", DELEGATE, "{section}"),
    ("dialogues", DELEGATE, f"/consultations/{SLUG}/dialogues"),
    ("dialogue", SECRETARIAT, "{dialogue}"),
    ("delegation-comments", FOCAL, "/delegation/comments"),
    ("revise", EDITOR, "{section}/revise"),
    ("matrix", EDITOR, "{document}/matrix"),
    ("dashboard", SECRETARIAT, "{document}/dashboard"),
    ("search-results", EDITOR, "/search?q=principles"),
    ("account", DELEGATE, "/account"),
    ("change-password", DELEGATE, "/account/password"),
    ("our-delegation", FOCAL, "/admin/delegation"),
    ("forgot-password", None, "/auth/reset"),
    ("two-step-sign-in", DELEGATE, "/account/two-factor"),
    ("messages-you-receive", FOCAL, "/account/notifications"),
    ("notifications", FOCAL, "/outbox"),
    ("cancel-dialogue", SECRETARIAT, "{dialogue}/cancel"),
    ("outcome-form", SECRETARIAT, "{dialogue}/outcome"),
    # The living draft: reading in two languages, the working draft and its structure, translating.
    ("section-side-by-side", DELEGATE, "{section}?lang=en&beside=zh"),
    ("document-side-by-side", DELEGATE, "{document}?lang=zh&beside=en"),
    ("working-draft", EDITOR, "{document}?view=working"),
    ("insert-paragraph", EDITOR, "{document}/paragraphs/new"),
    ("move-paragraph", EDITOR, "{section}/move"),
    ("retire-paragraph", EDITOR, "{section}/retire"),
    ("translate", EDITOR, "{section}/translations/zh"),
    ("compare", DELEGATE, "{document}/compare?from=1&to=1"),
    ("concordance", DELEGATE, "{document}/concordance"),
    # Positions: groups of States and their members.
    ("groups", SECRETARIAT, "/groups"),
    ("group-members", SECRETARIAT, "/groups/AG"),
    # Answers proposed before they are final: China's is shared with it, France's is still the staff's.
    ("proposed-answer", CHINA, "{section}"),
    ("object-to-answer", CHINA, "{china_comment}/object"),
    ("share-answers", SECRETARIAT, "{document}/matrix/share-answers"),
    ("finalize-answers", EDITOR, "{document}/matrix/finalize-answers"),
]
LANGUAGES = ["en", "ar"]


@pytest.fixture(scope="module")
def places(chromium_browser, server):
    context = chromium_browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_in(page, EDITOR)
    found = find_places(page)
    # Paragraph 9 in Chinese too, typed on its page as a translator would.
    page.goto(f"{found['section']}/translations/zh")
    page.get_by_label("Translation (Markdown)").fill("第9段：拟议的指导原则。")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the translation").click()
    context.close()
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "email", "path"), PAGES, ids=[name for name, _, _ in PAGES])
def test_no_wcag_violations(visit, places, shot, name, email, path, language):
    page = visit(email, language=language)
    page.goto(path.format(**places))
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    if name == "comment-form":
        page.locator(".comment-form summary").click()
        page.locator(".comment-form textarea[name=body]").wait_for()
    elif name == "outcome-form":
        page.locator(".picker summary").first.click()  # the checkboxes and filter box, opened
        page.locator(".picker__filter input").first.wait_for()
    elif name == "search-results":
        assert re.search(r"\d", page.get_by_role("status").inner_text())
    shot(page, "page")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
