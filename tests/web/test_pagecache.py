"""Pages each worker keeps: never stale, never another reader's, never another delegation's."""

import random
import re
import time
from datetime import timedelta

from flask_login import login_user
from sqlalchemy import event

from consult.comments.services import create_comment, record_disposition
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import Section
from consult.models.base import utcnow
from consult.models.stamps import comments_scope
from consult.web.pagecache import PageStore, _Entry, document_scopes, read_stamps, section_scope, section_scopes
from tests.conftest import login


def _statements(app, client, path: str) -> tuple[str, int]:
    """The page and how many SQL statements it took."""
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def _reader(page: str) -> str:
    return re.search(r'class="account__who">\s*<a [^>]*>([^<]*)</a>', page)[1]


def _csrf_tokens(page: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]*)"', page))


def _published(world):
    document = world.document()
    world.release(document)
    return document, document.sections[0]


def test_a_kept_page_is_filled_in_for_each_reader(app, world):
    _, section = _published(world)
    first, second = world.user("delegate", "KEN", key="Amina"), world.user("delegate", "KEN", key="Brian")
    first_client, second_client = app.test_client(), app.test_client()
    login(first_client, first)
    login(second_client, second)
    path = f"/sections/{section.id}"

    page, rendering = _statements(app, first_client, path)
    assert _reader(page) == "Amina"
    kept, reuse = _statements(app, second_client, path)
    # The second reader gets the kept page: the session's user and the stamps, nothing more.
    assert reuse <= 3 < rendering
    assert _reader(kept) == "Brian" and "Amina" not in kept
    assert _csrf_tokens(kept) and _csrf_tokens(kept).isdisjoint(_csrf_tokens(page))
    assert "csrf-" not in kept and "reader-" not in kept  # no placeholder left


def test_a_change_shows_at_once_on_a_kept_page(app, world, client):
    _, section = _published(world)
    editor = world.user("editor")
    focal_point = world.user("focal_point", "KEN")
    login(client, editor)
    path = f"/sections/{section.id}"
    assert "Comment " not in client.get(path).get_data(as_text=True)

    comment = create_comment(focal_point, section, kind="general", body="Kenya asks for a target.", submit=True)
    db.session.commit()
    assert "Kenya asks for a target." in client.get(path).get_data(as_text=True)

    record_disposition(editor, comment, disposition="noted", rationale="Outside the mandate.")
    db.session.commit()
    assert "Outside the mandate." in client.get(path).get_data(as_text=True)


def test_delegations_never_share_a_kept_page(app, world):
    _, section = _published(world)
    kenya, peru = world.user("focal_point", "KEN"), world.user("focal_point", "PER")
    create_comment(kenya, section, kind="general", body="Kenya draft position.")
    db.session.commit()
    kenya_client, peru_client = app.test_client(), app.test_client()
    login(kenya_client, kenya)
    login(peru_client, peru)
    path = f"/sections/{section.id}"
    assert "Kenya draft position." in kenya_client.get(path).get_data(as_text=True)
    peru_sees = peru_client.get(path).get_data(as_text=True)
    # Peru may name Kenya as a co-signer of its own comment, but sees nothing Kenya wrote.
    assert "Kenya draft position." not in peru_sees
    assert re.search(r'<article class="comment[^>]*>(?:(?!</article>).)*Kenya', peru_sees, re.S) is None


def _scopes_of(app, user, section) -> tuple[list[str], list[str]]:
    """The stamps ``user``'s kept section page and document page depend on."""
    with app.test_request_context():
        login_user(user)
        return section_scopes(section.id), document_scopes(section.document_id)


def test_a_comment_submitted_in_the_window_makes_only_its_readers_pages_stale(app, world):
    document, section = _published(world)
    kenya, peru, editor = world.user("focal_point", "KEN"), world.user("focal_point", "PER"), world.user("editor")
    scopes = {user.email: sum(_scopes_of(app, user, section), []) for user in (kenya, peru, editor)}
    before = {email: read_stamps(names) for email, names in scopes.items()}

    create_comment(kenya, section, kind="general", body="Kenya asks for a target.")
    db.session.commit()
    # A draft is Kenya's alone.
    after_draft = {email: read_stamps(names) for email, names in scopes.items()}
    assert after_draft[kenya.email] != before[kenya.email]
    assert after_draft[peru.email] == before[peru.email] and after_draft[editor.email] == before[editor.email]

    comment = create_comment(kenya, section, kind="general", body="Kenya submits.", submit=True)
    db.session.commit()
    after_submit = {email: read_stamps(names) for email, names in scopes.items()}
    # Submitted while the window is open: Kenya's and the staff's pages change, Peru's stay kept.
    assert after_submit[peru.email] == before[peru.email]
    assert after_submit[editor.email] != after_draft[editor.email]
    assert after_submit[kenya.email] != after_draft[kenya.email]

    # Once the window has closed, every participant may read it: an answer changes everyone's pages.
    document.releases[-1].comments_close_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    closed = read_stamps(scopes[peru.email])
    record_disposition(editor, comment, disposition="noted", rationale="Outside the mandate.")
    db.session.commit()
    assert read_stamps(scopes[peru.email]) != closed


