"""Joint comments: invitations to co-sign, answers from the invited delegations' own pages and the
API, withdrawn support kept on record, visibility, and races."""

import io
import zipfile

import pytest

from consult.comments.services import create_comment, record_disposition, submit_comment, withdraw_comment
from consult.errors import Conflict, NotAllowed, WindowClosed
from consult.extensions import db
from consult.models import AuditEvent, Comment, CoSignature, Notification
from consult.positions import services as positions
from tests.conftest import login


@pytest.fixture
def joint(world):
    document = world.document()
    release = world.release(document)
    people = {
        "ag": world.user("focal_point", "AG"),
        "nigeria": world.user("focal_point", "NGA"),
        "kenya": world.user("focal_point", "KEN"),
        "kenya_delegate": world.user("delegate", "KEN"),
        "egypt": world.user("focal_point", "EGY"),
        "brazil": world.user("focal_point", "BRA"),
        "france": world.user("focal_point", "FRA"),
        "editor": world.user("editor"),
    }
    tokens = {name: world.token(user) for name, user in people.items()}
    return {"document": document, "release": release, "section": document.sections[1], **people, "tokens": tokens}


def _statuses(answer) -> dict:
    return {row["code"]: row["status"] for row in answer["co_signers"]}


def test_the_african_groups_comment_co_signed_by_kenya_and_egypt(client, world, joint):
    tokens = joint["tokens"]
    created = client.post(
        f"/api/v1/sections/{joint['section'].id}/comments",
        json={
            "body": "The African Group proposes stronger language on informal settlements.",
            "on_behalf_of": "AG",
            "co_signers": ["KEN", "EGY", "BRA"],
            "submit": True,
        },
        headers=tokens["ag"],
    )
    assert created.status_code == 201, created.json
    comment_id = created.json["id"]
    assert created.json["organization"]["code"] == "AG" and created.json["on_behalf_of"]["code"] == "AG"
    assert created.json["co_signers"] == [
        {"code": "BRA", "name": "Brazil", "status": "invited"},
        {"code": "EGY", "name": "Egypt", "status": "invited"},
        {"code": "KEN", "name": "Kenya", "status": "invited"},
    ]
    # Each invited focal point is asked, once the comment is submitted.
    asked = db.session.scalars(db.select(Notification.recipient_id).where(Notification.kind == "cosign")).all()
    assert sorted(asked) == sorted(joint[name].id for name in ("kenya", "egypt", "brazil"))

    # Kenya from the API, Egypt from its own page; Brazil declines.
    signed = client.post(f"/api/v1/comments/{comment_id}/cosign", headers=tokens["kenya"])
    assert signed.status_code == 200 and _statuses(signed.json)["KEN"] == "signed"
    page_client = client.application.test_client()
    login(page_client, joint["egypt"])
    page = page_client.get("/delegation/comments").get_data(as_text=True)
    assert "Invitations to co-sign" in page and "stronger language on informal settlements" in page
    assert f'action="/comments/{comment_id}/cosign"' in page
    assert page_client.post(f"/comments/{comment_id}/cosign").status_code == 302
    assert client.post(f"/api/v1/comments/{comment_id}/decline", headers=tokens["brazil"]).status_code == 200

    answer = client.get(f"/api/v1/comments/{comment_id}", headers=tokens["kenya"]).json
    assert _statuses(answer) == {"BRA": "declined", "EGY": "signed", "KEN": "signed"}
    section_page = page_client.get(f"/sections/{joint['section'].id}").get_data(as_text=True)
    assert "African Group, Egypt, and Kenya (joint)" in section_page
    assert "Brazil: Declined" in section_page
    # Egypt co-signs: on the comment itself its focal point may withdraw that support.
    assert f'action="/comments/{comment_id}/withdraw-signature"' in section_page
    assert f'action="/comments/{comment_id}/cosign"' not in section_page

    # Answered once: a second answer is a conflict; support is withdrawn, and kept on record.
    assert client.post(f"/api/v1/comments/{comment_id}/cosign", headers=tokens["kenya"]).status_code == 409
    assert client.post(f"/api/v1/comments/{comment_id}/cosign", headers=tokens["brazil"]).status_code == 409
    withdrawn = client.post(f"/api/v1/comments/{comment_id}/withdraw-signature", headers=tokens["kenya"])
    assert withdrawn.status_code == 200 and _statuses(withdrawn.json)["KEN"] == "withdrawn"
    assert client.post(f"/api/v1/comments/{comment_id}/withdraw-signature", headers=tokens["kenya"]).status_code == 409
    row = db.session.scalar(db.select(CoSignature).where(CoSignature.organization_id == joint["kenya"].organization_id))
    assert row.answered_by_id == joint["kenya"].id and row.withdrawn_by_id == joint["kenya"].id
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == comment_id)).all()
    assert actions.count("comment.invite_co_signer") == 3
    assert {"comment.cosign", "comment.decline", "comment.withdraw_signature"} <= set(actions)


