"""Forms a person can finish, in Chromium: the error summary takes focus and its links reach the fields,
a long field counts the characters left, and the success message after saving a comment is in view."""

from playwright.sync_api import expect

from tests.e2e.helpers import DELEGATE, open_paragraph


def test_the_error_summary_takes_focus_and_leads_to_each_field(visit):
    page = visit(DELEGATE, language="en")
    page.goto("/account/password")
    page.get_by_role("button", name="Change password").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(3)
    summary.get_by_role("link", name="New password: This field is required.").click()
    expect(page.get_by_label("New password", exact=True)).to_be_focused()


def test_a_long_field_counts_and_the_saved_comment_says_so_in_view(visit):
    page = visit(DELEGATE, language="en")
    open_paragraph(page, "9")
    page.locator(".comment-form summary").click()
    quote = page.get_by_label("Passage you comment on (optional)")
    counter = page.locator("#quote-limit")
    expect(counter).to_have_text("Characters left: 5,000 of 5,000")
    quote.fill("principle (c)")
    expect(counter).to_have_text("Characters left: 4,987 of 5,000")
    page.locator(".comment-form textarea[name=body]").fill("Mention the mid-term review.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save draft").click()
    assert "#comment-" in page.url
    expect(page.get_by_text("Your comment is saved as a draft.")).to_be_in_viewport()
    # Shown just above the saved comment, where the page was taken, not at the top far above it.
    assert page.evaluate("document.querySelector('.flashes').nextElementSibling.id") == page.url.split("#")[1]
