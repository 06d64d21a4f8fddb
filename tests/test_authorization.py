"""The authorization matrix: every route of the URL map × every role × objects owned by
delegation A, by delegation B and by no one. A route missing from the table fails the test,
so a new route cannot escape it. A refusal is a 404 when the reader may not see the object
the URL names (no existence oracle), a 403 only when they see it but may not act on it."""

import re
from datetime import UTC, date, datetime

import pytest

from consult.auth.services import start_session
from consult.comments.services import create_comment, group_comments
from consult.dialogues.services import create_dialogue, publish_outcome, save_outcome
from consult.drafts.services import add_section
from consult.extensions import db
from consult.items.services import add_item, link_sections
from consult.models import ApiToken, AuditEvent, GroupMembership, Organization
from consult.roadmap.services import create_milestone
from tests.conftest import login

ROLES = ["anonymous", "observer", "delegate_a", "focal_a", "delegate_b", "editor", "secretariat", "admin"]
SIGNED_IN = set(ROLES) - {"anonymous"}
STAFF = {"editor", "secretariat", "admin"}
NON_STAFF = ["observer", "delegate_a", "focal_a", "delegate_b"]
MANAGERS = {"secretariat", "admin"}
DELEGATIONS = {"delegate_a", "focal_a", "delegate_b"}
A = {"delegate_a", "focal_a"}

PUBLIC = {
    "main.index",
    "main.healthz",
    "main.readyz",
    "auth.login",
    "auth.two_factor",
    "auth.reset",
    "auth.reset_with_token",
    "static",
    "api.openapi",
    "roadmap.calendar",
    # The front door: what is consulted, its phase, deadlines and roadmap (issue 14).
    "drafts.consultation",
    "roadmap.timeline",
    # Dialogues and their published outcomes (a draft outcome stays with the staff).
    "dialogues.index",
    "dialogues.show",
}

