"""Importing a delegation's Word or Excel table of comments, on its behalf."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult import audit
from consult.comment_import import ImportFileError, ParsedUpload, normalize_paragraph, parse_upload, template_xlsx
from consult.drafts.services import current_release, released_versions
from consult.errors import ValidationFailed, WindowClosed
from consult.extensions import db
from consult.models import Comment, Document, Organization, Section
from consult.models.base import utcnow
from consult.models.comments import COMMENT_KINDS
from consult.permissions import authorize
from consult.text import render_markdown

MAX_ROWS = 5000

FILE_ERRORS = {
    "empty": _l("The file contains no comments."),
    "not_xlsx_or_docx": _l(
        "The file is not an Excel workbook (.xlsx) or a Word document (.docx). Older .xls and .doc files, "
        "PDF files and password-protected files cannot be read: save the file as .xlsx or .docx and upload it again."
    ),
    "unreadable": _l(
        "The file is damaged or could not be read. Open it, save it again as .xlsx or .docx and upload it."
    ),
    "too_large": _l("The file is too large once uncompressed to be imported."),
    "no_table": _l("The Word document contains no table. Put the comments in a table with one comment per row."),
    "no_header": _l(
        "No table with a header row naming at least a paragraph column and a comment column was found. "
        "Use the template, or put column headings such as “Paragraph” and “Comment” in the first row of the table."
    ),
    "too_many_rows": _l(
        "The file contains too many rows (at most %(max)d). Split it into several files and upload them one by one.",
        max=MAX_ROWS,
    ),
}

ROW_ERRORS = {
    "missing_paragraph": _l("The paragraph number is missing."),
    "missing_comment": _l("The comment is missing."),
    "unknown_kind": _l("The kind of comment is not recognized."),
    "amendment_without_text": _l("An amendment needs the proposed text."),
    "too_long": _l("The text is too long."),
    "formula": _l("The cell contains a formula; type the text or number instead."),
    "unknown_paragraph": _l("The draft has no paragraph with this number."),
}


def column_labels() -> dict[str, str]:
    return {
        "paragraph": _("Paragraph number"),
        "kind": _("Kind"),
        "comment": _("Comment"),
        "proposed_text": _("Proposed text"),
    }


def kind_labels() -> dict[str, str]:
    return {code: str(label) for code, label in COMMENT_KINDS.items()}


def template(document: Document) -> bytes:
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
    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    other_tables: int = 0


def preview(actor, document: Document, organization: Organization | None, data: bytes, filename: str) -> Preview:
    """Read the file and say what would be created; nothing is written."""
    authorize(actor, "comments.import", document)
    if organization is None or not organization.code:
        raise ValidationFailed(field_errors={"organization": [str(_l("Choose the delegation the comments are from."))]})
    release = current_release(document)
    if release is None:
        raise WindowClosed(_l("This document has not been released for comment."))
    try:
        parsed: ParsedUpload = parse_upload(
            data, filename, kinds=kind_labels(), headers=column_labels(), max_rows=MAX_ROWS
        )
    except ImportFileError as error:
        message = FILE_ERRORS.get(error.code, str(error))
        raise ValidationFailed(message, field_errors={"file": [str(message)]}) from error
    sections = {
        normalize_paragraph(section.number): section
        for section in db.session.scalars(select(Section).where(Section.document_id == document.id))
    }
    released = released_versions(release)
    result = Preview(organization, other_tables=parsed.other_tables)
    result.errors = [
        {"row": error.row, "message": f"{ROW_ERRORS.get(error.message_code, error.message_code)} ({error.detail})"}
        for error in parsed.errors
    ]
    for imported in parsed.rows:
        section = sections.get(normalize_paragraph(imported.paragraph))
        if section is None or section.id not in released:
            result.errors.append(
                {"row": imported.row, "message": f"{ROW_ERRORS['unknown_paragraph']} ({imported.paragraph})"}
            )
            continue
        result.rows.append(
            {
                "row": imported.row,
                "section_id": section.id,
                "paragraph": section.number,
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
    release = current_release(document)
    released = released_versions(release)
    now = utcnow()
    created = []
    for item in result.rows:
        comment = Comment(
            section_id=item["section_id"],
            release=release,
            version=released[item["section_id"]],
            organization=result.organization,
            author_id=actor.id,
            submitted_by_id=actor.id,
            kind=item["kind"],
            body=item["body"],
            body_html=str(render_markdown(item["body"])),
            proposed_text=item["proposed_text"] if item["kind"] == "amendment" else None,
            status="submitted",
            submitted_at=now,
            late=release.has_closed(now),
            imported=True,
        )
        db.session.add(comment)
        created.append(comment)
    db.session.flush()
    audit.record(
        actor,
        "comments.import",
        document,
        organization=result.organization.code,
        comments=[comment.id for comment in created],
    )
    return created
