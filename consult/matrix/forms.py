from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField

from consult.web.forms import override_reason_field


class ImportForm(FlaskForm):
    organization = SelectField(_l("Delegation the comments are from"), validate_choice=False)
    file = FileField(
        _l("Filled template or Word table (.xlsx or .docx)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


class PublishCompilationForm(FlaskForm):
    override_reason = override_reason_field()