# GET routes: endpoint → roles that get the page (200). Others signed in get 403 or 404.
# A dict maps the object variant (whose comment, which dialogue) to the roles.
READ = {
    "main.settings": SIGNED_IN,
    "main.outbox": SIGNED_IN,
    "search.index": SIGNED_IN,
    "drafts.document": SIGNED_IN,
    "drafts.section": SIGNED_IN,
    "drafts.section_diff": SIGNED_IN,
    "drafts.compare_releases": SIGNED_IN,
    "drafts.import_document": MANAGERS,
    "drafts.publish_release": MANAGERS,
    "drafts.move_window": MANAGERS,
    "drafts.revise": {"editor", "admin"},
    "drafts.import_next_draft": {"editor", "admin"},
    "drafts.import_translation": STAFF,
    "drafts.concordance": SIGNED_IN,
    "drafts.concordance_download": SIGNED_IN,
    "drafts.compare_download": SIGNED_IN,
    "drafts.release_download": SIGNED_IN,
    "drafts.insert_section": {"editor", "admin"},
    "drafts.move_section": {"editor", "admin"},
    "drafts.retire_section": {"editor", "admin"},
    "drafts.translate": STAFF,
    "comments.delegation": DELEGATIONS,
    "comments.show": {"a_draft": A, "a_submitted": A | STAFF, "b_submitted": {"delegate_b"} | STAFF},
    "comments.edit": {"a_draft": A, "a_submitted": {"focal_a"}, "b_submitted": set()},
    "comments.submit": {"a_draft": {"focal_a"}, "a_submitted": set(), "b_submitted": set()},
    "comments.withdraw": {"a_draft": set(), "a_submitted": {"focal_a"}, "b_submitted": set()},
    "comments.discard": {"a_draft": A, "a_submitted": set(), "b_submitted": set()},
    "comments.disposition": {"a_draft": set(), "a_submitted": STAFF, "b_submitted": STAFF},
    "admin.users": MANAGERS,
    "admin.delegation": {"focal_a"},
    "admin.audit": MANAGERS,
    # The account managed is delegate_a's: their focal point may act on it, they may not themselves.
    "admin.edit_user": MANAGERS,
    "admin.reset_user_password": MANAGERS | {"focal_a"},
    "admin.deactivate_user": MANAGERS | {"focal_a"},
    "account.index": SIGNED_IN,
    "account.password": SIGNED_IN,
    "admin.audit_csv": MANAGERS,
    "account.tokens": SIGNED_IN,
    "account.revoke": {"delegate_a"} | MANAGERS,
    "account.two_factor": SIGNED_IN,
    "account.notification_preferences": SIGNED_IN,
    "roadmap.create": MANAGERS,
    "roadmap.edit": MANAGERS,
    "principles.index": SIGNED_IN,
    "principles.show": SIGNED_IN,
    "principles.create": MANAGERS,
    "priorities.index": SIGNED_IN,
    "priorities.show": SIGNED_IN,
    "priorities.create": MANAGERS,
    "priorities.links": STAFF,
    "dialogues.create": MANAGERS,
    "dialogues.edit": MANAGERS,
    "dialogues.cancel": MANAGERS,
    "dialogues.outcome": MANAGERS,
    "dialogues.synthesis": SIGNED_IN,
    "matrix.page": SIGNED_IN,
    "matrix.download": SIGNED_IN,
    "matrix.compilation_download": SIGNED_IN,
    "matrix.template": SIGNED_IN,
    "matrix.import_comments": MANAGERS,
    "matrix.dashboard": STAFF,
    "matrix.publish": MANAGERS,
    # Answers proposed first: the setting's release does not propose them (409, see _STATE_REFUSALS).
    "matrix.answer_step": set(),
    "comments.object_to_answer": set(),
    "positions.index": SIGNED_IN,
    "positions.group": SIGNED_IN,
    "api.consultations": SIGNED_IN,
    "api.groups": SIGNED_IN,
    "api.consultation": SIGNED_IN,
    "api.document": SIGNED_IN,
    "api.section": SIGNED_IN,
    "api.section_diff": SIGNED_IN,
    "api.document_concordance": SIGNED_IN,
    "api.document_compare_docx": SIGNED_IN,
    "api.release_file": SIGNED_IN,
    "api.section_comments": SIGNED_IN,
    "api.comment": {"a_draft": A, "a_submitted": A | STAFF, "b_submitted": {"delegate_b"} | STAFF},
    "api.similar_comments": {"a_draft": set(), "a_submitted": STAFF, "b_submitted": STAFF},
    "api.milestones": SIGNED_IN,
    "api.principles": SIGNED_IN,
    "api.priorities": SIGNED_IN,
    "api.dialogue_list": SIGNED_IN,
    "api.dialogue": SIGNED_IN,
    "api.search": SIGNED_IN,
    "api.matrix_rows": SIGNED_IN,
    "api.matrix_file": SIGNED_IN,
    "api.compilation_file": SIGNED_IN,
    "api.comments_template": SIGNED_IN,
}

