"""The demo consultation built from the seed document: one plan draft in English and Chinese."""

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from consult.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SLUG, load_demo
from consult.dialogues.routes import section_choices
from consult.dialogues.services import dialogues_of
from consult.drafts.services import create_consultation, current_release, get_consultation
from consult.drafts.translations import newest_translations, reading, release_languages
from consult.extensions import db
from consult.items.services import items
from consult.models import Comment, Document, Section, User
from consult.models.base import utcnow
from consult.roadmap.services import timeline
from tests.conftest import browser_for, login

DEMO_MARKERS = (
    "[Demo data]",
    "【演示数据】",
    "[Données de démonstration]",
    "[Datos de demostración]",
    "[بيانات تجريبية]",
)


def _plan(consultation) -> Document:
    (plan,) = [document for document in consultation.documents if document.kind == "plan_draft"]
    return plan


def _paragraph(plan: Document, number: str) -> Section:
    return next(section for section in plan.sections if section.number == number)


def _user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def test_the_plan_draft_is_one_document_in_english_and_chinese(app):
    assert load_demo() is True
    db.session.commit()
    consultation = get_consultation(SLUG)
    assert consultation.title == "UN-Habitat Strategic Plan 2026–2029"
    assert sorted(document.kind for document in consultation.documents) == [
        "guiding_principles",
        "plan_draft",
        "priority_statements",
    ]
    plan = _plan(consultation)
    assert plan.language == "en" and plan.symbol == "HSP/EB.2024/5"
    assert [s.number for s in plan.sections] == [str(n) for n in range(1, 28)]
    assert len(dict.fromkeys(s.chapter for s in plan.sections)) == 6

    chinese = newest_translations([s.id for s in plan.sections], "zh")
    assert set(chinese) == {s.id for s in plan.sections}
    assert all(chinese[s.id].version.number == 1 for s in plan.sections)
    assert plan.sections[0].chapter == "I. Introduction" and chinese[plan.sections[0].id].chapter == "一、 导言"

    nine = _paragraph(plan, "9")
    in_chinese, in_english = reading(nine, nine.versions[0], "zh"), reading(nine, nine.versions[0], "en")
    assert in_chinese.language == "zh" and not in_chinese.outdated
    assert in_chinese.chapter == "四、 拟议指导原则" and "(e) 易于管理" in in_chinese.body
    assert in_english.original and in_english.chapter == "IV. Proposed guiding principles"
    assert "(e) **Manageable, realistic" in in_english.body

    release = current_release(plan)
    assert release.label == "Zero draft" and release.is_open(utcnow())
    assert 20 <= (release.comments_close_at - utcnow()).days <= 21
    assert release_languages(release) == ["en", "zh"]
    assert load_demo() is False
    assert len(get_consultation(SLUG).documents) == 3


def test_an_earlier_demo_is_left_as_it_is(app, world):
    """A database that holds the demo consultation in any shape (the earlier two-document one too)
    gets no second copy: loading changes nothing."""
    consultation = create_consultation(None, slug=SLUG, title="An earlier demo", description="")
    db.session.commit()
    assert load_demo() is False
    db.session.commit()
    assert get_consultation(SLUG).title == "An earlier demo"
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    assert consultation.documents == []


def test_principles_and_priorities_carry_the_seeds_chinese_text(app):
    load_demo()
    db.session.commit()
    consultation = get_consultation(SLUG)
    plan = _plan(consultation)
    principles = items(consultation, "guiding_principles")
    priorities = items(consultation, "priority_statements")
    assert [p.number for p in principles] == ["a", "b", "c", "d", "e"]
    assert [p.number.split("(")[0] for p in priorities] == ["10"] * 5 + ["17"] * 3 + ["23"] * 3 + ["24"] * 3
    chinese = newest_translations([item.id for item in principles + priorities], "zh")
    assert set(chinese) == {item.id for item in principles + priorities}
    for item in principles + priorities:
        assert item.document.language == "en" and re.search(r"[a-z]", item.versions[0].body)
        assert re.search(r"[\u4e00-\u9fff]", chinese[item.id].body) and chinese[item.id].heading, item.number

    # The seed's own titles, bold or not, and its text after them.
    principle_d = next(p for p in principles if p.number == "d")
    assert principle_d.heading == "Evidence- and knowledge-based"
    assert chinese[principle_d.id].heading == "以证据和知识为依据"
    assert chinese[principle_d.id].body == "以数据和科学研究以及人居署、其合作伙伴和其他利益攸关方的经验为参考；"
    considerations_b = next(p for p in priorities if p.number == "17(b)")
    assert chinese[considerations_b.id].heading == "利基和增加价值"
    assert chinese[considerations_b.id].body.startswith("继续从寻求“利基”领域")
    framework_a = next(p for p in priorities if p.number == "10(a)")
    assert chinese[framework_a.id].body == "人人获得适足、安全和负担得起的住房；"

    # Each priority answers to the paragraph it comes from, in the one plan document.
    for priority in priorities:
        assert [(s.document_id, s.number) for s in priority.related] == [(plan.id, priority.number.split("(")[0])]


