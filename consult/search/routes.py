from flask import render_template, request
from flask_login import current_user, login_required

from consult.search import bp
from consult.search import services as search_service
from consult.search.services import MIN_QUERY_LENGTH, RESULTS_ON_A_PAGE


@bp.route("/search", endpoint="index")
@login_required
def search():
    query = request.args.get("q", "")
    results = search_service.search(current_user, query)[:RESULTS_ON_A_PAGE] if query else []
    return render_template(
        "search/index.html", query=query, results=results, too_short=0 < len(query.strip()) < MIN_QUERY_LENGTH
    )
