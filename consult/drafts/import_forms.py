"""Forms of the next-draft and translation imports (consult/drafts/import_routes.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, SubmitField

_FILE_LABEL = _l("Document (Word .docx, or plain text or Markdown in UTF-8)")


class NextDraftForm(FlaskForm):
    file = FileField(_FILE_LABEL, validators=[FileRequired(_l("Choose a file to upload."))])


class PlanForm(FlaskForm):
    """The held plan's token; each paragraph's "continues" field is read by its index."""

    token = HiddenField()
    paragraphs = HiddenField()
    check = SubmitField(_l("Show the corrected plan"))
    apply = SubmitField(_l("Apply the plan"))


class TranslationForm(FlaskForm):
    language = SelectField(_l("Language of the translation"), validate_choice=False)
    file = FileField(_FILE_LABEL, validators=[FileRequired(_l("Choose a file to upload."))])


class ConfirmTranslationForm(FlaskForm):
    token = HiddenField()
