"""Plans of the same next draft applied by several requests at once, through the pages of a gunicorn
server with four workers: two editors, each confirming their own preview twice. One plan is applied,
once; every other confirmation is a 409 and the working draft is the file's."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from consult.drafts import structure
from consult.drafts.services import latest_versions
from consult.extensions import db
from consult.models import AuditEvent, DraftImportPreview, Section
from tests.resilience.helpers import Server
from tests.resilience.test_import_confirmation_race import Browser

ROUNDS = 3
ZERO = "I. Introduction\n\n" + "\n\n".join(
    f"{number}. Paragraph {number} says something of its own about subject {number * 7}." for number in range(1, 7)
)


def next_draft(round_number: int) -> str:
    """Paragraph 2 dropped, 6 moved to the front, a new paragraph after 3, 4 reworded."""
    texts = {number: f"Paragraph {number} says something of its own about subject {number * 7}." for number in range(7)}
    texts[4] += f" Reworded in round {round_number}."
    order = [texts[6], texts[1], texts[3], f"A new paragraph of round {round_number} on cities.", texts[4], texts[5]]
    return "I. Introduction\n\n" + "\n\n".join(f"{number}. {text}" for number, text in enumerate(order, start=1))


@pytest.fixture
def server(database_url, tmp_path):
    server = Server(database_url, tmp_path, workers=4)
    server.start()
    yield server
    server.stop()


def preview(browser: Browser, document_id: int, text: str) -> tuple[str, list[str]]:
    page = f"/documents/{document_id}/next-draft"
    browser.request("GET", page)
    status, html = browser.post_file(page, {}, "next.txt", text.encode())
    assert status == 200, html[:2000]
    continues = re.findall(r'name="continues-\d+"[^>]*value="([^"]*)"', html)
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html)[1], continues


def apply(barrier: threading.Barrier, document_id: int, browser: Browser, token: str, continues: list[str]) -> int:
    fields = {"token": token, "paragraphs": str(len(continues)), "apply": "1"}
    fields |= {f"continues-{index}": number for index, number in enumerate(continues)}
    barrier.wait()  # every confirmation leaves together
    return browser.post_form(f"/documents/{document_id}/next-draft/apply", fields)[0]


def test_plans_applied_at_once_change_the_draft_once(server, world):
    editors = [Browser(server), Browser(server)]
    for index, browser in enumerate(editors):
        browser.sign_in(world.user("editor", key=f"editor-{index}").email)
    outcomes = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for round_number in range(ROUNDS):
            document = world.document(ZERO, slug=f"round-{round_number}")
            text = next_draft(round_number)
            held = [(browser, *preview(browser, document.id, text)) for browser in editors]
            barrier = threading.Barrier(4, timeout=60)

            futures = [pool.submit(apply, barrier, document.id, *plan) for plan in held for _ in range(2)]
            statuses = sorted(future.result() for future in futures)
            outcomes.append(statuses)
            assert statuses == [302, 409, 409, 409], statuses

            db.session.rollback()
            order = structure.working_sections(document)
            texts = latest_versions(document)
            assert [texts[section.id].body for section in order] == re.findall(r"\d\. (.+)", text)
            count = select(func.count(Section.id)).where(Section.document_id == document.id)
            assert db.session.scalar(count) == 7  # one new section, inserted once
            applied = select(func.count()).where(
                AuditEvent.action == "document.import_next_draft", AuditEvent.object_id == document.id
            )
            assert db.session.scalar(applied) == 1
    used = db.session.scalar(select(func.count()).where(DraftImportPreview.used_at.is_not(None)))
    assert used == ROUNDS
    print(
        f"\nnext-draft plans: {ROUNDS} rounds of 2 editors × 2 confirmations at once on 4 workers, each {outcomes[0]}"
    )
