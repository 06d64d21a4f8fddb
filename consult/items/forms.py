from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from consult.items.services import PRIORITY_GROUPS
from consult.web.forms import MarkdownField, choices


class ItemForm(FlaskForm):
    number = StringField(
        _l("Number as printed"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("For example “a” or “10(b)”."),
    )
    title = StringField(_l("Short title"), validators=[DataRequired(), Length(max=300)])
    body = MarkdownField(_l("Wording (Markdown)"), validators=[DataRequired()])


class PriorityForm(ItemForm):
    group = SelectField(_l("Group"), choices=choices(PRIORITY_GROUPS))


class LinksForm(FlaskForm):
    related = SelectMultipleField(_l("Paragraphs of the draft that answer it"), coerce=int, validate_choice=False)
