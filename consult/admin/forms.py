from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Optional, ValidationError

from consult.validation import EARLIEST_YEAR, LATEST_YEAR


def _plausible_year(form, field) -> None:
    if field.data is not None and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(_l("Give a date between %(first)d and %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR))


class AuditFilterForm(FlaskForm):
    """The audit log's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    action = StringField(_l("Action"))
    user = StringField(_l("By"))
    since = DateField(_l("From"), name="from", validators=[Optional(), _plausible_year])
    until = DateField(_l("To"), name="to", validators=[Optional(), _plausible_year])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
