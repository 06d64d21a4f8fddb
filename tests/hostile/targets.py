"""Every request that changes something, what it takes, and where what it stores is shown.

test_every_changing_route_is_a_target checks this table against the app's URL map, so a
new POST, PUT or PATCH route fails the suite until it is listed here. The fields each
request takes, and their kinds, are read from the form a page's route reads or from the
schema of an API operation's body (tests/hostile/fields.py): a new field is fuzzed as it is
added. What a target gives beyond that: valid data, the files that carry payloads, and the
pages that show what was stored.
"""

import functools
import io
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from xml.sax.saxutils import escape

import docx
import openpyxl
import pyotp
from sqlalchemy import select

from consult.account.forms import PasswordForm, TokenForm, TwoFactorSetupForm
from consult.auth import two_factor
from consult.auth.forms import (
    DelegateForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetForm,
    TwoFactorForm,
    UserEditForm,
    UserForm,
)
from consult.auth.recovery import password_link
from consult.auth.services import start_session
from consult.comments import proposed_answers
from consult.comments import services as comments
from consult.comments.forms import (
    CommentForm,
    DispositionForm,
    GroupForm,
    NewCommentForm,
    ObjectionForm,
    WithdrawForm,
)
from consult.dialogues.forms import DialogueForm, OutcomeForm
from consult.dialogues.services import save_outcome
from consult.drafts import structure
from consult.drafts.forms import ImportForm as DocumentImportForm
from consult.drafts.forms import (
    InsertSectionForm,
    MoveSectionForm,
    ReleaseForm,
    RetireSectionForm,
    RevisionForm,
    WindowForm,
)
from consult.drafts.forms import TranslationForm as TranslateForm
from consult.drafts.import_forms import ConfirmTranslationForm, NextDraftForm, TranslationForm
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.items.forms import ItemForm, LinksForm, PriorityForm
from consult.main.forms import LanguageForm, SettingsForm
from consult.matrix.forms import ConfirmImportForm, PublishCompilationForm
from consult.matrix.forms import ImportForm as CommentImportForm
from consult.models import (
    Alignment,
    AnswerReaction,
    ApiToken,
    Comment,
    CoSignature,
    Dialogue,
    Document,
    GroupMembership,
    Milestone,
    RecoveryCode,
    Section,
    SectionTranslation,
)
from consult.models.base import utcnow
from consult.notifications import services as notifications
from consult.positions import services as positions
from consult.positions.forms import EndMembershipForm, MemberForm
from consult.roadmap.forms import MilestoneForm
from tests.conftest import PASSWORD
from tests.hostile.checks import hidden_value
from tests.hostile.fields import Field, Upload, body_schema, form_fields_of, schema_fields_of
from tests.hostile.payloads import (
    CHOICE_SAMPLE,
    DATES,
    IDS,
    ISO_DATETIMES,
    JSON_VALUES,
    LOCAL_DATETIMES,
    MARKDOWN_ONLY,
    RAW,
    RAW_SAMPLE,
    TEXT,
    form_value,
)


@dataclass(frozen=True)
class Target:
    endpoint: str
    method: str
    user: str | None  # key of Scene.users; None: signed out
    form: type | None = None  # a page: the form its route reads (an API operation: the schema of its body)
    extra: tuple[Field, ...] = ()  # what the route reads besides its form
    uploads: tuple[Field, ...] = ()  # for a file field: the uploads that carry the payloads
    kinds: dict = field(default_factory=dict, hash=False)  # a kind the field's class does not tell
    url: Callable = lambda scene: {}  # URL values; may make a fresh object for a one-time action
    data: Callable = lambda scene, values: {}  # valid values for every field
    state: Callable | None = None  # what a refused request must leave as it was
    shows: Callable = lambda scene: []  # (viewer, URL) of the pages that show what was stored
    after: Callable | None = None  # the next step of a flow, on success

    @property
    def api(self) -> bool:
        return self.endpoint.startswith("api.")

    def json(self, app) -> bool:
        """Whether the request is a JSON body (an API operation that takes no file)."""
        body = body_schema(app.view_functions[self.endpoint]) if self.api else None
        return self.api and (body is None or body[0] == "json")

    def fields(self, app) -> tuple[Field, ...]:
        """The fields of the request, from the schema or form that reads them; a file field by
        the uploads given for it."""
        if self.api:
            body = body_schema(app.view_functions[self.endpoint])
            derived = schema_fields_of(body[1]) if body else []
        else:
            derived = form_fields_of(self.form) if self.form else []
        found = []
        for item in [*derived, *self.extra]:
            if item.kind == "upload":
                carriers = [upload for upload in self.uploads if upload.name == item.name]
                assert carriers, f"{self.label}: give the target uploads for its file field {item.name}"
                found += carriers
            else:
                found.append(Field(item.name, self.kinds.get(item.name, item.kind)))
        return tuple(found) or STRAY

    @property
    def label(self) -> str:
        return f"{self.method} {self.endpoint}"


STRAY = (Field("unexpected", "choice"),)  # for actions without fields: what if a client sends some anyway


def payloads(field: Field, json: bool) -> dict[str, object]:
    """The payloads a field gets: the whole corpus for free text, a sample of each kind otherwise.

    Raw bytes make a whole JSON body invalid wherever they are, so JSON_BODIES sends those once.
    """
    raw = {} if json else RAW
    sample = {name: TEXT[name] for name in CHOICE_SAMPLE} | {name: raw[name] for name in RAW_SAMPLE if name in raw}
    plain = {name: value for name, value in TEXT.items() if name not in MARKDOWN_ONLY}
    chosen = {
        "markdown": TEXT | raw,
        "text": plain | raw,
        "choice": sample,
        "ids": IDS | sample,
        "datetime": (ISO_DATETIMES if json else LOCAL_DATETIMES) | sample,
        "date": DATES | sample,
    }[field.kind]
    if json and not field.upload:
        chosen = chosen | {f"json_{name}": value for name, value in JSON_VALUES.items()}
    return chosen


# -- files whose contents carry the payload ------------------------------------------


def text_document(payload: str | bytes) -> Upload:
    """A draft to import whose first paragraph is the payload."""
    head = b"HSP/HOSTILE/1\n\nI. Introduction\n\n1. "
    return Upload("draft.md", head + form_value(payload) + b"\n\n2. A second paragraph.\n")


