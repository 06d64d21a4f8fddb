"""The outcome form's paragraph picker in Chromium: the filter box narrows the checkboxes, keeps
the chosen ones in view, and "Add another conclusion" keeps what was typed."""

from playwright.sync_api import expect

from tests.e2e.helpers import FIRST_DIALOGUE, SECRETARIAT, SLUG


def test_the_filter_narrows_the_checkboxes_and_a_row_is_added(visit, server, shot):
    page = visit(SECRETARIAT, language="en")
    page.goto(f"/consultations/{SLUG}/dialogues")
    page.get_by_role("link", name=FIRST_DIALOGUE).click()
    page.goto(page.url.split("#")[0] + "/outcome")
    picker = page.locator("[data-picker]").last
    picker.locator("summary").click()
    box = picker.get_by_label("Show only those containing")
    expect(box).to_be_visible()
    everything = picker.locator(".picker__items li:visible").count()
    assert everything > 20
    first = picker.locator("input[type=checkbox]").first
    first.check()
    box.fill("Paragraph 9")
    box.press("Enter")  # filters only: the form is not sent
    visible = picker.locator(".picker__items li:visible")
    expect(visible).to_have_count(2)  # the one chosen before and paragraph 9
    labels = visible.all_inner_texts()
    assert "Paragraph 9" in labels
    picker.get_by_label("Paragraph 9", exact=True).check()
    page.locator("textarea[name$='-text']").last.fill("A conclusion typed before adding a row.")
    rows = page.locator(".agenda-row").count()
    page.get_by_role("button", name="Add another conclusion").click()
    expect(page.locator(".agenda-row")).to_have_count(rows + 1)
    expect(page.locator(".agenda-row").nth(rows - 1).locator("textarea")).to_have_value(
        "A conclusion typed before adding a row."
    )
    expect(page.locator(".agenda-row").nth(rows - 1).locator("input[type=checkbox]:checked")).to_have_count(2)
    expect(page.locator(".agenda-row").last.locator("textarea")).to_be_focused()
    shot(page, "added")