def test_paragraph_nine_holds_comments_written_in_chinese_and_in_french(app):
    load_demo()
    db.session.commit()
    plan = _plan(get_consultation(SLUG))
    nine = _paragraph(plan, "9")
    comments = db.session.scalars(db.select(Comment).where(Comment.section_id == nine.id).order_by(Comment.id)).all()
    by_country = {(c.organization.code, c.language): c for c in comments}
    kenya, france, china = by_country[("KEN", "zh")], by_country[("FRA", "fr")], by_country[("CHN", "zh")]
    assert kenya.kind == "amendment" and "national statistical offices" in kenya.proposed_text
    assert {kenya.status, france.status, china.status} == {"submitted"}
    assert kenya.release_id == france.release_id == current_release(plan).id
    every = db.session.scalars(db.select(Comment)).all()
    assert {c.section.document_id for c in every} == {plan.id}
    assert all(c.body.startswith(DEMO_MARKERS) for c in every)

    # The secretariat finds both on paragraph 9's page and in the release's one matrix.
    secretariat = browser_for(app, _user("secretariat@consult.example"))
    page = secretariat.get(f"/sections/{nine.id}").get_data(as_text=True)
    matrix = secretariat.get(f"/documents/{plan.id}/matrix?section=9").get_data(as_text=True)
    for text in ("肯尼亚建议在原则(d)中", "La France appuie les principes proposés"):
        assert text in page and text in matrix


def test_each_paragraph_is_listed_once(app):
    load_demo()
    db.session.commit()
    consultation = get_consultation(SLUG)
    with app.test_request_context():
        labels = [str(choice.label) for choice in section_choices(consultation)]
    paragraphs = [label for label in labels if label.startswith("Paragraph ")]
    assert len(paragraphs) == len(set(paragraphs)) == 27

    focal = browser_for(app, _user("focal.ken@consult.example"))
    priorities = focal.get(f"/consultations/{SLUG}/priorities").get_data(as_text=True)
    assert priorities.count("paragraph 10</a>") == 5  # one on each of the five cards of paragraph 10
    assert "paragraph 10</a>, <a" not in priorities
    editor = browser_for(app, _user("editor@consult.example"))
    priority = next(p for p in items(consultation, "priority_statements") if p.number == "23(a)")
    choices = editor.get(f"/priorities/{priority.id}/links").get_data(as_text=True)
    assert len(re.findall(r"Paragraph 9<", choices)) == 1


def test_dialogues_point_to_the_one_plan_document(app):
    load_demo()
    db.session.commit()
    consultation = get_consultation(SLUG)
    plan = _plan(consultation)
    dialogues = dialogues_of(consultation)
    tagged = [section for d in dialogues for item in d.agenda for section in item.sections]
    tagged += [section for d in dialogues if d.outcome for c in d.outcome.conclusions for section in c.sections]
    assert {s.document.kind for s in tagged} == {"plan_draft", "guiding_principles", "priority_statements"}
    assert {(s.document_id, s.number) for s in tagged if s.document.kind == "plan_draft"} == {
        (plan.id, "3"),
        (plan.id, "17"),
    }


def test_every_demo_account_can_sign_in(app):
    load_demo()
    db.session.commit()
    for email, *_ in DEMO_ACCOUNTS:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email


def test_demo_comments_respect_visibility(app):
    load_demo()
    db.session.commit()
    client = app.test_client()
    login(client, _user("focal.fra@consult.example"), DEMO_PASSWORD)
    nine = _paragraph(_plan(get_consultation(SLUG)), "9")
    page = client.get(f"/sections/{nine.id}").get_data(as_text=True)
    assert "La France appuie les principes proposés" in page  # its own
    assert "中方支持五项指导原则" not in page and "肯尼亚建议" not in page  # others', window still open


