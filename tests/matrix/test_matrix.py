"""The comment-response matrix, its downloads, the published compilation, imports, dashboard."""

import csv
import io
from datetime import timedelta

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from consult.comments.services import create_comment, record_disposition
from consult.drafts.services import publish_release
from consult.extensions import db
from consult.models import Comment
from consult.models.base import utcnow
from tests.conftest import login


@pytest.fixture
def matrix(world):
    document = world.document()
    release = world.release(document)
    kenya, france, china = (world.user("focal_point", code) for code in ("KEN", "FRA", "CHN"))
    comments = [
        create_comment(kenya, document.sections[1], kind="general", body="Kenya supports (a).", submit=True),
        create_comment(
            france,
            document.sections[1],
            kind="amendment",
            body='=HYPERLINK("http://evil","x")',
            proposed_text="Bold, relevant and responsive",
            submit=True,
        ),
        create_comment(china, document.sections[2], kind="question", body="中方询问对话的安排。", submit=True),
    ]
    record_disposition(world.user("editor"), comments[0], disposition="accepted", rationale=None)
    db.session.commit()
    return {
        "document": document,
        "release": release,
        "comments": comments,
        "editor": world.token(world.user("editor")),
        "kenya": world.token(kenya),
    }


def url(matrix, suffix=""):
    return f"/api/v1/documents/{matrix['document'].id}/matrix{suffix}"


def test_matrix_rows_and_visibility(client, world, matrix):
    rows = client.get(url(matrix), headers=matrix["editor"]).json
    assert [r["comment_id"] for r in rows] == [c.id for c in matrix["comments"]]
    assert set(rows[0]) >= {
        "comment_id",
        "section_number",
        "organization",
        "kind",
        "body",
        "proposed_text",
        "disposition",
        "rationale",
        "resolved_in_version",
    }
    assert rows[0]["disposition"] == "accepted" and rows[0]["organization"] == "KEN"
    assert [r["organization"] for r in client.get(url(matrix), headers=matrix["kenya"]).json] == ["KEN"]
    assert [r["comment_id"] for r in client.get(url(matrix, "?disposition=none"), headers=matrix["editor"]).json] == [
        c.id for c in matrix["comments"][1:]
    ]
    assert len(client.get(url(matrix, "?region=WEOG"), headers=matrix["editor"]).json) == 1
    assert len(client.get(url(matrix, "?release=1&organization=chn"), headers=matrix["editor"]).json) == 1
    assert client.get(url(matrix, "?release=9"), headers=matrix["editor"]).status_code == 404
    assert client.get(url(matrix, "?release=x"), headers=matrix["editor"]).status_code == 422


def test_xlsx_has_every_comment_once_and_no_formula(client, matrix):
    response = client.get(url(matrix, ".xlsx?release=1"), headers=matrix["editor"])
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    ids = [row[0] for row in values if isinstance(row[0], int)]
    assert sorted(ids) == sorted(c.id for c in matrix["comments"])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for row in values for v in row)
    assert any(v == "中方询问对话的安排。" for row in values for v in row)


def test_docx_table_has_each_comment_once_and_the_amendment_tracked_against_its_paragraph(client, matrix):
    response = client.get(url(matrix, ".docx"), headers=matrix["editor"])
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    rows = [row for table in document.tables for row in table.rows[1:]]
    assert len(rows) == len(matrix["comments"])
    text = "\n".join(cell.text for row in rows for cell in row.cells)
    for comment in matrix["comments"]:
        assert text.count(comment.body) == 1
    assert "Kenya" in text and "France" in text and "China" in text
    # France's amendment: the paragraph as printed, changed into the proposal, by France.
    proposal = rows[1].cells[3]._tc
    paragraph = matrix["comments"][1].version.body

    def read(dropped: str) -> str:
        """The cell's text without that of its insertions ("ins": all rejected) or deletions ("del": all accepted)."""
        found = proposal.iter(qn("w:t"), qn("w:delText"), qn("w:br"))
        return "".join(
            element.text or "\n" for element in found if element.getparent().getparent().tag != qn(f"w:{dropped}")
        )

    assert read("del") == "Bold, relevant and responsive"
    assert read("ins") == paragraph.replace("\n\n", "\n")  # a Markdown paragraph a line
    assert {change.get(qn("w:author")) for change in proposal.iter(qn("w:ins"), qn("w:del"))} == {"France"}