def _patched(data: bytes, member: str, payload: str | bytes) -> bytes:
    """The Office file with its placeholder replaced by the payload, as raw bytes in the XML."""
    value = payload if isinstance(payload, bytes) else escape(payload).encode("utf-8", "surrogatepass")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == member:
                content = content.replace(b"@@PAYLOAD@@", value)
            target.writestr(item, content)
    return out.getvalue()


HEADERS = ("Paragraph number", "Kind", "Comment", "Proposed text")


@functools.cache
def _workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["2", "Amendment (proposed text)", "@@PAYLOAD@@", "@@PAYLOAD@@"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def _word_table() -> bytes:
    document = docx.Document()
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, HEADERS, strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["2", "General comment", "@@PAYLOAD@@", ""], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_cells(payload: str | bytes) -> Upload:
    """A filled comment template whose comment and proposed-text cells hold the payload."""
    return Upload("comments.xlsx", _patched(_workbook(), "xl/sharedStrings.xml", payload))


def docx_cells(payload: str | bytes) -> Upload:
    """A Word table of comments whose comment cell holds the payload."""
    return Upload("comments.docx", _patched(_word_table(), "word/document.xml", payload))


def xlsx_named(payload: str | bytes) -> Upload:
    """A valid filled template uploaded under the payload as its file name."""
    return Upload(payload, xlsx_cells("A comment.").content)


@functools.cache
def _word_draft() -> bytes:
    document = docx.Document()
    document.add_paragraph("Introduction", style="Heading 1")
    document.add_paragraph("1. @@PAYLOAD@@")
    document.add_paragraph("2. A second paragraph.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def word_document(payload: str | bytes) -> Upload:
    """A Word draft to import whose first paragraph is the payload."""
    return Upload("draft.docx", _patched(_word_draft(), "word/document.xml", payload))


def document_named(payload: str | bytes) -> Upload:
    return Upload(payload, text_document("A paragraph.").content)


def translated_document_named(payload: str | bytes) -> Upload:
    return Upload(payload, translated_document("Le premier paragraphe pour les États.").content)


def translated_document(payload: str | bytes) -> Upload:
    """A French translation of the scene's document whose first paragraph is the payload."""
    head = b"I. Introduction\n\n1. "
    tail = (
        "\n\n2. Le secrétariat propose les principes suivants.\n\n3. Le secrétariat fera la synthèse des dialogues.\n"
    )
    return Upload("traduction.md", head + form_value(payload) + tail.encode())


# -- URL values and valid data ------------------------------------------------------------


def _local_time(days: int = 10) -> str:
    return (utcnow() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _iso_time(days: int = 10) -> str:
    return (utcnow() + timedelta(days=days)).isoformat()


def _unique_email() -> str:
    return f"person-{utcnow().timestamp()}@example.org".replace(".", "-", 1)


def _section(scene) -> dict:
    return {"section_id": scene.section.id}


def _fresh_membership(scene) -> dict:
    membership = GroupMembership(group=positions.get_group("AG"), member=scene.users["focal_fra"].organization)
    db.session.add(membership)
    db.session.commit()
    return {"code": "AG", "membership_id": membership.id}


def _group_pages(scene) -> list:
    return [(viewer, scene.url("positions.group", code="AG")) for viewer in ("secretariat", "focal")] + [
        ("focal", scene.url("positions.index"))
    ]


def _document(scene) -> dict:
    return {"document_id": scene.document.id}


def _fresh_document(scene) -> dict:
    """A document of its own for each next draft applied: the scene's keeps its sections."""
    return {"document_id": scene.world.document(slug=scene.consultation.slug).id}


def _slug(scene) -> dict:
    return {"slug": scene.consultation.slug}


def _submitted(scene) -> dict:
    return {"comment_id": scene.submitted.id}


def _fresh_draft(scene) -> dict:
    return {"comment_id": scene.new_comment("delegate").id}


def _fresh_submitted(scene) -> dict:
    return {"comment_id": scene.new_comment("focal", submit=True).id}


def _fresh_invitation(scene, *, signed: bool = False, aligned: bool = False) -> dict:
    """A comment of Kenya's, submitted, inviting France to co-sign it (which it has done, if ``signed``;
    France aligned itself with it instead, if ``aligned``)."""
    comment = comments.create_comment(
        scene.users["focal"], scene.section, kind="general", body="Joint.", co_signers=["FRA"], submit=True
    )
    if signed:
        positions.cosign(scene.users["focal_fra"], comment)
    if aligned:
        positions.align(scene.users["focal_fra"], comment)
    db.session.commit()
    return {"comment_id": comment.id}


def _proposed_answer(scene, *, shared: bool = True) -> dict:
    """A comment of Kenya's on a release of its own that proposes answers, its answer proposed
    (and shared with Kenya, if ``shared``)."""
    document = scene.world.document(slug=scene.consultation.slug)
    release = publish_release(
        None, document, label="Proposing", comments_close_at=utcnow() + timedelta(days=30), propose_answers=True
    )
    comment = comments.create_comment(
        scene.users["focal"], document.sections[1], kind="general", body="Answer me.", submit=True
    )
    comments.record_disposition(scene.users["editor"], comment, disposition="noted", rationale="Seen.")
    if shared:
        proposed_answers.share_answers(scene.users["secretariat"], release)
    db.session.commit()
    return {"comment_id": comment.id, "document_id": document.id, "number": release.number}


def _answer_step(scene, step: str) -> dict:
    values = _proposed_answer(scene, shared=step == "finalize")
    return {"document_id": values["document_id"], "step": step, "release": values["number"]}


def _reaction_state(scene, values):
    comment = db.session.get(Comment, values["comment_id"])
    db.session.refresh(comment)
    return comment.answer_stage, tuple(
        db.session.scalars(select(AnswerReaction.reaction).where(AnswerReaction.comment_id == comment.id))
    )


def _co_signature_state(scene, values):
    return tuple(db.session.scalars(select(CoSignature.status).where(CoSignature.comment_id == values["comment_id"])))


def _alignment_state(scene, values):
    return tuple(db.session.scalars(select(Alignment.status).where(Alignment.comment_id == values["comment_id"])))


def _co_signing_views(scene) -> list:
    return _comment_views(scene) + [("focal_fra", scene.url("comments.delegation"))]


def _fresh_pair(scene) -> list[int]:
    return [scene.new_comment("focal", submit=True).id, scene.new_comment("focal_fra", submit=True).id]


def _fresh_section(scene) -> dict:
    """A paragraph inserted for the occasion: each can be retired once."""
    section = structure.insert_section(scene.users["editor"], scene.document, after=None, body="A paragraph to retire.")
    db.session.commit()
    return {"section_id": section.id}


def _translation(scene) -> dict:
    return {"section_id": scene.section.id, "language": "fr"}


def _fresh_token(scene) -> dict:
    scene.world.token(scene.users["focal"])
    newest = select(ApiToken.id).where(ApiToken.user_id == scene.users["focal"].id).order_by(ApiToken.id.desc())
    return {"token_id": db.session.scalars(newest).first()}


def _fresh_dialogue_with_draft_outcome(scene) -> dict:
    dialogue = scene.new_dialogue()
    save_outcome(scene.users["secretariat"], dialogue, summary="Draft outcome.", conclusions=[])
    db.session.commit()
    return {"dialogue_id": dialogue.id}


# -- what must survive a refused request --------------------------------------------------


def _comment_state(scene, values):
    comment = db.session.get(Comment, values["comment_id"])
    return (
        comment.kind,
        comment.body,
        comment.proposed_text,
        comment.quote,
        comment.status,
        comment.withdrawal_reason,
        comment.disposition,
        comment.rationale,
        comment.resolved_in_version_id,
        len(comment.revisions),
        len(comment.disposition_history),
    )


def _section_state(scene, values):
    section = db.session.get(Section, values["section_id"])
    return section.latest_version, [(v.number, v.body, v.change_note) for v in section.versions]


def _structure_state(scene, values):
    document = db.session.get(Document, values["document_id"])
    sections = [(s.id, s.position, s.latest_version, s.retired_at) for s in document.sections]
    translated = select(db.func.count(SectionTranslation.id)).join(Section).where(Section.document_id == document.id)
    return sections, db.session.scalar(translated)


def _working_draft_state(scene, values):
    document = db.session.get(Document, scene.document.id)
    return [(s.id, s.position, s.chapter, s.retired_at, s.retired_reason) for s in document.sections]


def _translation_state(scene, values):
    rows = db.session.scalars(select(SectionTranslation).where(SectionTranslation.section_id == values["section_id"]))
    return [(row.language, row.version_id, row.body, row.heading, row.chapter) for row in rows]


def _release_state(scene, values):
    return [(r.number, r.label, r.comments_close_at) for r in db.session.get(Document, values["document_id"]).releases]


def _milestone_state(scene, values):
    m = db.session.get(Milestone, values["milestone_id"])
    return (m.title, m.kind, m.starts_on, m.ends_on, m.place, m.description, m.postponed)


def _dialogue_state(scene, values):
    d = db.session.get(Dialogue, values["dialogue_id"])
    outcome = d.outcome
    return (
        d.title,
        d.constituency,
        d.format,
        d.timezone,
        d.starts_at,
        d.ends_at,
        d.place,
        d.description,
        [(item.title, [s.id for s in item.sections]) for item in d.agenda],
        sorted((p.organization.code, p.attended) for p in d.participants),
        outcome and (outcome.summary, [c.text for c in outcome.conclusions], len(outcome.revisions)),
    )


def _links_state(scene, values):
    return [s.id for s in db.session.get(Section, values["section_id"]).related]


def _group_state(scene, values):
    return sorted(
        (c.id, c.group_id, c.disposition, c.rationale)
        for c in db.session.scalars(select(Comment).where(Comment.section_id == scene.section.id))
    )


def _delegate(scene) -> dict:
    return {"user_id": scene.users["delegate"].id}


def _delegate_state(scene, values):
    user = scene.users["delegate"]
    return user.name, user.role, user.organization_id, user.password_hash, user.active


def _fresh_device(scene) -> dict:
    user_session = start_session(scene.users["editor"], address="192.0.2.1", user_agent="Phone")
    db.session.commit()
    return {"session_id": user_session.id}


def _second_step_pending(scene) -> dict:
    """A signed-out browser whose password step just succeeded for an account with two-step sign-in."""
    user = scene.world.user("observer", key="two-step")
    if not user.two_factor_on:
        secret = two_factor.new_secret()
        two_factor.turn_on(user, secret, pyotp.TOTP(secret).now())
        db.session.commit()
    with scene.client(None).session_transaction() as session:
        session["two_factor"] = {"user": user.id, "since": int(time.time()), "next": None}
    return {}


def _two_step_state(scene, values):
    user = scene.world.user("observer", key="two-step")
    codes = db.session.scalars(select(RecoveryCode.used_at).where(RecoveryCode.user_id == user.id)).all()
    return user.totp_last_step, codes


def _reset_link(scene) -> dict:
    user = scene.world.user("observer", key="forgetful")
    return {"token": password_link(user, "password_reset").rsplit("/", 1)[1]}


def _forgetful_state(scene, values):
    return scene.world.user("observer", key="forgetful").password_hash


def _upcoming_dialogue(scene) -> dict:
    dialogue = scene.new_dialogue()
    dialogue.starts_at = utcnow() + timedelta(days=10)
    dialogue.ends_at = dialogue.starts_at + timedelta(hours=2)
    db.session.commit()
    return {"dialogue_id": dialogue.id}


def _preferences_state(scene, values):
    return sorted(notifications.preferences(scene.users["focal"]).items())


def _user_state(scene, values):
    user = scene.users["observer"]
    return user.locale, user.timezone


# -- where stored text is shown -----------------------------------------------------------

VIEWERS = ("secretariat", "focal_fra", "observer")  # UTC-5, UTC+14 and UTC-11


def _section_pages(scene, viewer="secretariat") -> list:
    total = db.session.scalar(select(db.func.count(Comment.id)).where(Comment.section_id == scene.section.id))
    pages = -(-total // 50)
    return [
        (viewer, scene.url("drafts.section", section_id=scene.section.id, page=page)) for page in range(1, pages + 1)
    ]


def _comment_pages(scene, viewer="secretariat") -> list:
    """Each comment on the section, seen by the viewer or, for a draft, by its delegation."""
    found = db.session.execute(select(Comment.id, Comment.status).where(Comment.section_id == scene.section.id))
    return [
        ("focal" if status == "draft" else viewer, scene.url("comments.show", comment_id=comment_id))
        for comment_id, status in found
    ]


def _matrix(scene) -> list:
    document_id = scene.document.id
    views = [("secretariat", scene.url("matrix.page", document_id=document_id, page=page)) for page in (1, 2, 3)]
    views += [
        ("secretariat", scene.url("matrix.download", document_id=document_id, extension=e))
        for e in ["xlsx", "docx", "csv"]
    ]
    views += [("secretariat", scene.url("api.matrix_rows", document_id=document_id))]
    views += [("secretariat", scene.url("matrix.dashboard", document_id=document_id))]
    return views


def _search(scene) -> list:
    views = []
    for query, viewer in (("alert", "secretariat"), ("javascript", "focal")):  # most payloads hold one of these
        views += [(viewer, scene.url("search.index", q=query)), (viewer, scene.url("api.search", q=query))]
    return views


def _document_views(scene, document_id=None) -> list:
    document_id = document_id or scene.document.id
    views = [(v, scene.url("drafts.document", document_id=document_id)) for v in VIEWERS]
    views += [("secretariat", scene.url("drafts.document", document_id=document_id, view="working"))]
    views += [("secretariat", scene.url("api.document", document_id=document_id))]
    views += [("secretariat", scene.url("drafts.compare_releases", document_id=document_id))]
    return views


def _translated_views(scene) -> list:
    section_id, document_id = scene.section.id, scene.document.id
    views = [(v, scene.url("drafts.section", section_id=section_id, lang="fr")) for v in VIEWERS]
    views += [("editor", scene.url("drafts.section", section_id=section_id, lang="en", beside="fr"))]
    views += [("focal", scene.url("drafts.document", document_id=document_id, lang="fr"))]
    views += [("secretariat", scene.url("drafts.document", document_id=document_id, view="working", lang="fr"))]
    views += [("editor", scene.url("drafts.translate", section_id=section_id, language="fr"))]
    views += [("secretariat", scene.url("drafts.compare_releases", document_id=document_id, lang="fr"))]
    return views + _search(scene)


def _structure_views(scene) -> list:
    document_id = scene.document.id
    views = _document_views(scene)
    views += [("editor", scene.url("drafts.document", document_id=document_id, view="working"))]
    views += [("editor", scene.url("drafts.insert_section", document_id=document_id))]
    views += [("editor", scene.url("drafts.move_section", section_id=scene.section.id))]
    views += [("secretariat", scene.url("dialogues.create", slug=scene.consultation.slug))]
    views += [("editor", scene.url("priorities.links", section_id=scene.priority.id))]
    return views + _search(scene)


def _roadmap(scene) -> list:
    slug = scene.consultation.slug
    views = [(v, scene.url("roadmap.timeline", slug=slug)) for v in VIEWERS]
    views += [(None, scene.url("roadmap.calendar", slug=slug)), ("secretariat", scene.url("api.milestones", slug=slug))]
    return views


def _versions(scene) -> list:
    section = db.session.get(Section, scene.section.id)
    views = []
    for version in section.versions:
        views.append(("editor", scene.url("drafts.section", section_id=section.id, version=version.number)))
        if version.number % 2 == 0:  # a diff shows two versions
            pair = {"from": version.number - 1, "to": version.number}
            views.append(("editor", scene.url("drafts.section_diff", section_id=section.id, **pair)))
    views.append(("editor", scene.url("api.section", section_id=section.id)))
    views.append(("editor", scene.url("drafts.revise", section_id=section.id)))
    return views


def _dialogue_views(scene) -> list:
    slug = scene.consultation.slug
    ids = db.session.scalars(select(Dialogue.id).where(Dialogue.consultation_id == scene.consultation.id))
    views = [(v, scene.url("dialogues.index", slug=slug)) for v in VIEWERS]
    views += [("secretariat", scene.url("api.dialogue_list", slug=slug))]
    # Each dialogue's page, in turn in each viewer's time zone.
    views += [(VIEWERS[i % 3], scene.url("dialogues.show", dialogue_id=d)) for i, d in enumerate(ids)]
    views += [("secretariat", scene.url("api.dialogue", dialogue_id=scene.dialogue.id))]
    views += [("secretariat", scene.url("dialogues.edit", dialogue_id=scene.dialogue.id))]
    views += [(v, scene.url("dialogues.synthesis", section_id=scene.section.id)) for v in ("secretariat", "focal")]
    views += [("focal", scene.url("api.section", section_id=scene.section.id))]
    views += _section_pages(scene, "focal")
    return views + _roadmap(scene) + _search(scene)


def _item_views(scene, kind: str) -> list:
    slug = scene.consultation.slug
    index, show, api = {
        "principles": ("principles.index", "principles.show", "api.principles"),
        "priorities": ("priorities.index", "priorities.show", "api.priorities"),
    }[kind]
    document = db.session.scalar(
        select(Document).where(
            Document.consultation_id == scene.consultation.id,
            Document.kind == ("guiding_principles" if kind == "principles" else "priority_statements"),
        )
    )
    views = [("secretariat", scene.url(index, slug=slug)), ("secretariat", scene.url(api, slug=slug))]
    views += [("secretariat", scene.url(show, section_id=s.id)) for s in document.sections]
    views += [("secretariat", scene.url("drafts.document", document_id=document.id))]
    # The dialogue form offers every paragraph, principle and priority as an agenda choice.
    views += [("secretariat", scene.url("dialogues.create", slug=slug))]
    return views


def _imported_documents(scene) -> list:
    views = [("secretariat", scene.url("drafts.consultation", slug=scene.consultation.slug))]
    for document in db.session.scalars(select(Document).where(Document.consultation_id == scene.consultation.id)):
        views.append(("secretariat", scene.url("drafts.document", document_id=document.id, view="working")))
    return views


def _comment_views(scene) -> list:
    # The section pages show every comment with the same template as a comment's own page.
    own_pages = [(v, scene.url("comments.show", comment_id=scene.submitted.id)) for v in ("secretariat", "focal")]
    return (
        _section_pages(scene)
        + _section_pages(scene, "focal")
        + own_pages
        + [("focal", scene.url("comments.delegation")), ("delegate", scene.url("comments.delegation"))]
        + [("focal", scene.url("api.section_comments", section_id=scene.section.id, per_page=200))]
        + _matrix(scene)
        + _search(scene)
    )


# -- after a successful step ---------------------------------------------------------------


def apply_plan(scene, client, response, headers) -> None:
    """A previewed next draft is applied as proposed: its text then shows in the working draft."""
    page = response.get_data(as_text=True)
    token = hidden_value(page, "token")
    if token is None:
        return None
    continues = dict(re.findall(r'name="(continues-\d+)"[^>]*value="([^"]*)"', page))
    data = {"token": token, "paragraphs": hidden_value(page, "paragraphs"), "apply": "1", **continues}
    return client.post(f"{response.request.path}/apply", data=data)


def confirm_translation(scene, client, response, headers) -> None:
    token = hidden_value(response.get_data(as_text=True), "token")
    if token is not None:
        url = scene.url("drafts.confirm_translation", document_id=scene.document.id)
        return client.post(url, data={"token": token})
    return None


def confirm_import(scene, client, response, headers) -> None:
    """A preview that can be imported is imported: its rows then show everywhere."""
    payload = hidden_value(response.get_data(as_text=True), "payload")
    if payload is not None:
        url = scene.url("matrix.confirm_import", document_id=scene.document.id)
        return client.post(url, data={"payload": payload})
    return None


# -- the table -----------------------------------------------------------------------------

COMMENT_DATA = {"kind": "amendment", "quote": "Quoted passage", "body": "A comment.", "proposed_text": "New text."}
MILESTONE_DATA = {"title": "Board", "kind": "board_session", "starts_on": "2026-06-01", "place": "Nairobi"}
DOCUMENT_UPLOADS = (
    Field("file", "markdown", upload=text_document),
    Field("file", "markdown", upload=word_document),
    Field("file", upload=document_named),
)
COMMENT_UPLOADS = (
    Field("file", "markdown", upload=xlsx_cells),
    Field("file", "markdown", upload=docx_cells),
    Field("file", upload=xlsx_named),
)


def _dialogue_form(scene, values):
    return {
        "title": "Dialogue",
        "constituency": "member_states",
        "format": "online",
        "timezone": "Africa/Nairobi",
        "starts_at": _local_time(20),
        "place": "Online",
        "participants": ["KEN"],
        "agenda-0-title": "Principles",
        "agenda-0-section_ids": [str(scene.section.id)],
    }


def _dialogue_edit_form(scene, values):
    # The scene's dialogue has a published outcome: it cannot be moved to the future.
    return {**_dialogue_form(scene, values), "starts_at": _local_time(-3)}


def _item_form(scene, values):
    return {"number": "z", "title": "A title", "body": "A *wording*.", "group": "entry_points"}


TARGETS: list[Target] = [
    # -- accounts and preferences
    Target(
        "auth.login",
        "POST",
        None,
        LoginForm,
        data=lambda scene, values: {"email": scene.users["focal"].email, "password": "not the password"},
    ),
    Target("auth.logout", "POST", "editor"),
    Target(
        "admin.users",
        "POST",
        "admin",
        UserForm,
        data=lambda scene, values: {
            "name": "New Person",
            "email": _unique_email(),
            "password": PASSWORD,
            "role": "observer",
            "organization": "",
        },
        shows=lambda scene: [("admin", scene.url("admin.users"))],
    ),
    Target(
        "admin.delegation",
        "POST",
        "focal",
        DelegateForm,
        data=lambda scene, values: {"name": "New Delegate", "email": _unique_email(), "password": PASSWORD},
        shows=lambda scene: [("focal", scene.url("admin.delegation"))],
    ),
    Target(
        "account.tokens",
        "POST",
        "focal",
        TokenForm,
        data=lambda scene, values: {"name": "Laptop"},
        shows=lambda scene: [("focal", scene.url("account.tokens")), ("admin", scene.url("admin.users"))],
    ),
    Target("account.revoke", "POST", "focal", url=_fresh_token),
    Target(
        "account.password",
        "POST",
        "observer",
        PasswordForm,
        data=lambda scene, values: {
            "current_password": PASSWORD,
            "new_password": "a new password of mine",
            "confirm": "a new password of mine",
        },
        state=lambda scene, values: scene.users["observer"].password_hash,
    ),
    Target(
        "auth.two_factor",
        "POST",
        None,
        TwoFactorForm,
        url=_second_step_pending,
        data=lambda scene, values: {"code": "000000"},
        state=_two_step_state,
    ),
    Target(
        "auth.reset",
        "POST",
        None,
        ForgotPasswordForm,
        data=lambda scene, values: {"email": scene.users["focal"].email},
    ),
    Target(
        "auth.reset_with_token",
        "POST",
        None,
        NewPasswordForm,
        url=_reset_link,
        data=lambda scene, values: {"password": "a password to remember", "confirm": "a password to remember"},
        state=_forgetful_state,
    ),
    Target(
        "account.two_factor",
        "POST",
        "observer",
        TwoFactorSetupForm,
        data=lambda scene, values: {"code": "123456"},
        state=lambda scene, values: (scene.users["observer"].totp_secret, scene.users["observer"].totp_enabled_at),
    ),
    Target(
        "account.two_factor_off",
        "POST",
        "two_step",
        extra=(Field("off-password"),),
        data=lambda scene, values: {"off-password": "not the password"},
    ),
    Target(
        "account.recovery_codes",
        "POST",
        "two_step",
        extra=(Field("replace-password"),),
        data=lambda scene, values: {"replace-password": "not the password"},
    ),
    Target(
        "account.notification_preferences",
        "POST",
        "focal",
        extra=tuple(
            Field(kind, "choice")
            for kind in ("release", "reminder", "review", "disposition", "alignment", "invitation", "outcome")
        ),
        data=lambda scene, values: {
            "release": "daily",
            "reminder": "immediately",
            "review": "never",
            "disposition": "immediately",
            "alignment": "daily",
            "invitation": "immediately",
            "outcome": "daily",
        },
        state=_preferences_state,
        shows=lambda scene: [("focal", scene.url("account.notification_preferences"))],
    ),
    Target("account.end_device_session", "POST", "editor", url=_fresh_device),
    Target("account.sign_out_everywhere_view", "POST", "editor"),
    Target(
        "admin.edit_user",
        "POST",
        "admin",
        UserEditForm,
        url=_delegate,
        data=lambda scene, values: {"name": "Renamed Delegate", "role": "delegate", "organization": "KEN"},
        state=_delegate_state,
        shows=lambda scene: [("admin", scene.url("admin.users")), ("focal", scene.url("admin.delegation"))],
    ),
    Target(
        "admin.reset_user_password",
        "POST",
        "focal",
        PasswordResetForm,
        url=_delegate,
        data=lambda scene, values: {"password": "a temporary password"},
        state=_delegate_state,
        shows=lambda scene: [("focal", scene.url("admin.delegation"))],
    ),
    Target("admin.deactivate_user", "POST", "focal", url=_delegate),
    Target("admin.reactivate_user", "POST", "secretariat", url=_delegate),
    Target(
        "main.set_language",
        "POST",
        "observer",
        LanguageForm,
        extra=(Field("next"),),
        data=lambda scene, values: {"locale": "ru", "next": "/search"},
        state=_user_state,
    ),
    Target(
        "main.settings",
        "POST",
        "observer",
        SettingsForm,
        data=lambda scene, values: {"locale": "ru", "timezone": "Pacific/Pago_Pago"},
        state=_user_state,
        shows=lambda scene: [("observer", scene.url("main.settings"))],
    ),
    # -- drafts, releases, revisions
    Target(
        "drafts.import_document",
        "POST",
        "secretariat",
        DocumentImportForm,
        uploads=DOCUMENT_UPLOADS,
        url=_slug,
        data=lambda scene, values: {
            "title": "Imported draft",
            "kind": "other",
            "language": "en",
            "file": text_document("A paragraph."),
        },
        shows=_imported_documents,
    ),
    Target(
        "drafts.publish_release",
        "POST",
        "secretariat",
        ReleaseForm,
        url=_document,
        data=lambda scene, values: {
            "label": "First draft",
            "comments_close_at": _local_time(),
            "override_reason": "Answers follow.",
        },
        state=_release_state,
        shows=lambda scene: _document_views(scene) + _roadmap(scene) + _matrix(scene),
    ),
    Target(
        "drafts.move_window",
        "POST",
        "secretariat",
        WindowForm,
        url=_document,
        data=lambda scene, values: {"comments_close_at": _local_time()},
        state=_release_state,
        shows=lambda scene: _document_views(scene) + _roadmap(scene) + _section_pages(scene, "focal_fra"),
    ),
    Target(
        "drafts.revise",
        "POST",
        "editor",
        RevisionForm,
        url=_section,
        data=lambda scene, values: {
            "body": "Revised text.",
            "change_note": "Clearer.",
            "base_version": str(db.session.get(Section, values["section_id"]).latest_version),
            "addresses": [str(scene.submitted.id)],
        },
        state=_section_state,
        shows=lambda scene: (
            _versions(scene)
            + _search(scene)
            + [("secretariat", scene.url("drafts.document", document_id=scene.document.id, view="working"))]
        ),
    ),
    Target(
        "drafts.import_next_draft",
        "POST",
        "editor",
        NextDraftForm,
        uploads=(Field("file", "markdown", upload=text_document), Field("file", upload=document_named)),
        url=_fresh_document,
        data=lambda scene, values: {"file": text_document("A paragraph.")},
        after=apply_plan,
        shows=lambda scene: _imported_documents(scene) + _search(scene),
    ),
    Target(
        "drafts.apply_next_draft",
        "POST",
        "editor",
        extra=(Field("token"), Field("paragraphs", "ids"), Field("continues-0"), Field("check", "choice")),
        url=_document,
        data=lambda scene, values: {"token": "A" * 43, "paragraphs": "1", "continues-0": "1", "apply": "1"},
        state=_structure_state,
    ),
    Target(
        "drafts.import_translation",
        "POST",
        "secretariat",
        TranslationForm,
        uploads=(
            Field("file", "markdown", upload=translated_document),
            Field("file", upload=translated_document_named),
        ),
        url=_document,
        data=lambda scene, values: {"language": "fr", "file": translated_document("Le premier paragraphe.")},
        after=confirm_translation,
        shows=lambda scene: _document_views(scene),
    ),
    Target(
        "drafts.confirm_translation",
        "POST",
        "secretariat",
        ConfirmTranslationForm,
        url=_document,
        data=lambda scene, values: {"token": "A" * 43},
        state=_structure_state,
    ),
    # -- the working draft's structure, translations
    Target(
        "drafts.insert_section",
        "POST",
        "editor",
        InsertSectionForm,
        url=_document,
        data=lambda scene, values: {"after": str(scene.section.id), "heading": "New", "body": "A new paragraph."},
        state=_working_draft_state,
        shows=_structure_views,
    ),
    Target(
        "drafts.move_section",
        "POST",
        "editor",
        MoveSectionForm,
        url=_section,
        data=lambda scene, values: {"after": "start"},
        state=_working_draft_state,
        shows=_structure_views,
    ),
    Target(
        "drafts.retire_section",
        "POST",
        "editor",
        RetireSectionForm,
        url=_fresh_section,
        data=lambda scene, values: {"reason": "Merged into another paragraph."},
        state=_working_draft_state,
        shows=_structure_views,
    ),
    Target(
        "drafts.translate",
        "POST",
        "editor",
        TranslateForm,
        url=_translation,
        data=lambda scene, values: {
            "body": "Un paragraphe traduit.",
            "heading": "Titre",
            "chapter": "Chapitre",
            "base_version": str(db.session.get(Section, values["section_id"]).latest_version),
        },
        state=_translation_state,
        shows=_translated_views,
    ),
    # -- comments
    Target(
        "comments.create",
        "POST",
        "delegate",
        NewCommentForm,
        url=_section,
        data=lambda scene, values: {
            **COMMENT_DATA,
            "language": "ar",
            "on_behalf_of": "AG",
            "co_signers": ["FRA"],
        },
        shows=lambda scene: (
            _section_pages(scene, "delegate") + _comment_pages(scene) + [("delegate", scene.url("comments.delegation"))]
        ),
    ),
    Target(
        "comments.edit",
        "POST",
        "focal",
        CommentForm,
        url=_submitted,
        data=lambda scene, values: dict(COMMENT_DATA),
        state=_comment_state,
        shows=lambda scene: (
            _comment_views(scene) + [("focal", scene.url("comments.edit", comment_id=scene.submitted.id))]
        ),
    ),
    Target("comments.submit", "POST", "focal", url=_fresh_draft, state=_comment_state),
    Target("comments.discard", "POST", "delegate", url=_fresh_draft, state=_comment_state),
    Target(
        "comments.withdraw",
        "POST",
        "focal",
        WithdrawForm,
        url=_fresh_submitted,
        data=lambda scene, values: {"reason": "Superseded."},
        state=_comment_state,
        shows=_comment_views,
    ),
    Target(
        "comments.disposition",
        "POST",
        "secretariat",
        DispositionForm,
        extra=(Field("scope", "choice"),),
        kinds={"resolved_in_version": "ids"},  # a select of version numbers
        url=lambda scene: {"comment_id": scene.foreign.id},
        data=lambda scene, values: {"disposition": "noted", "rationale": "Considered.", "scope": "one"},
        state=_comment_state,
        shows=lambda scene: (
            _comment_views(scene) + [("secretariat", scene.url("main.outbox")), ("focal_fra", scene.url("main.outbox"))]
        ),
    ),
    Target(
        "comments.group",
        "POST",
        "secretariat",
        GroupForm,
        url=_section,
        data=lambda scene, values: {"comment_ids": [str(i) for i in _fresh_pair(scene)], "label": "Same point"},
        shows=lambda scene: _section_pages(scene),
    ),
    Target("comments.ungroup", "POST", "secretariat", url=lambda scene: {"group_id": scene.new_group().id}),
    # -- joint comments
    Target(
        "comments.cosign",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    Target(
        "comments.decline",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    Target(
        "comments.withdraw_signature",
        "POST",
        "focal_fra",
        url=lambda scene: _fresh_invitation(scene, signed=True),
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    Target(
        "api.cosign",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    Target(
        "api.decline",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    Target(
        "api.withdraw_signature",
        "POST",
        "focal_fra",
        url=lambda scene: _fresh_invitation(scene, signed=True),
        state=_co_signature_state,
        shows=_co_signing_views,
    ),
    # -- answers proposed before they are final
    Target("comments.agree", "POST", "focal", url=_proposed_answer, state=_reaction_state),
    Target(
        "comments.object_to_answer",
        "POST",
        "focal",
        ObjectionForm,
        url=_proposed_answer,
        data=lambda scene, values: {"reason": "Not adequate."},
        state=_reaction_state,
    ),
    Target("comments.finalize_answer", "POST", "editor", url=_proposed_answer, state=_reaction_state),
    Target("matrix.answer_step", "POST", "secretariat", url=lambda scene: _answer_step(scene, "share")),
    Target("api.agree_to_answer", "POST", "focal", url=_proposed_answer, state=_reaction_state),
    Target(
        "api.object_to_answer",
        "POST",
        "focal",
        url=_proposed_answer,
        data=lambda scene, values: {"reason": "Not adequate."},
        state=_reaction_state,
    ),
    Target("api.finalize_answer", "POST", "editor", url=_proposed_answer, state=_reaction_state),
    Target(
        "api.share_answers",
        "POST",
        "secretariat",
        url=lambda scene: {
            key: value for key, value in _proposed_answer(scene, shared=False).items() if key != "comment_id"
        },
    ),
    Target(
        "api.finalize_answers",
        "POST",
        "editor",
        url=lambda scene: {key: value for key, value in _proposed_answer(scene).items() if key != "comment_id"},
    ),
    # -- alignment
    Target(
        "comments.align",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_alignment_state,
        shows=_co_signing_views,
    ),
    Target(
        "comments.unalign",
        "POST",
        "focal_fra",
        url=lambda scene: _fresh_invitation(scene, aligned=True),
        state=_alignment_state,
        shows=_co_signing_views,
    ),
    Target(
        "api.align",
        "POST",
        "focal_fra",
        url=_fresh_invitation,
        state=_alignment_state,
        shows=_co_signing_views,
    ),
    Target(
        "api.unalign",
        "POST",
        "focal_fra",
        url=lambda scene: _fresh_invitation(scene, aligned=True),
        state=_alignment_state,
        shows=_co_signing_views,
    ),
    # -- groups of States
    Target(
        "positions.add_member",
        "POST",
        "secretariat",
        MemberForm,
        url=lambda scene: {"code": "AG"},
        data=lambda scene, values: {"member": "FRA", "valid_from": "2026-01-01", "source": "The group's list."},
        shows=_group_pages,
    ),
    Target(
        "positions.end_membership",
        "POST",
        "secretariat",
        EndMembershipForm,
        url=_fresh_membership,
        data=lambda scene, values: {"valid_to": "2026-12-31"},
        shows=_group_pages,
    ),
    # -- roadmap
    Target(
        "roadmap.create",
        "POST",
        "secretariat",
        MilestoneForm,
        url=_slug,
        data=lambda scene, values: dict(MILESTONE_DATA),
        shows=_roadmap,
    ),
    Target(
        "roadmap.edit",
        "POST",
        "secretariat",
        MilestoneForm,
        url=lambda scene: {"milestone_id": scene.milestone.id},
        data=lambda scene, values: dict(MILESTONE_DATA),
        state=_milestone_state,
        shows=lambda scene: (
            _roadmap(scene) + [("secretariat", scene.url("roadmap.edit", milestone_id=scene.milestone.id))]
        ),
    ),
    Target("roadmap.delete", "POST", "secretariat", url=lambda scene: {"milestone_id": scene.new_milestone().id}),
    # -- principles and priorities
    Target(
        "principles.create",
        "POST",
        "secretariat",
        ItemForm,
        url=_slug,
        data=_item_form,
        shows=lambda scene: _item_views(scene, "principles"),
    ),
    Target(
        "priorities.create",
        "POST",
        "secretariat",
        PriorityForm,
        url=_slug,
        data=_item_form,
        shows=lambda scene: _item_views(scene, "priorities"),
    ),
    Target(
        "priorities.links",
        "POST",
        "editor",
        LinksForm,
        url=lambda scene: {"section_id": scene.priority.id},
        data=lambda scene, values: {"related": [str(scene.section.id)]},
        state=_links_state,
    ),
    # -- dialogues and outcomes
    Target(
        "dialogues.create",
        "POST",
        "secretariat",
        DialogueForm,
        url=_slug,
        data=_dialogue_form,
        shows=_dialogue_views,
    ),
    Target(
        "dialogues.edit",
        "POST",
        "secretariat",
        DialogueForm,
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=_dialogue_edit_form,
        state=_dialogue_state,
        shows=_dialogue_views,
    ),
    Target(
        "dialogues.attendance",
        "POST",
        "secretariat",
        extra=(Field("attended", "choice"),),
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=lambda scene, values: {"attended": ["KEN"]},
    ),
    Target(
        "dialogues.outcome",
        "POST",
        "secretariat",
        OutcomeForm,
        extra=(Field("add_conclusion"),),  # the button that adds a row
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=lambda scene, values: {
            "summary": "Summary.",
            "conclusions-0-text": "A conclusion.",
            "conclusions-0-section_ids": [str(scene.section.id)],
        },
        state=_dialogue_state,
        shows=_dialogue_views,
    ),
    Target("dialogues.publish", "POST", "secretariat", url=_fresh_dialogue_with_draft_outcome),
    Target(
        "dialogues.cancel",
        "POST",
        "secretariat",
        extra=(Field("version", "ids"),),
        url=_upcoming_dialogue,
        data=lambda scene, values: {"version": str(db.session.get(Dialogue, values["dialogue_id"]).row_version)},
        shows=_dialogue_views,
    ),
    # -- the matrix and imports
    Target(
        "matrix.import_comments",
        "POST",
        "secretariat",
        CommentImportForm,
        uploads=COMMENT_UPLOADS,
        url=_document,
        data=lambda scene, values: {"organization": "KEN", "file": xlsx_cells("A comment.")},
        after=confirm_import,
        shows=_comment_views,
    ),
    Target(
        "matrix.confirm_import",
        "POST",
        "secretariat",
        ConfirmImportForm,
        kinds={"token": "text"},  # the preview's random token
        url=_document,
    ),
    Target(
        "matrix.publish",
        "POST",
        "secretariat",
        PublishCompilationForm,
        url=lambda scene: {"document_id": scene.document.id, "release": scene.release.number},
    ),
    # -- the API: the fields are those of each operation's body schema
    Target(
        "api.publish_release",
        "POST",
        "secretariat",
        url=_document,
        data=lambda scene, values: {
            "label": "First draft",
            "comments_close_at": _iso_time(),
            "override_reason": "Answers follow.",
        },
        state=_release_state,
        shows=lambda scene: _document_views(scene) + _roadmap(scene),
    ),
    Target(
        "api.move_window",
        "PATCH",
        "secretariat",
        url=_document,
        data=lambda scene, values: {"comments_close_at": _iso_time()},
        state=_release_state,
        shows=lambda scene: _document_views(scene) + _roadmap(scene) + _section_pages(scene, "focal_fra"),
    ),
    Target(
        "api.revise",
        "POST",
        "editor",
        url=_section,
        data=lambda scene, values: {
            "body": "Revised text.",
            "change_note": "Clearer.",
            "base_version": db.session.get(Section, values["section_id"]).latest_version,
            "addresses": [scene.submitted.id],
        },
        state=_section_state,
        shows=_versions,
    ),
    Target(
        "api.insert_section",
        "POST",
        "editor",
        url=_document,
        data=lambda scene, values: {"after": scene.section.id, "body": "A new paragraph.", "heading": ""},
        shows=lambda scene: _document_views(scene),
    ),
    Target(
        "api.retire_section",
        "POST",
        "editor",
        url=_fresh_section,
        data=lambda scene, values: {"reason": "Merged into the paragraph before it."},
        shows=lambda scene: _document_views(scene),
    ),
    Target(
        "api.move_section",
        "POST",
        "editor",
        url=_fresh_section,
        data=lambda scene, values: {"after": scene.section.id},
        shows=lambda scene: _document_views(scene),
    ),
    Target(
        "api.create_comment",
        "POST",
        "focal",
        url=_section,
        data=lambda scene, values: {
            **COMMENT_DATA,
            "submit": True,
            "language": "en",
            "on_behalf_of": "G77",
            "co_signers": ["FRA"],
        },
        shows=_comment_views,
    ),
    Target(
        "api.update_comment",
        "PATCH",
        "focal",
        url=_submitted,
        data=lambda scene, values: dict(COMMENT_DATA),
        state=_comment_state,
        shows=_comment_views,
    ),
    Target("api.submit_comment", "POST", "focal", url=_fresh_draft, state=_comment_state),
    Target("api.discard_draft", "DELETE", "delegate", url=_fresh_draft, state=_comment_state),
    Target(
        "api.withdraw_comment",
        "POST",
        "focal",
        url=_fresh_submitted,
        data=lambda scene, values: {"reason": "Superseded."},
        state=_comment_state,
        shows=_comment_views,
    ),
    Target(
        "api.create_dialogue",
        "POST",
        "secretariat",
        url=_slug,
        data=lambda scene, values: {
            "title": "Dialogue",
            "constituency": "un_system",
            "format": "hybrid",
            "timezone": "Africa/Nairobi",
            "starts_at": _iso_time(20),
            "place": "Nairobi",
            "description": "About the plan.",
            "agenda": [{"title": "Principles", "section_ids": [scene.section.id]}],
            "participants": ["KEN"],
        },
        shows=_dialogue_views,
    ),
    Target(
        "api.update_dialogue",
        "PATCH",
        "secretariat",
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=lambda scene, values: {
            "title": "Dialogue",
            "starts_at": _iso_time(-2),
            "place": "Nairobi",
            "description": "About the plan.",
            "agenda": [{"title": "Principles", "section_ids": [scene.section.id]}],
            "participants": ["KEN"],
        },
        state=_dialogue_state,
        shows=_dialogue_views,
    ),
    Target(
        "api.record_attendance",
        "PUT",
        "secretariat",
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=lambda scene, values: {"attended": ["KEN"]},
        state=_dialogue_state,
        shows=_dialogue_views,
    ),
    Target(
        "api.save_outcome",
        "PUT",
        "secretariat",
        url=lambda scene: {"dialogue_id": scene.dialogue.id},
        data=lambda scene, values: {
            "summary": "Summary.",
            "conclusions": [{"text": "A conclusion.", "section_ids": [scene.section.id]}],
        },
        state=_dialogue_state,
        shows=_dialogue_views,
    ),
    Target("api.publish_outcome", "POST", "secretariat", url=_fresh_dialogue_with_draft_outcome),
    Target(
        "api.record_disposition",
        "PUT",
        "secretariat",
        url=_submitted,
        data=lambda scene, values: {"disposition": "noted", "rationale": "Considered."},
        state=_comment_state,
        shows=_comment_views,
    ),
    Target(
        "api.group_comments",
        "POST",
        "secretariat",
        url=_section,
        data=lambda scene, values: {"comment_ids": _fresh_pair(scene), "label": "Same point"},
        shows=lambda scene: _section_pages(scene),
    ),
    Target(
        "api.dispose_group",
        "PUT",
        "secretariat",
        url=lambda scene: {"group_id": scene.group.id},
        data=lambda scene, values: {"disposition": "noted", "rationale": "Considered."},
        state=_group_state,
        shows=_comment_views,
    ),
    Target(
        "api.import_comments",
        "POST",
        "secretariat",
        uploads=COMMENT_UPLOADS,
        url=_document,
        data=lambda scene, values: {"organization": "KEN", "dry_run": "false", "file": xlsx_cells("A comment.")},
        shows=_comment_views,
    ),
]
