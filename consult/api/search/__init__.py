"""Search over section versions, comments and the conclusions of dialogues."""

from flask import g

from consult.api.common import bp, domain
from consult.api.search.schemas import ResultSchema, SearchQuerySchema
from consult.search import services as search_service

route = domain("Search", "Versions of sections, comments and published conclusions the caller may see")


@route("/search")
@bp.paginated(ResultSchema)
@bp.query(SearchQuerySchema)
def search(query, page):
    """Search: sections (their newest matching version), comments, then conclusions"""
    return page.of(search_service.search(g.api_user, query()["q"]))
