"""Discarding a draft in Chromium: a confirmation page that passes axe-core in English and Arabic,
fits a phone, and deletes the draft only when confirmed."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.helpers import DELEGATE, open_paragraph, sign_in
from tests.e2e.test_accessibility import AXE_OPTIONS
from tests.e2e.test_phone import PHONE

DRAFT = "End-to-end: a draft we shall discard, about paragraph 9."


@pytest.fixture(scope="module")
def discard_path(chromium_browser, server):
    context = chromium_browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_in(page, DELEGATE)
    open_paragraph(page, "9")
    page.get_by_text("Write a comment").click()
    page.get_by_label("Comment", exact=True).fill(DRAFT)
    page.get_by_role("button", name="Save draft").click()
    draft = page.locator("article.comment", has_text=DRAFT)
    path = draft.get_by_role("link", name="Discard draft").get_attribute("href")
    context.close()
    return path


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_confirmation_is_accessible_and_fits_a_phone(visit, discard_path, shot, language):
    page = visit(DELEGATE, language=language)
    page.goto(discard_path)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.set_viewport_size(PHONE)
    shot(page, "discard")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_draft_is_gone_once_confirmed(visit, discard_path, shot):
    page = visit(DELEGATE, language="en")
    page.goto(discard_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Discard draft \d+\?"))
    expect(page.locator(".comment__body")).to_have_text(DRAFT)
    page.get_by_role("button", name="Discard draft").click()
    expect(page.locator(".flash")).to_contain_text("The draft is discarded.")
    expect(page.locator("article.comment", has_text=DRAFT)).to_have_count(0)
    shot(page, "discarded")
