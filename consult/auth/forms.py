from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from consult.main.forms import language_choices
from consult.models.accounts import ROLES
from consult.web.forms import choices

# Left empty, the new account is mailed a link to choose its own password.
INITIAL_PASSWORD = _l("Initial password (optional)")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    # Filled by static/js/timezone.js from the browser; a first guess, used only while the account has none.
    timezone = HiddenField(render_kw={"data-timezone-guess": ""})


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=choices(ROLES))
    organization = SelectField(_l("Organization"), choices=[])
    locale = SelectField(_l("Language of their messages"), choices=language_choices, validators=[Optional()])
    password = PasswordField(INITIAL_PASSWORD, validators=[Optional(), Length(max=200)])


class DelegateForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    locale = SelectField(_l("Language of their messages"), choices=language_choices, validators=[Optional()])
    password = PasswordField(INITIAL_PASSWORD, validators=[Optional(), Length(max=200)])


class UserEditForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices(ROLES))
    organization = SelectField(_l("Organization"), choices=[])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("Temporary password"), validators=[DataRequired(), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two new passwords are not the same."))],
    )


class TwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The six digits your authenticator app shows now, or one of your recovery codes."),
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )
