from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.comments.services import comment_counts
from consult.drafts import bp, concordance
from consult.drafts import services as drafts
from consult.drafts.forms import ImportForm, ReleaseForm, RevisionForm, WindowForm
from consult.drafts.importer import ImportFormatError, decode_upload
from consult.drafts.pages import section_page
from consult.errors import DomainError, StaleVersion, ValidationFailed
from consult.extensions import db
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.text import diff_html
from consult.timeutil import utc_to_wall_clock, wall_clock_to_utc
from consult.validation import positive_integer
from consult.web import pagecache
from consult.web.arguments import positive_int_arg
from consult.web.forms import apply_errors, choices


@bp.route("/consultations/<slug>")
@login_required
def consultation(slug):
    item = drafts.get_consultation(slug)
    releases = {document.id: drafts.current_release(document) for document in item.documents}
    return render_template("drafts/consultation.html", consultation=item, releases=releases, now=utcnow())


@bp.route("/consultations/<slug>/import", methods=["GET", "POST"])
@login_required
def import_document(slug):
    item = drafts.get_consultation(slug)
    authorize(current_user, "document.import")
    form = ImportForm()
    if form.validate_on_submit():
        try:
            text = decode_upload(form.file.data.read())
            document = drafts.import_document(
                current_user,
                item,
                title=form.title.data,
                text=text,
                language=form.language.data or None,
                kind=form.kind.data,
            )
        except ImportFormatError as error:
            form.file.errors.append(error.message)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(
                ngettext("Imported %(num)d paragraph.", "Imported %(num)d paragraphs.", len(document.sections)),
                "success",
            )
            return redirect(url_for("drafts.document", document_id=document.id))
    status = 422 if form.is_submitted() else 200
    return render_template("drafts/import.html", form=form, consultation=item), status


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id):
    return pagecache.page(pagecache.document_scopes(document_id), lambda: _document_page(document_id), ("view",))


def _document_page(document_id: int) -> str:
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    now = utcnow()
    pagecache.expires_by(drafts.next_window_change(item, now))
    release = drafts.current_release(item)
    working = can(current_user, "section.view_working") and (request.args.get("view") == "working" or release is None)
    return render_template(
        "drafts/document.html",
        document=item,
        release=release,
        versions=drafts.document_texts(current_user, item, release, working=working),
        working=working,
        counts=comment_counts(current_user, [section.id for section in item.sections]),
        now=now,
    )


@bp.route("/documents/<int:document_id>/compare")
@login_required
def compare_releases(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    if len(item.releases) < 2 and not (positive_int_arg("from") and positive_int_arg("to")):
        return render_template("drafts/compare.html", document=item, diffs=None, old=None, new=None)
    newest = item.releases[-1].number if item.releases else 0
    old = drafts.get_release(item, positive_int_arg("from") or max(1, newest - 1))
    new = drafts.get_release(item, positive_int_arg("to") or newest)
    diffs = concordance.compare(old, new)
    return render_template("drafts/compare.html", document=item, diffs=diffs, old=old, new=new)


@bp.route("/documents/<int:document_id>/releases/new", methods=["GET", "POST"])
@login_required
def publish_release(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "release.publish", item)
    form = ReleaseForm()
    previous = drafts.current_release(item)
    unanswered = drafts.unanswered_comments(previous) if previous else []
    status = 422 if form.is_submitted() else 200
    if request.method == "GET":
        form.comments_close_at.data = utc_to_wall_clock(drafts.default_close_time())
        form.supersedes.data = str(previous.number if previous else 0)
    if form.validate_on_submit():
        seen = form.supersedes.data or ""
        try:
            release = drafts.publish_release(
                current_user,
                item,
                label=form.label.data,
                comments_close_at=wall_clock_to_utc(form.comments_close_at.data),
                accept_late=form.accept_late.data,
                override_reason=form.override_reason.data,
                keep_previous_open=form.keep_previous_open.data,
                supersedes=positive_integer(seen, allow_zero=True),
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("“%(label)s” is published and open for comments.", label=release.label), "success")
            return redirect(url_for("drafts.document", document_id=item.id))
    return (
        render_template("drafts/release_form.html", form=form, document=item, previous=previous, unanswered=unanswered),
        status,
    )


@bp.route("/documents/<int:document_id>/window", methods=["GET", "POST"])
@login_required
def move_window(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "release.edit_window", item)
    release = drafts.current_release(item)
    form = WindowForm()
    if request.method == "GET" and release is not None:
        form.comments_close_at.data = utc_to_wall_clock(release.comments_close_at)
    if form.validate_on_submit():
        try:
            drafts.move_window(current_user, item, comments_close_at=wall_clock_to_utc(form.comments_close_at.data))
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("The comment window now closes at the new time."), "success")
            return redirect(url_for("drafts.document", document_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template("drafts/window_form.html", form=form, document=item, release=release), status


@bp.route("/sections/<int:section_id>")
@login_required
def section(section_id):
    return section_page(section_id)


@bp.route("/sections/<int:section_id>/diff")
@login_required
def section_diff(section_id):
    item = drafts.get_section(current_user, section_id)
    authorize(current_user, "document.view", item.document)
    old_number, new_number = positive_int_arg("from"), positive_int_arg("to")
    if old_number is None or new_number is None:
        raise ValidationFailed(_("Choose two versions to compare."))
    old = drafts.version_for_reader(current_user, item, old_number)
    new = drafts.version_for_reader(current_user, item, new_number)
    return render_template(
        "drafts/diff.html",
        section=item,
        old=old,
        new=new,
        diff=diff_html(old.body, new.body),
        versions=drafts.visible_versions(current_user, item),
    )


@bp.route("/sections/<int:section_id>/revise", methods=["GET", "POST"])
@login_required
def revise(section_id):
    item = drafts.get_section(current_user, section_id)
    authorize(current_user, "section.revise", item)
    latest = drafts.latest_version(item)
    form = RevisionForm()
    candidates = drafts.addressable_comments(item)
    form.addresses.choices = choices((comment.id, str(comment.id)) for comment in candidates)
    conflict = None
    if request.method == "GET":
        form.base_version.data = str(item.latest_version)
        form.body.data = latest.body if latest else ""
        preselected = positive_int_arg("addresses")
        form.addresses.data = [preselected] if preselected else []
    if form.validate_on_submit():
        base = form.base_version.data
        try:
            version = drafts.revise_section(
                current_user,
                item,
                body=form.body.data,
                change_note=form.change_note.data,
                base_version=positive_integer(base),
                addresses=form.addresses.data or [],
            )
        except StaleVersion:
            # Keep the editor's text in the form; show what was saved meanwhile.
            db.session.rollback()
            item = drafts.get_section(current_user, section_id)
            latest = drafts.latest_version(item)
            conflict = {"theirs": latest, "diff": diff_html(latest.body, form.body.data or "")}
            form.base_version.data = str(item.latest_version)
        except DomainError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Version %(number)d saved.", number=version.number), "success")
            return redirect(url_for("drafts.section", section_id=item.id, version=version.number))
    status = 409 if conflict else (422 if form.is_submitted() else 200)
    return (
        render_template(
            "drafts/revise.html",
            form=form,
            section=item,
            latest=latest,
            candidates=candidates,
            conflict=conflict,
        ),
        status,
    )
