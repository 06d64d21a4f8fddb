"""Security headers on pages, JSON, files and error pages; cookie flags in production."""

import re
from pathlib import Path

import pytest

from consult import create_app
from consult.web.security import DATA_POLICY, PAGE_POLICY
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parents[2]

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_common_headers(response):
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # only with HTTPS-only cookies


def test_pages_forbid_inline_script_and_framing(client, world):
    for response in (client.get("/"), client.get("/auth/login")):
        assert_common_headers(response)
        policy = response.headers["Content-Security-Policy"]
        assert policy == PAGE_POLICY
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_signed_in_pages_and_redirects_carry_the_headers(client, world):
    response = login(client, world.user("secretariat"))
    assert_common_headers(response)
    page = client.get("/admin/users")
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == PAGE_POLICY


def test_json_files_and_feeds_load_nothing(client, world):
    headers = world.token(world.user("observer"))
    for response in (
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/consultations", headers=headers),
        client.get("/static/css/consult.css"),
    ):
        assert response.status_code == 200
        assert_common_headers(response)
        assert response.headers["Content-Security-Policy"] == DATA_POLICY
        assert DATA_POLICY.startswith("default-src 'none'")


def test_error_pages_carry_the_headers(app, client):
    app.add_url_rule("/test-crash", "test_crash", lambda: 1 / 0)
    for url, status, policy in (
        ("/no-such-page", 404, PAGE_POLICY),
        ("/test-crash", 500, PAGE_POLICY),
        ("/api/v1/no-such-thing", 404, DATA_POLICY),
        ("/api/v1/consultations", 401, DATA_POLICY),
    ):
        response = client.get(url)
        assert response.status_code == status, url
        assert_common_headers(response)
        assert response.headers["Content-Security-Policy"] == policy, url
    assert client.post("/auth/login", data={"email": "x"}).headers["Content-Security-Policy"] == PAGE_POLICY


def test_templates_and_markup_need_no_inline_script_or_style():
    """The page policy allows neither (a script file of our own, <script src>, is allowed); anything that needs
    them would break silently."""
    inline = re.compile(r"<script(?![^>]*\ssrc=)|<style|\sstyle=[\"']|\son[a-z]+=[\"']|javascript:", re.IGNORECASE)
    files = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "consult").rglob("*.py")]
    offending = [str(path.relative_to(ROOT)) for path in files if inline.search(path.read_text(encoding="utf-8"))]
    assert offending == []


@pytest.fixture
def production(database_url):
    return create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="s" * 64)


def test_production_cookies_are_secure_httponly_and_lax(production, world):
    user = world.user("observer")
    site = "https://consult.example"
    with production.app_context():
        browser = production.test_client()
        form = browser.get("/auth/login", base_url=site).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        response = browser.post(
            "/auth/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
            base_url=site,
            headers={"Referer": f"{site}/auth/login"},
        )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_development_cookies_are_httponly_and_lax(client, world):
    cookie = login(client, world.user("observer")).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_production_refuses_the_development_secret_key(database_url):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="dev-only-not-secret")
