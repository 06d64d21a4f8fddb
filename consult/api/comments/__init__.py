"""Comments on sections: drafting, discarding drafts, submitting, withdrawing, answering, grouping."""

from flask import Response, g

from consult.api.comments.schemas import (
    CommentChangeSchema,
    CommentDispositionSchema,
    CommentSchema,
    DispositionSchema,
    GroupSchema,
    NewCommentSchema,
    NewGroupSchema,
    ReactionRequestSchema,
    SharedAnswersSchema,
    SimilarCommentSchema,
    WithdrawalSchema,
)
from consult.api.common import bp, domain, errors
from consult.comments import proposed_answers
from consult.comments import services as comments
from consult.drafts import services as drafts
from consult.permissions import authorize
from consult.positions import services as positions

route = domain(
    "Comments",
    "Delegations' comments on sections, and the answers of the task force and the Secretariat. "
    "A change answers the comment as the request stored it.",
)


@route("/sections/<int:section_id>/comments", methods=["GET"])
@errors(404)
@bp.paginated(CommentSchema)
def section_comments(section_id, page):
    """The comments on a section the caller may see, newest release first"""
    item = drafts.get_section(g.api_user, section_id)
    return comments.section_comments(g.api_user, item, page=page.number, per_page=page.size)


@route("/sections/<int:section_id>/comments", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, CommentSchema)
@bp.body(NewCommentSchema)
def create_comment(section_id, body):
    """Draft a comment (or, as the focal point, submit it at once); 409 when the window is closed"""
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "comment.create", item)
    return comments.create_comment(g.api_user, item, **body())


@route("/comments/<int:comment_id>", methods=["GET"])
@errors(404)
@bp.response(200, CommentSchema)
def comment(comment_id):
    """A comment"""
    return comments.get_comment(g.api_user, comment_id)


@route("/comments/<int:comment_id>", methods=["PATCH"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
@bp.body(CommentChangeSchema)
def update_comment(comment_id, body):
    """Change a comment while the window is open; a submitted one keeps its earlier text"""
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.edit", item)
    return comments.update_comment(g.api_user, item, **body())


@route("/comments/<int:comment_id>", methods=["DELETE"])
@errors(403, 404, 409)
@bp.response(204)
def discard_draft(comment_id):
    """Discard a draft (deleted for good); 409 for a submitted comment, which is withdrawn instead"""
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.discard", item)
    comments.discard_draft(g.api_user, item)
    return Response(status=204)  # no body, so no content type the document would have to describe


@route("/comments/<int:comment_id>/submit", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def submit_comment(comment_id):
    """Submit a comment on behalf of the organization (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    return comments.submit_comment(g.api_user, item)


@route("/comments/<int:comment_id>/withdraw", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
@bp.body(WithdrawalSchema)
def withdraw_comment(comment_id, body):
    """Withdraw a comment, with a reason; it stays on record"""
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.withdraw", item)
    return comments.withdraw_comment(g.api_user, item, **body())


@route("/comments/<int:comment_id>/cosign", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def cosign(comment_id):
    """Co-sign a comment your delegation is invited to co-sign (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    positions.cosign(g.api_user, item)
    return item


@route("/comments/<int:comment_id>/decline", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def decline(comment_id):
    """Decline to co-sign a comment your delegation is invited to co-sign (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    positions.decline(g.api_user, item)
    return item


@route("/comments/<int:comment_id>/withdraw-signature", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def withdraw_signature(comment_id):
    """Withdraw your delegation's co-signature of a comment; it stays on record as withdrawn"""
    item = comments.get_comment(g.api_user, comment_id)
    positions.withdraw_signature(g.api_user, item)
    return item


@route("/comments/<int:comment_id>/align", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def align(comment_id):
    """Align your State's delegation with another delegation's submitted comment (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    positions.align(g.api_user, item)
    return item


@route("/comments/<int:comment_id>/unalign", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def unalign(comment_id):
    """Withdraw your delegation's alignment with a comment; it stays on record as withdrawn"""
    item = comments.get_comment(g.api_user, comment_id)
    positions.unalign(g.api_user, item)
    return item


@route("/comments/<int:comment_id>/similar", methods=["GET"])
@errors(403, 404)
@bp.response(200, SimilarCommentSchema(many=True))
def similar_comments(comment_id):
    """The submitted comments of the document that say nearly the same, best first (editors, Secretariat)"""
    item = comments.get_comment(g.api_user, comment_id)
    return [{"id": other.id, "score": score} for other, score in comments.similar(g.api_user, item)]


@route("/comments/<int:comment_id>/disposition", methods=["PUT"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
@bp.body(CommentDispositionSchema)
def record_disposition(comment_id, body):
    """Answer a submitted comment (editor or Secretariat), and with it any others given; earlier answers are kept"""
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.dispose", item)
    return comments.record_disposition(g.api_user, item, **body())


@route("/comments/<int:comment_id>/agree", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def agree_to_answer(comment_id):
    """Agree to the answer proposed to your delegation's comment (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    proposed_answers.react(g.api_user, item, reaction="agreed")
    return item


@route("/comments/<int:comment_id>/object", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
@bp.body(ReactionRequestSchema)
def object_to_answer(comment_id, body):
    """Object to the answer proposed to your delegation's comment, with the reason (its focal point)"""
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.react", item)
    proposed_answers.react(g.api_user, item, reaction="objected", **body())
    return item


@route("/comments/<int:comment_id>/finalize", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema)
def finalize_answer(comment_id):
    """Make the proposed answer to a comment final (editor or Secretariat); its delegation is told"""
    item = comments.get_comment(g.api_user, comment_id)
    return proposed_answers.finalize_answer(g.api_user, item)


@route("/documents/<int:document_id>/releases/<int:number>/answers/share", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, SharedAnswersSchema)
def share_answers(document_id, number):
    """Share the release's proposed answers with the delegations for their reaction (Secretariat)"""
    release = drafts.get_release(drafts.get_document(document_id), number)
    return {"count": proposed_answers.share_answers(g.api_user, release)}


@route("/documents/<int:document_id>/releases/<int:number>/answers/finalize", methods=["POST"])
@errors(403, 404, 409)
@bp.response(200, SharedAnswersSchema)
def finalize_answers(document_id, number):
    """Make every answer shared with the delegations final, agreed to or not (editor or Secretariat)"""
    release = drafts.get_release(drafts.get_document(document_id), number)
    return {"count": proposed_answers.finalize_answers(g.api_user, release)}


@route("/sections/<int:section_id>/groups", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, GroupSchema)
@bp.body(NewGroupSchema)
def group_comments(section_id, body):
    """Group comments on a section that make the same point, to answer them once"""
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "comments.group", item)
    return comments.group_comments(g.api_user, item, **body())


@route("/groups/<int:group_id>/disposition", methods=["PUT"])
@errors(403, 404, 409)
@bp.response(200, CommentSchema(many=True))
@bp.body(DispositionSchema)
def dispose_group(group_id, body):
    """Answer a group of comments once; answers each of its comments"""
    group = comments.get_group(group_id)
    authorize(g.api_user, "comments.group", group)
    return comments.dispose_group(g.api_user, group, **body()).comments