def test_who_may_answer_an_invitation(client, joint):
    comment = create_comment(
        joint["nigeria"], joint["section"], kind="general", body="Joint text.", group="AG", co_signers=["KEN"]
    )
    db.session.commit()
    tokens = joint["tokens"]
    # A draft stays with its delegation: the invited one does not see it yet.
    assert client.post(f"/api/v1/comments/{comment.id}/cosign", headers=tokens["kenya"]).status_code == 404
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.kind == "cosign")) == 0
    submit_comment(joint["nigeria"], comment)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Notification.id)).where(Notification.kind == "cosign")) == 1
    # Visible to the invited delegation, its delegate included; only its focal point answers.
    assert client.get(f"/api/v1/comments/{comment.id}", headers=tokens["kenya_delegate"]).status_code == 200
    assert client.post(f"/api/v1/comments/{comment.id}/cosign", headers=tokens["kenya_delegate"]).status_code == 403
    # Not invited: France does not see it while the window is open; Egypt sees nothing either.
    assert client.post(f"/api/v1/comments/{comment.id}/cosign", headers=tokens["france"]).status_code == 404
    listed = client.get(f"/api/v1/sections/{joint['section'].id}/comments", headers=tokens["kenya"]).json
    assert [row["id"] for row in listed] == [comment.id]
    assert client.get(f"/api/v1/sections/{joint['section'].id}/comments", headers=tokens["egypt"]).json == []
    # The author's own delegation is not a co-signer.
    with pytest.raises(NotAllowed):
        positions.cosign(joint["nigeria"], comment)
    # A comment withdrawn by its delegation takes no more co-signatures.
    withdraw_comment(joint["nigeria"], comment, reason="Replaced.")
    with pytest.raises(Conflict):
        positions.cosign(joint["kenya"], comment)


def test_invitations_are_checked(client, joint):
    url = f"/api/v1/sections/{joint['section'].id}/comments"
    headers = joint["tokens"]["kenya"]
    for refused in (["KEN"], ["XX"], ["UNEP"], "EGY", [12], ["E-Y"], ["EGY"] * 201):
        answer = client.post(url, json={"body": "Joint?", "co_signers": refused}, headers=headers)
        assert answer.status_code == 422, refused
        assert "co_signers" in answer.json["error"]["fields"], refused
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0
    answer = client.post(url, json={"body": "Joint.", "co_signers": ["egy", "EGY", "AG"]}, headers=headers)
    assert answer.status_code == 201 and [row["code"] for row in answer.json["co_signers"]] == ["AG", "EGY"]


def test_a_closed_window_takes_no_co_signature(world, joint):
    comment = create_comment(
        joint["kenya"], joint["section"], kind="general", body="J.", co_signers=["EGY"], submit=True
    )
    db.session.commit()
    world.close_window(joint["release"])
    with pytest.raises(WindowClosed):
        positions.cosign(joint["egypt"], comment)