# State-changing routes: endpoint → roles that may act. Everyone else is refused with
# nothing written; the allowed roles are exercised by the feature tests.
WRITE = {
    "auth.logout": SIGNED_IN,
    "main.set_language": set(ROLES),
    "main.settings": SIGNED_IN,
    "auth.login": set(ROLES),
    "auth.two_factor": set(ROLES),
    "auth.reset": set(ROLES),
    "auth.reset_with_token": set(ROLES),
    "drafts.import_document": MANAGERS,
    "drafts.publish_release": MANAGERS,
    "drafts.move_window": MANAGERS,
    "drafts.revise": {"editor", "admin"},
    "drafts.import_next_draft": {"editor", "admin"},
    "drafts.apply_next_draft": {"editor", "admin"},
    "drafts.import_translation": STAFF,
    "drafts.confirm_translation": STAFF,
    "drafts.insert_section": {"editor", "admin"},
    "drafts.move_section": {"editor", "admin"},
    "drafts.retire_section": {"editor", "admin"},
    "drafts.translate": STAFF,
    "comments.create": DELEGATIONS,
    "comments.edit": {"a_draft": A, "a_submitted": {"focal_a"}, "b_submitted": set()},
    "comments.submit": {"a_draft": {"focal_a"}, "a_submitted": set(), "b_submitted": set()},
    "comments.withdraw": {"a_draft": set(), "a_submitted": {"focal_a"}, "b_submitted": set()},
    "comments.discard": {"a_draft": A, "a_submitted": set(), "b_submitted": set()},
    "comments.disposition": {"a_draft": set(), "a_submitted": STAFF, "b_submitted": STAFF},
    "comments.group": STAFF,
    "comments.ungroup": STAFF,
    "admin.users": MANAGERS,
    "admin.delegation": {"focal_a"},
    "admin.edit_user": MANAGERS,
    "admin.reset_user_password": MANAGERS | {"focal_a"},
    "admin.deactivate_user": MANAGERS | {"focal_a"},
    "admin.reactivate_user": MANAGERS | {"focal_a"},
    "account.password": SIGNED_IN,
    "account.end_device_session": {"delegate_a"},  # a session of delegate_a's
    "account.sign_out_everywhere_view": SIGNED_IN,
    "account.tokens": SIGNED_IN,
    "account.revoke": {"delegate_a"} | MANAGERS,
    "account.two_factor": SIGNED_IN,
    "account.two_factor_off": SIGNED_IN,
    "account.recovery_codes": SIGNED_IN,
    "account.notification_preferences": SIGNED_IN,
    "roadmap.create": MANAGERS,
    "roadmap.edit": MANAGERS,
    "roadmap.delete": MANAGERS,
    "principles.create": MANAGERS,
    "priorities.create": MANAGERS,
    "priorities.links": STAFF,
    "dialogues.create": MANAGERS,
    "dialogues.edit": MANAGERS,
    "dialogues.cancel": MANAGERS,
    "dialogues.outcome": MANAGERS,
    "dialogues.publish": MANAGERS,
    "dialogues.attendance": MANAGERS,
    "matrix.import_comments": MANAGERS,
    "matrix.confirm_import": MANAGERS,
    "matrix.publish": MANAGERS,
    "positions.add_member": MANAGERS,
    "comments.cosign": set(),  # none of these is invited to co-sign: tests/positions
    "comments.decline": set(),
    "comments.withdraw_signature": set(),
    "api.cosign": set(),
    "api.decline": set(),
    "api.withdraw_signature": set(),
    # Others see a comment once the window closed; in this setting it is open: tests/positions/test_alignment.py
    "comments.align": set(),
    "comments.unalign": set(),
    "api.align": set(),
    "api.unalign": set(),
    "positions.end_membership": MANAGERS,
    # No answer is proposed in this setting: tests/comments/test_proposed_answers.py
    "comments.agree": set(),
    "comments.object_to_answer": set(),
    "comments.finalize_answer": set(),
    "matrix.answer_step": set(),
    "api.agree_to_answer": set(),
    "api.object_to_answer": set(),
    "api.finalize_answer": set(),
    "api.share_answers": set(),
    "api.finalize_answers": set(),
    "api.create_comment": DELEGATIONS,
    "api.update_comment": {"a_draft": A, "a_submitted": {"focal_a"}, "b_submitted": set()},
    "api.submit_comment": {"a_draft": {"focal_a"}, "a_submitted": set(), "b_submitted": set()},
    "api.withdraw_comment": {"a_draft": set(), "a_submitted": {"focal_a"}, "b_submitted": set()},
    "api.discard_draft": {"a_draft": A, "a_submitted": set(), "b_submitted": set()},
    "api.record_disposition": {"a_draft": set(), "a_submitted": STAFF, "b_submitted": STAFF},
    "api.revise": STAFF,  # the Secretariat stores translations
    "api.insert_section": {"editor", "admin"},
    "api.retire_section": {"editor", "admin"},
    "api.move_section": {"editor", "admin"},
    "api.publish_release": MANAGERS,
    "api.move_window": MANAGERS,
    "api.group_comments": STAFF,
    "api.dispose_group": STAFF,
    "api.create_dialogue": MANAGERS,
    "api.update_dialogue": MANAGERS,
    "api.record_attendance": MANAGERS,
    "api.save_outcome": MANAGERS,
    "api.publish_outcome": MANAGERS,
    "api.import_comments": MANAGERS,
}

