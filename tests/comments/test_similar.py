"""Similar comments for the editors: near-duplicates of a campaign text in English and in Chinese,
across paragraphs, proposed when answering and answered in one step."""

import time

import pytest

from consult.comments import similarity
from consult.comments.services import create_comment, update_comment
from consult.extensions import db
from consult.models import Comment, CommentSketchValue, Notification
from tests.conftest import login

CAMPAIGN = (
    "We request that the plan commit to doubling investment in affordable housing for informal settlements "
    "by 2029, with annual targets reported to the Executive Board and to every national habitat committee."
)
CAMPAIGN_ZH = (
    "我们要求计划承诺到2029年将对非正式住区经济适用住房的投资翻一番，并每年向执行局和各国人居委员会报告目标进展情况。"
)
UNRELATED = "The section on urban resilience should mention early warning systems for coastal cities."
UNRELATED_ZH = "关于城市韧性的一节应提及沿海城市的预警系统以及气候适应资金。"

# Thirty delegations send the campaign text, each with its small edits.
STATES = [
    *("ARG", "AUS", "AUT", "BEL", "BGD", "BRA", "CAN", "CHL", "CHN", "COL", "CUB", "DEU", "DNK", "EGY", "ESP"),
    *("ETH", "FIN", "FRA", "GHA", "IDN", "IND", "IRN", "ITA", "JPN", "KEN", "MEX", "NGA", "NOR", "PAK", "PER"),
]


def _variant(text: str, index: int, chinese: bool) -> str:
    """The campaign text with the small edits each delegation makes."""
    if chinese:
        edited = text.replace("翻一番", "增加一倍") if index % 2 else text
        return f"代表团第{index}号意见：{edited}"
    edited = text.replace("request", "ask") if index % 2 else text
    edited = edited.replace("2029", "2030") if index % 3 == 0 else edited
    return f"Delegation {index}: {edited}"


@pytest.fixture
def campaign(world):
    document = world.document()
    world.release(document)
    sections = document.sections
    comments = {"en": [], "zh": []}
    started = time.perf_counter()
    for index, code in enumerate(STATES):
        chinese = index % 2 == 1
        focal = world.user("focal_point", code)
        section = sections[index % len(sections)]
        text = _variant(CAMPAIGN_ZH if chinese else CAMPAIGN, index, chinese)
        comments["zh" if chinese else "en"].append(
            create_comment(focal, section, kind="general", body=text, submit=True)
        )
    elapsed = time.perf_counter() - started
    unrelated = [
        create_comment(world.user("focal_point", "KEN"), sections[0], kind="general", body=UNRELATED, submit=True),
        create_comment(world.user("focal_point", "FRA"), sections[0], kind="general", body=UNRELATED_ZH, submit=True),
    ]
    draft = create_comment(
        world.user("delegate", "KEN"), sections[1], kind="general", body=_variant(CAMPAIGN, 99, False)
    )
    db.session.commit()
    return {
        "document": document,
        "comments": comments,
        "unrelated": unrelated,
        "draft": draft,
        "elapsed": elapsed,
        "editor": world.user("editor"),
        "editor_token": world.token(world.user("editor")),
        "kenya_token": world.token(world.user("focal_point", "KEN")),
    }


def test_shingles_read_chinese_by_characters_and_arabic_without_its_marks():
    assert similarity.shingles("住房投资") == {"住房", "房投", "投资"}
    vocalized, plain = "نَطْلُبُ مُضاعَفَةَ الاستثمار", "نطلب مضاعفة الاستـــثمار"
    assert similarity.fingerprint_of(vocalized) == similarity.fingerprint_of(plain)
    assert similarity.fingerprint_of("Hello, World!") == similarity.fingerprint_of("hello   world")
    assert similarity.fingerprint_of("") == similarity.Fingerprint(similarity.fingerprint_of("").text_hash, frozenset())


def test_the_sketch_estimates_the_similarity_of_the_texts():
    words = [f"word{number}" for number in range(400)]
    first = similarity.fingerprint_of(" ".join(words)).sketch
    assert similarity.similarity(first, first) == 1.0
    half = similarity.fingerprint_of(" ".join(words[:200] + [f"other{n}" for n in range(200)])).sketch
    assert 0.2 <= similarity.similarity(first, half) <= 0.5
    assert similarity.similarity(first, similarity.fingerprint_of(UNRELATED).sketch) < 0.1
    assert len(first) == similarity.SKETCH_SIZE


