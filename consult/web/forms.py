"""Form helpers shared by the blueprints."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import Select

from consult.drafts.services import MIN_OVERRIDE_REASON_LENGTH
from consult.errors import DomainError

# The six UN languages, each named in itself, in the order the UN lists them.
UN_LANGUAGE_NAMES = [
    ("ar", "العربية"),
    ("zh", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]


class MarkdownField(TextAreaField):
    """Text written in Markdown: the service renders it once, as sanitized HTML."""


class ManyOptionsSelect(Select):
    """A select of every delegation: its two hundred options written as plain strings. WTForms builds
    each option's attributes one by one, a third of the time a paragraph's page takes to render."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""  # before value, as WTForms sorts them
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{escape(choice.value)}">{label}</option>')  # noqa: S704  (escaped)


def override_reason_field() -> TextAreaField:
    """The reason to go ahead although comments are unanswered, its minimum length stated and checked on the form."""
    shortest = MIN_OVERRIDE_REASON_LENGTH
    too_short = _l("Explain the reason in at least %(count)d characters: it is kept on record.", count=shortest)
    return TextAreaField(
        _l("Reason to publish although comments are unanswered"),
        validators=[Optional(), Length(min=shortest, message=too_short), Length(max=2000)],
        description=_l("At least %(count)d characters; the reason is kept on record.", count=shortest),
    )


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state."""


def apply_errors(form: FlaskForm, error: DomainError) -> None:
    """Show a service's field errors on the form; the rest as a form-level error."""
    unplaced = []
    for field_name, messages in error.field_errors.items():
        field = getattr(form, field_name, None)
        if field is None:
            unplaced.extend(messages)
        else:
            field.errors = list(field.errors) + list(messages)
    if unplaced or not error.field_errors:
        form.form_errors.extend(unplaced or [str(error.message)])


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs or a mapping as WTForms select choices."""
    items = pairs.items() if hasattr(pairs, "items") else pairs
    return [SelectChoice(value, label) for value, label in items]


def organization_pairs() -> list[tuple[str, str]]:
    """(code, "Name (CODE)") of every organization, sorted by name in the reader's language."""
    from consult.extensions import db
    from consult.models import Organization
    from consult.models.accounts import organization_name, organization_sort_key

    organizations = sorted(db.session.scalars(db.select(Organization)), key=organization_sort_key)
    return [(o.code, f"{organization_name(o)} ({o.code})") for o in organizations]