COMMENT_VARIANTS = ("a_draft", "a_submitted", "b_submitted")

# Refusals that follow from the comment's state rather than from who asks answer 409: the
# member may act on such comments, just not on this one as it now stands.
_STATE_REFUSALS = {
    "edit": {"a_submitted": {"delegate_a"}, "b_submitted": {"delegate_b"}},
    "update_comment": {"a_submitted": {"delegate_a"}, "b_submitted": {"delegate_b"}},
    "submit": {"a_submitted": {"focal_a"}},
    "submit_comment": {"a_submitted": {"focal_a"}},
    # A draft is discarded, never withdrawn; a submitted comment is withdrawn, never discarded.
    "withdraw": {"a_draft": A, "a_submitted": {"delegate_a"}, "b_submitted": {"delegate_b"}},
    "withdraw_comment": {"a_draft": A, "a_submitted": {"delegate_a"}, "b_submitted": {"delegate_b"}},
    "discard": {"a_submitted": A, "b_submitted": {"delegate_b"}},
    "discard_draft": {"a_submitted": A, "b_submitted": {"delegate_b"}},
    # Nothing is proposed for a reaction, nor waits to be made final; the release proposes no answers.
    "agree": {"a_draft": {"focal_a"}, "a_submitted": {"focal_a"}},
    "agree_to_answer": {"a_draft": {"focal_a"}, "a_submitted": {"focal_a"}},
    "object_to_answer": {"a_draft": {"focal_a"}, "a_submitted": {"focal_a"}},
    "finalize_answer": {"a_submitted": STAFF, "b_submitted": STAFF},
    "answer_step": {None: MANAGERS},
    "share_answers": {None: MANAGERS},
    "finalize_answers": {None: STAFF},
}


# Who may see the object a URL names; to anyone else it answers 404 whatever they ask.
# (Consultations, documents, released sections, milestones and dialogues: every signed-in reader.)
COMMENT_READERS = {"a_draft": A, "a_submitted": A | STAFF, "b_submitted": {"delegate_b"} | STAFF}
GROUP_READERS = A | {"delegate_b"} | STAFF  # those who see one of its comments
TOKEN_READERS = {"delegate_a"} | MANAGERS  # the token is delegate A's
SESSION_READERS = {"delegate_a"}  # the signed-in device is delegate A's
ACCOUNT_READERS = MANAGERS | A  # delegate A's account: the managers, their focal point, themselves
# The page of the reader's own delegation: there is none for a reader outside every delegation.
OWN_DELEGATION = {"admin.delegation"}


def _sees(rule, variant, role) -> bool:
    if "comment_id" in rule.arguments:
        return role in COMMENT_READERS[variant]
    if "group_id" in rule.arguments:
        return role in GROUP_READERS
    if "token_id" in rule.arguments:
        return role in TOKEN_READERS
    if "session_id" in rule.arguments:
        return role in SESSION_READERS
    if "user_id" in rule.arguments:
        return role in ACCOUNT_READERS
    if rule.endpoint in OWN_DELEGATION:
        return role in DELEGATIONS
    return True


