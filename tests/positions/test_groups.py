"""Groups of States with dated members, and comments submitted on behalf of a group."""

from datetime import date, timedelta

import pytest

from consult.comments.services import create_comment
from consult.errors import Conflict, NotAllowed, ValidationFailed
from consult.extensions import db
from consult.models import AuditEvent, Comment, GroupMembership
from consult.positions import services as positions
from tests.conftest import login


@pytest.fixture
def setup(world):
    document = world.document()
    world.release(document)
    return {
        "section": document.sections[1],
        "kenya": world.user("focal_point", "KEN"),
        "kenya_token": world.token(world.user("focal_point", "KEN")),
        "france_token": world.token(world.user("focal_point", "FRA")),
        "uk": world.user("focal_point", "GBR"),
        "secretariat": world.user("secretariat"),
        "editor": world.user("editor"),
    }


def _codes(organizations) -> list[str]:
    return [organization.code for organization in organizations]


def test_the_groups_are_loaded_with_their_dated_members(app):
    counts = positions.member_counts(date(2026, 1, 1))
    by_code = {group.code: group for group in positions.groups()}
    assert {"AG", "G77", "EU", "ARAB", "LDC", "SIDS"} <= set(by_code)
    assert counts[by_code["AG"].id] == 54
    assert counts[by_code["EU"].id] == 27
    assert counts[by_code["ARAB"].id] == 22
    assert counts[by_code["LDC"].id] == 44
    # The United Kingdom was a member of the EU until 31 January 2020, both days included.
    assert positions.member_counts(date(2020, 1, 31))[by_code["EU"].id] == 28
    assert positions.member_counts(date(2020, 2, 1))[by_code["EU"].id] == 27
    assert positions.member_counts(date(1990, 1, 1))[by_code["EU"].id] == 12
    assert all(row.source for row in db.session.scalars(db.select(GroupMembership)))


def test_a_delegation_belongs_to_its_groups_on_a_day(setup):
    kenya = setup["kenya"].organization
    assert set(_codes(positions.groups_of(kenya.id))) == {"AG", "G77"}
    assert "EU" in _codes(positions.groups_of(setup["uk"].organization_id, date(2019, 6, 1)))
    assert "EU" not in _codes(positions.groups_of(setup["uk"].organization_id))


def test_a_comment_on_behalf_of_a_group_through_the_api(client, setup):
    url = f"/api/v1/sections/{setup['section'].id}/comments"
    answer = client.post(
        url,
        json={"body": "The African Group asks for more.", "on_behalf_of": "AG", "submit": True},
        headers=setup["kenya_token"],
    )
    assert answer.status_code == 201
    assert answer.json["organization"]["code"] == "KEN"
    assert answer.json["on_behalf_of"] == {"code": "AG", "name": "African Group"}
    shown = client.get(f"/api/v1/comments/{answer.json['id']}", headers=setup["kenya_token"]).json
    assert shown["on_behalf_of"]["code"] == "AG"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "comment.draft"))
    assert event.details["group"] == "AG"

    alone = client.post(url, json={"body": "Kenya alone."}, headers=setup["kenya_token"])
    assert alone.status_code == 201 and alone.json["on_behalf_of"] is None

    for refused in ("EU", "XX", "ag", 12, ["AG"]):
        answer = client.post(url, json={"body": "Not ours.", "on_behalf_of": refused}, headers=setup["kenya_token"])
        assert answer.status_code == 422, refused
        assert "on_behalf_of" in answer.json["error"]["fields"]
    # France is no member of the African Group.
    answer = client.post(url, json={"body": "Not ours.", "on_behalf_of": "AG"}, headers=setup["france_token"])
    assert answer.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 2


def test_a_group_left_is_no_longer_spoken_for(setup):
    with pytest.raises(ValidationFailed):
        create_comment(setup["uk"], setup["section"], kind="general", body="For the EU.", group="EU")


