"""JSON API v1: the same services as the pages, bearer-token authentication."""

from datetime import UTC, datetime
from functools import wraps

from flask import Response, g, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.api import bp
from consult.api.openapi import openapi_document
from consult.api.serializers import (
    comment_json,
    conclusion_json,
    dialogue_json,
    dialogue_summary_json,
    item_json,
    outcome_json,
    release_json,
    section_json,
    section_summary_json,
    timeline_json,
)
from consult.auth.services import organization_by_code, user_for_token
from consult.comments import services as comments
from consult.dialogues import services as dialogues
from consult.drafts import services as drafts
from consult.errors import NotFound, ValidationFailed
from consult.extensions import db
from consult.items import services as items
from consult.matrix import downloads, imports
from consult.matrix import services as matrix
from consult.matrix.exports import XLSX_MIMETYPE
from consult.models import Consultation
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.roadmap import services as roadmap
from consult.search import services as search_service
from consult.text import diff_html
from consult.web.errorhandlers import json_error

MAX_PER_PAGE = 200


class MalformedRequest(ValidationFailed):
    status = 400
    code = "malformed"
    default_message = _l("Send a JSON object in the request body.")


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_token(token) if scheme.lower() == "bearer" else None
        if user is None:
            response, status = json_error(
                401, "unauthorized", _l("Send a valid API token: Authorization: Bearer <token>.")
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="consult"'
            return response, status
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def payload() -> dict:
    try:
        data = request.get_json(force=True, silent=True)
    except RecursionError:  # nested deeper than the JSON decoder goes; silent only covers ValueError
        data = None
    if not isinstance(data, dict):
        raise MalformedRequest()
    return data


def _field(data: dict, name: str, kind=str, required: bool = False):
    value = data.get(name)
    if value is None:
        if required:
            raise ValidationFailed(field_errors={name: [str(_l("This field is required."))]})
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValidationFailed(field_errors={name: [str(_l("This field has the wrong type."))]})
    return value


def _datetime(data: dict, name: str, required: bool = True) -> datetime | None:
    value = _field(data, name, str, required)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        # A time without an offset is taken as UTC, the zone everything is stored in.
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: the offset moves it past year 1 or 9999
        raise ValidationFailed(
            field_errors={name: [str(_l("Give an ISO 8601 date and time, e.g. 2026-12-31T17:00:00Z."))]}
        ) from None


def _page_args() -> tuple[int, int]:
    def number(name, default):
        value = request.args.get(name, "")
        return int(value) if value.isdecimal() and len(value) < 7 else default

    return max(1, number("page", 1)), min(MAX_PER_PAGE, max(1, number("per_page", 50)))


def _visible_section(section_id: int):
    """The section and the versions the caller may see; NotFound when the caller may see none."""
    section = drafts.get_section(g.api_user, section_id)
    return section, drafts.visible_versions(g.api_user, section)


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.route("/consultations")
@token_required
def consultations():
    items = db.session.scalars(select(Consultation).order_by(Consultation.id))
    return jsonify([{"slug": item.slug, "title": item.title} for item in items])


@bp.route("/consultations/<slug>")
@token_required
def consultation(slug):
    item = drafts.get_consultation(slug)
    return jsonify(
        {
            "slug": item.slug,
            "title": item.title,
            "description": item.description,
            "documents": [
                {"id": doc.id, "title": doc.title, "kind": doc.kind, "language": doc.language} for doc in item.documents
            ],
        }
    )


@bp.route("/documents/<int:document_id>")
@token_required
def document(document_id):
    item = drafts.get_document(document_id)
    authorize(g.api_user, "document.view", item)
    release = drafts.current_release(item)
    if can(g.api_user, "section.view_working"):
        versions = drafts.latest_versions(item)
    else:
        versions = drafts.released_versions(release) if release else {}
    return jsonify(
        {
            "id": item.id,
            "consultation": item.consultation.slug,
            "title": item.title,
            "kind": item.kind,
            "language": item.language,
            "symbol": item.symbol,
            "release": release_json(release),
            "releases": [release_json(r) for r in item.releases],
            "sections": [
                section_summary_json(section, versions[section.id])
                for section in item.sections
                if section.id in versions
            ],
        }
    )


@bp.route("/documents/<int:document_id>/releases", methods=["POST"])
@token_required
def publish_release(document_id):
    item = drafts.get_document(document_id)
    authorize(g.api_user, "release.publish", item)
    data = payload()
    release = drafts.publish_release(
        g.api_user,
        item,
        label=_field(data, "label", str, required=True),
        comments_close_at=_datetime(data, "comments_close_at"),
        comments_open_at=_datetime(data, "comments_open_at", required=False),
        accept_late=bool(_field(data, "accept_late", bool)),
        override_reason=_field(data, "override_reason", str),
        keep_previous_open=bool(_field(data, "keep_previous_open", bool)),
        supersedes=_field(data, "supersedes", int),
    )
    answer = release_json(release)
    db.session.commit()
    return jsonify(answer), 201


@bp.route("/documents/<int:document_id>/release", methods=["PATCH"])
@token_required
def move_window(document_id):
    item = drafts.get_document(document_id)
    authorize(g.api_user, "release.edit_window", item)
    data = payload()
    release = drafts.move_window(g.api_user, item, comments_close_at=_datetime(data, "comments_close_at"))
    answer = release_json(release)
    db.session.commit()
    return jsonify(answer)


@bp.route("/sections/<int:section_id>")
@token_required
def section(section_id):
    item, versions = _visible_section(section_id)
    data = section_json(item, versions[-1], versions)
    conclusions = dialogues.published_conclusions([item.id]).get(item.id, [])
    shown = drafts.readable_section_ids(g.api_user, (s.id for c in conclusions for s in c.sections))
    data["conclusions"] = [conclusion_json(c, shown) for c in conclusions]
    return jsonify(data)


@bp.route("/sections/<int:section_id>/diff")
@token_required
def section_diff(section_id):
    item, _versions = _visible_section(section_id)
    numbers = []
    for name in ("from", "to"):
        value = request.args.get(name, "")
        if not value.isdecimal() or len(value) > 9:
            raise ValidationFailed(field_errors={name: [str(_l("Give a version number."))]})
        numbers.append(int(value))
    old = drafts.version_for_reader(g.api_user, item, numbers[0])
    new = drafts.version_for_reader(g.api_user, item, numbers[1])
    return jsonify({"from": old.number, "to": new.number, "html": str(diff_html(old.body, new.body))})


@bp.route("/sections/<int:section_id>/versions", methods=["POST"])
@token_required
def revise(section_id):
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "section.revise", item)
    data = payload()
    addresses = data.get("addresses") or []
    if not isinstance(addresses, list):
        raise ValidationFailed(field_errors={"addresses": [str(_l("Give a list of comment ids."))]})
    version = drafts.revise_section(
        g.api_user,
        item,
        body=_field(data, "body", str, required=True),
        change_note=_field(data, "change_note", str) or "",
        base_version=_field(data, "base_version", int, required=True),
        addresses=addresses,
    )
    db.session.commit()
    return jsonify({"number": version.number, "created_at": version.created_at.isoformat()}), 201