def test_the_editor_is_proposed_the_campaigns_comments_in_each_language(client, campaign):
    assert campaign["elapsed"] < 15  # 30 comments written and fingerprinted
    english, chinese = campaign["comments"]["en"], campaign["comments"]["zh"]
    headers = campaign["editor_token"]
    found = client.get(f"/api/v1/comments/{english[0].id}/similar", headers=headers)
    assert found.status_code == 200
    assert {row["id"] for row in found.json} == {comment.id for comment in english[1:]}
    scores = [row["score"] for row in found.json]
    assert scores == sorted(scores, reverse=True) and min(scores) >= similarity.THRESHOLD
    found = client.get(f"/api/v1/comments/{chinese[0].id}/similar", headers=headers).json
    assert {row["id"] for row in found} == {comment.id for comment in chinese[1:]}
    # Nothing like the unrelated comments; drafts are never proposed.
    for comment in campaign["unrelated"]:
        assert client.get(f"/api/v1/comments/{comment.id}/similar", headers=headers).json == []
    assert campaign["draft"].id not in {row["id"] for row in found}
    # For the editors and the Secretariat only: not even for the delegation's own comment.
    kenyas = next(comment for comment in english if comment.organization.code == "KEN")
    assert client.get(f"/api/v1/comments/{kenyas.id}/similar", headers=campaign["kenya_token"]).status_code == 403
    assert client.get(f"/api/v1/comments/{campaign['draft'].id}/similar", headers=headers).status_code == 404


def test_an_edited_comment_is_compared_by_its_new_text(client, world, campaign):
    english = campaign["comments"]["en"]
    focal = world.user("focal_point", english[1].organization.code)
    update_comment(focal, english[1], body=UNRELATED + " And more on drainage.")
    db.session.commit()
    found = client.get(f"/api/v1/comments/{english[0].id}/similar", headers=campaign["editor_token"]).json
    assert english[1].id not in {row["id"] for row in found} and len(found) == len(english) - 2
    # The whole sketch is kept in its column, its smallest values in the index: both of the new text.
    sketch = similarity.fingerprint_of(UNRELATED + " And more on drainage.").sketch
    assert similarity.unpacked(english[1].fingerprint.sketch) == sketch and len(sketch) == similarity.SKETCH_SIZE
    indexed = db.select(CommentSketchValue.value).where(CommentSketchValue.comment_id == english[1].id)
    assert sorted(db.session.scalars(indexed)) == similarity.indexed(sketch)


def test_similar_comments_are_answered_in_one_step(client, campaign):
    english = campaign["comments"]["en"]
    headers = campaign["editor_token"]
    others = [row["id"] for row in client.get(f"/api/v1/comments/{english[0].id}/similar", headers=headers).json]
    url = f"/api/v1/comments/{english[0].id}/disposition"
    answer = {"disposition": "taken_into_account", "rationale": "Annual reporting is added to chapter II."}
    # Across paragraphs a version cannot resolve them all; a draft or an unknown id is refused: nothing is answered.
    for refused in (
        {**answer, "also_answer": others, "resolved_in_version": 2},
        {**answer, "also_answer": [*others, campaign["draft"].id]},
        {**answer, "also_answer": [*others, 999999]},
        {**answer, "also_answer": ["1"]},
    ):
        response = client.put(url, json=refused, headers=headers)
        assert response.status_code == 422, refused
    assert db.session.scalar(db.select(db.func.count(Comment.id)).where(Comment.disposition.is_not(None))) == 0

    response = client.put(url, json={**answer, "also_answer": others}, headers=headers)
    assert response.status_code == 200 and response.json["disposition"] == "taken_into_account"
    db.session.expire_all()
    for comment in english:
        assert (comment.disposition, comment.rationale) == ("taken_into_account", answer["rationale"])
    assert all(comment.disposition is None for comment in campaign["comments"]["zh"])
    told = db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.kind == "disposition"))
    assert told == len(english)


def test_the_answer_page_proposes_the_similar_comments(client, campaign):
    chinese = campaign["comments"]["zh"]
    login(client, campaign["editor"])
    page = client.get(f"/comments/{chinese[0].id}/disposition").get_data(as_text=True)
    assert "Comments that say nearly the same" in page
    for comment in chinese[1:]:
        assert f'name="also_answer" value="{comment.id}"' in page
    assert f'name="also_answer" value="{campaign["comments"]["en"][0].id}"' not in page
    response = client.post(
        f"/comments/{chinese[0].id}/disposition",
        data={
            "disposition": "noted",
            "rationale": "Noted.",
            "resolved_in_version": "",
            "also_answer": [str(comment.id) for comment in chinese[1:4]],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [comment.disposition for comment in chinese[:5]] == ["noted"] * 4 + [None]


def test_the_same_campaign_text_is_counted_in_the_matrix_and_on_the_dashboard(client, world, campaign):
    section = campaign["document"].sections[2]
    for code, text in (("KEN", CAMPAIGN), ("FRA", CAMPAIGN.upper()), ("BRA", CAMPAIGN.replace(",", " ;"))):
        create_comment(world.user("focal_point", code), section, kind="general", body=text, submit=True)
    db.session.commit()
    login(client, campaign["editor"])
    document_id = campaign["document"].id
    matrix = client.get(f"/documents/{document_id}/matrix?section=3").get_data(as_text=True)
    assert matrix.count("3 delegations, same text") == 3
    dashboard = client.get(f"/documents/{document_id}/dashboard").get_data(as_text=True)
    assert "The same text from several delegations" in dashboard and "3 delegations, same text" in dashboard
    # While the window is open a delegation sees its own comment alone: it is told of no campaign.
    client.post("/auth/logout")
    login(client, world.user("focal_point", "KEN"))
    assert "same text" not in client.get(f"/documents/{document_id}/matrix").get_data(as_text=True)
