import functools

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from consult.comments.services import comment_counts
from consult.drafts import bp, concordance, downloads, reading, structure, translations
from consult.drafts import services as drafts
from consult.drafts.forms import (
    ImportForm,
    InsertSectionForm,
    MoveSectionForm,
    ReleaseForm,
    RetireSectionForm,
    RevisionForm,
    TranslationForm,
    WindowForm,
)
from consult.drafts.importer import by_chapter
from consult.drafts.pages import reading_languages, section_page
from consult.drafts.word_import import read_document
from consult.errors import DomainError, NotFound, StaleVersion, ValidationFailed
from consult.extensions import db
from consult.main import services as front_door
from consult.models.base import utcnow
from consult.permissions import authorize, can
from consult.text import reading_diff_html
from consult.timeutil import utc_to_wall_clock, wall_clock_to_utc
from consult.validation import positive_integer
from consult.web import pagecache
from consult.web.arguments import positive_int_arg
from consult.web.forms import apply_errors, choices
from consult.web.templating import language_label


@bp.route("/consultations/<slug>")
def consultation(slug):
    """Open to everyone: what is consulted and until when; the drafts themselves stay behind sign-in."""
    item = drafts.get_consultation(slug)
    authorize(current_user, "consultation.view", item)
    releases = {document.id: drafts.current_release(document) for document in item.documents}
    now = utcnow()
    return render_template(
        "drafts/consultation.html",
        consultation=item,
        releases=releases,
        overview=front_door.overview(item, now),
        now=now,
    )


@bp.route("/consultations/<slug>/import", methods=["GET", "POST"])
@login_required
def import_document(slug):
    item = drafts.get_consultation(slug)
    authorize(current_user, "document.import")
    form = ImportForm()
    structure = None
    if form.validate_on_submit():
        try:
            parsed = read_document(form.file.data.read(), form.language.data or None)
            if "preview" in request.form:
                structure = parsed
            else:
                document = drafts.import_document(
                    current_user,
                    item,
                    title=form.title.data,
                    text=parsed,
                    language=form.language.data or None,
                    kind=form.kind.data,
                )
        except DomainError as error:
            apply_errors(form, error)
        else:
            if structure is None:
                db.session.commit()
                flash(
                    ngettext("Imported %(num)d paragraph.", "Imported %(num)d paragraphs.", len(document.sections)),
                    "success",
                )
                return redirect(url_for("drafts.document", document_id=document.id))
    status = 422 if form.is_submitted() and structure is None else 200
    return render_template(
        "drafts/import.html",
        form=form,
        consultation=item,
        structure=structure,
        chapters=by_chapter(structure) if structure else [],
    ), status


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id):
    return pagecache.page(
        pagecache.document_scopes(document_id),
        lambda: _document_page(document_id),
        ("view", "release", "lang", "beside"),
        # Rendered once for all delegations: only the reader's comment counts differ.
        pagecache.ReaderPart(pagecache.counts_scopes(document_id), _comment_count_texts),
    )


def _comment_count_texts(_name: str, section_ids: list[int]) -> dict[int, str]:
    counts = comment_counts(current_user, section_ids)
    return {
        section_id: ngettext("%(num)s comment", "%(num)s comments", counts.get(section_id, 0))
        for section_id in section_ids
    }


def _document_page(document_id: int) -> str:
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    now = utcnow()
    pagecache.expires_by(drafts.next_window_change(item, now))
    current = drafts.current_release(item)
    working = can(current_user, "section.view_working") and (request.args.get("view") == "working" or current is None)
    requested = positive_int_arg("release")
    release = drafts.get_release(item, requested) if requested and not working else current
    if working:
        places = reading.working_places(item, drafts.latest_versions(item))
    else:
        places = [reading.Printed.of(row) for row in reading.printed_rows(release)] if release else []
    versions = {place.section.id: place.version for place in places}
    languages = reading_languages(translations.languages_of(versions, versions, item.language))
    return render_template(
        "drafts/document.html",
        document=item,
        release=release,
        current=current,
        paragraphs=reading.paragraphs(item, places, languages.shown),
        languages=languages,
        retired=reading.retired_sections(item) if working else [],
        working=working,
        comment_count_text=(
            functools.partial(pagecache.for_each_reader, "comments")
            if pagecache.rendering_for_many()
            else _comment_count_texts("comments", list(versions)).__getitem__
        ),
        now=now,
    )


