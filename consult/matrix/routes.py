from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.auth.services import organization_by_code
from consult.comments import proposed_answers
from consult.drafts import services as drafts
from consult.errors import DomainError, NotFound
from consult.extensions import db, login_manager
from consult.geography import REGIONS
from consult.matrix import bp, downloads, exports, imports
from consult.matrix import dashboard as dashboards
from consult.matrix import services as matrix
from consult.matrix.forms import ConfirmImportForm, ImportForm, PublishCompilationForm
from consult.models.base import utcnow
from consult.models.comments import COMMENT_KINDS, DISPOSITIONS
from consult.permissions import authorize, can
from consult.validation import positive_integer
from consult.web.arguments import page_number
from consult.web.forms import ConfirmForm, apply_errors, choices, organization_pairs


def _release_arg(document):
    value = request.args.get("release", "")
    release = matrix.matrix_release(document, positive_integer(value, 6))
    if release is None:
        raise NotFound(_("This document has no release yet."))
    return release


def _authorize_matrix(release) -> None:
    """Sign-in first for a matrix that is not public yet, then the visibility rule."""
    if release.compilation_published_at is None and not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    authorize(current_user, "matrix.view", release)


@bp.route("/documents/<int:document_id>/matrix")
def page(document_id):
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    _authorize_matrix(release)
    filters = matrix.Filters.from_args(request.args)
    results = matrix.matrix_page(current_user, release, filters, page_number())
    return render_template(
        "matrix/page.html",
        document=document,
        release=release,
        filters=filters,
        results=results,
        same_text=matrix.same_text(current_user, release, results.items),
        sections=matrix.section_numbers(release),
        delegations=organization_pairs(),
        regions=REGIONS,
        kinds=COMMENT_KINDS,
        dispositions=DISPOSITIONS,
        waiting=proposed_answers.waiting_counts(release) if can(current_user, "answers.finalize", release) else None,
    )


@bp.route("/documents/<int:document_id>/matrix.<any(xlsx, docx, csv):extension>")
def download(document_id, extension):
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    _authorize_matrix(release)
    return downloads.matrix_file(document, release, extension, current_user)


@bp.route("/documents/<int:document_id>/compilation.docx")
def compilation_download(document_id):
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    _authorize_matrix(release)
    return downloads.compilation_file(document, release, current_user, request.args.get("lang") or None)


@bp.route("/documents/<int:document_id>/matrix/publish", methods=["GET", "POST"])
@login_required
def publish(document_id):
    """Confirm, then publish the compilation of a closed window."""
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    authorize(current_user, "compilation.publish", release)
    form = PublishCompilationForm()
    status = 200
    if form.validate_on_submit():
        try:
            matrix.publish_compilation(current_user, release, override_reason=form.override_reason.data)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The compilation is published: anyone can now read and download it."), "success")
            return redirect(url_for("matrix.page", document_id=document.id, release=release.number))
    elif form.is_submitted():
        status = 422
    return (
        render_template(
            "matrix/publish.html",
            form=form,
            document=document,
            release=release,
            unanswered=drafts.unanswered_comments(release),
            closed=release.has_closed(utcnow()),
        ),
        status,
    )


# The two steps of answers proposed before they are final: (action, service, stage, message when done).
_ANSWER_STEPS = {
    "share": (
        "answers.share",
        proposed_answers.share_answers,
        "proposed",
        lambda count: ngettext(
            "%(num)s proposed answer is shared: its delegation is told and can agree or object.",
            "%(num)s proposed answers are shared: each delegation is told and can agree or object.",
            count,
        ),
    ),
    "finalize": (
        "answers.finalize",
        proposed_answers.finalize_answers,
        "shared",
        lambda count: ngettext(
            "%(num)s answer is final: every reader of its comment sees it, and its delegation is told.",
            "%(num)s answers are final: every reader of their comments sees them, and each delegation is told.",
            count,
        ),
    ),
}


@bp.route("/documents/<int:document_id>/matrix/<any(share, finalize):step>-answers", methods=["GET", "POST"])
@login_required
def answer_step(document_id, step):
    """Confirm, then share a release's proposed answers with the delegations, or make the shared ones final."""
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    action, service, stage, done = _ANSWER_STEPS[step]
    authorize(current_user, action, release)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            count = service(current_user, release)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(done(count), "success")
            return redirect(url_for("matrix.page", document_id=document.id, release=release.number))
    return (
        render_template(
            "matrix/answer_step.html",
            form=form,
            step=step,
            document=document,
            release=release,
            comments=proposed_answers.answers_at_stage(release, stage),
        ),
        status,
    )


@bp.route("/documents/<int:document_id>/comments/template.xlsx")
@login_required
def template(document_id):
    document = drafts.get_document(document_id)
    data = imports.template(current_user, document)
    db.session.commit()
    return Response(
        data,
        mimetype=exports.XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="comments-template-{document.id}.xlsx"'},
    )


@bp.route("/documents/<int:document_id>/comments/import", methods=["GET", "POST"])
@login_required
def import_comments(document_id):
    """Upload → preview (kept on the server until confirmed) → confirm (all rows or none)."""
    document = drafts.get_document(document_id)
    authorize(current_user, "comments.import", document)
    form = ImportForm()
    form.organization.choices = choices([("", _("— choose —")), *organization_pairs()])
    preview, confirm, status = None, None, 200
    if form.validate_on_submit():
        try:
            preview = imports.preview(
                current_user,
                document,
                organization_by_code(form.organization.data),
                form.file.data.read(),
                form.file.data.filename or "",
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            if preview.rows and not preview.errors:
                confirm = ConfirmImportForm(token=imports.hold_preview(current_user, document, preview))
                db.session.commit()
    elif form.is_submitted():
        status = 422
    return render_template("matrix/import.html", form=form, document=document, preview=preview, confirm=confirm), status


@bp.route("/documents/<int:document_id>/comments/import/confirm", methods=["POST"])
@login_required
def confirm_import(document_id):
    document = drafts.get_document(document_id)
    authorize(current_user, "comments.import", document)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("matrix.import_comments", document_id=document.id))
    organization, created = imports.confirm_preview(current_user, document, form.token.data or "")
    db.session.commit()
    flash(_("%(count)d comments imported on behalf of the delegation.", count=len(created)), "success")
    return redirect(url_for("matrix.page", document_id=document.id, organization=organization.code))


@bp.route("/documents/<int:document_id>/dashboard")
@login_required
def dashboard(document_id):
    document = drafts.get_document(document_id)
    release = _release_arg(document)
    data = dashboards.dashboard(current_user, release)
    charts = {
        "sections": dashboards.bar_chart(
            "chart-sections",
            _("Comments per paragraph"),
            [(_("Paragraph %(number)s", number=s.number), s.comments) for s in data.by_section if s.comments],
        ),
        "regions": dashboards.bar_chart(
            "chart-regions",
            _("Comments per regional group"),
            [(str(REGIONS.get(region, _("Other participants"))), count) for region, count, _d in data.by_region],
        ),
        "days": dashboards.bar_chart(
            "chart-days",
            _("Comments per day of the window"),
            [(format_date(day, "medium"), count) for day, count in data.by_day],
        ),
    }
    return render_template(
        "matrix/dashboard.html",
        document=document,
        release=release,
        data=data,
        charts=charts,
        regions=REGIONS,
        kinds=COMMENT_KINDS,
    )