def _assert_refused(response, rule, variant, role, where) -> None:
    if role in _STATE_REFUSALS.get(rule.endpoint.split(".")[1], {}).get(variant, ()):
        expected = 409
    else:
        expected = 403 if _sees(rule, variant, role) else 404
    assert response.status_code == expected, where


@pytest.fixture
def setting(world):
    people = {
        "anonymous": None,
        "observer": world.user("observer"),
        "delegate_a": world.user("delegate", "KEN"),
        "focal_a": world.user("focal_point", "KEN"),
        "delegate_b": world.user("delegate", "FRA"),
        "editor": world.user("editor"),
        "secretariat": world.user("secretariat"),
        "admin": world.user("admin"),
    }
    document = world.document()
    world.release(document)
    section = document.sections[0]
    comments = {
        "a_draft": create_comment(people["delegate_a"], section, kind="general", body="A draft"),
        "a_submitted": create_comment(people["focal_a"], section, kind="general", body="A sent", submit=True),
        "b_submitted": create_comment(
            world.user("focal_point", "FRA"), section, kind="general", body="B sent", submit=True
        ),
    }
    group = group_comments(people["editor"], section, [comments["a_submitted"].id, comments["b_submitted"].id])
    consultation = document.consultation
    milestone = create_milestone(
        None, consultation, {"title": "Board", "kind": "board_session", "starts_on": date(2024, 5, 6)}
    )
    dialogue = create_dialogue(
        None,
        consultation,
        {
            "title": "Dialogue",
            "constituency": "member_states",
            "format": "online",
            "starts_at": datetime(2024, 1, 31, tzinfo=UTC),
        },
    )
    save_outcome(people["secretariat"], dialogue, summary="Secret draft outcome", conclusions=[])
    published = create_dialogue(
        None,
        consultation,
        {
            "title": "Open dialogue",
            "constituency": "un_system",
            "format": "online",
            "starts_at": datetime(2024, 2, 1, tzinfo=UTC),
        },
    )
    save_outcome(people["secretariat"], published, summary="Published outcome", conclusions=[])
    publish_outcome(people["secretariat"], published)
    principle = add_item(None, consultation, kind="guiding_principles", number="a", title="P", body="p")
    priority = add_item(
        None, consultation, kind="priority_statements", number="1", title="Q", body="q", group="current_framework"
    )
    world.release(principle.document)
    world.release(priority.document)
    device = start_session(people["delegate_a"], address="192.0.2.1", user_agent="Phone")
    # Added to the working draft after the releases: only the staff may know of them.
    unreleased = {
        "drafts": add_section(None, document, number="4", body="Unreleased paragraph about harbours."),
        "principles": add_item(
            None, consultation, kind="guiding_principles", number="z", title="Unreleased principle", body="u"
        ),
        "priorities": add_item(
            None,
            consultation,
            kind="priority_statements",
            number="9",
            title="Unreleased priority",
            body="v",
            group="current_framework",
        ),
    }
    link_sections(people["editor"], priority, [section.id, unreleased["drafts"].id])
    tagged = [principle.id, unreleased["principles"].id, unreleased["drafts"].id]
    tagging = create_dialogue(
        None,
        consultation,
        {
            "title": "Tagging dialogue",
            "constituency": "member_states",
            "format": "online",
            "starts_at": datetime(2024, 3, 1, tzinfo=UTC),
            "agenda": [{"title": "Principles", "section_ids": tagged}],
        },
    )
    conclusions = [{"text": "Tagged conclusion", "section_ids": tagged}]
    save_outcome(people["secretariat"], tagging, summary="Tagged outcome", conclusions=conclusions)
    publish_outcome(people["secretariat"], tagging)
    save_outcome(people["secretariat"], tagging, summary="Tagged outcome, edited", conclusions=conclusions)
    db.session.commit()
    tokens = {role: world.token(user) for role, user in people.items() if user}
    return {
        "people": people,
        "tokens": tokens,
        "comments": comments,
        "args": {
            "slug": consultation.slug,
            "document_id": document.id,
            "milestone_id": milestone.id,
            "dialogue_id": dialogue.id,
            "group_id": group.id,
            "extension": "csv",
            "step": "share",
            "number": 1,
            "file_type": "docx",
            "language": "fr",
            "token_id": db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == people["delegate_a"].id)),
            "user_id": people["delegate_a"].id,
            "session_id": device.id,
            "code": "AG",
            "membership_id": db.session.scalar(
                db.select(GroupMembership.id)
                .join(Organization, Organization.id == GroupMembership.group_id)
                .where(Organization.code == "AG")
                .limit(1)
            ),
        },
        "released": {"drafts": section.id, "principles": principle.id, "priorities": priority.id},
        "unreleased": {blueprint: item.id for blueprint, item in unreleased.items()},
        "tagging_dialogue_id": tagging.id,
    }


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, setting, variant=None, sections="released"):
    """The rule's URL about the setting's objects; ``sections``: released or unreleased ones."""
    args = dict(setting["args"])
    if variant:
        args["comment_id"] = setting["comments"][variant].id
    blueprint = rule.endpoint.split(".")[0]
    args["section_id"] = setting[sections].get(blueprint, setting[sections]["drafts"])
    if rule.endpoint == "static":
        args["filename"] = "css/consult.css"
    url = rule.build({name: args[name] for name in rule.arguments}, append_unknown=False)[1]
    with_range = rule.endpoint.endswith(("section_diff", "concordance", "compare_docx", "compare_download"))
    return url + ("?from=1&to=1" if with_range else "")