def _releases_to_compare(item) -> tuple:
    """The releases ``?from=`` and ``?to=`` name, by default the last two (a single one with itself)."""
    if not item.releases:
        raise NotFound(_("This document has no release yet."))
    newest = item.releases[-1].number
    old = drafts.get_release(item, positive_int_arg("from") or max(1, newest - 1))
    new = drafts.get_release(item, positive_int_arg("to") or newest)
    return old, new


def _compared_languages(old, new) -> reading.Languages:
    both = translations.release_languages(old) + translations.release_languages(new)
    return reading_languages([code for index, code in enumerate(both) if code not in both[:index]])


@bp.route("/documents/<int:document_id>/compare")
@login_required
def compare_releases(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    if len(item.releases) < 2 and not (positive_int_arg("from") and positive_int_arg("to")):
        return render_template("drafts/compare.html", document=item, changes=None, old=None, new=None)
    old, new = _releases_to_compare(item)
    languages = _compared_languages(old, new)
    changes = [
        change
        for change in concordance.compare(old, new, language=languages.language)
        if change.statuses != ["unchanged"]
    ]
    return render_template("drafts/compare.html", document=item, changes=changes, old=old, new=new, languages=languages)


@bp.route("/documents/<int:document_id>/compare.docx")
@login_required
def compare_download(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    old, new = _releases_to_compare(item)
    return downloads.redline_file(item, old, new, request.args.get("lang") or None)


@bp.route("/documents/<int:document_id>/releases/<int:number>.<any(docx, pdf):file_type>")
@login_required
def release_download(document_id, number, file_type):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    release = drafts.get_release(item, number)
    return downloads.release_file(item, release, request.args.get("lang") or None, file_type)


@bp.route("/documents/<int:document_id>/concordance", endpoint="concordance")
@login_required
def concordance_page(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    if not item.releases:
        return render_template(
            "drafts/concordance.html", document=item, changes=None, old=None, new=None, languages=None
        )
    old, new = _releases_to_compare(item)
    changes = concordance.compare(old, new, diffs=False)
    counts = comment_counts(current_user, [change.section.id for change in changes])
    return render_template(
        "drafts/concordance.html", document=item, changes=changes, counts=counts, old=old, new=new, languages=None
    )


@bp.route("/documents/<int:document_id>/concordance.<any(csv, xlsx):extension>")
@login_required
def concordance_download(document_id, extension):
    item = drafts.get_document(document_id)
    authorize(current_user, "document.view", item)
    old, new = _releases_to_compare(item)
    changes = concordance.compare(old, new, diffs=False)
    counts = comment_counts(current_user, [change.section.id for change in changes])
    return downloads.concordance_file(item, old, new, changes, counts, extension)


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
                propose_answers=form.propose_answers.data,
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
        diff=reading_diff_html(old.body, new.body),
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
            conflict = {"theirs": latest, "diff": reading_diff_html(latest.body, form.body.data or "")}
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


# -- the working draft's structure ------------------------------------------------------------

START = "start"


def _after_choices(document, leave_out=None) -> list:
    """Where a paragraph can go: the start, or after a paragraph of the working draft."""
    places = [(START, _("At the start of the draft"))]
    for section in structure.working_sections(document):
        if section.id != getattr(leave_out, "id", None):
            places.append((str(section.id), reading.paragraph_label(section)))
    return choices(places)


def _after(value: str) -> int | None:
    """The id the select names (None: the start)."""
    return None if value == START else positive_integer(value)


@bp.route("/documents/<int:document_id>/paragraphs/new", methods=["GET", "POST"])
@login_required
def insert_section(document_id):
    item = drafts.get_document(document_id)
    authorize(current_user, "section.revise", item)
    form = InsertSectionForm()
    form.after.choices = _after_choices(item)
    if request.method == "GET":
        form.after.data = request.args.get("after", START)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            section = structure.insert_section(
                current_user, item, after=_after(form.after.data), body=form.body.data, heading=form.heading.data or ""
            )
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The paragraph is inserted. It is numbered when the next release is published."), "success")
            return redirect(url_for("drafts.document", document_id=item.id, view="working", _anchor=section.anchor))
    return render_template("drafts/insert.html", form=form, document=item), status


@bp.route("/sections/<int:section_id>/move", methods=["GET", "POST"])
@login_required
def move_section(section_id):
    item = drafts.get_section(current_user, section_id)
    authorize(current_user, "section.revise", item)
    form = MoveSectionForm()
    form.after.choices = _after_choices(item.document, leave_out=item)
    if request.method == "GET":
        order = structure.working_sections(item.document)
        place = next((index for index, section in enumerate(order) if section.id == item.id), 0)
        form.after.data = str(order[place - 1].id) if place > 0 else START
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            structure.move_section(current_user, item, after=_after(form.after.data))
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The paragraph is moved. It is renumbered when the next release is published."), "success")
            return redirect(
                url_for("drafts.document", document_id=item.document_id, view="working", _anchor=item.anchor)
            )
    return render_template("drafts/move.html", form=form, section=item, label=reading.paragraph_label(item)), status


@bp.route("/sections/<int:section_id>/retire", methods=["GET", "POST"])
@login_required
def retire_section(section_id):
    item = drafts.get_section(current_user, section_id)
    authorize(current_user, "section.revise", item)
    form = RetireSectionForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            structure.retire_section(current_user, item, reason=form.reason.data)
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The paragraph is retired from the working draft. Its comments stay on record."), "success")
            return redirect(url_for("drafts.document", document_id=item.document_id, view="working"))
    return (
        render_template(
            "drafts/retire.html",
            form=form,
            section=item,
            label=reading.paragraph_label(item),
            releases=[row.release for row in reading.printings(item)],
            comments=comment_counts(current_user, [item.id]).get(item.id, 0),
        ),
        status,
    )


# -- translations -------------------------------------------------------------------------------


@bp.route("/sections/<int:section_id>/translations/<language>", methods=["GET", "POST"])
@login_required
def translate(section_id, language):
    item = drafts.get_section(current_user, section_id)
    authorize(current_user, "section.translate", item)
    if language not in translations.UN_LANGUAGES or language == item.document.language:
        raise NotFound(_("There is no translation into this language to write: choose another UN language."))
    form = TranslationForm()
    earlier = translations.newest_translations([item.id], language).get(item.id)
    if request.method == "GET":
        form.base_version.data = str(item.latest_version)
        if earlier is not None:
            form.body.data, form.heading.data, form.chapter.data = earlier.body, earlier.heading, earlier.chapter
    status = 422 if form.is_submitted() else 200
    changed_meanwhile = None
    if form.validate_on_submit():
        translated = positive_integer(form.base_version.data)
        try:
            translations.store_translation(
                current_user,
                item,
                language=language,
                body=form.body.data,
                base_version=translated,
                heading=form.heading.data if item.heading else None,
                chapter=form.chapter.data if item.chapter else None,
            )
        except StaleVersion as error:
            # Keep the translator's text; show the newest original and what changed in it.
            db.session.rollback()
            item = drafts.get_section(current_user, section_id)
            earlier = translations.newest_translations([item.id], language).get(item.id)
            form.form_errors.append(str(error.message))
            versions = drafts.visible_versions(current_user, item)
            changed_meanwhile = next((version for version in versions if version.number == translated), None)
            form.base_version.data = str(item.latest_version)
            status = error.status
        except DomainError as error:
            apply_errors(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("The %(language)s text is saved.", language=language_label(language)), "success")
            return redirect(drafts.section_url(item, lang=language))
    latest = drafts.latest_version(item)
    # What changed in the original since the version the earlier translation (or the translator) started from.
    since = changed_meanwhile or (earlier.version if earlier is not None and earlier.version_id != latest.id else None)
    return (
        render_template(
            "drafts/translate.html",
            form=form,
            section=item,
            language=language,
            label=reading.paragraph_label(item),
            latest=latest,
            earlier=earlier,
            since=since,
            changes=reading_diff_html(since.body, latest.body) if since is not None else None,
        ),
        status,
    )