def test_docx_of_more_comments_than_a_batch_tracks_every_proposal(client, world, matrix):
    france = world.user("focal_point", "FRA")
    for number in range(1, 1_101):
        create_comment(
            france,
            matrix["document"].sections[2],
            kind="amendment",
            body=f"Amendment {number}.",
            proposed_text=f"Proposal {number}.",
            submit=True,
        )
    db.session.commit()

    response = client.get(url(matrix, ".docx"), headers=matrix["editor"])
    rows = [row for table in docx.Document(io.BytesIO(response.data)).tables for row in table.rows[1:]]
    assert len(rows) == 3 + 1_100
    tracked = [row for row in rows if row.cells[3]._tc.find(f".//{qn('w:del')}") is not None]
    # Each against the paragraph it amends, read a batch at a time while the comments stream.
    assert len(tracked) == 1 + 1_100


def test_xlsx_dates_are_date_cells_labelled_with_the_zone(client, matrix):
    response = client.get(url(matrix, ".xlsx"), headers=matrix["editor"])
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    submitted, answered = header.index("Submitted (UTC)"), header.index("Answered (UTC)")
    kenya = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == matrix["comments"][0].id)
    comment = matrix["comments"][0]
    assert kenya[submitted].is_date and kenya[answered].is_date
    assert kenya[submitted].value == comment.submitted_at.replace(tzinfo=None, microsecond=0)
    assert kenya[answered].value == comment.disposed_at.replace(tzinfo=None, microsecond=0)


def test_csv_opens_in_excel_and_is_not_a_formula(client, matrix):
    response = client.get(url(matrix, ".csv"), headers=matrix["editor"])
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + len(matrix["comments"])
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_published_compilation_is_public(app, client, world, matrix):
    secretariat = app.test_client()
    login(secretariat, world.user("secretariat"))
    page = f"/documents/{matrix['document'].id}/matrix"
    assert client.get(page).status_code == 302  # not public yet: sign in
    assert secretariat.post(f"{page}/publish?release=1").status_code == 409  # the window is still open
    assert matrix["release"].compilation_published_at is None
    world.close_window(matrix["release"])
    # Two of the three comments have no answer: the same gate as for the next release.
    refused = secretariat.post(f"{page}/publish?release=1")
    assert refused.status_code == 409 and "have no answer yet (2)" in refused.get_data(as_text=True)
    assert secretariat.post(f"{page}/publish?release=1", data={"override_reason": "x"}).status_code == 422
    db.session.refresh(matrix["release"])
    assert matrix["release"].compilation_published_at is None
    reason = "The Board asked for the compilation before its session."
    assert secretariat.post(f"{page}/publish?release=1", data={"override_reason": reason}).status_code == 302
    db.session.refresh(matrix["release"])
    assert matrix["release"].compilation_published_at is not None
    assert matrix["release"].compilation_override_reason == reason
    public = client.get(page)
    assert public.status_code == 200 and "中方询问对话的安排。" in public.get_data(as_text=True)
    assert client.get(f"/documents/{matrix['document'].id}/matrix.csv").status_code == 200


def _filled_template(client, matrix, rows):
    template = client.get(f"/api/v1/documents/{matrix['document'].id}/comments/template.xlsx", headers=matrix["editor"])
    workbook = openpyxl.load_workbook(io.BytesIO(template.data))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_template_names_its_columns(client, matrix):
    response = client.get(f"/api/v1/documents/{matrix['document'].id}/comments/template.xlsx", headers=matrix["editor"])
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == [
        "Paragraph number",
        "Kind",
        "Comment",
        "Proposed text",
    ]


