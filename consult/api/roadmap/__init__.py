"""The roadmap of a consultation."""

from consult.api.common import bp, domain, errors
from consult.api.roadmap.schemas import TimelineEntrySchema
from consult.drafts import services as drafts
from consult.models.base import utcnow
from consult.roadmap import services as roadmap

route = domain("Roadmap", "The consultation's process: milestones, releases, comment windows, dialogues")


@route("/consultations/<slug>/milestones")
@errors(404)
@bp.response(200, TimelineEntrySchema(many=True))
def milestones(slug):
    """The roadmap: milestones, releases, comment windows and dialogues in date order"""
    return roadmap.timeline(drafts.get_consultation(slug), utcnow().date())