def test_inviting_on_the_page(client, joint):
    login(client, joint["kenya"])
    page = client.get(f"/sections/{joint['section'].id}").get_data(as_text=True)
    assert 'name="co_signers"' in page and '<option value="EGY">Egypt</option>' in page
    assert '<option value="KEN">' not in page
    response = client.post(
        f"/sections/{joint['section'].id}/comments",
        data={"kind": "general", "body": "Joint view.", "language": "en", "co_signers": ["EGY", "BRA"]},
    )
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert sorted(row.organization.code for row in comment.co_signatures) == ["BRA", "EGY"]
    refused = client.post(
        f"/sections/{joint['section'].id}/comments",
        data={"kind": "general", "body": "Joint view.", "language": "en", "co_signers": ["KEN"]},
    )
    assert refused.status_code == 422 and "These are not other delegations: KEN." in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1


def test_an_answer_to_an_invitation_answered_meanwhile_is_a_conflict(joint):
    """Co-signing from what was read before another request declined: a 409, the decline stands."""
    comment = create_comment(
        joint["kenya"], joint["section"], kind="general", body="J.", co_signers=["EGY"], submit=True
    )
    db.session.commit()
    assert comment.co_signatures[0].status == "invited"  # read, as a request reads it
    with db.engine.begin() as other:  # another request, in its own transaction
        other.execute(db.update(CoSignature).values(status="declined", row_version=CoSignature.row_version + 1))
    with pytest.raises(Conflict):
        positions.cosign(joint["egypt"], comment)
    db.session.rollback()
    assert db.session.scalar(db.select(CoSignature.status)) == "declined"


def test_an_invitation_is_one_row_per_delegation(joint):
    comment = create_comment(joint["kenya"], joint["section"], kind="general", body="J.", co_signers=["EGY"])
    db.session.commit()
    db.session.add(CoSignature(comment_id=comment.id, organization_id=joint["egypt"].organization_id))
    with pytest.raises(Conflict):
        db.session.flush()


def test_the_matrix_exports_and_dashboard_carry_the_co_signers(client, joint):
    comment = create_comment(
        joint["nigeria"],
        joint["section"],
        kind="general",
        body="The group's position.",
        group="AG",
        co_signers=["KEN", "EGY", "FRA"],
        submit=True,
    )
    positions.cosign(joint["kenya"], comment)
    positions.cosign(joint["egypt"], comment)
    positions.decline(joint["france"], comment)
    create_comment(joint["brazil"], joint["section"], kind="general", body="Brazil alone.", submit=True)
    db.session.commit()
    document_id = joint["document"].id
    login(client, joint["editor"])
    page = client.get(f"/documents/{document_id}/matrix").get_data(as_text=True)
    assert page.count("The group&#39;s position.") + page.count("The group's position.") == 1
    assert "Nigeria on behalf of African Group, co-signed by Egypt and Kenya" in page
    csv = client.get(f"/documents/{document_id}/matrix.csv").get_data(as_text=True)
    assert "Nigeria on behalf of African Group, co-signed by Egypt and Kenya" in csv
    rows = client.get(f"/api/v1/documents/{document_id}/matrix", headers=joint["tokens"]["editor"]).json
    joint_row = next(row for row in rows if row["comment_id"] == comment.id)
    assert joint_row["on_behalf_of"] == "AG" and joint_row["co_signers"] == ["EGY", "KEN"]
    assert next(row for row in rows if row["comment_id"] != comment.id)["co_signers"] == []
    # Filtered by a delegation: its own comments and those it co-signs; by a group: those on its behalf.
    for code, expected in (("EGY", [comment.id]), ("AG", [comment.id]), ("FRA", []), ("BRA", [comment.id + 1])):
        filtered = client.get(
            f"/api/v1/documents/{document_id}/matrix?organization={code}", headers=joint["tokens"]["editor"]
        )
        assert [row["comment_id"] for row in filtered.json] == expected, code

    dashboard = client.get(f"/documents/{document_id}/dashboard").get_data(as_text=True)
    # The African Group: one comment on its behalf; Nigeria, Kenya and Egypt of its 54 members take part.
    assert "<td>African Group</td><td>1</td><td>3 of 54</td>" in dashboard
    # The G77: none on its behalf; Nigeria, Kenya, Egypt and Brazil of its members take part.
    assert "<td>Group of 77 and China</td><td>0</td><td>4 of 134</td>" in dashboard


