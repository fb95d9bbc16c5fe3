"""The lossless writer: only the meant cells change, everything else stays byte for byte, and
every refusal or failure leaves the user's file exactly as it was."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import stat
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from kundenliste_tools.core.errors import WorkbookBusy
from kundenliste_tools.files.patch import (
    Append,
    backup_path,
    last_value_row,
    parse_ref,
    patch_sheet_xml,
    patch_workbook,
    prepare_patch,
)

from .lo import convert
from .userbook import all_values, cell, raw_entries, user_xlsm, visibility

NOW = dt.datetime(2026, 11, 23, 2, 15, 30)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return user_xlsm(tmp_path / "Kundenliste.xlsm")


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the sheet XML editor, on hand-written XML (results derived by hand) --------------------

EXCEL_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
    b'<dimension ref="A1:C3"/><sheetData>'
    b'<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
    b'<row r="3" spans="1:3"><c r="A3" s="5"/><c r="B3"><v>7</v></c></row>'
    b'</sheetData><tableParts count="0"/></worksheet>'
)


def test_replaces_a_styled_blank_cell_in_place_and_keeps_its_style() -> None:
    out = patch_sheet_xml(EXCEL_SHEET, {(3, 1): "K7M4Q3"})
    assert out == EXCEL_SHEET.replace(b'<c r="A3" s="5"/>', b'<c r="A3" s="5" t="inlineStr"><is><t>K7M4Q3</t></is></c>')


def test_inserts_missing_cells_and_rows_in_order() -> None:
    out = patch_sheet_xml(EXCEL_SHEET, {(1, 2): "b", (2, 1): 3, (4, 4): True})
    expected = (
        EXCEL_SHEET.replace(b'<c r="C1" t="s">', b'<c r="B1" t="inlineStr"><is><t>b</t></is></c><c r="C1" t="s">')
        # A2 is new and takes the style of A1 above it (no <col style> in this sheet)
        .replace(b'<row r="3" spans', b'<row r="2"><c r="A2" s="1"><v>3</v></c></row><row r="3" spans')
        .replace(b"</sheetData>", b'<row r="4"><c r="D4" t="b"><v>1</v></c></row></sheetData>')
        .replace(b'<dimension ref="A1:C3"/>', b'<dimension ref="A1:D4"/>')
    )
    assert out == expected


def test_widens_the_spans_hint_of_a_row_that_grows() -> None:
    out = patch_sheet_xml(EXCEL_SHEET, {(3, 5): "neu"})
    assert b'<row r="3" spans="1:5">' in out
    assert (
        out.replace(b'<row r="3" spans="1:5">', b'<row r="3" spans="1:3">')
        .replace(b'<c r="E3" t="inlineStr"><is><t>neu</t></is></c>', b"")
        .replace(b"A1:E3", b"A1:C3")
        == EXCEL_SHEET
    )


def test_prefixed_namespace_self_closing_rows_and_implicit_row_numbers() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row><x:c><x:v>1</x:v></x:c></x:row><x:row/><x:row r="5" ht="20"/></x:sheetData></x:worksheet>'
    )
    out = patch_sheet_xml(xml, {(2, 2): "  zwei ", (5, 1): None, (1, 2): 9.5})
    assert out == (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row><x:c><x:v>1</x:v></x:c><x:c r="B1"><x:v>9.5</x:v></x:c></x:row>'
        b'<x:row><x:c r="B2" t="inlineStr"><x:is><x:t xml:space="preserve">  zwei </x:t></x:is></x:c></x:row>'
        b'<x:row r="5" ht="20"><x:c r="A5"/></x:row></x:sheetData></x:worksheet>'
    )


def test_empty_sheet_and_escaping() -> None:
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData/></worksheet>'
    out = patch_sheet_xml(xml, {(1, 1): "a & <b>", (2, 1): "=1+1"})
    assert out == (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:A2"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; &lt;b&gt;</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>=1+1</t></is></c></row></sheetData></worksheet>'
    )


def test_refuses_to_overwrite_a_formula() -> None:
    xml = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="2"><c r="A2"><f>RAND()</f><v>0.3</v></c></row></sheetData></worksheet>'
    with pytest.raises(WorkbookBusy, match="A2 enthält eine Formel"):
        patch_sheet_xml(xml, {(2, 1): "X"})


def test_last_value_row_ignores_rows_with_only_formatting() -> None:
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>'
        b'<row r="4"><c r="A4"><v>1</v></c></row><row r="9"><c r="A9" s="3"/></row></sheetData></worksheet>'
    )
    assert last_value_row(xml) == 4
    assert (
        last_value_row(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
        )
        == 0
    )


def test_parse_ref() -> None:
    assert parse_ref("A1") == (1, 1)
    assert parse_ref("$AB$12") == (12, 28)


# --- the whole package ---------------------------------------------------------------------

ALLOWED_TO_CHANGE = {"xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}


def test_only_the_edited_sheet_and_the_package_lists_change(book: Path) -> None:
    before_raw, before_values = raw_entries(book), all_values(book)
    original = book.read_bytes()
    result = patch_workbook(
        book,
        {"Kundenliste": {"A3": "K7M4Q3", "A5": "H8BN2C"}},
        {"ID-Register": Append([["K7M4Q3"], ["H8BN2C"]], header=["Vergebene ID"])},
        now=NOW,
    )
    after_raw, after_values = raw_entries(book), all_values(book)
    # every pre-existing entry is still there, in the same order, and byte-identical unless allowed
    assert list(after_raw)[: len(before_raw)] == list(before_raw)
    changed = sorted(n for n in before_raw if before_raw[n] != after_raw[n])
    assert changed == sorted(result.changed_parts)
    assert set(changed) == ALLOWED_TO_CHANGE
    for untouched in (
        "xl/vbaProject.bin",
        "xl/charts/chart1.xml",
        "xl/comments/comment1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet3.xml",
        "xl/styles.xml",
    ):
        assert after_raw[untouched] == before_raw[untouched]
    assert result.added_parts == ["xl/worksheets/sheet4.xml"]
    # cell values: exactly the two IDs are new, plus the register sheet
    expected = {k: [list(r) for r in v] for k, v in before_values.items()}
    expected["Kundenliste"][2][0] = "K7M4Q3"
    expected["Kundenliste"][4][0] = "H8BN2C"
    expected["ID-Register"] = [["Vergebene ID"], ["K7M4Q3"], ["H8BN2C"]]
    assert after_values == expected
    assert visibility(book)["ID-Register"] == "hidden"
    # the backup is the original, byte for byte, under the documented name
    assert result.backup == book.with_name("Kundenliste.2026-11-23T0215.bak.xlsm")
    assert result.backup.read_bytes() == original
    assert folder_listing(book.parent) == ["Kundenliste.2026-11-23T0215.bak.xlsm", "Kundenliste.xlsm"]


def test_the_edited_sheet_keeps_every_byte_outside_the_touched_cells(book: Path) -> None:
    with zipfile.ZipFile(book) as zf:
        before = zf.read("xl/worksheets/sheet1.xml")
    patch_workbook(book, {"Kundenliste": {"A5": "H8BN2C"}}, now=NOW)
    with zipfile.ZipFile(book) as zf:
        after = zf.read("xl/worksheets/sheet1.xml")
    # openpyxl's styled blank cell (the yellow one): `<c … />`, or `<c …></c>` when it uses lxml
    old_cell = re.search(rb'<c r="A5" s="3" t="n"(?: />|></c>)', before).group(0)
    assert after == before.replace(old_cell, b'<c r="A5" s="3" t="inlineStr"><is><t>H8BN2C</t></is></c>')


def test_second_patch_appends_to_the_register_without_touching_the_workbook_part(book: Path) -> None:
    patch_workbook(
        book, {"Kundenliste": {"A3": "K7M4Q3"}}, {"ID-Register": Append([["K7M4Q3"]], header=["Vergebene ID"])}, now=NOW
    )
    before = raw_entries(book)
    result = patch_workbook(
        book, {"Kundenliste": {"A5": "H8BN2C"}}, {"id register": Append([["H8BN2C"]], header=["Vergebene ID"])}, now=NOW
    )
    after = raw_entries(book)
    assert sorted(n for n in before if before[n] != after[n]) == [
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet4.xml",
    ]
    assert result.added_parts == [] and result.added_sheets == []
    assert all_values(book)["ID-Register"] == [["Vergebene ID"], ["K7M4Q3"], ["H8BN2C"]]
    assert result.backup is not None and result.backup.name == "Kundenliste.2026-11-23T0215-2.bak.xlsm"


def test_nothing_to_change_writes_nothing(book: Path) -> None:
    original = book.read_bytes()
    result = patch_workbook(book, {"Kundenliste": {}}, {"ID-Register": Append([])}, now=NOW)
    assert result.backup is None and result.changed_parts == []
    assert book.read_bytes() == original
    assert folder_listing(book.parent) == ["Kundenliste.xlsm"]


def test_backup_name_counts_up_within_the_same_minute(tmp_path: Path) -> None:
    path = tmp_path / "Team Liste.xlsx"
    assert backup_path(path, NOW).name == "Team Liste.2026-11-23T0215.bak.xlsx"
    (tmp_path / "Team Liste.2026-11-23T0215.bak.xlsx").write_bytes(b"")
    assert backup_path(path, NOW).name == "Team Liste.2026-11-23T0215-2.bak.xlsx"


def test_a_symlinked_workbook_stays_a_symlink(book: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsm"
    link.symlink_to(book)
    patch_workbook(link, {"Kundenliste": {"A3": "K7M4Q3"}}, now=NOW)
    assert link.is_symlink()
    assert all_values(book)["Kundenliste"][2][0] == "K7M4Q3"


# --- refusals: the file is exactly as before, no temp file, no backup -----------------------


def assert_untouched(book: Path, original: bytes, listing: list[str]) -> None:
    assert book.read_bytes() == original
    assert folder_listing(book.parent) == listing


@pytest.mark.parametrize(
    "lock_name, program", [("~$Kundenliste.xlsm", "Excel"), (".~lock.Kundenliste.xlsm#", "LibreOffice")]
)
def test_refuses_while_the_workbook_is_open(book: Path, lock_name: str, program: str) -> None:
    (book.parent / lock_name).write_bytes(b"owner")
    original, listing = book.read_bytes(), folder_listing(book.parent)
    with pytest.raises(WorkbookBusy, match=f"gerade in {program} geöffnet") as err:
        patch_workbook(book, {"Kundenliste": {"A3": "K7M4Q3"}})
    assert lock_name in str(err.value)
    assert_untouched(book, original, listing)


def test_refuses_a_read_only_file(book: Path) -> None:
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    original, listing = book.read_bytes(), folder_listing(book.parent)
    with pytest.raises(WorkbookBusy, match="schreibgeschützt"):
        patch_workbook(book, {"Kundenliste": {"A3": "K7M4Q3"}})
    assert_untouched(book, original, listing)


def test_refuses_an_encrypted_workbook(book: Path, tmp_path: Path) -> None:
    encrypted = tmp_path / "geheim.xlsm"
    with open(book, "rb") as fh:
        out = io.BytesIO()
        OOXMLFile(fh).encrypt("Geheim1", out)
    encrypted.write_bytes(out.getvalue())
    original, listing = encrypted.read_bytes(), folder_listing(tmp_path)
    with pytest.raises(WorkbookBusy, match="verschlüsselt"):
        patch_workbook(encrypted, {"Kundenliste": {"A3": "K7M4Q3"}})
    assert_untouched(encrypted, original, listing)


def test_refuses_a_formula_in_a_target_cell_before_writing_anything(book: Path) -> None:
    original, listing = book.read_bytes(), folder_listing(book.parent)
    with pytest.raises(WorkbookBusy, match="D1 enthält eine Formel"):
        patch_workbook(book, {"Statistik": {"D1": "x"}})
    assert_untouched(book, original, listing)


def test_a_disk_write_failure_midway_leaves_the_original_intact(book: Path) -> None:
    """A real failed write: the child process may not write files larger than 4 KiB (like a
    full disk, the temporary file is cut off mid-way); the workbook itself is larger."""
    assert book.stat().st_size > 2 * 4096
    original, listing = book.read_bytes(), folder_listing(book.parent)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from kundenliste_tools.core.errors import KundenlisteError
        from kundenliste_tools.files.patch import patch_workbook
        try:
            patch_workbook({str(book)!r}, {{"Kundenliste": {{"A3": "K7M4Q3"}}}})
        except KundenlisteError as exc:
            print(exc)
            sys.exit(3)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3, proc.stderr
    assert "konnte nicht geschrieben werden (File too large)" in proc.stdout  # EFBIG: cut off mid-way
    assert "unverändert" in proc.stdout
    assert_untouched(book, original, listing)


# --- real spreadsheet programs read the result ---------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_patched_file_and_sees_the_new_values(book: Path, tmp_path: Path) -> None:
    patch_workbook(
        book, {"Kundenliste": {"A3": "K7M4Q3"}}, {"ID-Register": Append([["K7M4Q3"]], header=["Vergebene ID"])}, now=NOW
    )
    out_dir = tmp_path / "lo"
    out_dir.mkdir()
    resaved = convert(book, "xlsx", out_dir)
    values = all_values(resaved)
    assert cell(values["Kundenliste"], 3, 1) == "K7M4Q3"
    assert values["ID-Register"][:2] == [["Vergebene ID"], ["K7M4Q3"]]
    assert visibility(resaved)["ID-Register"] == "hidden"
    assert [r[:2] for r in values["Statistik"][:4]] == [
        ["Monat", "Gespräche"],
        ["Jan", 4.0],
        ["Feb", 7.0],
        ["Mär", 5.0],
    ]
    assert cell(values["Statistik"], 1, 4) == 16.0  # LibreOffice computed =SUM(B2:B4) itself


@pytest.mark.libreoffice
def test_patches_a_file_saved_by_libreoffice_with_shared_strings(book: Path, tmp_path: Path) -> None:
    """LibreOffice writes the XML the way Excel does (shared strings, spans, styles on blanks)."""
    out_dir = tmp_path / "lo"
    out_dir.mkdir()
    lo_file = convert(book, "xlsx", out_dir)
    with zipfile.ZipFile(lo_file) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
    before_raw, before_values = raw_entries(lo_file), all_values(lo_file)
    result = patch_workbook(
        lo_file,
        {"Kundenliste": {"A3": "K7M4Q3", "A9": "H8BN2C"}},
        {"ID-Register": Append([["K7M4Q3"], ["H8BN2C"]], header=["Vergebene ID"])},
        now=NOW,
    )
    after_raw = raw_entries(lo_file)
    changed = {n for n in before_raw if before_raw[n] != after_raw[n]}
    assert changed == set(result.changed_parts)
    assert "xl/sharedStrings.xml" not in changed and "xl/styles.xml" not in changed
    expected = {k: [list(r) for r in v] for k, v in before_values.items()}
    expected["Kundenliste"][2][0] = "K7M4Q3"
    expected["Kundenliste"][8][0] = "H8BN2C"
    expected["ID-Register"] = [["Vergebene ID"], ["K7M4Q3"], ["H8BN2C"]]
    assert all_values(lo_file) == expected
    again = tmp_path / "again"
    again.mkdir()
    assert cell(all_values(convert(lo_file, "xlsx", again))["Kundenliste"], 9, 1) == "H8BN2C"


def test_a_large_rewritten_part_is_packed_fast_and_reads_back_exactly(tmp_path):
    """A part from `FAST_DEFLATE_BYTES` on is deflated at the fastest level (issue 18): it
    must still come back byte for byte (zipfile checks the CRC), a small one at level 6."""
    import io
    import zipfile
    import zlib

    from kundenliste_tools.files import zipraw

    src = tmp_path / "a.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.xml", b"x")
        zf.writestr("small.xml", b"y")
    big = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7919 % 10007)
                   for i in range(1, 200_000))
    assert len(big) >= zipraw.FAST_DEFLATE_BYTES
    small = b"<a>" + b"klein " * 1000 + b"</a>"
    out = io.BytesIO()
    zipraw.write_zip(out, zipraw.RawZip(src.read_bytes(), "a.zip"), {"big.xml": big, "small.xml": small}, {})
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert zf.read("big.xml") == big and zf.read("small.xml") == small
        packed = {i.filename: i.compress_size for i in zf.infolist()}
    fastest = zlib.compressobj(1, zlib.DEFLATED, -15)
    assert packed["big.xml"] == len(fastest.compress(big) + fastest.flush())
    default = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert packed["small.xml"] == len(default.compress(small) + default.flush())


def test_a_sheet_parsed_ahead_is_taken_only_for_the_same_bytes():
    """`ids` parses the Kundenliste's XML while calamine reads (files/sheetxml.prepare_sheet,
    issue 18).  The patch takes that parse only when the bytes are still the same: patching
    B after preparing A must give exactly what patching B alone gives (had A's parse been
    used, A's cells would be in the result), and a parse is taken once."""
    from kundenliste_tools.files import sheetxml

    def sheet(name: str) -> bytes:
        return (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' + name.encode()
                + b'</t></is></c></row><row r="3"><c r="B3"><v>7</v></c></row></sheetData></worksheet>')

    a, b = sheet("Alt"), sheet("Neu")
    edits = {(2, 1): "K7M4Q3", (3, 1): "A1B2C3"}
    alone = sheetxml.patch_sheet_xml(b, edits, "B")
    sheetxml.prepare_sheet(a)
    assert sheetxml.patch_sheet_xml(b, edits, "B") == alone and b"Alt" not in alone
    assert not sheetxml._PREPARED  # taken (and dropped) by that patch, not kept for a later one
    sheetxml.prepare_sheet(b)
    assert sheetxml.patch_sheet_xml(b, edits, "B") == alone
    assert not sheetxml._PREPARED


def test_a_part_unpacked_ahead_is_taken_only_while_its_stored_bytes_are_the_same(book: Path, tmp_path: Path):
    """`prepare_patch` unpacks and parses the Kundenliste while the workbook is read (issue 18);
    the patch takes that only while the entry's stored bytes are unchanged.  Here a colleague
    saves the file in between: the patch must build on the new bytes, exactly as a patch
    without any preparation does, and leave nothing prepared behind."""
    from kundenliste_tools.files import patch as patch_module
    from kundenliste_tools.files import sheetxml

    def kundenliste_xml(path: Path) -> bytes:
        with zipfile.ZipFile(path) as zf:
            return zf.read("xl/worksheets/sheet1.xml")

    edit = {"Kundenliste": {"A3": "K7M4Q3"}}
    plain = tmp_path / "plain.xlsm"
    plain.write_bytes(book.read_bytes())
    patch_workbook(plain, cells=edit, backup=False)
    prepare_patch(book, "Kundenliste")  # unchanged file: taken
    assert patch_module._UNPACKED
    patch_workbook(book, cells=edit, backup=False)
    assert not patch_module._UNPACKED
    assert kundenliste_xml(book) == kundenliste_xml(plain)

    colleague = tmp_path / "colleague.xlsm"
    colleague.write_bytes(book.read_bytes())
    patch_workbook(colleague, cells={"Kundenliste": {"B3": "Nachtrag"}}, backup=False)
    prepare_patch(book, "Kundenliste")
    book.write_bytes(colleague.read_bytes())  # saved by someone else meanwhile
    patch_workbook(book, cells={"Kundenliste": {"A4": "H8BN26"}}, backup=False)
    patch_workbook(colleague, cells={"Kundenliste": {"A4": "H8BN26"}}, backup=False)
    assert b"Nachtrag" in kundenliste_xml(book)
    assert kundenliste_xml(book) == kundenliste_xml(colleague)
    assert not patch_module._UNPACKED and not sheetxml._PREPARED


def test_a_part_unpacked_ahead_is_checked_against_the_entry_that_is_read(book: Path, tmp_path: Path):
    """A zip may hold one name twice, and a reader takes the last entry of that name; the
    part unpacked ahead must be held against that entry, not the first (review of issue 18):
    a colleague's change in the last one must not be lost."""
    patch_workbook(book, cells={"Kundenliste": {"H2": "Zenobia"}}, backup=False)
    part = "xl/worksheets/sheet1.xml"

    def with_twin(path: Path, name: bytes) -> None:
        with zipfile.ZipFile(book) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info.filename))
            with pytest.warns(UserWarning):  # "Duplicate name"
                zout.writestr(part, zin.read(part).replace(b"Zenobia", name))

    twin = tmp_path / "twin.xlsx"
    with_twin(twin, b"Quirinus")
    prepare_patch(twin, "Kundenliste")
    with_twin(twin, b"Xaverius")  # a colleague changed the entry that is read
    patch_workbook(twin, cells={"Kundenliste": {"A3": "K7M4Q3"}}, backup=False)
    with zipfile.ZipFile(twin) as zf:
        assert b"Xaverius" in zf.read(part) and b"Quirinus" not in zf.read(part)