def test_the_roadmap_tells_one_story_in_order(app):
    """The 2024 path is history, the drafting round is under way, the rest lies ahead: in roadmap
    order, nothing is done after something under way or ahead, and the adoption follows the draft."""
    load_demo()
    db.session.commit()
    consultation = get_consultation(SLUG)
    entries = timeline(consultation, utcnow().date())
    statuses = [entry.status for entry in entries]
    assert set(statuses) == {"done", "current", "upcoming"}
    first_not_done = statuses.index("current")
    assert "done" not in statuses[first_not_done:], [(e.title, e.status) for e in entries]
    assert statuses.index("upcoming") > statuses.index("current")

    # The present: the drafts went out some days ago and their windows close in some days.
    windows = [entry for entry in entries if entry.kind == "comment_window"]
    assert len(windows) == 3 and {entry.status for entry in windows} == {"current"}
    for entry in windows:
        assert entry.release.published_at < utcnow() - timedelta(days=7)
        assert timedelta(days=20) < entry.release.comments_close_at - utcnow() <= timedelta(days=21, hours=1)
    # The history keeps its real dates; the adoption comes after every draft and is ahead.
    board = next(entry for entry in entries if entry.title == "Executive Board, first session of 2024")
    assert (board.starts_on, board.ends_on, board.status) == (date(2024, 5, 6), date(2024, 5, 8), "done")
    (adoption,) = [entry for entry in entries if entry.kind == "assembly" and "resumed" in entry.title]
    assert adoption.status == "upcoming" and "Illustrative" in adoption.description
    assert entries.index(adoption) > max(entries.index(entry) for entry in windows)


def test_the_six_consultations_of_the_seed_are_six_dialogues(app):
    load_demo()
    db.session.commit()
    dialogues = dialogues_of(get_consultation(SLUG))
    when = {
        dialogue.title: (dialogue.starts_at.astimezone(ZoneInfo(dialogue.timezone)).date(), dialogue.timezone)
        for dialogue in dialogues
    }
    assert len(dialogues) == len(when) == 6
    expected = [
        ("First dialogue with Member States", date(2024, 1, 31), "Africa/Nairobi"),
        ("UN Civil Society Conference", date(2024, 5, 9), "Africa/Nairobi"),
        ("Africa Urban Forum", date(2024, 9, 4), "Africa/Addis_Ababa"),
        ("high-level political forum", date(2024, 9, 17), "America/New_York"),
        ("Summit of the Future", date(2024, 9, 21), "America/New_York"),
        ("World Urban Forum", date(2024, 11, 5), "Africa/Cairo"),
    ]
    for words, day, zone in expected:
        (title,) = [title for title in when if words in title]
        assert when[title] == (day, zone), title
    # Neither consultation in New York speaks for the other.
    assert not [title for title in when if "political forum" in title and "Summit" in title]
    # What the story reports happened has a published outcome, dated after the dialogue.
    reported = [d for d in dialogues if d.outcome and d.outcome.status == "published"]
    for words in ("First dialogue", "political forum", "Summit of the Future", "World Urban Forum"):
        assert [d for d in reported if words in d.title], words
    assert all(d.outcome.published_at > d.starts_at for d in reported)


def test_the_task_force_has_begun_answering_with_answers_proposed_first(app, client):
    assert load_demo() is True
    db.session.commit()
    plan = _plan(get_consultation(SLUG))
    assert current_release(plan).propose_answers is True
    answered = {
        comment.organization.code: comment
        for comment in db.session.scalars(db.select(Comment).where(Comment.disposition.is_not(None)))
    }
    assert {code: comment.answer_stage for code, comment in answered.items()} == {"CHN": "shared", "FRA": "proposed"}
    # China is asked for its reaction (its pages are in Chinese), and told so in its outbox.
    china = browser_for(client.application, _user("focal.chn@consult.example"))
    page = china.get(f"/sections/{_paragraph(plan, '9').id}").get_data(as_text=True)
    assert f'action="/comments/{answered["CHN"].id}/agree"' in page and "Principle (e) will say" not in page
    assert "请予回应" in china.get("/outbox").get_data(as_text=True)