def test_a_co_signer_sees_the_invitation_on_its_kept_page(app, world, client):
    _, section = _published(world)
    kenya, egypt = world.user("focal_point", "KEN"), world.user("focal_point", "EGY")
    login(client, egypt)
    path = f"/sections/{section.id}"
    assert "Joint position." not in client.get(path).get_data(as_text=True)
    create_comment(kenya, section, kind="general", body="Joint position.", submit=True, co_signers=["EGY"])
    db.session.commit()
    assert "Joint position." in client.get(path).get_data(as_text=True)


def test_a_page_kept_while_the_window_was_open_is_not_used_after_it_closes(app, world, client):
    document = world.document()
    publish_release(None, document, label="Zero draft", comments_close_at=utcnow() + timedelta(seconds=2))
    db.session.commit()
    section = document.sections[0]
    kenya, peru = world.user("focal_point", "KEN"), world.user("focal_point", "PER")
    create_comment(kenya, section, kind="general", body="Kenya submitted position.", submit=True)
    db.session.commit()
    login(client, peru)
    path = f"/sections/{section.id}"
    assert "submitted position" not in client.get(path).get_data(as_text=True)
    time.sleep(2.1)  # no write happens: only the clock moves
    page = client.get(path).get_data(as_text=True)
    assert "Kenya submitted position." in page
    assert "Write a comment" not in page


def test_a_renamed_author_shows_on_kept_pages(app, world, client):
    _, section = _published(world)
    delegate, focal_point = world.user("delegate", "KEN", key="Amina"), world.user("focal_point", "KEN")
    create_comment(delegate, section, kind="general", body="A draft.")
    db.session.commit()
    login(client, focal_point)
    path = f"/sections/{section.id}"
    assert "drafted by <bdi>Amina</bdi>" in client.get(path).get_data(as_text=True)
    delegate.name = "Amina Mohamed"
    db.session.commit()
    assert "drafted by <bdi>Amina Mohamed</bdi>" in client.get(path).get_data(as_text=True)


def test_signing_in_leaves_kept_pages_valid(app, world, client):
    _, section = _published(world)
    editor, focal_point = world.user("editor"), world.user("focal_point", "KEN")
    login(client, editor)
    scopes = ["global", section_scope(section.id)]
    before = read_stamps(scopes)
    login(app.test_client(), focal_point)  # a new session nonce is written
    assert read_stamps(scopes) == before


def test_a_rolled_back_change_leaves_the_stamps_as_they_were(app, world):
    _, section = _published(world)
    focal_point = world.user("focal_point", "KEN")
    scopes = ["global", comments_scope(section.id, f"org:{focal_point.organization_id}")]
    before = read_stamps(scopes)
    create_comment(focal_point, section, kind="general", body="Never saved.")
    db.session.flush()
    db.session.rollback()
    assert read_stamps(scopes) == before
    # Nor does it linger to be written with the next transaction's stamps.
    world.user("editor", key="Another")  # a transaction of its own, that changes no page
    assert read_stamps(scopes) == before


def test_the_stamps_of_a_transaction_are_written_as_it_commits_including_its_last_changes(app, world):
    """Every flush's changes count, those the commit itself flushes too; the stamps' rows are
    written once, last, so that concurrent submissions do not hold them for one another."""
    _, section = _published(world)
    focal_point = world.user("focal_point", "KEN")
    scopes = ["global", comments_scope(section.id, f"org:{focal_point.organization_id}")]
    before = read_stamps(scopes)
    comment = create_comment(focal_point, section, kind="general", body="First words.")
    db.session.flush()
    assert read_stamps(scopes) == before  # not yet: the transaction goes on
    db.session.commit()
    first = read_stamps(scopes)
    assert first[1] != before[1] and first[0] == before[0]
    comment.body = "Changed, and flushed only by the commit."
    db.session.commit()
    assert read_stamps(scopes)[1] != first[1]


def test_other_arguments_and_flashed_messages_are_never_kept(app, world, client):
    _, section = _published(world)
    login(client, world.user("editor"))
    store = app.extensions["consult.pages"]
    client.get(f"/sections/{section.id}?utm_source=mail")
    assert len(store) == 0
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Version 2 saved.")]
    assert "Version 2 saved." in client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert len(store) == 0
    client.get(f"/sections/{section.id}?page=1")
    assert len(store) == 1


def test_a_missing_section_is_a_404_and_nothing_is_kept(app, world, client):
    login(client, world.user("editor"))
    assert client.get("/sections/999999").status_code == 404
    assert db.session.get(Section, 999999) is None
    assert len(app.extensions["consult.pages"]) == 0


def _page(size: int, seed: int) -> str:
    """A page that does not compress: its kept size is predictable."""
    return random.Random(seed).randbytes(size).hex()  # noqa: S311  (test data)


