from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import ValidationError

from config import Config
from consult.web.forms import choices


def language_choices():
    from consult.web.templating import LANGUAGE_NAMES

    return choices((code, LANGUAGE_NAMES[code]) for code in Config.LANGUAGES)


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=language_choices)


def _valid_timezone(form, field):
    import zoneinfo

    if field.data not in zoneinfo.available_timezones():
        raise ValidationError(_l("Choose a time zone from the list."))


class SettingsForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=language_choices)
    timezone = SelectField(_l("Time zone"), validators=[_valid_timezone], validate_choice=False)