def _client(app, setting, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, setting["people"][role])
    return client


def test_every_route_is_in_the_matrix(app):
    missing = []
    for rule, method in _routes(app):
        if rule.endpoint in PUBLIC and method == "GET":
            continue
        table = READ if method == "GET" else WRITE
        if rule.endpoint not in table:
            missing.append(f"{method} {rule.endpoint}")
    assert missing == []


@pytest.mark.parametrize("role", ROLES)
def test_reading(app, setting, role):
    client = _client(app, setting, role)
    checked = 0
    for rule, method in _routes(app):
        if method != "GET" or rule.endpoint in PUBLIC:
            continue
        expected = READ[rule.endpoint]
        for variant in COMMENT_VARIANTS if "comment_id" in rule.arguments else (None,):
            allowed = expected[variant] if isinstance(expected, dict) else expected
            headers = setting["tokens"].get(role, {}) if rule.endpoint.startswith("api.") else {}
            response = client.get(_url(rule, setting, variant), headers=headers)
            where = (rule.endpoint, variant, role, response.status_code)
            if role == "anonymous":
                assert response.status_code == (401 if rule.endpoint.startswith("api.") else 302), where
            elif role in allowed:
                assert response.status_code == 200, where
            else:
                _assert_refused(response, rule, variant, role, where)
            checked += 1
    assert checked > 60


@pytest.mark.parametrize("role", ROLES)
def test_writing_is_refused_to_those_not_allowed(app, setting, role):
    client = _client(app, setting, role)
    events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    checked = 0
    for rule, method in _routes(app):
        if method == "GET":
            continue
        expected = WRITE[rule.endpoint]
        for variant in COMMENT_VARIANTS if "comment_id" in rule.arguments else (None,):
            allowed = expected[variant] if isinstance(expected, dict) else expected
            if role in allowed:
                continue
            headers = setting["tokens"].get(role, {}) if rule.endpoint.startswith("api.") else {}
            response = client.open(
                _url(rule, setting, variant),
                method=method,
                headers=headers,
                json={} if rule.endpoint.startswith("api.") else None,
                # Without a token, each from its own address: more such API calls than the limit per
                # address allows would be a 429 (tested in tests/auth).
                environ_base={"REMOTE_ADDR": f"192.0.2.{checked % 250 + 1}"} if role == "anonymous" else {},
            )
            where = (method, rule.endpoint, variant, role, response.status_code)
            if role == "anonymous":
                assert response.status_code == (401 if rule.endpoint.startswith("api.") else 302), where
            else:
                _assert_refused(response, rule, variant, role, where)
            checked += 1
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events
    assert checked > 0


