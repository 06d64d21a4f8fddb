"""Importing a delegation's comments through the pages: the preview is kept on the server, and
its confirmation is single-use, expires, and belongs to the user and document that previewed it.
Uploads beyond the limits are refused with nothing kept."""

import hashlib
import io
import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest

from consult import create_app
from consult.extensions import db
from consult.models import AuditEvent, Comment, CommentImportPreview
from consult.models.base import utcnow
from tests.conftest import login

ROWS = [["2", "general", "Mexico supports (a).", None], ["3", "question", "¿Cuándo habrá otro diálogo?", None]]


def filled_template(browser, document_id: int, rows=ROWS) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(browser.get(f"/documents/{document_id}/comments/template.xlsx").data))
    for row in rows:
        workbook.worksheets[0].append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.fixture
def setting(app, world):
    document = world.document()
    world.release(document)
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    return {"document": document, "browser": browser, "file": filled_template(browser, document.id)}


def import_page(document) -> str:
    return f"/documents/{document.id}/comments/import"


def upload(browser, document, data: bytes, organization: str = "MEX"):
    return browser.post(
        import_page(document),
        data={"organization": organization, "file": (io.BytesIO(data), "comments.xlsx")},
        content_type="multipart/form-data",
    )


def preview_token(browser, document, data: bytes) -> str:
    response = upload(browser, document, data)
    assert response.status_code == 200
    return re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))[1]


def confirm(browser, document, token: str):
    return browser.post(f"{import_page(document)}/confirm", data={"token": token})


def imported() -> int:
    return db.session.scalar(db.select(db.func.count(Comment.id)).where(Comment.imported.is_(True)))


def test_the_confirmation_form_carries_only_a_token(setting):
    browser, document = setting["browser"], setting["document"]
    page = upload(browser, document, setting["file"]).get_data(as_text=True)
    form = page[page.index('action="/documents/') :]
    form = form[: form.index("</form>")]
    # (no CSRF token in the tests: they switch CSRF off)
    assert re.findall(r'<input[^>]*name="([^"]+)"', form) == ["token"]
    assert "Mexico supports" not in form
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', form)[1]
    held = db.session.scalars(db.select(CommentImportPreview)).one()
    # Only a hash of the token is stored; the rows wait on the server.
    assert held.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in held.token_hash
    assert [row["body"] for row in held.rows] == ["Mexico supports (a).", "¿Cuándo habrá otro diálogo?"]
    assert held.organization.code == "MEX" and held.used_at is None
    assert timedelta(minutes=29) < held.expires_at - held.created_at <= timedelta(minutes=30)
    assert imported() == 0


def test_a_confirmation_creates_the_comments_once(setting):
    browser, document = setting["browser"], setting["document"]
    token = preview_token(browser, document, setting["file"])
    response = confirm(browser, document, token)
    assert response.status_code == 302 and "organization=MEX" in response.headers["Location"]
    assert imported() == 2
    replay = confirm(browser, document, token)
    assert replay.status_code == 409
    assert "already been imported" in replay.get_data(as_text=True)
    assert imported() == 2
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.action.like("comments.import%"))).all()
    assert sorted(actions) == ["comments.import", "comments.import_preview"]


def test_another_users_token_is_unknown_to_them(app, world, setting):
    browser, document = setting["browser"], setting["document"]
    token = preview_token(browser, document, setting["file"])
    colleague = app.test_client()
    login(colleague, world.user("secretariat", key="second-secretariat"))
    response = confirm(colleague, document, token)
    assert response.status_code == 404 and "Upload the file again" in response.get_data(as_text=True)
    assert imported() == 0
    assert confirm(browser, document, token).status_code == 302  # still the previewer's to confirm


def test_a_token_is_bound_to_its_document(world, setting):
    browser, document = setting["browser"], setting["document"]
    other = world.document(slug="other-plan")
    world.release(other)
    token = preview_token(browser, document, setting["file"])
    assert confirm(browser, other, token).status_code == 404
    assert imported() == 0


def test_an_expired_preview_cannot_be_confirmed(setting):
    browser, document = setting["browser"], setting["document"]
    token = preview_token(browser, document, setting["file"])
    db.session.execute(db.update(CommentImportPreview).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    response = confirm(browser, document, token)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    assert imported() == 0


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 10_000])
def test_made_up_tokens_are_unknown(setting, token):
    browser, document = setting["browser"], setting["document"]
    preview_token(browser, document, setting["file"])
    assert confirm(browser, document, token).status_code == 404
    assert imported() == 0


def test_a_release_published_after_the_preview_needs_a_new_one(world, setting):
    browser, document = setting["browser"], setting["document"]
    token = preview_token(browser, document, setting["file"])
    world.release(document, label="First draft")
    assert confirm(browser, document, token).status_code == 409
    assert imported() == 0
    assert db.session.scalars(db.select(CommentImportPreview.used_at)).one() is None  # rolled back


def test_rows_that_cannot_be_read_are_not_kept(setting):
    browser, document = setting["browser"], setting["document"]
    bad = filled_template(browser, document.id, [["2", "general", "Fine.", None], ["99", "general", "No such.", None]])
    page = upload(browser, document, bad).get_data(as_text=True)
    assert "no paragraph with this number" in page and 'name="token"' not in page
    assert db.session.scalar(db.select(db.func.count(CommentImportPreview.id))) == 0


def test_old_previews_are_cleaned_up_when_a_new_one_is_kept(setting):
    browser, document = setting["browser"], setting["document"]
    preview_token(browser, document, setting["file"])
    preview_token(browser, document, setting["file"])
    first, second = db.session.scalars(db.select(CommentImportPreview.id).order_by(CommentImportPreview.id)).all()
    db.session.execute(
        db.update(CommentImportPreview)
        .where(CommentImportPreview.id == first)
        .values(expires_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()
    preview_token(browser, document, setting["file"])
    kept = db.session.scalars(db.select(CommentImportPreview.id).order_by(CommentImportPreview.id)).all()
    assert kept[0] == second and len(kept) == 2


def test_a_file_beyond_the_limits_is_refused_with_a_413_and_nothing_kept(database_url, world, setting):
    document, data = setting["document"], setting["file"]
    parts = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    strict = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAX_UPLOAD_PARTS=parts - 1)
    with strict.app_context():
        browser = strict.test_client()
        login(browser, world.user("secretariat"))
        response = upload(browser, document, data)
        assert response.status_code == 413
        assert f"too many parts to be imported (at most {parts - 1})" in response.get_data(as_text=True)
        db.session.remove()
    assert db.session.scalar(db.select(db.func.count(CommentImportPreview.id))) == 0
    assert imported() == 0


def test_the_api_refuses_a_zip_bomb_with_a_413(client, world, setting):
    document = setting["document"]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for _ in range(101):
                part.write(bytes(1024 * 1024))
    response = client.post(
        f"/api/v1/documents/{document.id}/comments/import",
        data={"file": (io.BytesIO(output.getvalue()), "bomb.xlsx"), "organization": "MEX"},
        headers=world.token(world.user("secretariat")),
    )
    assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    assert "at most 100 MB" in response.json["error"]["fields"]["file"][0]
    assert imported() == 0
