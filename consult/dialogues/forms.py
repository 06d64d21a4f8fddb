from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from consult.models.dialogues import CONSTITUENCIES, DIALOGUE_FORMATS
from consult.web.forms import MarkdownField, choices

BLANK_ROWS = 3
MAX_CONCLUSIONS = 100  # rows a form takes: more are not read


class AgendaItemForm(Form):
    title = StringField(_l("Agenda item"), validators=[Optional(), Length(max=300)])
    section_ids = SelectMultipleField(_l("Discusses"), coerce=int, validate_choice=False)


class DialogueForm(FlaskForm):
    # The row version the form was filled from: a save over someone else's change is refused.
    version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    constituency = SelectField(
        _l("Constituency"), choices=choices([("", _l("— choose —")), *CONSTITUENCIES.items()]), validate_choice=False
    )
    format = SelectField(_l("Format"), choices=choices(DIALOGUE_FORMATS))
    timezone = SelectField(_l("Time zone of the venue"), validate_choice=False)
    starts_at = DateTimeLocalField(_l("Starts (local time at the venue)"), validators=[DataRequired()])
    ends_at = DateTimeLocalField(_l("Ends (local time at the venue)"), validators=[Optional()])
    place = StringField(_l("Place, or “online”"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    participants = SelectMultipleField(_l("Participating organizations"), validate_choice=False)
    agenda = FieldList(FormField(AgendaItemForm), min_entries=BLANK_ROWS)


class ConclusionForm(Form):
    text = MarkdownField(_l("Conclusion"), validators=[Optional()])
    section_ids = SelectMultipleField(_l("Concerns"), coerce=int, validate_choice=False)


class OutcomeForm(FlaskForm):
    version = HiddenField()  # of the outcome the form was filled from, 0 when there was none
    summary = MarkdownField(_l("Summary (Markdown)"), validators=[Optional()])
    conclusions = FieldList(FormField(ConclusionForm), min_entries=1, max_entries=MAX_CONCLUSIONS)