@pytest.mark.parametrize("role", ["observer", "delegate_b", "focal_a"])
def test_confidential_content_never_leaks(app, setting, role):
    """Drafts, unpublished outcomes and other delegations' open-window comments stay out of
    pages, search, exports, diffs, dashboards and the API."""
    client = _client(app, setting, role)
    headers = setting["tokens"][role]
    args = setting["args"]
    secrets = {"Secret draft outcome"}
    if role != "focal_a":
        secrets |= {"A draft", "A sent"}
    pages = [
        f"/documents/{args['document_id']}",
        f"/sections/{setting['released']['drafts']}",
        f"/dialogues/{args['dialogue_id']}",
        f"/consultations/{args['slug']}/dialogues",
        f"/documents/{args['document_id']}/matrix",
        f"/documents/{args['document_id']}/matrix.csv",
        "/search?q=sent",
        "/search?q=Secret",
        "/delegation/comments",
        "/outbox",
        f"/api/v1/sections/{setting['released']['drafts']}/comments",
        f"/api/v1/dialogues/{args['dialogue_id']}",
        f"/api/v1/documents/{args['document_id']}/matrix",
        "/api/v1/search?q=sent",
        "/api/v1/search?q=Secret",
        f"/comments/{setting['comments']['a_draft'].id}",
    ]
    for page in pages:
        body = client.get(page, headers=headers if page.startswith("/api/") else {}).get_data(as_text=True)
        for secret in secrets:
            assert secret not in body, (page, secret)
    if role != "focal_a":
        # Counts do not reveal A's comments either.
        document_page = client.get(f"/documents/{args['document_id']}").get_data(as_text=True)
        visible = 1 if role == "delegate_b" else 0
        assert f"{visible} comment" in document_page


def test_signed_out_visitors_read_published_outcomes_but_no_draft_or_comment(app, setting):
    client = app.test_client()
    args = setting["args"]
    published = client.get(f"/dialogues/{setting['tagging_dialogue_id']}")
    body = published.get_data(as_text=True)
    assert published.status_code == 200
    assert "Tagged outcome, edited" in body and "Tagged conclusion" in body
    assert "Unreleased principle" not in body and "harbours" not in body  # its unreleased tags stay hidden
    draft = client.get(f"/dialogues/{args['dialogue_id']}")
    assert draft.status_code == 200 and "Secret draft outcome" not in draft.get_data(as_text=True)
    listing = client.get(f"/consultations/{args['slug']}/dialogues").get_data(as_text=True)
    assert "Tagging dialogue" in listing and "Secret draft outcome" not in listing
    # The public consultation page links the published outcome; paragraphs and comments stay behind sign-in.
    front = client.get(f"/consultations/{args['slug']}").get_data(as_text=True)
    assert f'href="/dialogues/{setting["tagging_dialogue_id"]}"' in front
    for private in (f"/sections/{setting['released']['drafts']}", f"/comments/{setting['comments']['a_submitted'].id}"):
        assert client.get(private).status_code == 302, private


