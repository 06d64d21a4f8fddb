"""The audit log page: the Secretariat and administrators only, newest first, filtered,
paginated, with details shown as text."""

from datetime import timedelta

import pytest

from consult.extensions import db
from consult.models import AuditEvent
from consult.models.base import utcnow
from tests.admin.events import dated_event
from tests.conftest import login


@pytest.mark.parametrize(
    "role, org, status",
    [
        ("observer", None, 403),
        ("delegate", "KEN", 403),
        ("focal_point", "KEN", 403),
        ("editor", None, 403),
        ("secretariat", None, 200),
        ("admin", None, 200),
    ],
)
def test_who_may_read_the_audit_log(app, world, role, org, status):
    browser = app.test_client()
    assert browser.get("/admin/audit").status_code == 302
    login(browser, world.user(role, org))
    assert browser.get("/admin/audit").status_code == status
    assert ('href="/admin/audit"' in browser.get("/").get_data(as_text=True)) == (status == 200)


def _event(actor, action, obj, minutes_ago, **details) -> None:
    dated_event(actor, action, obj, utcnow() - timedelta(minutes=minutes_ago), **details)


def test_events_newest_first_with_who_what_and_when(client, world):
    secretariat = world.user("secretariat")
    focal = world.user("focal_point", "KEN")
    _event(focal, "comment.submit", focal, 30)
    _event(secretariat, "release.publish", secretariat, 10)
    _event(None, "user.sign_in_locked", focal, 5, note="<script>alert(1)</script> & 肯尼亚")
    db.session.commit()
    login(client, secretariat)
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = page[page.index("<tbody>") :]
    assert rows.index("user.sign_in_locked") < rows.index("release.publish") < rows.index("comment.submit")
    assert "focal_point-KEN" in rows and "No signed-in user" in rows
    assert f"user {focal.id}" in rows
    assert "<time datetime=" in rows
    assert "<script>" not in page
    assert "{&#34;note&#34;: &#34;&lt;script&gt;alert(1)&lt;/script&gt; &amp; 肯尼亚&#34;}" in page


def test_filters_by_action_and_by_user(client, world):
    secretariat = world.user("secretariat")
    focal = world.user("focal_point", "KEN")
    _event(focal, "comment.submit", focal, 3)
    _event(secretariat, "release.publish", secretariat, 2)
    _event(None, "user.sign_in_locked", focal, 1)
    db.session.commit()
    login(client, secretariat)

    def rows(query):
        page = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return page[page.index('role="status"') :]

    only_publish = rows("action=release.publish")
    assert "release.publish" in only_publish and "comment.submit" not in only_publish
    by_focal = rows(f"user={focal.id}")
    assert "comment.submit" in by_focal and "release.publish" not in by_focal and "1 event" in by_focal
    nobody = rows("user=none")
    assert "user.sign_in_locked" in nobody and "comment.submit" not in nobody
    assert "No events match." in rows(f"user={focal.id}&action=release.publish")
    assert client.get("/admin/audit?user=abc&action=&page=x").status_code == 200


def test_the_log_is_paginated(client, world):
    secretariat = world.user("secretariat")
    for number in range(60):
        _event(secretariat, "test.numbered", secretariat, 100 - number, number=number)
    db.session.commit()
    login(client, secretariat)  # adds the newest event: user.sign_in
    total = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    first = client.get("/admin/audit?action=test.numbered").get_data(as_text=True)
    assert "60 events" in first and "Page 1 of 2" in first
    assert "{&#34;number&#34;: 59}" in first and "{&#34;number&#34;: 10}" in first
    assert "{&#34;number&#34;: 9}" not in first
    assert 'href="/admin/audit?page=2&amp;action=test.numbered"' in first
    second = client.get("/admin/audit?action=test.numbered&page=2").get_data(as_text=True)
    assert "{&#34;number&#34;: 9}" in second and "{&#34;number&#34;: 0}" in second
    assert f"{total} events" in client.get("/admin/audit").get_data(as_text=True)
