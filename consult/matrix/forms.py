from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional


class ImportForm(FlaskForm):
    organization = SelectField(_l("Delegation the comments are from"), validate_choice=False)
    file = FileField(
        _l("Filled template or Word table (.xlsx or .docx)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


class PublishCompilationForm(FlaskForm):
    override_reason = TextAreaField(
        _l("Reason to publish although comments are unanswered"), validators=[Optional(), Length(max=2000)]
    )