def test_import_preview_then_create(client, world, matrix):
    secretariat = world.token(world.user("secretariat"))
    data = _filled_template(
        client, matrix, [["2", "General comment", "Brazil supports (b).", None], ["3", "question", "¿Cuándo?", None]]
    )
    endpoint = f"/api/v1/documents/{matrix['document'].id}/comments/import"
    before = db.session.scalar(db.select(db.func.count(Comment.id)))
    dry = client.post(
        endpoint,
        data={"file": (io.BytesIO(data), "brazil.xlsx"), "organization": "BRA", "dry_run": "true"},
        headers=secretariat,
    )
    assert dry.status_code == 200 and dry.json["created"] == 0 and len(dry.json["rows"]) == 2
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == before
    real = client.post(
        endpoint,
        data={"file": (io.BytesIO(data), "brazil.xlsx"), "organization": "BRA", "dry_run": "false"},
        headers=secretariat,
    )
    assert real.status_code == 201 and real.json["created"] == 2
    imported = db.session.scalars(db.select(Comment).where(Comment.imported.is_(True))).all()
    assert {c.organization.code for c in imported} == {"BRA"} and {c.status for c in imported} == {"submitted"}
    assert (
        client.post(
            endpoint, data={"file": (io.BytesIO(data), "x.xlsx"), "organization": "BRA"}, headers=matrix["kenya"]
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("rows", "expected_row"),
    [
        ([["2", "general", "ok", None], ["99", "general", "no such paragraph", None]], 3),
        ([["2", "general", "ok", None], ["3", "amendment", "no text", None]], 3),
        ([["2", "general", "=1+1", None]], 2),
    ],
)
def test_import_with_bad_rows_creates_nothing(client, world, matrix, rows, expected_row):
    secretariat = world.token(world.user("secretariat"))
    data = _filled_template(client, matrix, rows)
    before = db.session.scalar(db.select(db.func.count(Comment.id)))
    response = client.post(
        f"/api/v1/documents/{matrix['document'].id}/comments/import",
        data={"file": (io.BytesIO(data), "b.xlsx"), "organization": "BRA", "dry_run": "false"},
        headers=secretariat,
    )
    assert response.status_code == 422 and response.json["created"] == 0
    assert expected_row in [error["row"] for error in response.json["errors"]]
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == before


def test_import_refuses_files_that_are_not_what_they_claim(client, world, matrix):
    secretariat = world.token(world.user("secretariat"))
    response = client.post(
        f"/api/v1/documents/{matrix['document'].id}/comments/import",
        data={"file": (io.BytesIO(b"%PDF-1.4 not a workbook"), "c.xlsx"), "organization": "BRA"},
        headers=secretariat,
    )
    assert response.status_code == 422 and "file" in response.json["error"]["fields"]
    too_many = _filled_template(client, matrix, [["2", "general", f"row {n}", None] for n in range(10_000)])
    response = client.post(
        f"/api/v1/documents/{matrix['document'].id}/comments/import",
        data={"file": (io.BytesIO(too_many), "c.xlsx"), "organization": "BRA"},
        headers=secretariat,
    )
    assert response.status_code == 422 and "too many rows" in response.json["error"]["message"]


def test_import_through_the_page(app, world, matrix, client):
    data = _filled_template(client, matrix, [["2", "general", "Mexico: apoyamos.", None]])
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    page = f"/documents/{matrix['document'].id}/comments/import"
    preview = browser.post(
        page, data={"organization": "MEX", "file": (io.BytesIO(data), "m.xlsx")}, content_type="multipart/form-data"
    )
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Mexico: apoyamos." in html and "Import 1 comment" in html
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert db.session.scalar(db.select(Comment).where(Comment.body == "Mexico: apoyamos.")) is None
    assert browser.post(f"{page}/confirm", data={"token": token[:-1] + "x"}).status_code == 404
    assert db.session.scalar(db.select(Comment).where(Comment.body == "Mexico: apoyamos.")) is None
    assert browser.post(f"{page}/confirm", data={"token": token}).status_code == 302
    assert db.session.scalar(db.select(Comment).where(Comment.body == "Mexico: apoyamos.")).imported


def test_dashboard(app, world, matrix):
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    page = browser.get(f"/documents/{matrix['document'].id}/dashboard").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "<desc" in page
    assert "3 of 193 Member States commented" in page.replace("\n", " ") or "3</strong>" in page
    delegate = app.test_client()
    login(delegate, world.user("focal_point", "KEN"))
    assert delegate.get(f"/documents/{matrix['document'].id}/dashboard").status_code == 403


def test_dashboard_labels_fit_and_a_release_is_chosen(app, world, matrix):
    browser = app.test_client()
    login(browser, world.user("secretariat"))
    first = browser.get(f"/documents/{matrix['document'].id}/dashboard").get_data(as_text=True)
    # A long regional group wraps onto two lines beside its bar, its full name as the tooltip and in the table.
    assert "<title>Western European and other States</title>" in first
    assert '<tspan x="212" y="' in first and ">Western European and other</tspan>" in first
    assert "<td>Western European and other States</td>" in first
    # With one release there is nothing to choose.
    assert 'name="release"' not in first
    publish_release(
        None,
        matrix["document"],
        label="First draft",
        comments_close_at=utcnow() + timedelta(days=30),
        override_reason="The answers follow in the next weeks.",
    )
    db.session.commit()
    current = browser.get(f"/documents/{matrix['document'].id}/dashboard").get_data(as_text=True)
    assert "Dashboard: <bdi>First draft</bdi>" in current and "<strong>0</strong> submitted comments" in current
    assert '<option value="2" selected>Release 2: First draft</option>' in current
    assert '<option value="1" >Release 1: Zero draft</option>' in current
    earlier = browser.get(f"/documents/{matrix['document'].id}/dashboard?release=1").get_data(as_text=True)
    assert "<strong>3</strong> submitted comments" in earlier and '<option value="1" selected>' in earlier
    assert browser.get(f"/documents/{matrix['document'].id}/dashboard?release=9").status_code == 404


def test_chart_labels_wrap_between_words_or_characters_and_end_in_an_ellipsis():
    from consult.matrix.dashboard import label_lines

    assert label_lines("Paragraph 12") == ["Paragraph 12"]
    spanish = "Estados de Europa Occidental y otros Estados"
    assert label_lines(spanish) == ["Estados de Europa", "Occidental y otros Estados"]
    assert label_lines("西欧和其他国家集团" * 3) == ["西欧和其他国家集团西欧和其他国", "家集团西欧和其他国家集团"]
    assert label_lines("Other participants and observers and very long names that go on") == [
        "Other participants and",
        "observers and very long…",
    ]
    assert label_lines("x" * 60) == ["x" * 26 + "…"]


def test_the_matrix_page_filters_delegations_by_name_and_still_takes_codes(app, world, matrix):
    browser = app.test_client()
    login(browser, world.user("editor"))
    page = browser.get(f"/documents/{matrix['document'].id}/matrix").get_data(as_text=True)
    picker = page.split('<select id="f-organization" name="organization">')[1].split("</select>")[0]
    assert '<option value="KEN" >Kenya (KEN)</option>' in picker
    assert '<option value="FRA" >France (FRA)</option>' in picker
    assert picker.index("France") < picker.index("Kenya")  # by name, not by code
    assert 'name="organization" value=' not in page  # no box expecting a code
    # The query parameter reads as before, in any case; the choice shows as selected.
    chosen = browser.get(f"/documents/{matrix['document'].id}/matrix?organization=ken").get_data(as_text=True)
    assert '<option value="KEN" selected>Kenya (KEN)</option>' in chosen
    assert "Kenya supports (a)." in chosen and "中方询问对话的安排。" not in chosen
    # The text columns are the ones given room.
    assert chosen.count('<th scope="col" class="matrix__text">') == 2