@pytest.mark.parametrize(
    "url",
    [
        "/documents/999",
        "/sections/999",
        "/comments/999",
        "/consultations/nope",
        "/sections/1/diff?from=1&to=99",
        "/dialogues/999",
        "/milestones/999/edit",
        "/documents/1/matrix?release=9",
    ],
)
def test_unknown_ids_are_404(app, setting, url):
    client = _client(app, setting, "admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [*NON_STAFF, "editor"])
def test_an_unreleased_section_is_not_found_on_any_route(app, setting, role):
    """Every page and API route about a section (paragraph, principle, priority) answers 404
    for one not released yet to anyone but the staff, whatever the method: as if it did not exist."""
    client = _client(app, setting, role)
    events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    checked = 0
    for rule, method in _routes(app):
        if "section_id" not in rule.arguments:
            continue
        api = rule.endpoint.startswith("api.")
        response = client.open(
            _url(rule, setting, sections="unreleased"),
            method=method,
            headers=setting["tokens"][role] if api else {},
            json={} if api and method != "GET" else None,
        )
        where = (method, rule.endpoint, role, response.status_code)
        if role in STAFF:
            if method == "GET" and rule.endpoint in {
                "drafts.section",
                "principles.show",
                "priorities.show",
                "api.section",
            }:
                assert response.status_code == 200, where
        else:
            assert response.status_code == 404, where
            checked += 1
    if role not in STAFF:
        assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events
        assert checked >= 15


def _section_ids_in(value) -> set[int]:
    """Every id under a "section_ids" or "related_section_ids" key of a JSON document."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= set(item) if key in ("section_ids", "related_section_ids") else _section_ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= _section_ids_in(item)
    return found


@pytest.mark.parametrize("role", ["observer", "delegate_b", "focal_a", "editor"])
def test_unreleased_headings_stay_with_the_staff(app, setting, role):
    """Dialogue agendas, conclusion tags and their earlier texts, related paragraphs of priorities,
    overviews, syntheses, search and the API name no section that is not released, to anyone but
    the staff: not its heading, number, text or link."""
    client = _client(app, setting, role)
    headers = setting["tokens"][role]
    args, released, unreleased = setting["args"], setting["released"], setting["unreleased"]
    tagging = setting["tagging_dialogue_id"]
    secrets = {"Unreleased principle", "Unreleased priority", "Unreleased paragraph"}
    links = re.compile(
        "|".join(
            rf"/{blueprint}/{section_id}\b"
            for blueprint in ("sections", "principles", "priorities")
            for section_id in unreleased.values()
        )
    )
    pages = [
        f"/dialogues/{tagging}",
        f"/dialogues/{args['dialogue_id']}",
        f"/consultations/{args['slug']}/dialogues",
        f"/consultations/{args['slug']}/principles",
        f"/consultations/{args['slug']}/priorities",
        f"/principles/{released['principles']}",
        f"/priorities/{released['priorities']}",
        f"/sections/{released['drafts']}",
        f"/sections/{released['principles']}/synthesis",
        f"/documents/{args['document_id']}",
        "/search?q=harbours",
        "/search?q=Tagged",
    ]
    api = [
        f"/api/v1/dialogues/{tagging}",
        f"/api/v1/consultations/{args['slug']}/principles",
        f"/api/v1/consultations/{args['slug']}/priorities",
        f"/api/v1/sections/{released['principles']}",
        f"/api/v1/documents/{args['document_id']}",
        "/api/v1/search?q=harbours",
    ]
    seen = ""
    for url in pages + api:
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        seen += body
        if role in STAFF:
            continue
        for secret in secrets:
            assert secret not in body, (url, secret)
        assert not links.search(body), (url, links.search(body))
        if url.startswith("/api/"):
            assert not _section_ids_in(response.json) & set(unreleased.values()), url
    if role in STAFF:  # the same pages do show them to the staff: the test looks where they would be
        assert {secret for secret in secrets if secret not in seen} == set()
        assert links.search(seen)
    else:
        dialogue = client.get(f"/api/v1/dialogues/{tagging}", headers=headers).json
        assert dialogue["agenda"][0]["section_ids"] == [released["principles"]]
        assert dialogue["outcome"]["conclusions"][0]["section_ids"] == [released["principles"]]
        assert dialogue["outcome"]["revisions"][0]["conclusions"][0]["section_ids"] == [released["principles"]]
