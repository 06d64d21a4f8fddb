"""A phone (390 px wide): every main page fits without sideways scrolling, in English and Arabic;
the header folds its navigation behind a menu button that works without a script."""

import pytest

from tests.e2e.helpers import EDITOR, FOCAL, find_places, sign_in
from tests.e2e.test_accessibility import LANGUAGES, PAGES

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def places(chromium_browser, server):
    context = chromium_browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_in(page, EDITOR)
    found = find_places(page)
    context.close()
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "email", "path"), PAGES, ids=[name for name, _, _ in PAGES])
def test_no_sideways_scrolling_at_390_px(visit, places, shot, name, email, path, language):
    page = visit(email, language=language)
    page.set_viewport_size(PHONE)
    page.goto(path.format(**places))
    assert page.locator("html").get_attribute("lang") == language
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        shot(page, "overflow")
    assert width <= PHONE["width"], f"{name} in {language} is {width} px wide"


def test_the_phone_header_is_a_menu_button(visit, shot):
    page = visit(FOCAL, language="en")
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu = page.locator(".menu__button")
    navigation = page.get_by_role("navigation", name="Main")
    assert menu.is_visible() and not navigation.is_visible()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 100, f"the header takes {header_height} px"
    menu.click()
    navigation.get_by_role("link", name="Our delegation's comments").click()
    page.get_by_role("heading", level=1).wait_for()
    assert page.url.endswith("/delegation/comments")
    shot(page, "delegation-comments")
    # On a laptop the navigation is in view without the button.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert navigation.is_visible() and not menu.is_visible()
