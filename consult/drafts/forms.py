from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.models.drafts import DOCUMENT_KINDS
from consult.web.forms import UN_LANGUAGE_NAMES, MarkdownField, choices, override_reason_field

LANGUAGE_CHOICES = [("", _l("Detect from the text")), *UN_LANGUAGE_NAMES]


class ImportForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind of document"), choices=choices(DOCUMENT_KINDS))
    language = SelectField(_l("Language of the text"), choices=choices(LANGUAGE_CHOICES), validators=[Optional()])
    file = FileField(
        _l("Document (Word .docx, or plain text or Markdown in UTF-8)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )


class ReleaseForm(FlaskForm):
    label = StringField(
        _l("Label"), validators=[DataRequired(), Length(max=200)], description=_l("For example “First draft”.")
    )
    comments_close_at = DateTimeLocalField(_l("Comments close at (your time zone)"), validators=[DataRequired()])
    accept_late = BooleanField(_l("Accept late comments (marked as late)"))
    propose_answers = BooleanField(_l("Propose answers to the delegations before they are final"))
    keep_previous_open = BooleanField(_l("Keep the current release open for comments until its own closing time"))
    override_reason = override_reason_field()
    # The release the publisher saw as current: another one published meanwhile is a conflict.
    supersedes = HiddenField()


class WindowForm(FlaskForm):
    comments_close_at = DateTimeLocalField(_l("Comments close at (your time zone)"), validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RevisionForm(FlaskForm):
    base_version = HiddenField()
    body = MarkdownField(_l("Text (Markdown)"), validators=[DataRequired()])
    change_note = TextAreaField(_l("What changed and why"), validators=[Optional(), Length(max=2000)])
    addresses = MultiCheckboxField(_l("Comments this version addresses"), coerce=int, validate_choice=False)


class InsertSectionForm(FlaskForm):
    after = SelectField(_l("Insert it after"))
    heading = StringField(_l("Heading (optional)"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired()])


class MoveSectionForm(FlaskForm):
    after = SelectField(_l("Put it after"))


class RetireSectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is it retired?"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("Kept on record and shown with the paragraph in the releases that had it."),
    )


class TranslationForm(FlaskForm):
    # The version of the original the translator translated: a newer one saved meanwhile is a conflict.
    base_version = HiddenField()
    heading = StringField(_l("Heading"), validators=[Optional(), Length(max=300)])
    chapter = StringField(_l("Chapter title"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(_l("Translation (Markdown)"), validators=[DataRequired()])
