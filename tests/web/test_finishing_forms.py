"""Forms a person can finish: an error summary that names and links each error, stated limits on long fields,
and a release override reason whose minimum length is said before it is refused."""

from datetime import timedelta

from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from consult.comments.services import create_comment
from consult.extensions import db
from consult.models import Release
from consult.models.base import utcnow
from consult.web.forms import ManyOptionsSelect
from consult.web.templating import field_errors
from tests.conftest import login


def _with_unanswered_comment(world):
    document = world.document()
    world.release(document)
    kenya = world.user("focal_point", "KEN")
    comment = create_comment(kenya, document.sections[0], kind="general", body="Add housing.", submit=True)
    db.session.commit()
    return document, comment


def test_a_short_override_reason_is_refused_in_the_summary_linked_to_its_field(app, world):
    document, _ = _with_unanswered_comment(world)
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    page = f"/documents/{document.id}/releases/new"
    form = browser.get(page).get_data(as_text=True)
    assert "At least 10 characters; the reason is kept on record." in form
    assert 'minlength="10"' in form
    closes = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    response = browser.post(
        page, data={"label": "Second draft", "comments_close_at": closes, "override_reason": "x", "supersedes": "1"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary" role="alert" tabindex="-1" data-error-summary' in html
    assert (
        '<a href="#override_reason">Reason to publish although comments are unanswered: '
        "Explain the reason in at least 10 characters: it is kept on record.</a>"
    ) in html
    assert db.session.scalar(db.select(db.func.count(Release.id))) == 1
    # Every error is listed, the missing label too, each linked to its own field.
    response = browser.post(page, data={"label": "", "comments_close_at": closes, "supersedes": "1"})
    assert '<a href="#label">Label: This field is required.</a>' in response.get_data(as_text=True)


def test_a_long_field_states_its_limit_and_the_summary_links_the_empty_reason(app, world):
    _, comment = _with_unanswered_comment(world)
    browser = app.test_client()
    login(browser, world.user("focal_point", "KEN"))
    page = f"/comments/{comment.id}/withdraw"
    form = browser.get(page).get_data(as_text=True)
    assert 'data-counter-for="reason"' in form and "Up to 2,000 characters." in form
    assert 'aria-describedby="reason-limit"' in form
    response = browser.post(page, data={"reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#reason">Reason for withdrawing: This field is required.</a>' in html
    assert 'aria-describedby="reason-limit reason-error"' in html
    db.session.refresh(comment)
    assert comment.status == "submitted"


def test_a_hidden_field_error_is_listed_without_a_link_and_nested_rows_link_their_own_fields(app):
    class Row(Form):
        text = StringField("Conclusion")

    class Outcome(Form):
        token = HiddenField()
        choice = RadioField("Format", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
        rows = FieldList(FormField(Row), min_entries=2)

    form = Outcome()
    form.token.errors = ["The form is out of date."]
    form.choice.errors = ["Choose one."]
    form.rows[1].text.errors = ["Too long."]
    form.rows.errors = [{}, {"text": ["Too long."]}, "Give at least one row."]
    assert field_errors(form) == [
        (None, "Token", "The form is out of date."),
        ("choice-0", "Format", "Choose one."),
        (None, "Rows", "Give at least one row."),
        ("rows-1-text", "Conclusion", "Too long."),
    ]


def test_the_list_of_every_delegation_renders_as_wtforms_would(app):
    """The co-signers' select writes its options itself (for speed): the same HTML, names escaped."""

    class Invite(Form):
        co_signers = SelectMultipleField(widget=ManyOptionsSelect(multiple=True))

    form = Invite(data={"co_signers": ["CIV"]})
    form.co_signers.choices = [
        SelectChoice("KEN", "Kenya"),
        SelectChoice("CIV", "Côte d'Ivoire <&>"),
        SelectChoice('X"Y', ""),
        SelectChoice("FRA", "France", render_kw={"lang": "fr"}),
    ]
    html = form.co_signers()
    assert html == Select(multiple=True)(form.co_signers)
    assert '<option selected value="CIV">Côte d&#39;Ivoire &lt;&amp;&gt;</option>' in html
