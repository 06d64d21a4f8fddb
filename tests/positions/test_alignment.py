"""Alignment: a State's focal point aligns its delegation with another delegation's comment it may
see, and withdraws that (kept on record); shown on the comment, the matrix, its exports and the
compilation; the author's focal point is told."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from consult.comments.services import create_comment, withdraw_comment
from consult.errors import Conflict, NotAllowed
from consult.extensions import db
from consult.models import Alignment, AuditEvent, Notification
from consult.permissions import check
from consult.positions import services as positions
from tests.conftest import login


@pytest.fixture
def scene(world):
    document = world.document()
    release = world.release(document)
    people = {
        "nigeria": world.user("focal_point", "NGA"),
        "nigeria_delegate": world.user("delegate", "NGA"),
        "kenya": world.user("focal_point", "KEN"),
        "egypt": world.user("focal_point", "EGY"),
        "brazil": world.user("focal_point", "BRA"),
        "brazil_delegate": world.user("delegate", "BRA"),
        "chile": world.user("focal_point", "CHL"),
        "ag": world.user("focal_point", "AG"),
        "observer": world.user("observer"),
        "editor": world.user("editor"),
        "secretariat": world.user("secretariat"),
        "admin": world.user("admin"),
    }
    section = document.sections[1]
    # Nigeria speaks for the African Group; Kenya co-signs; Egypt is invited and has not answered.
    comment = create_comment(
        people["nigeria"],
        section,
        kind="amendment",
        body="The African Group asks for stronger language.",
        proposed_text="The secretariat proposes the following principles, as the African Group asks:",
        group="AG",
        co_signers=["KEN", "EGY"],
        submit=True,
    )
    positions.cosign(people["kenya"], comment)
    db.session.commit()
    tokens = {name: world.token(user) for name, user in people.items()}
    return {"document": document, "release": release, "section": section, "comment": comment, **people} | {
        "tokens": tokens
    }


def _aligned(answer) -> list[str]:
    return [row["code"] for row in answer["aligned"]]


def test_brazil_and_chile_align_with_the_african_groups_statement(client, world, scene):
    world.close_window(scene["release"])  # other delegations see the comments once the window closed
    comment, tokens = scene["comment"], scene["tokens"]
    assert client.get(f"/api/v1/comments/{comment.id}", headers=tokens["brazil"]).json["aligned"] == []

    aligned = client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["brazil"])
    assert aligned.status_code == 200 and aligned.json["aligned"] == [{"code": "BRA", "name": "Brazil"}]
    # Chile from the comment's page.
    page_client = client.application.test_client()
    login(page_client, scene["chile"])
    page = page_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert f'action="/comments/{comment.id}/align"' in page and "aligned: Brazil" in page
    assert page_client.post(f"/comments/{comment.id}/align").status_code == 302
    page = page_client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "aligned: Brazil and Chile" in page
    assert f'action="/comments/{comment.id}/unalign"' in page and f'action="/comments/{comment.id}/align"' not in page

    # The author's focal point is told of each; no one else is.
    told = db.session.execute(
        db.select(Notification.recipient_id, Notification.subject).where(Notification.kind == "alignment")
    ).all()
    assert {recipient for recipient, _ in told} == {scene["nigeria"].id}
    assert sorted(subject.split(" aligns")[0] for _, subject in told) == ["Brazil", "Chile"]

    # Already aligned: a conflict. Withdrawn: kept on record, and may be taken up again.
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["brazil"]).status_code == 409
    withdrawn = client.post(f"/api/v1/comments/{comment.id}/unalign", headers=tokens["brazil"])
    assert withdrawn.status_code == 200 and _aligned(withdrawn.json) == ["CHL"]
    assert client.post(f"/api/v1/comments/{comment.id}/unalign", headers=tokens["brazil"]).status_code == 409
    row = db.session.scalar(db.select(Alignment).where(Alignment.organization_id == scene["brazil"].organization_id))
    assert row.status == "withdrawn" and row.withdrawn_by_id == scene["brazil"].id
    subjects = db.session.scalars(db.select(Notification.subject).where(Notification.kind == "alignment")).all()
    assert any(subject.startswith("Brazil withdrew its alignment") for subject in subjects)
    again = client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["brazil"])
    assert again.status_code == 200 and _aligned(again.json) == ["BRA", "CHL"]
    assert db.session.scalar(db.select(db.func.count(Alignment.id))) == 2
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == comment.id)).all()
    assert actions.count("comment.align") == 3 and actions.count("comment.unalign") == 1


# Who may align with the African Group's comment (Nigeria's, co-signed by Kenya, Egypt invited),
# its window closed: the focal points of other States; aligned already, only withdrawing it.
ALIGN = {
    "brazil": None,
    "egypt": None,  # invited to co-sign, it may align instead
    "brazil_delegate": NotAllowed,
    "nigeria": NotAllowed,  # its own comment
    "nigeria_delegate": NotAllowed,
    "kenya": Conflict,  # it co-signs the comment
    "ag": NotAllowed,  # a group is not a State
    "observer": NotAllowed,
    "editor": NotAllowed,
    "secretariat": NotAllowed,
    "admin": NotAllowed,
}


@pytest.mark.parametrize("role", sorted(ALIGN))
def test_who_may_align_and_withdraw(world, scene, role):
    world.close_window(scene["release"])
    user, comment = scene[role], scene["comment"]
    expected = ALIGN[role]
    found = check(user, "comment.align", comment)
    assert (found is None) if expected is None else isinstance(found, expected), found
    found = check(user, "comment.unalign", comment)
    assert isinstance(found, Conflict if expected is None else expected), found
    if expected is None:
        positions.align(user, comment)
        db.session.commit()
        assert isinstance(check(user, "comment.align", comment), Conflict)
        assert check(user, "comment.unalign", comment) is None


def test_what_cannot_be_seen_or_is_withdrawn_takes_no_alignment(client, world, scene):
    comment, tokens = scene["comment"], scene["tokens"]
    # The window is open: France is neither its author nor invited, so it does not see the comment.
    france = world.token(world.user("focal_point", "FRA"))
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=france).status_code == 404
    # Invited, Egypt sees it and may align; a draft stays with its delegation.
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["egypt"]).status_code == 200
    draft = create_comment(scene["nigeria"], scene["section"], kind="general", body="Not yet.")
    db.session.commit()
    assert client.post(f"/api/v1/comments/{draft.id}/align", headers=tokens["brazil"]).status_code == 404
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["kenya"]).status_code == 409
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["nigeria"]).status_code == 403
    withdraw_comment(scene["nigeria"], comment, reason="Replaced.")
    db.session.commit()
    world.close_window(scene["release"])
    assert client.post(f"/api/v1/comments/{comment.id}/align", headers=tokens["brazil"]).status_code == 409
    # A withdrawn comment takes no more steps: Egypt's alignment with it stays on record as it stood.
    assert client.post(f"/api/v1/comments/{comment.id}/unalign", headers=tokens["egypt"]).status_code == 409


def test_an_alignment_sent_meanwhile_makes_the_second_a_conflict(world, scene):
    """Brazil's alignment committed by another request after this one read the comment: a 409, one row."""
    world.close_window(scene["release"])
    comment = scene["comment"]
    assert comment.alignments == []  # read, as a request reads it
    with db.engine.begin() as other:  # another request, in its own transaction
        other.execute(
            db.insert(Alignment).values(
                comment_id=comment.id,
                organization_id=scene["brazil"].organization_id,
                status="aligned",
                aligned_at=db.func.now(),
                row_version=1,
            )
        )
    with pytest.raises(Conflict):
        positions.align(scene["brazil"], comment)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Alignment.id))) == 1