def test_co_signers_of_an_edited_text_are_asked_again(client, joint):
    comment = create_comment(
        joint["kenya"], joint["section"], kind="general", body="First text.", co_signers=["EGY", "BRA"], submit=True
    )
    positions.cosign(joint["egypt"], comment)
    positions.decline(joint["brazil"], comment)
    db.session.commit()
    answer = client.patch(
        f"/api/v1/comments/{comment.id}", json={"body": "A changed text."}, headers=joint["tokens"]["kenya"]
    )
    assert answer.status_code == 200
    # Egypt supported the first text: it is invited again, and told; Brazil's answer stands.
    assert _statuses(answer.json) == {"EGY": "invited", "BRA": "declined"}
    told = db.session.scalars(db.select(Notification.recipient_id).where(Notification.kind == "cosign")).all()
    assert told.count(joint["egypt"].id) == 2 and told.count(joint["brazil"].id) == 1
    again = client.post(f"/api/v1/comments/{comment.id}/cosign", headers=joint["tokens"]["egypt"])
    assert again.status_code == 200 and _statuses(again.json)["EGY"] == "signed"


def test_a_co_signature_is_for_the_text_read(joint):
    """The comment edited after Egypt's focal point read it: co-signing that reading is a 409."""
    comment = create_comment(
        joint["kenya"], joint["section"], kind="general", body="First.", co_signers=["EGY"], submit=True
    )
    db.session.commit()
    assert comment.body == "First."  # read, as a request reads it
    with db.engine.begin() as other:  # the author's edit, in another request
        other.execute(db.update(Comment).values(body="Second.", row_version=Comment.row_version + 1))
    with pytest.raises(Conflict):
        positions.cosign(joint["egypt"], comment)
    db.session.rollback()
    assert db.session.scalar(db.select(CoSignature.status)) == "invited"


def test_the_co_signers_are_told_of_the_answer(joint):
    comment = create_comment(
        joint["kenya"], joint["section"], kind="general", body="J.", co_signers=["EGY", "BRA"], submit=True
    )
    positions.cosign(joint["egypt"], comment)
    positions.decline(joint["brazil"], comment)
    record_disposition(joint["editor"], comment, disposition="noted", rationale="Considered.")
    db.session.commit()
    told = {
        recipient: subject
        for recipient, subject in db.session.execute(
            db.select(Notification.recipient_id, Notification.subject).where(Notification.kind == "disposition")
        )
    }
    assert set(told) == {joint["kenya"].id, joint["egypt"].id}
    assert told[joint["kenya"].id].startswith("Your comment")
    assert told[joint["egypt"].id].startswith(f"The comment {comment.id} your delegation co-signs")


def test_the_compilation_attributes_a_joint_amendment(client, joint):
    comment = create_comment(
        joint["nigeria"],
        joint["section"],
        kind="amendment",
        body="Stronger.",
        proposed_text="The secretariat proposes the following principles, agreed by the African Group:",
        group="AG",
        co_signers=["KEN"],
        submit=True,
    )
    positions.cosign(joint["kenya"], comment)
    db.session.commit()
    answer = client.get(f"/api/v1/documents/{joint['document'].id}/compilation.docx", headers=joint["tokens"]["editor"])
    assert answer.status_code == 200
    text = zipfile.ZipFile(io.BytesIO(answer.get_data())).read("word/document.xml").decode()
    assert "Amendment proposed by Nigeria on behalf of African Group, co-signed by Kenya (NGA)" in text
