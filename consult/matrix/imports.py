"""Importing a delegation's Word or Excel table of comments, on its behalf.

Upload → preview → confirm. The preview is kept on the server (``CommentImportPreview``)
and the confirmation form carries only a random token for it: a confirmation creates
what the user was shown, at most once, only for that user and document, and only until
the preview expires.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit, held_previews
from consult.comments.services import create_comment
from consult.drafts.services import current_release
from consult.errors import Conflict, TooLarge, ValidationFailed, WindowClosed
from consult.extensions import db
from consult.matrix.comment_import import (
    ERROR_MESSAGES,
    MAX_ROWS,
    ROW_MESSAGES,
    ImportFileError,
    ParsedUpload,
    normalize_paragraph,
    parse_upload,
    template_xlsx,
)
from consult.models import Comment, CommentImportPreview, Document, Organization, Release, ReleaseSection, Section
from consult.models.comments import COMMENT_KINDS
from consult.permissions import authorize
from consult.uploads import TOO_LARGE, UploadLimits, refusal_message

# Used and expired previews are deleted this long after they expire; until then a replay
# is told what happened to its preview rather than that there is none.


def column_labels() -> dict[str, str]:
    return {
        "paragraph": _("Paragraph number"),
        "kind": _("Kind"),
        "comment": _("Comment"),
        "proposed_text": _("Proposed text"),
    }


def kind_labels() -> dict[str, str]:
    return {code: str(label) for code, label in COMMENT_KINDS.items()}


def template(actor, document: Document) -> bytes:
    """The Excel template for ``document``; downloading it is recorded."""
    audit.record(actor, "comments.template_download", document)
    return template_xlsx(
        column_labels(),
        kind_labels(),
        _(
            "One comment per row. Paragraph number as printed in “%(title)s” (for example 9 or 10(a)). "
            "Kind: general comment, amendment (then give the proposed text) or question. "
            "Send the filled file to the Secretariat, which imports it on behalf of your delegation.",
            title=document.title,
        ),
    )


@dataclass
class Preview:
    organization: Organization
    release: Release
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    other_tables: int = 0


def _file_error(code: str, limits: UploadLimits) -> ValidationFailed:
    """The refusal of an upload, with the limit it passed; 413 when it is too large."""
    text = refusal_message(code, limits) or str(ERROR_MESSAGES.get(code, ERROR_MESSAGES["unreadable"]))
    error = TooLarge if code in TOO_LARGE else ValidationFailed
    return error(text, field_errors={"file": [text]})


def preview(actor, document: Document, organization: Organization | None, data: bytes, filename: str) -> Preview:
    """Read the file and say what would be created; nothing is written."""
    authorize(actor, "comments.import", document)
    if organization is None or not organization.code:
        raise ValidationFailed(field_errors={"organization": [str(_l("Choose the delegation the comments are from."))]})
    release = current_release(document)
    if release is None:
        raise WindowClosed(_l("This document has not been released for comment."))
    limits = UploadLimits.from_config(current_app.config)
    try:
        parsed: ParsedUpload = parse_upload(
            data, filename, kinds=kind_labels(), headers=column_labels(), max_rows=MAX_ROWS, limits=limits
        )
    except ImportFileError as error:
        raise _file_error(error.code, limits) from error
    # The numbers the delegation read: those the current release printed, one paragraph each.
    printed = db.session.execute(
        select(ReleaseSection.number, Section)
        .join(Section, Section.id == ReleaseSection.section_id)
        .where(ReleaseSection.release_id == release.id)
    )
    sections = {normalize_paragraph(number): (number, section) for number, section in printed}
    result = Preview(organization, release, other_tables=parsed.other_tables)
    result.errors = [
        {"row": error.row, "message": f"{ROW_MESSAGES.get(error.message_code, error.message_code)} ({error.detail})"}
        for error in parsed.errors
    ]
    for imported in parsed.rows:
        found = sections.get(normalize_paragraph(imported.paragraph))
        if found is None:
            result.errors.append(
                {"row": imported.row, "message": f"{ROW_MESSAGES['unknown_paragraph']} ({imported.paragraph})"}
            )
            continue
        number, section = found
        result.rows.append(
            {
                "row": imported.row,
                "section_id": section.id,
                "paragraph": number,
                "kind": imported.kind,
                "body": imported.body,
                "proposed_text": imported.proposed_text,
            }
        )
    result.errors.sort(key=lambda error: error["row"])
    return result


def commit(actor, document: Document, result: Preview) -> list[Comment]:
    """Create the previewed rows as submitted comments of the delegation, all or none."""
    if result.errors:
        raise ValidationFailed(
            _l("Some rows cannot be read; nothing was imported. Correct the file and upload it again."),
            details={"errors": result.errors},
        )
    sections = {section.id: section for section in result.release.document.sections}
    created = [
        create_comment(
            actor,
            sections[item["section_id"]],
            kind=item["kind"],
            body=item["body"],
            proposed_text=item["proposed_text"] if item["kind"] == "amendment" else None,
            on_behalf_of=result.organization,
        )
        for item in result.rows
    ]
    audit.record(
        actor,
        "comments.import",
        document,
        organization=result.organization.code,
        comments=[comment.id for comment in created],
    )
    return created


def hold_preview(actor, document: Document, result: Preview) -> str:
    """Keep a preview that can be imported until its user confirms it; the token for the confirmation form."""
    authorize(actor, "comments.import", document)
    if result.errors or not result.rows:
        raise ValidationFailed(
            _l("Some rows cannot be read; nothing was imported. Correct the file and upload it again.")
        )
    token, held = held_previews.hold(
        CommentImportPreview,
        minutes=current_app.config["COMMENT_IMPORT_PREVIEW_MINUTES"],
        user_id=actor.id,
        document_id=document.id,
        organization_id=result.organization.id,
        release_id=result.release.id,
        rows=result.rows,
    )
    audit.record(
        actor,
        "comments.import_preview",
        document,
        organization=result.organization.code,
        rows=len(result.rows),
        preview=held.id,
    )
    return token


def confirm_preview(actor, document: Document, token: str) -> tuple[Organization, list[Comment]]:
    """Create the comments of a held preview, once: its user, its document, before it expires."""
    authorize(actor, "comments.import", document)
    already = Conflict(_l("These comments have already been imported: a preview can be confirmed once."))
    held = held_previews.find(CommentImportPreview, actor, document, token, already)
    held_previews.claim(CommentImportPreview, held, already)
    release = current_release(document)
    if release is None or release.id != held.release_id:
        raise Conflict(_l("A new release was published after the preview. Upload the file again."))
    created = commit(actor, document, Preview(held.organization, release, rows=held.rows))
    return held.organization, created
