"""The comment-response matrix as a file, for the pages and the API alike."""

from flask import Response, request, send_file, stream_with_context
from flask_babel import format_datetime
from flask_babel import gettext as _

from consult.extensions import db
from consult.matrix import compilation, exports
from consult.matrix import services as matrix


def _download_name(document, release, extension: str) -> str:
    return f"comment-response-matrix-{document.id}-release-{release.number}.{extension}"


def matrix_file(document, release, extension: str, user) -> Response:
    """The matrix as a file: CSV streams; XLSX and DOCX are built in a temporary file."""
    filters = matrix.Filters.from_args(request.args)
    if extension == "docx":
        matrix.check_word_size(user, release, filters)
    matrix.record_download(user, release, extension, filters)
    db.session.commit()
    comments = matrix.matrix_comments(user, release, filters)
    headers = matrix.export_headers()
    name = _download_name(document, release, extension)
    title = f"{document.title} — {release.label}"
    if extension == "csv":
        rows = matrix.export_rows(user, release, comments, paragraphs=False)
        return Response(
            stream_with_context(exports.csv_chunks(rows, headers)),
            mimetype=exports.CSV_MIMETYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if extension == "xlsx":
        rows = matrix.export_rows(user, release, comments, paragraphs=False)
        handle = exports.xlsx_file(rows, headers, title=title)
        return send_file(handle, mimetype=exports.XLSX_MIMETYPE, as_attachment=True, download_name=name)
    subtitle = _(
        "Compilation of comments and responses, release %(number)s, comments until %(date)s",
        number=release.number,
        date=format_datetime(release.comments_close_at, "long"),
    )
    rows = matrix.export_rows(user, release, comments, paragraphs=True)
    handle = exports.docx_file(
        rows, headers, title=title, subtitle=subtitle, format_moment=lambda moment: format_datetime(moment, "short")
    )
    return send_file(handle, mimetype=exports.DOCX_MIMETYPE, as_attachment=True, download_name=name)


def compilation_file(document, release, user, language: str | None) -> Response:
    """The compilation of the amendments to the release that ``user`` may see, as a Word document."""
    handle = compilation.compilation_file(user, release, language)
    matrix.record_download(user, release, "compilation.docx", matrix.Filters())
    db.session.commit()
    name = f"compilation-{document.id}-release-{release.number}.docx"
    return send_file(handle, mimetype=exports.DOCX_MIMETYPE, as_attachment=True, download_name=name)
