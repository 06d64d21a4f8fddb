"""Schemathesis against /api/v1/openapi.json, in process, as the Secretariat and as a focal point.

Every documented operation gets schema-valid and schema-violating requests (a fixed number,
derandomized so that CI sees the same ones every run), on the demo consultation; half of
them address the demo's real objects, the others whatever ids the generator makes up.
Every answer must conform to the document: no server error, a documented status, content
type and headers, and a body valid against the documented schema (whose objects are closed
under the test configuration, so an undocumented key fails).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from consult.demo import SLUG, load_demo
from consult.dialogues.services import dialogues_of
from consult.extensions import db
from consult.models import Comment, Consultation, User
from tests.hostile.conftest import UNLIMITED_FAILURES

EXAMPLES_PER_OPERATION = 60
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # a failure is reported as found, unshrunk
    suppress_health_check=list(HealthCheck),
)


def _demo_ids(email: str) -> dict:
    """Path values naming demo objects that the user may act on."""
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == SLUG))
    plan = next(document for document in consultation.documents if document.kind == "plan_draft")
    user = db.session.scalar(select(User).where(User.email == email))
    comment = db.session.scalar(
        select(Comment).where(Comment.organization_id == user.organization_id).order_by(Comment.id)
    ) or db.session.scalar(select(Comment).where(Comment.status == "submitted").order_by(Comment.id))
    return {
        "slug": SLUG,
        "document_id": plan.id,
        "section_id": plan.sections[8].id,
        "comment_id": comment.id,
        "dialogue_id": next(d.id for d in dialogues_of(consultation) if d.outcome is not None),
    }


@pytest.mark.parametrize("email", ["secretariat@consult.example", "focal.ken@consult.example"])
def test_every_answer_conforms_to_the_document(app, world, email):
    app.config.update(UNLIMITED_FAILURES)  # the fuzzer sends bad tokens on purpose
    load_demo()
    db.session.commit()
    # Uncompressed, so that a failure report shows the body.
    headers = world.token(db.session.scalar(select(User).where(User.email == email))) | {"Accept-Encoding": "identity"}
    known = _demo_ids(email)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {parameter.name for parameter in operation.path_parameters}
        real = {name: value for name, value in known.items() if name in names}
        strategies = [
            operation.as_strategy(mode, path_parameters=fixed)
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
            for fixed in ([real, None] if real else [None])
        ]

        @FUZZ_SETTINGS
        @given(case=st.one_of(strategies))
        def run(case):
            nonlocal cases
            response = case.call(headers=headers)
            db.session.rollback()  # as at the end of a real request
            cases += 1
            case.validate_response(response, checks=CONFORMANCE)

        run()
    print(f"{email}: {cases} fuzz cases")
    assert cases >= EXAMPLES_PER_OPERATION
