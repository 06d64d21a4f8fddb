"""The demo consultation built from the seed document."""

from consult.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, SLUG, load_demo
from consult.drafts.services import current_release, get_consultation
from consult.extensions import db
from consult.models.base import utcnow
from tests.conftest import login


def test_demo_loads_the_seed_draft_with_an_open_release(app):
    assert load_demo() is True
    db.session.commit()
    consultation = get_consultation(SLUG)
    assert consultation.title == "UN-Habitat Strategic Plan 2026–2029"
    chinese, english = consultation.documents[:2]
    for document in (chinese, english):
        assert [s.number for s in document.sections] == [str(n) for n in range(1, 28)]
        assert len(dict.fromkeys(s.chapter for s in document.sections)) == 6
        release = current_release(document)
        assert release.label == "Zero draft" and release.is_open(utcnow())
        assert 29 <= (release.comments_close_at - utcnow()).days <= 30
    assert chinese.sections[0].chapter == "一、 导言"
    assert "(e)" in chinese.sections[8].versions[0].body
    assert load_demo() is False


def test_every_demo_account_can_sign_in(app):
    load_demo()
    db.session.commit()
    for email, *_ in DEMO_ACCOUNTS:
        client = app.test_client()
        response = client.post("/auth/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email


def test_demo_comments_respect_visibility(app):
    load_demo()
    db.session.commit()
    from consult.models import User

    france = db.session.scalar(db.select(User).where(User.email == "focal.fra@consult.example"))
    client = app.test_client()
    login(client, france, "consult-demo-2026")
    chinese = get_consultation(SLUG).documents[0]
    page = client.get(f"/sections/{chinese.sections[8].id}").get_data(as_text=True)
    assert "中方支持五项指导原则" not in page  # China's comment, window still open
