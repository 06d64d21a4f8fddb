"""The comment-response matrix of a release, its files, and importing a delegation's comments."""

from flask import Response, g
from flask_babel import lazy_gettext as _l

from consult.api.common import bp, domain, errors
from consult.api.document import ERROR_RESPONSES
from consult.api.matrix.schemas import (
    CompilationQuerySchema,
    ImportRequestSchema,
    ImportResultSchema,
    MatrixQuerySchema,
    MatrixRowSchema,
)
from consult.api.schema import ErrorSchema
from consult.auth.services import organization_by_code
from consult.drafts import services as drafts
from consult.errors import NotFound
from consult.matrix import downloads, imports
from consult.matrix import services as matrix
from consult.matrix.exports import CSV_MIMETYPE, DOCX_MIMETYPE, XLSX_MIMETYPE
from consult.permissions import authorize

route = domain(
    "Matrix",
    "The comment-response matrix of a release (submitted comments and their answers), as JSON and as files, "
    "and the import of a delegation's comments sent as a filled template or a Word table",
)

FILE = {"schema": {"type": "string", "format": "binary"}}


def _matrix_release(document, number: int | None):
    release = matrix.matrix_release(document, number)
    if release is None:
        raise NotFound(_l("This document has no release yet."))
    authorize(g.api_user, "matrix.view", release)
    return release


@route("/documents/<int:document_id>/matrix")
@errors(403, 404, 422)
@bp.paginated(MatrixRowSchema)
@bp.query(MatrixQuerySchema)
def matrix_rows(document_id, query, page):
    """The comment-response matrix of a release, in the order of the paragraphs"""
    document = drafts.get_document(document_id)
    arguments = query()
    release = _matrix_release(document, arguments.get("release"))
    return matrix.matrix_page(g.api_user, release, matrix.Filters.from_args(arguments), page.number, page.size)


@route("/documents/<int:document_id>/matrix.<any(xlsx, docx, csv):extension>")
@errors(403, 404, 422)
@bp.doc(
    responses={
        "200": {
            "description": "The matrix as an Excel workbook, the compilation as a Word document, "
            "or the matrix as CSV (UTF-8 with a byte order mark)",
            "content": {XLSX_MIMETYPE: FILE, DOCX_MIMETYPE: FILE, CSV_MIMETYPE.split(";")[0]: FILE},
        }
    }
)
@bp.query(MatrixQuerySchema)
def matrix_file(document_id, extension, query):
    """The matrix of a release as a file"""
    document = drafts.get_document(document_id)
    release = _matrix_release(document, query().get("release"))
    return downloads.matrix_file(document, release, extension, g.api_user)


@route("/documents/<int:document_id>/compilation.docx")
@errors(403, 404, 422)
@bp.doc(
    responses={
        "200": {
            "description": "Each paragraph of the release followed by the amendments proposed to it that the caller "
            "may see, attributed, each as Word tracked changes against the paragraph",
            "content": {DOCX_MIMETYPE: FILE},
        }
    }
)
@bp.query(CompilationQuerySchema)
def compilation_file(document_id, query):
    """The compilation of proposed amendments to a release, as a Word document, in `lang`"""
    document = drafts.get_document(document_id)
    arguments = query()
    release = _matrix_release(document, arguments.get("release"))
    return downloads.compilation_file(document, release, g.api_user, arguments.get("lang"))


@route("/documents/<int:document_id>/comments/template.xlsx")
@errors(404)
@bp.doc(responses={"200": {"description": "The Excel template", "content": {XLSX_MIMETYPE: FILE}}})
def comments_template(document_id):
    """The Excel template in which a delegation writes its comments"""
    document = drafts.get_document(document_id)
    return Response(
        imports.template(g.api_user, document),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="comments-template-{document.id}.xlsx"'},
    )


@route("/documents/<int:document_id>/comments/import", methods=["POST"])
@errors(403, 404, 409)
@bp.response(201, ImportResultSchema, description="The comments were created, submitted on the delegation's behalf")
@bp.alt_response(200, schema=ImportResultSchema, description="The preview (dry_run)", success=True)
@bp.doc(
    responses={
        "422": {
            "description": f"{ERROR_RESPONSES[422][1]}; or rows that cannot be read: nothing was imported",
            "content": {"application/json": {"schema": {"oneOf": [ErrorSchema, ImportResultSchema]}}},
        }
    }
)
@bp.body(ImportRequestSchema, location="files")
def import_comments(document_id, body):
    """Import a delegation's filled template or Word table (Secretariat); `dry_run` previews"""
    document = drafts.get_document(document_id)
    authorize(g.api_user, "comments.import", document)
    data = body()
    upload = data["file"]
    preview = imports.preview(
        g.api_user, document, organization_by_code(data.get("organization")), upload.read(), upload.filename or ""
    )
    answer = {"created": 0, "rows": preview.rows, "errors": preview.errors}
    if data["dry_run"] or preview.errors:
        return answer, 200 if data["dry_run"] else 422
    created = imports.commit(g.api_user, document, preview)
    return {**answer, "created": len(created), "comment_ids": [comment.id for comment in created]}, 201