def test_an_alignment_is_one_row_per_state(world, scene):
    comment = scene["comment"]
    db.session.add(Alignment(comment_id=comment.id, organization_id=scene["brazil"].organization_id))
    db.session.add(Alignment(comment_id=comment.id, organization_id=scene["brazil"].organization_id))
    with pytest.raises(Conflict):
        db.session.flush()


def test_the_matrix_its_exports_and_the_compilation_carry_the_alignment(client, world, scene):
    world.close_window(scene["release"])
    comment = scene["comment"]
    positions.align(scene["brazil"], comment)
    positions.align(scene["chile"], comment)
    db.session.commit()
    document_id = scene["document"].id
    login(client, scene["editor"])
    page = client.get(f"/documents/{document_id}/matrix").get_data(as_text=True)
    assert "aligned: Brazil and Chile" in page

    records = list(csv.reader(io.StringIO(client.get(f"/documents/{document_id}/matrix.csv").get_data(as_text=True))))
    header, row = records[0], records[1]
    assert row[header.index("Aligned")] == "Brazil and Chile"
    assert row[header.index("Member State or organization")] == (
        "Nigeria on behalf of African Group, co-signed by Kenya"
    )

    workbook = load_workbook(io.BytesIO(client.get(f"/documents/{document_id}/matrix.xlsx").get_data()))
    cells = [[cell.value for cell in line] for line in workbook.active.iter_rows()]
    assert cells[1][cells[0].index("Aligned")] == "Brazil and Chile"

    docx = client.get(f"/documents/{document_id}/matrix.docx").get_data()
    assert "aligned: Brazil and Chile" in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()

    answer = client.get(f"/api/v1/documents/{document_id}/matrix", headers=scene["tokens"]["editor"])
    assert answer.json[0]["aligned"] == ["BRA", "CHL"]

    compilation = client.get(f"/documents/{document_id}/compilation.docx").get_data()
    text = zipfile.ZipFile(io.BytesIO(compilation)).read("word/document.xml").decode()
    assert "co-signed by Kenya (NGA); aligned: Brazil and Chile" in text


def test_the_exports_count_the_delegations_sending_the_same_text(client, world, scene):
    """The matrix page's campaign count ("3 delegations, same text") is in its exports too."""
    campaign = "Add a reference to adequate housing for all."
    for name in ("brazil", "chile", "egypt"):
        create_comment(scene[name], scene["section"], kind="general", body=campaign, submit=True)
    db.session.commit()
    document_id = scene["document"].id
    login(client, scene["editor"])
    assert "3 delegations, same text" in client.get(f"/documents/{document_id}/matrix").get_data(as_text=True)

    records = list(csv.reader(io.StringIO(client.get(f"/documents/{document_id}/matrix.csv").get_data(as_text=True))))
    header = records[0]
    body, count = header.index("Comment text"), header.index("Delegations with the same text")
    counts = {row[body]: row[count] for row in records[1:]}
    assert (
        counts
        == {
            "The African Group asks for stronger language.": "",
            campaign: "3",
        }
        and len(records) == 5
    )

    workbook = load_workbook(io.BytesIO(client.get(f"/documents/{document_id}/matrix.xlsx").get_data()))
    cells = [[cell.value for cell in line] for line in workbook.active.iter_rows()]
    column = cells[0].index("Delegations with the same text")
    assert [line[column] for line in cells[1:]] == [None, 3, 3, 3]

    docx = client.get(f"/documents/{document_id}/matrix.docx").get_data()
    assert zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode().count("3 delegations, same text") == 3
