from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from consult.models.comments import COMMENT_KINDS, DISPOSITIONS
from consult.web.forms import UN_LANGUAGE_NAMES, ManyOptionsSelect, MarkdownField, choices


class CommentForm(FlaskForm):
    kind = RadioField(_l("Kind of comment"), choices=choices(COMMENT_KINDS), default="general")
    quote = TextAreaField(_l("Passage you comment on (optional)"), validators=[Optional(), Length(max=5000)])
    body = MarkdownField(_l("Comment"), validators=[DataRequired()])
    proposed_text = TextAreaField(
        _l("Proposed text (for an amendment: the paragraph as you would have it read)"),
        validators=[Optional()],
    )


class NewCommentForm(CommentForm):
    language = SelectField(_l("Language of your comment"), choices=choices(UN_LANGUAGE_NAMES))
    # Choices: the groups of States the delegation belongs to (none: the field is not shown).
    on_behalf_of = SelectField(_l("Submitted by your delegation"), validate_choice=False, default="")
    co_signers = SelectMultipleField(
        _l("Delegations invited to co-sign it (a joint comment; optional)"),
        validate_choice=False,
        widget=ManyOptionsSelect(multiple=True),
    )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawing"), validators=[DataRequired(), Length(max=2000)])


class ObjectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Why your delegation objects to this answer"), validators=[DataRequired(), Length(max=5000)]
    )


class DispositionForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=choices(DISPOSITIONS))
    rationale = TextAreaField(_l("Rationale (required unless accepted)"), validators=[Optional(), Length(max=20000)])
    resolved_in_version = SelectField(_l("Resolved in version"), validate_choice=False)
    also_answer = SelectMultipleField(_l("Answer these the same way"), coerce=int, validate_choice=False)


class GroupForm(FlaskForm):
    comment_ids = SelectMultipleField(_l("Comments that make the same point"), coerce=int, validate_choice=False)
    label = StringField(_l("What they have in common"), validators=[Optional(), Length(max=300)])
