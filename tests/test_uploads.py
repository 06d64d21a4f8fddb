"""The check every Office upload passes before a parser opens it: zip bombs, part floods,
archives that lie about their sizes, DTDs, and the deadline. Every archive is built in memory."""

import io
import random
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from consult.matrix.comment_import import ImportFileError, parse_upload
from consult.uploads import Deadline, UploadLimits, UploadRefused, check_office_zip, run_isolated

MIB = 1024 * 1024
KINDS = {"general": "General comment", "amendment": "Amendment", "question": "Question"}
HEADERS = {"paragraph": "Paragraph", "kind": "Kind", "comment": "Comment", "proposed_text": "Proposed text"}
WORKBOOK = b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def zeros_bomb(name: str, mebibytes: int) -> bytes:
    """One part of ``mebibytes`` MiB of zeros, written in 1 MiB pieces (never held in memory at once)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        with archive.open(name, "w", force_zip64=True) as part:
            for _ in range(mebibytes):
                part.write(bytes(MIB))
    return output.getvalue()


def central_entries(data: bytes) -> list[int]:
    """Offsets of the central directory records."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    offset, found = archive.start_dir, []
    for _ in archive.infolist():
        found.append(offset)
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, offset + 28)
        offset += 46 + name_length + extra_length + comment_length
    return found


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with the central directory declaring ``size`` bytes for ``name`` (a lie)."""
    patched = bytearray(data)
    for offset in central_entries(data):
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + name_length] == name.encode():
            struct.pack_into("<I", patched, offset + 24, size)
    return bytes(patched)


def check(data: bytes, **limits) -> frozenset[str]:
    return check_office_zip(data, UploadLimits(**limits), Deadline(20))


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(UploadRefused) as caught:
        check(data, **limits)
    return caught.value.code


def test_an_office_file_within_the_limits_passes(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Paragraph", "Comment"])
    path = tmp_path / "comments.xlsx"
    workbook.save(path)
    assert "xl/workbook.xml" in check(path.read_bytes())


def test_a_high_ratio_bomb_is_refused_without_inflating_it() -> None:
    bomb = zeros_bomb("xl/worksheets/sheet1.xml", 200)
    assert len(bomb) < MIB  # 200 MiB from a few hundred kilobytes
    started = time.monotonic()
    assert refusal(bomb) == "too_large"
    assert time.monotonic() - started < 0.5  # refused on what it declares, before inflating anything


def test_a_bomb_that_understates_its_size_is_stopped_while_reading() -> None:
    # The directory says 1 KiB; the part really inflates to 200 MiB.
    liar = declare_size(zeros_bomb("xl/worksheets/sheet1.xml", 200), "xl/worksheets/sheet1.xml", 1024)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    started = time.monotonic()
    assert refusal(liar) in ("unreadable", "too_large")
    assert time.monotonic() - started < 0.5  # one chunk inflated at most, not 200 MiB


def test_parts_sharing_one_compressed_body_count_once_each() -> None:
    # The "overlapping files" bomb: many directory records point at the same compressed data.
    single = zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/media/image1.png": bytes(8 * MIB)})
    archive = zipfile.ZipFile(io.BytesIO(single))
    start, records = archive.start_dir, central_entries(single)
    media_record = single[records[1] : single.index(b"PK\x05\x06")]
    copies = 40
    end = bytearray(single[single.index(b"PK\x05\x06") :])
    directory = single[start : records[1]] + media_record * copies
    struct.pack_into("<HHII", end, 8, 1 + copies, 1 + copies, len(directory), start)
    overlapping = single[:start] + directory + bytes(end)
    assert len(zipfile.ZipFile(io.BytesIO(overlapping)).infolist()) == 1 + copies
    assert len(overlapping) < MIB
    assert refusal(overlapping) == "too_large"  # 40 × 8 MiB, although 8 MiB are stored once
    assert refusal(declare_size(overlapping, "xl/media/image1.png", 10)) in ("unreadable", "too_large")


def test_the_limit_holds_whatever_the_ratio() -> None:
    # Random bytes do not compress at all (a ratio of 1), and 3 MiB of them are still refused.
    incompressible = zip_bytes(
        {"xl/workbook.xml": WORKBOOK, "xl/media/image1.png": random.Random(0).randbytes(3 * MIB)}
    )
    assert len(incompressible) > 3 * MIB
    assert refusal(incompressible, max_uncompressed=2 * MIB) == "too_large"
    stored = zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/media/image1.png": bytes(3 * MIB)}, zipfile.ZIP_STORED)
    assert refusal(stored, max_uncompressed=2 * MIB) == "too_large"
    assert check(stored, max_uncompressed=4 * MIB)


def test_too_many_parts_are_refused() -> None:
    flood = zip_bytes({f"xl/parts/{number}.xml": b"" for number in range(1001)})
    assert len(flood) < 200_000
    assert refusal(flood) == "too_many_parts"
    assert refusal(zip_bytes({"a.xml": b"", "b.xml": b"", "c.xml": b""}), max_parts=2) == "too_many_parts"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be", "cp037"])
def test_a_part_declaring_a_dtd_is_refused(encoding: str) -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    data = zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/sharedStrings.xml": laughs.encode(encoding)})
    assert refusal(data) == "doctype"


def test_a_dtd_across_two_chunks_is_found() -> None:
    part = b" " * (MIB - 4) + b'<!DOCTYPE x SYSTEM "http://attacker.example/x.dtd"><x/>'
    assert refusal(zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/styles.xml": part})) == "doctype"


def test_damaged_archives_are_unreadable() -> None:
    good = zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/styles.xml": b"<styleSheet/>" * 1000})
    corrupted = bytearray(good)
    corrupted[60] ^= 0xFF  # inside the first part's compressed data
    assert refusal(bytes(corrupted)) == "unreadable"
    assert refusal(good[: len(good) // 2]) == "unreadable"
    assert refusal(b"%PDF-1.7") == "not_zip"


def element_bomb(mebibytes: int) -> bytes:
    """A Word document whose body is ``mebibytes`` MiB of empty paragraphs: millions of elements in a small file."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            for _ in range(mebibytes):
                part.write(b"<w:p/>" * (MIB // 6))
            part.write(b"</w:body></w:document>")
    return output.getvalue()


def parse_refusal(data: bytes, limits: UploadLimits) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ImportFileError) as caught:
        parse_upload(data, "c.docx", kinds=KINDS, headers=HEADERS, limits=limits)
    return caught.value.code, time.monotonic() - started


def test_millions_of_elements_in_a_small_file_are_stopped_by_time_and_by_memory() -> None:
    bomb = element_bomb(40)  # 7 million paragraphs in about 60 KB
    assert len(bomb) < 100_000 and "word/document.xml" in check(bomb)
    # The parser builds its tree in C, where no check of ours runs: the process doing it is ended.
    code, elapsed = parse_refusal(bomb, UploadLimits(seconds=0.5, max_memory=4096 * MIB))
    assert code == "too_slow" and elapsed < 1.5, elapsed
    code, elapsed = parse_refusal(bomb, UploadLimits(seconds=20, max_memory=200 * MIB))
    assert code == "too_complex" and elapsed < 10, elapsed


def test_isolated_work_returns_raises_and_is_ended_at_the_deadline() -> None:
    assert run_isolated(lambda: {"rows": [1, 2]}, Deadline(5), 100 * MIB) == {"rows": [1, 2]}

    def no_table():
        raise ImportFileError("no_table")

    with pytest.raises(ImportFileError) as caught:
        run_isolated(no_table, Deadline(5), 100 * MIB)
    assert caught.value.code == "no_table"  # raised in the child, raised again here
    started = time.monotonic()
    with pytest.raises(UploadRefused) as slow:
        run_isolated(lambda: time.sleep(30), Deadline(0.3), 100 * MIB)
    assert slow.value.code == "too_slow" and time.monotonic() - started < 2
    with pytest.raises(UploadRefused) as greedy:
        run_isolated(lambda: bytearray(500 * MIB), Deadline(5), 100 * MIB)
    assert greedy.value.code == "too_complex"
    kept = []
    run_isolated(lambda: kept.append("changed in the child"), Deadline(5), 100 * MIB)
    assert kept == []


def test_the_deadline_stops_the_check() -> None:
    data = zip_bytes({"xl/workbook.xml": WORKBOOK, "xl/styles.xml": bytes(4 * MIB)})
    with pytest.raises(UploadRefused) as caught:
        check_office_zip(data, UploadLimits(), Deadline(0))
    assert caught.value.code == "too_slow"


def test_parsing_ends_at_the_deadline(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Paragraph", "Comment"])
    for number in range(20_000):
        sheet.append([str(number % 30 + 1), f"Comment number {number}, long enough to take some reading."])
    path = tmp_path / "comments.xlsx"
    workbook.save(path)
    data = path.read_bytes()
    started = time.monotonic()
    with pytest.raises(ImportFileError) as caught:
        parse_upload(data, "c.xlsx", kinds=KINDS, headers=HEADERS, max_rows=50_000, limits=UploadLimits(seconds=0.2))
    elapsed = time.monotonic() - started
    assert caught.value.code == "too_slow"
    assert elapsed < 1.5, elapsed  # stopped soon after the deadline, not at the end of the file
    # The same file is read in full when time allows.
    parsed = parse_upload(data, "c.xlsx", kinds=KINDS, headers=HEADERS, max_rows=50_000)
    assert len(parsed.rows) == 20_000
