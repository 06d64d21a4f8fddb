"""Files of a document for the pages and the API alike: the concordance of two releases (CSV or
XLSX, cells as safe as the matrix's), a release as issued (DOCX or PDF), the redline of two
releases (DOCX)."""

import io

from flask import Response, send_file, stream_with_context
from flask_babel import gettext as _

from consult.drafts import issued, redline
from consult.drafts.concordance import CHANGE_STATUSES, Change
from consult.matrix import exports

PDF_MIMETYPE = "application/pdf"

# Column widths of the spreadsheet, in the order of the header.
_WIDTHS = (14, 14, 28, 12, 12, 18)


def _number(printed: str | None) -> str | int:
    """A paragraph number as a number where it is one, so that a spreadsheet sorts it as one."""
    if printed and printed.isascii() and printed.isdigit():
        return int(printed)
    return printed or ""


def concordance_file(document, old, new, changes: list[Change], counts: dict[int, int], extension: str) -> Response:
    header = [
        _("Number in %(label)s", label=old.label),
        _("Number in %(label)s", label=new.label),
        _("Status"),
        _("Text changed"),
        _("Comments"),
        _("Anchor"),
    ]
    rows = [
        [
            _number(change.from_number),
            _number(change.to_number),
            ", ".join(str(CHANGE_STATUSES[status]) for status in change.statuses),
            _("Yes") if change.text_changed else _("No"),
            counts.get(change.section.id, 0),
            change.section.anchor,
        ]
        for change in changes
    ]
    name = f"concordance-{document.id}-release-{old.number}-to-{new.number}.{extension}"
    if extension == "csv":
        return Response(
            stream_with_context(exports.table_csv_chunks(header, rows)),
            mimetype=exports.CSV_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    handle = exports.table_xlsx_file(
        header,
        rows,
        title=f"{document.title} — {old.label} → {new.label}",
        sheet=_("Concordance"),
        widths=_WIDTHS,
    )
    return send_file(handle, mimetype=exports.XLSX_MIMETYPE, as_attachment=True, download_name=name)


def release_file(document, release, language: str | None, file_type: str) -> Response:
    """The release as issued, in ``language`` where translated: "docx" or "pdf"."""
    name = f"document-{document.id}-release-{release.number}.{file_type}"
    if file_type == "pdf":
        content = io.BytesIO(issued.release_pdf(release, language))
        return send_file(content, mimetype=PDF_MIMETYPE, as_attachment=True, download_name=name)
    handle = issued.release_docx(release, language)
    return send_file(handle, mimetype=exports.DOCX_MIMETYPE, as_attachment=True, download_name=name)


def redline_file(document, old, new, language: str | None) -> Response:
    """Release ``new`` against release ``old`` as Word tracked changes."""
    handle = redline.redline_file(document, old, new, language)
    name = f"document-{document.id}-release-{old.number}-to-{new.number}.docx"
    return send_file(handle, mimetype=exports.DOCX_MIMETYPE, as_attachment=True, download_name=name)
