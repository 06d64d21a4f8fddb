from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.forms import choices
from consult.models.comments import COMMENT_KINDS


class CommentForm(FlaskForm):
    kind = RadioField(_l("Kind of comment"), choices=choices(COMMENT_KINDS), default="general")
    quote = TextAreaField(_l("Passage you comment on (optional)"), validators=[Optional(), Length(max=5000)])
    body = TextAreaField(_l("Comment"), validators=[DataRequired()])
    proposed_text = TextAreaField(
        _l("Proposed text (for an amendment: the paragraph as you would have it read)"),
        validators=[Optional()],
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[DataRequired(), Length(max=2000)])
