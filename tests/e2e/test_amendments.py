"""Acceptance of issue 14, items 1–3, in Chromium: a delegate amends sub-paragraph (c) of paragraph 9 and the
focal point's review shows that change only, formatted, with no Markdown; the same in Arabic reads with each
block in its own language and direction."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.helpers import DELEGATE, FOCAL, open_paragraph, path_of, set_language
from tests.e2e.test_accessibility import AXE_OPTIONS

REASON = "Kenya proposes that the plan **also** look ahead."


def test_an_amendment_to_sub_paragraph_c_shows_only_that_change(visit, shot):
    delegate = visit(DELEGATE)
    open_paragraph(delegate, "9")
    delegate.get_by_text("Write a comment").click()
    delegate.get_by_role("radio", name="Amendment").check()
    proposed = delegate.locator("#proposed_text")
    released = proposed.input_value()
    assert released.startswith("On the basis of lessons learned") and "(e) **Manageable" in released
    proposed.fill(released.replace("taking a comprehensive approach", "taking an exhaustive approach"))
    delegate.get_by_label("Comment", exact=True).fill(REASON)

    # Previewed without JavaScript: the same form comes back with the comparison, nothing is saved.
    delegate.get_by_role("button", name="Preview side by side").click()
    preview = delegate.locator(".comment--preview")
    expect(preview.get_by_role("heading", name="Preview (not saved yet)")).to_be_visible()
    expect(preview.locator(".diff--new ins")).to_have_text(["an exhaustive"])
    expect(preview.locator(".diff--old del")).to_have_text(["a comprehensive"])
    expect(preview.locator("strong", has_text="also")).to_be_visible()
    shot(delegate, "1-preview-side-by-side")
    assert Axe().run(delegate, options=AXE_OPTIONS).violations_count == 0
    delegate.get_by_role("button", name="Save draft").click()
    expect(delegate.locator(".flash")).to_contain_text("saved as a draft")

    focal = visit(FOCAL)
    focal.goto("/delegation/comments")
    expect(focal.locator("main")).not_to_contain_text("**")
    focal.get_by_role("row", name="Kenya proposes that the plan also look ahead.").get_by_role(
        "link", name="Review and submit"
    ).click()
    review = focal.locator("main")
    expect(review.locator(".diff ins")).to_have_count(1)
    expect(review.locator(".diff del")).to_have_count(1)
    expect(review.locator(".diff del")).to_have_text("a comprehensive")
    expect(review).not_to_contain_text("**")
    shot(focal, "2-focal-review")
    focal.get_by_role("link", name="Show side by side").click()
    expect(review.locator(".diff--new ins")).to_have_text(["an exhaustive"])
    assert Axe().run(focal, options=AXE_OPTIONS).violations_count == 0


def test_an_arabic_reader_sees_each_english_block_in_its_own_direction(visit, shot):
    reader = visit(FOCAL)
    open_paragraph(reader, "9")
    paragraph = path_of(reader)
    set_language(reader, "ar")
    reader.goto(paragraph)
    assert reader.locator("html").get_attribute("dir") == "rtl"
    text = reader.locator(".passage__text").first
    assert (text.get_attribute("lang"), text.get_attribute("dir")) == ("en", "ltr")
    for block in reader.locator(".comment__body").all():
        assert block.get_attribute("lang") and block.get_attribute("dir") in {"ltr", "rtl", "auto"}
    shot(reader, "3-arabic-paragraph")