def test_a_comment_on_behalf_of_a_group_on_the_pages(client, setup):
    login(client, setup["kenya"])
    page = client.get(f"/sections/{setup['section'].id}").get_data(as_text=True)
    assert 'name="on_behalf_of"' in page and "on behalf of African Group" in page
    assert ">on behalf of European Union<" not in page
    response = client.post(
        f"/sections/{setup['section'].id}/comments",
        data={"kind": "general", "body": "Our group's view.", "language": "en", "on_behalf_of": "AG"},
    )
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert comment.on_behalf_of.code == "AG"
    page = client.get(f"/sections/{setup['section'].id}").get_data(as_text=True)
    assert "Kenya on behalf of African Group" in page
    refused = client.post(
        f"/sections/{setup['section'].id}/comments",
        data={"kind": "general", "body": "Not ours.", "language": "en", "on_behalf_of": "EU"},
    )
    assert refused.status_code == 422
    assert "Choose a group of States your delegation belongs to." in refused.get_data(as_text=True)


def test_the_secretariat_keeps_the_members(client, setup):
    secretariat = setup["secretariat"]
    ldc = positions.get_group("LDC")
    added = positions.add_member(secretariat, ldc, member_code="MDV", valid_from=None, source="Decision 80/1")
    db.session.commit()
    assert added.valid_from == positions.today()
    assert "LDC" in _codes(positions.groups_of(added.member_id))
    with pytest.raises(Conflict):
        positions.add_member(secretariat, ldc, member_code="MDV", valid_from=date(2030, 1, 1), source="Again")
    db.session.rollback()
    with pytest.raises(ValidationFailed):
        positions.add_member(secretariat, ldc, member_code="UNEP", valid_from=None, source="Not a State")
    with pytest.raises(NotAllowed):
        positions.add_member(setup["editor"], ldc, member_code="FRA", valid_from=None, source="x")

    with pytest.raises(ValidationFailed):
        positions.end_membership(secretariat, added, valid_to=added.valid_from - timedelta(days=1))
    positions.end_membership(secretariat, added, valid_to=positions.today() - timedelta(days=0))
    db.session.commit()
    with pytest.raises(Conflict):
        positions.end_membership(secretariat, added, valid_to=None)
    db.session.rollback()
    # Ended today: a member still today, no longer tomorrow; the row stays on record.
    tomorrow = positions.today() + timedelta(days=1)
    assert "LDC" in _codes(positions.groups_of(added.member_id))
    assert "LDC" not in _codes(positions.groups_of(added.member_id, tomorrow))
    assert db.session.get(GroupMembership, added.id).ended_by_id == secretariat.id
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "groupmembership"))
    assert sorted(actions) == ["group.add_member", "group.end_membership"]


def test_the_group_pages(client, setup):
    login(client, setup["secretariat"])
    index = client.get("/groups").get_data(as_text=True)
    assert "African Group" in index and "Least Developed Countries" in index
    page = client.get("/groups/AG").get_data(as_text=True)
    assert "Kenya (KEN)" in page and "Add a member" in page
    response = client.post("/groups/AG/members", data={"member": "FRA", "valid_from": "2026-01-01", "source": "Test"})
    assert response.status_code == 302
    again = client.post("/groups/AG/members", data={"member": "FRA", "valid_from": "2026-02-01", "source": "Test"})
    assert again.status_code == 409 and "already belongs to the group" in again.get_data(as_text=True)
    missing = client.post("/groups/AG/members", data={"member": "FRA", "valid_from": "2027-01-01", "source": ""})
    assert missing.status_code == 422
    membership = db.session.scalar(db.select(GroupMembership).where(GroupMembership.source == "Test"))
    ended = client.post(f"/groups/AG/members/{membership.id}/end", data={"valid_to": "2026-06-30"})
    assert ended.status_code == 302
    db.session.refresh(membership)
    assert membership.valid_to == date(2026, 6, 30)
    assert client.get("/groups/NOPE").status_code == 404

    client.post("/auth/logout")
    login(client, setup["kenya"])
    page = client.get("/groups/AG").get_data(as_text=True)
    assert "Kenya (KEN)" in page and "Add a member" not in page
    assert client.post("/groups/AG/members", data={"member": "FRA", "source": "x"}).status_code == 403


def test_the_groups_in_the_api(client, setup):
    answer = client.get("/api/v1/organizations/groups", headers=setup["kenya_token"])
    assert answer.status_code == 200
    groups = {group["code"]: group for group in answer.json}
    assert groups["AG"]["name"] == "African Group" and len(groups["AG"]["members"]) == 54
    assert "KEN" in groups["AG"]["members"] and "GBR" not in groups["EU"]["members"]
    assert client.get("/api/v1/organizations/groups").status_code == 401