@bp.route("/sections/<int:section_id>/comments", methods=["GET"])
@token_required
def section_comments(section_id):
    item, _versions = _visible_section(section_id)
    page, per_page = _page_args()
    result = comments.section_comments(g.api_user, item, page=page, per_page=per_page)
    response = jsonify([comment_json(comment) for comment in result.items])
    response.headers["X-Total-Count"] = str(result.total)
    if result.has_next:
        response.headers["Link"] = f'<{request.base_url}?page={page + 1}&per_page={per_page}>; rel="next"'
    return response


@bp.route("/sections/<int:section_id>/comments", methods=["POST"])
@token_required
def create_comment(section_id):
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "comment.create", item)
    data = payload()
    comment = comments.create_comment(
        g.api_user,
        item,
        kind=_field(data, "kind", str) or "general",
        body=_field(data, "body", str, required=True),
        proposed_text=_field(data, "proposed_text", str),
        quote=_field(data, "quote", str),
        submit=bool(_field(data, "submit", bool)),
        language=_field(data, "language", str),
    )
    # Shown as flushed, before the commit expires it: the same values without reading them back.
    answer = comment_json(comment)
    db.session.commit()
    return jsonify(answer), 201


@bp.route("/comments/<int:comment_id>", methods=["GET"])
@token_required
def comment(comment_id):
    return jsonify(comment_json(comments.get_comment(g.api_user, comment_id)))


@bp.route("/comments/<int:comment_id>", methods=["PATCH"])
@token_required
def update_comment(comment_id):
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.edit", item)
    data = payload()
    comments.update_comment(
        g.api_user,
        item,
        kind=_field(data, "kind", str),
        body=_field(data, "body", str),
        proposed_text=_field(data, "proposed_text", str),
        quote=_field(data, "quote", str),
    )
    return _stored(item)


def _stored(comment):
    """The comment as this request stored it, answered once it is committed.

    Built before the commit: read after it, it could already show a later request's change.
    """
    answer = comment_json(comment)
    db.session.commit()
    return jsonify(answer)


@bp.route("/comments/<int:comment_id>/submit", methods=["POST"])
@token_required
def submit_comment(comment_id):
    item = comments.get_comment(g.api_user, comment_id)
    comments.submit_comment(g.api_user, item)
    return _stored(item)


