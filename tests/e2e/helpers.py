"""What a reader of the demo does over and over: sign in, change language, find a paragraph."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page

DEMO_PASSWORD = "consult-demo-2026"
SLUG = "strategic-plan-2026-2029"
DELEGATE = "delegate.ken@consult.example"
FOCAL = "focal.ken@consult.example"
CHINA = "focal.chn@consult.example"
EDITOR = "editor@consult.example"
SECRETARIAT = "secretariat@consult.example"
PLAN_DOCUMENT = re.compile(r"^Update on the preparation of the UN-Habitat strategic plan")  # English and Chinese
FIRST_DIALOGUE = "First dialogue with Member States on the strategic plan 2026–2029"
VIEWPORT = {"width": 1280, "height": 900}  # a laptop; the layout must not scroll sideways at this width


def sign_in(page: Page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.locator(".account__who").wait_for()


def set_language(page: Page, code: str) -> None:
    """Switch through the header's language form, as a reader would."""
    if page.url == "about:blank":
        page.goto("/")
    page.locator("#locale-switch").select_option(code)
    with page.expect_navigation():
        page.locator(".language-form button").click()
    assert page.locator("html").get_attribute("lang") == code


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def open_plan_document(page: Page) -> None:
    page.goto(f"/consultations/{SLUG}")
    page.get_by_role("link", name=PLAN_DOCUMENT).click()
    page.get_by_role("heading", level=1, name=PLAN_DOCUMENT).wait_for()


def open_paragraph(page: Page, number: str) -> None:
    """From the consultation, through the plan document, to one paragraph's page."""
    open_plan_document(page)
    page.get_by_role("link", name=f"Paragraph {number}", exact=True).click()
    page.get_by_role("heading", level=1, name=f"Paragraph {number}").wait_for()


def find_places(page: Page) -> dict[str, str]:
    """Paths of the demo's plan document, its paragraph 9, China's comment on it (whose answer
    is proposed to China) and the first dialogue; ``page`` is signed in as the editor."""
    open_plan_document(page)
    document = path_of(page)
    open_paragraph(page, "9")
    section = path_of(page)
    finalize = page.locator("article", has_text="中方支持").locator("form[action$='/finalize']")
    china_comment = finalize.get_attribute("action").removesuffix("/finalize")
    page.goto(f"/consultations/{SLUG}/dialogues")
    page.get_by_role("link", name=FIRST_DIALOGUE).click()
    page.get_by_role("heading", level=1, name=FIRST_DIALOGUE).wait_for()
    return {"document": document, "section": section, "china_comment": china_comment, "dialogue": path_of(page)}
