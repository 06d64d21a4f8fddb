"""The comment journey with the keyboard alone, focus visible at every step."""

from playwright.sync_api import Page, expect

from tests.e2e.helpers import DELEGATE, open_paragraph

MAX_TABS = 80  # more stops than that before the form would itself be a finding

# The focused element and whether a focus indicator is drawn: an outline or a box shadow.
FOCUS_STATE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.value || '').trim().slice(0, 60),
    name: element.getAttribute('name'),
    visible: outlined || style.boxShadow !== 'none',
  };
}"""


def tab(page: Page, key: str = "Tab") -> dict:
    page.keyboard.press(key)
    focused = page.evaluate(FOCUS_STATE)
    assert focused["visible"], f"no visible focus on {focused}"
    return focused


def test_comment_with_the_keyboard_only(visit, shot):
    page = visit(DELEGATE)
    open_paragraph(page, "9")

    for _ in range(MAX_TABS):
        focused = tab(page)
        if focused["tag"] == "summary" and focused["text"] == "Write a comment":
            break
    else:
        raise AssertionError(f"'Write a comment' was not reached in {MAX_TABS} Tab presses")
    shot(page, "1-summary-focused")
    page.keyboard.press("Enter")
    expect(page.locator("details.comment-form")).to_have_attribute("open", "")

    # The kind is a radio group: Tab enters it, an arrow key chooses.
    assert tab(page)["name"] == "kind"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Question")).to_be_checked()
    # The language of the comment: the reader's interface language unless they choose another.
    assert tab(page)["name"] == "language"
    expect(page.get_by_label("Language of your comment")).to_have_value("en")
    # Kenya belongs to the African Group: the comment may be made on its behalf; by default for Kenya alone.
    assert tab(page)["name"] == "on_behalf_of"
    assert tab(page)["name"] == "quote"
    assert tab(page)["name"] == "body"
    page.keyboard.type("Keyboard only: will the mid-term review be open to member States?")
    assert tab(page)["name"] == "proposed_text"
    assert tab(page)["name"] == "co_signers"
    assert tab(page)["text"] == "Save draft"
    shot(page, "2-form-filled")
    page.keyboard.press("Enter")

    expect(page.locator(".flash")).to_contain_text("saved as a draft")
    saved = page.locator("article.comment", has_text="Keyboard only: will the mid-term review")
    expect(saved.locator(".badge").first).to_have_text("Question")
    shot(page, "3-saved")