@bp.route("/comments/<int:comment_id>/withdraw", methods=["POST"])
@token_required
def withdraw_comment(comment_id):
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.withdraw", item)
    data = payload()
    comments.withdraw_comment(g.api_user, item, reason=_field(data, "reason", str, required=True))
    return _stored(item)


# -- the consultation process ----------------------------------------------------------


@bp.route("/consultations/<slug>/milestones")
@token_required
def milestones(slug):
    consultation = drafts.get_consultation(slug)
    return jsonify([timeline_json(entry) for entry in roadmap.timeline(consultation, utcnow().date())])


def _items(slug: str, kind: str):
    consultation = drafts.get_consultation(slug)
    visible = drafts.readable_sections(g.api_user, items.items(consultation, kind))
    shown = drafts.readable_section_ids(g.api_user, (related.id for item in visible for related in item.related))
    return jsonify([item_json(section, shown) for section in visible])


@bp.route("/consultations/<slug>/principles")
@token_required
def principles(slug):
    return _items(slug, "guiding_principles")


@bp.route("/consultations/<slug>/priorities")
@token_required
def priorities(slug):
    return _items(slug, "priority_statements")


@bp.route("/consultations/<slug>/dialogues", methods=["GET"])
@token_required
def dialogue_list(slug):
    consultation = drafts.get_consultation(slug)
    now = utcnow()
    return jsonify(
        [dialogue_summary_json(d, dialogues.dialogue_status(d, now)) for d in dialogues.dialogues_of(consultation)]
    )


def _dialogue_payload(data: dict, *, starts_required: bool = True) -> dict:
    fields = {
        name: _field(data, name, str)
        for name in ("title", "constituency", "format", "timezone", "place", "description")
    }
    fields["starts_at"] = _datetime(data, "starts_at", required=starts_required)
    fields["ends_at"] = _datetime(data, "ends_at", required=False)
    for name in ("agenda", "participants"):
        if name in data:
            fields[name] = data[name]
    return fields


def _dialogue_answer(item) -> dict:
    """The dialogue as the caller may see it, read before the commit expires it."""
    now = utcnow()
    outcome = dialogues.visible_outcome(g.api_user, item)
    shown = dialogues.readable_tags(g.api_user, item, outcome)
    return dialogue_json(item, dialogues.dialogue_status(item, now), outcome, shown, now)


def _outcome_answer(item, outcome) -> dict:
    return outcome_json(outcome, dialogues.readable_tags(g.api_user, item, outcome))


def _row_version(data: dict) -> int | None:
    """The row version the client read, if it wants its change refused once another came first."""
    return _field(data, "row_version", int)


@bp.route("/consultations/<slug>/dialogues", methods=["POST"])
@token_required
def create_dialogue(slug):
    consultation = drafts.get_consultation(slug)
    authorize(g.api_user, "dialogue.manage", consultation)
    dialogue = dialogues.create_dialogue(g.api_user, consultation, _dialogue_payload(payload()))
    db.session.commit()
    return jsonify(_dialogue_answer(dialogue)), 201


@bp.route("/dialogues/<int:dialogue_id>")
@token_required
def dialogue(dialogue_id):
    return jsonify(_dialogue_answer(dialogues.get_dialogue(dialogue_id)))


@bp.route("/dialogues/<int:dialogue_id>", methods=["PATCH"])
@token_required
def update_dialogue(dialogue_id):
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "dialogue.manage", item.consultation)
    data = payload()
    # Only what the body names changes.
    changes = {name: value for name, value in _dialogue_payload(data, starts_required=False).items() if name in data}
    dialogues.update_dialogue(g.api_user, item, changes, expected_version=_row_version(data))
    answer = _dialogue_answer(item)
    db.session.commit()
    return jsonify(answer)


@bp.route("/dialogues/<int:dialogue_id>/attendance", methods=["PUT"])
@token_required
def record_attendance(dialogue_id):
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "dialogue.attendance", item)
    data = payload()
    dialogues.record_attendance(g.api_user, item, data.get("attended"), expected_version=_row_version(data))
    answer = _dialogue_answer(item)
    db.session.commit()
    return jsonify(answer)


@bp.route("/dialogues/<int:dialogue_id>/outcome", methods=["PUT"])
@token_required
def save_outcome(dialogue_id):
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "outcome.edit", item)
    data = payload()
    outcome = dialogues.save_outcome(
        g.api_user,
        item,
        summary=_field(data, "summary", str) or "",
        conclusions=data.get("conclusions", []),
        expected_version=_row_version(data),
    )
    answer = _outcome_answer(item, outcome)
    db.session.commit()
    return jsonify(answer)


