"""The comment-response matrix on a laptop (1280 px): the comment column has room to be read,
and a delegation is chosen by its name."""

from tests.e2e.helpers import EDITOR, open_plan_document, path_of

LAPTOP = {"width": 1280, "height": 900}


def test_the_comment_column_is_readable_at_1280_px(visit, shot):
    page = visit(EDITOR, language="en")
    page.set_viewport_size(LAPTOP)
    open_plan_document(page)
    page.goto(f"{path_of(page)}/matrix")
    header = page.locator("table.matrix th", has_text="Comment text")
    assert header.bounding_box()["width"] >= 250, header.bounding_box()
    # The whole table is in view: no scrolling sideways inside its frame nor on the page.
    frame = page.locator(".table-wrap").first
    assert frame.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    shot(page, "matrix-1280")
    # A delegation by its name; the address keeps the code the API takes.
    page.get_by_label("Delegation", exact=True).select_option(label="Kenya (KEN)")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**organization=KEN**")
    rows = page.locator("table.matrix tbody tr")
    assert rows.count() >= 1
    for text in page.locator("table.matrix tbody tr td:nth-child(3)").all_inner_texts():
        assert "Kenya" in text, text
