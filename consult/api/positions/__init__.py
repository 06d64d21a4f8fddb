"""Groups of States: who may speak for which group (a comment's on_behalf_of)."""

from flask import g

from consult.api.common import bp, domain
from consult.api.positions.schemas import StateGroupSchema
from consult.permissions import authorize
from consult.positions import services as positions

route = domain(
    "Positions", "Groups of States and their members: a delegation comments on behalf of a group it belongs to"
)


@route("/organizations/groups")
@bp.response(200, StateGroupSchema(many=True))
def groups():
    """The groups of States with their members today"""
    authorize(g.api_user, "groups.view")  # every signed-in caller
    return positions.groups_with_members()
