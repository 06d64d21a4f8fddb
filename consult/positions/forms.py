from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class MemberForm(FlaskForm):
    member = SelectField(_l("State"), validate_choice=False)
    valid_from = DateField(_l("Member from (day included; empty: today)"), validators=[Optional()])
    source = StringField(
        _l("Where it is written (the group's list, a decision …)"), validators=[DataRequired(), Length(max=500)]
    )


class EndMembershipForm(FlaskForm):
    valid_to = DateField(_l("Last day as a member (empty: today)"), validators=[Optional()])