def test_the_store_keeps_the_most_recently_used_pages_within_its_size():
    later = utcnow() + timedelta(minutes=5)
    entries = {name: _Entry.of((1,), later, _page(100, seed)) for seed, name in enumerate("abcd")}
    one = len(entries["a"].compressed)
    store = PageStore(max_bytes=one * 2 + one // 2)
    for name in "abc":
        store.put((name,), entries[name])
    assert len(store) == 2 and store.get(("a",)) is None
    store.get(("b",))
    store.put(("d",), entries["d"])
    assert store.get(("b",)) is not None and store.get(("c",)) is None
    store.put(("huge",), _Entry.of((1,), later, _page(1000, 9)))
    assert store.get(("huge",)) is None and len(store) == 2


def test_the_store_keeps_pages_compressed_and_counts_what_it_keeps():
    later = utcnow() + timedelta(minutes=5)
    page = '<p lang="zh">段落</p>' * 2000  # 44,000 UTF-8 bytes of repetitive HTML
    entry = _Entry.of((1,), later, page)
    assert entry.html == page
    assert len(entry.compressed) < len(page.encode()) / 4
    store = PageStore(max_bytes=len(entry.compressed))
    store.put(("zh",), entry)
    assert store.size == len(entry.compressed) and store.get(("zh",)).html == page
    # A page replaced by a version too large to keep is not served stale either.
    store.put(("zh",), _Entry.of((1,), later, _page(5000, 1)))
    assert store.get(("zh",)) is None and store.size == 0 and len(store) == 0


def test_the_store_never_holds_more_than_its_limit():
    store = PageStore(max_bytes=1000)
    later = utcnow() + timedelta(minutes=5)
    for number in range(500):
        store.put((number % 37,), _Entry.of((1,), later, _page(number * 7 % 300, number)))
        assert store.size <= 1000
        assert store.size == sum(len(entry.compressed) for entry in map(store.get, list(store._entries)))


def test_equivalent_query_strings_share_one_kept_page(app, world, client):
    _, section = _published(world)
    login(client, world.user("editor"))
    store = app.extensions["consult.pages"]
    path = f"/sections/{section.id}"
    assert client.get(f"{path}?page=1").status_code == 200
    assert len(store) == 1
    for query in ("page=01", "page=1&page=1", "page=1&page=2", "page=%D9%A1", "page=1&version=", "version=&page=001"):
        assert client.get(f"{path}?{query}").status_code == 200
        assert len(store) == 1, query
    client.get(f"{path}?version=1&page=1")
    client.get(f"{path}?page=01&version=01")
    assert len(store) == 2
    # The page without arguments and with an empty one are the same too.
    client.get(path)
    client.get(f"{path}?page=")
    assert len(store) == 3
    # A long run of digits is not read as a number by the views: it stays apart.
    client.get(f"{path}?page=0000002")
    assert len(store) == 4
    client.get(f"{path}?page=1&utm_source=mail")
    assert len(store) == 4


def test_a_browser_that_has_the_page_gets_a_304_until_it_changes(app, world, client):
    _, section = _published(world)
    editor, focal_point = world.user("editor"), world.user("focal_point", "KEN")
    login(client, editor)
    path = f"/sections/{section.id}"
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    other = app.test_client()
    login(other, world.user("editor", key="second-editor"))
    assert other.get(path, headers={"If-None-Match": etag}).status_code == 200  # another session
    create_comment(focal_point, section, kind="general", body="A new position.", submit=True)
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "A new position." in changed.get_data(as_text=True)


def test_a_head_request_leaves_nothing_for_the_readers_that_follow(app, world, client):
    _, section = _published(world)
    login(client, world.user("editor"))
    path = f"/sections/{section.id}"
    assert client.head(path).status_code == 200
    page = client.get(path).get_data(as_text=True)
    assert f'name="next" value="{path}?"' in page  # the language switch comes back here


def test_the_document_page_is_rendered_once_for_all_delegations_with_each_ones_counts(app, world):
    document, section = _published(world)
    kenya, peru = world.user("focal_point", "KEN", key="Amina"), world.user("focal_point", "PER", key="Rosa")
    create_comment(kenya, section, kind="general", body="Kenya's first.", submit=True)
    create_comment(kenya, section, kind="general", body="Kenya's second.", submit=True)
    db.session.commit()
    kenya_client, peru_client = app.test_client(), app.test_client()
    login(kenya_client, kenya)
    login(peru_client, peru)
    path = f"/documents/{document.id}"

    kenya_page, rendering = _statements(app, kenya_client, path)
    assert "2 comments" in kenya_page and "Kenya" in kenya_page and "Amina" in kenya_page
    peru_page, filling = _statements(app, peru_client, path)
    # Peru's page is Kenya's rendering with Peru's counts: its user, the stamps and its counts.
    assert filling <= 4 < rendering
    assert "2 comments" not in peru_page and "0 comments" in peru_page
    assert "Peru" in peru_page and "Rosa" in peru_page and "Kenya" not in peru_page and "Amina" not in peru_page
    assert "for-reader-" not in peru_page and "delegation-" not in peru_page

    create_comment(kenya, section, kind="general", body="Kenya's third.", submit=True)
    db.session.commit()
    assert "3 comments" in kenya_client.get(path).get_data(as_text=True)
    _, reuse = _statements(app, peru_client, path)
    assert reuse <= 3  # Peru's kept page is still good