@bp.route("/dialogues/<int:dialogue_id>/outcome/publish", methods=["POST"])
@token_required
def publish_outcome(dialogue_id):
    item = dialogues.get_dialogue(dialogue_id)
    authorize(g.api_user, "outcome.publish", item)
    outcome = dialogues.publish_outcome(g.api_user, item)
    answer = _outcome_answer(item, outcome)
    db.session.commit()
    return jsonify(answer)


# -- answering comments ---------------------------------------------------------------


@bp.route("/comments/<int:comment_id>/disposition", methods=["PUT"])
@token_required
def record_disposition(comment_id):
    item = comments.get_comment(g.api_user, comment_id)
    authorize(g.api_user, "comment.dispose", item)
    data = payload()
    comments.record_disposition(
        g.api_user,
        item,
        disposition=_field(data, "disposition", str, required=True),
        rationale=_field(data, "rationale", str),
        resolved_in_version=_field(data, "resolved_in_version", int),
    )
    return _stored(item)


@bp.route("/sections/<int:section_id>/groups", methods=["POST"])
@token_required
def group_comments(section_id):
    item = drafts.get_section(g.api_user, section_id)
    authorize(g.api_user, "comments.group", item)
    data = payload()
    group = comments.group_comments(g.api_user, item, data.get("comment_ids"), label=_field(data, "label", str) or "")
    answer = {"id": group.id, "label": group.label, "comment_ids": [c.id for c in group.comments]}
    db.session.commit()
    return jsonify(answer), 201


@bp.route("/groups/<int:group_id>/disposition", methods=["PUT"])
@token_required
def dispose_group(group_id):
    group = comments.get_group(group_id)
    authorize(g.api_user, "comments.group", group)
    data = payload()
    comments.dispose_group(
        g.api_user,
        group,
        disposition=_field(data, "disposition", str, required=True),
        rationale=_field(data, "rationale", str),
        resolved_in_version=_field(data, "resolved_in_version", int),
    )
    answer = [comment_json(comment) for comment in group.comments]
    db.session.commit()
    return jsonify(answer)


@bp.route("/search")
@token_required
def search():
    results = search_service.search(g.api_user, request.args.get("q", ""))
    return jsonify(
        [{"type": r.type, "id": r.id, "title": r.title, "snippet": str(r.snippet), "url": r.url} for r in results]
    )


# -- the comment-response matrix, exports and imports ---------------------------------


def _matrix_release(document):
    value = request.args.get("release", "")
    if value and (not value.isdecimal() or len(value) > 6):
        raise ValidationFailed(field_errors={"release": [str(_l("Give a release number."))]})
    release = matrix.matrix_release(document, int(value) if value else None)
    if release is None:
        raise NotFound(_l("This document has no release yet."))
    authorize(g.api_user, "matrix.view", release)
    return release


@bp.route("/documents/<int:document_id>/matrix")
@token_required
def matrix_rows(document_id):
    document = drafts.get_document(document_id)
    release = _matrix_release(document)
    filters = matrix.Filters.from_args(request.args)
    return jsonify([matrix.json_row(comment) for comment in matrix.matrix_comments(g.api_user, release, filters)])


@bp.route("/documents/<int:document_id>/matrix.<any(xlsx, docx, csv):extension>")
@token_required
def matrix_file(document_id, extension):
    document = drafts.get_document(document_id)
    return downloads.matrix_file(document, _matrix_release(document), extension, g.api_user)


@bp.route("/documents/<int:document_id>/comments/template.xlsx")
@token_required
def comments_template(document_id):
    document = drafts.get_document(document_id)
    data = imports.template(g.api_user, document)
    db.session.commit()
    return Response(
        data,
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="comments-template-{document.id}.xlsx"'},
    )


@bp.route("/documents/<int:document_id>/comments/import", methods=["POST"])
@token_required
def import_comments(document_id):
    document = drafts.get_document(document_id)
    authorize(g.api_user, "comments.import", document)
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed(field_errors={"file": [str(_l("Send the file in the multipart field “file”."))]})
    dry_run = (request.form.get("dry_run") or "false").strip().lower()
    if dry_run not in ("true", "false", "1", "0"):
        raise ValidationFailed(field_errors={"dry_run": [str(_l("Give true or false."))]})
    preview = imports.preview(
        g.api_user,
        document,
        organization_by_code(request.form.get("organization")),
        upload.read(),
        upload.filename or "",
    )
    body = {"created": 0, "rows": preview.rows, "errors": preview.errors}
    if dry_run in ("true", "1") or preview.errors:
        return jsonify(body), 422 if preview.errors and dry_run in ("false", "0") else 200
    created = imports.commit(g.api_user, document, preview)
    db.session.commit()
    body["created"] = len(created)
    body["comment_ids"] = [comment.id for comment in created]
    return jsonify(body), 201
