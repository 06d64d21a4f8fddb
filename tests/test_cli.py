"""The command line as operators and our acceptance checks use it."""

from pathlib import Path

from consult.auth.services import user_for_token
from consult.extensions import db
from consult.models import Document, User

SEED = Path(__file__).resolve().parent.parent / "consult" / "demo" / "data" / "hsp_eb_2024_5_zh.txt"


def test_create_user_and_token(runner):
    result = runner.invoke(
        args=[
            "consult",
            "create-user",
            "Focal@Example.org",
            "--name",
            "Amina",
            "--role",
            "focal_point",
            "--org",
            "ken",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.email == "focal@example.org"))
    assert user.organization.code == "KEN" and user.role == "focal_point"
    token_result = runner.invoke(args=["consult", "token", "focal@example.org"])
    assert token_result.exit_code == 0
    token = token_result.output.strip().splitlines()[-1]
    assert user_for_token(token).id == user.id


def test_create_user_errors_are_clear(runner):
    no_org = runner.invoke(
        args=["consult", "create-user", "a@example.org", "--name", "A", "--role", "delegate", "--password", "x" * 12]
    )
    assert no_org.exit_code != 0 and "organization" in no_org.output
    unknown = runner.invoke(
        args=[
            "consult",
            "create-user",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "delegate",
            "--org",
            "ZZZ",
            "--password",
            "x" * 12,
        ]
    )
    assert unknown.exit_code != 0 and "ZZZ" in unknown.output
    weak = runner.invoke(
        args=["consult", "create-user", "a@example.org", "--name", "A", "--role", "observer", "--password", "short"]
    )
    assert weak.exit_code != 0 and "password" in weak.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert runner.invoke(args=["consult", "token", "nobody@example.org"]).exit_code != 0


def test_import_draft_prints_the_document_id(runner, world):
    world.document()  # creates the consultation "plan"
    result = runner.invoke(
        args=["consult", "import-draft", str(SEED), "--consultation", "plan", "--title", "人居署战略计划"]
    )
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, int(result.output.strip().splitlines()[-1]))
    assert [s.number for s in document.sections] == [str(n) for n in range(1, 28)]
    assert len({s.chapter for s in document.sections}) == 6
    assert document.language == "zh" and document.symbol == "HSP/EB.2024/5"


def test_import_draft_refuses_what_it_cannot_read(runner, world, tmp_path):
    world.document()
    binary = tmp_path / "x.docx"
    binary.write_bytes(b"PK\x03\x04\x00\x00garbage")
    result = runner.invoke(args=["consult", "import-draft", str(binary), "--consultation", "plan", "--title", "X"])
    assert result.exit_code != 0
    missing = runner.invoke(args=["consult", "import-draft", str(SEED), "--consultation", "nope", "--title", "X"])
    assert missing.exit_code != 0
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 1


def test_demo_is_idempotent(runner):
    first = runner.invoke(args=["consult", "demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(db.select(db.func.count()).select_from(t)) for t in db.metadata.sorted_tables]
    second = runner.invoke(args=["consult", "demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert counts == [db.session.scalar(db.select(db.func.count()).select_from(t)) for t in db.metadata.sorted_tables]
