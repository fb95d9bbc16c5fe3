"""Issue 18: `pruefen` checks the Kundenliste while the KundenDoku is still read.

`app.check.check_file` hands `check_kunden` to the reader (`read_workbook(first=)`), which
calls it with the Kundenliste's share of the model as soon as every sheet but the KundenDoku
is read and settled (its error cells in the grid, its formula rows, totals rows and merged
cells known).  The claim: nothing a user sees changes.  So on workbooks other programs and
people made (the writers' corpus, the team's workbook with title rows, formulas copied down,
a totals row, merged and error cells, the demo), the findings, their order and the summary
are the same as those of the one-pass path (`check(read_workbook(path))`), and the model the
reader returns holds the very Kundenliste the early checks saw.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from kundenliste_tools.app.check import check, check_file
from kundenliste_tools.cli.pruefen import write_json, write_table
from kundenliste_tools.core.errors import WorkbookUnreadable
from kundenliste_tools.core.validation import check_kunden, validate
from kundenliste_tools.files.reader import read_workbook

from . import corpus
from . import teambook as tb

TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def foreign_books(tmp_path_factory) -> dict[str, Path]:
    """Workbooks the project did not write itself, and the demo."""
    tmp = tmp_path_factory.mktemp("fremde")
    from kundenliste_tools.files.demo import write_demo

    books = {e.name: e.path for e in corpus.build(tmp / "korpus") if not e.refused}
    books["team-openpyxl"] = tb.with_openpyxl(tmp / "team-openpyxl.xlsx")
    books["team-xlsxwriter"] = tb.with_xlsxwriter(tmp / "team-xlsxwriter.xlsx")
    books["team-libreoffice"] = tb.with_libreoffice(tmp / "team-libreoffice.xlsx", tmp)
    demo = tmp / "demo.xlsx"
    write_demo(demo)
    books["demo"] = demo
    return books


def rendered(result) -> tuple[str, str]:
    """What a user sees of a check: the table and the JSON of `pruefen`."""
    table, js = io.StringIO(), io.StringIO()
    write_table(table, result.findings, result.summary)
    summary = dict(result.summary, skipped_rows=[s.to_dict() for s in result.skipped])
    write_json(js, result.findings, summary)
    return table.getvalue(), js.getvalue()


def test_the_early_kundenliste_check_gives_what_the_one_pass_check_gives(foreign_books) -> None:
    assert len(foreign_books) >= 14
    for name, path in foreign_books.items():
        early = check_file(path, today=TODAY)
        one_pass = check(read_workbook(path), today=TODAY)
        assert rendered(early) == rendered(one_pass), name
        assert early.summary["customers"] > 0, name  # not a vacuous comparison
    # the team's workbook has Kundenliste findings the early part must have made: its #DIV/0!
    # Erstkontakt (an error cell the scan puts into the grid) and its IDs
    table, _ = rendered(check_file(foreign_books["team-openpyxl"], today=TODAY))
    assert "#DIV/0!" in table and "Kundenliste 2025" in table


def test_the_model_holds_the_kundenliste_the_early_checks_saw(foreign_books) -> None:
    for name in ("team-libreoffice", "excel", "inline-strings", "demo"):
        seen = []
        data = read_workbook(foreign_books[name], first=seen.append)
        assert len(seen) == 1, name
        part = seen[0]
        assert part.kunden is data.kunden and part.lists is data.lists, name
        assert part.layout is data.layouts["Kundenliste"], name
        assert len(data.doku) > 0, name  # the KundenDoku was read after all


def test_early_checks_are_used_only_for_their_own_workbook_and_day(foreign_books) -> None:
    data = read_workbook(foreign_books["team-openpyxl"])
    other = read_workbook(foreign_books["demo"])
    alone = validate(data, today=TODAY)
    own = check_kunden(data.kunden, data.layouts["Kundenliste"], data.lists, TODAY)
    assert own.belongs_to(data, TODAY) and not own.belongs_to(data, TODAY + dt.timedelta(days=1))
    foreign = check_kunden(other.kunden, other.layouts["Kundenliste"], other.lists, TODAY)
    assert not foreign.belongs_to(data, TODAY)
    for first in (own, own, foreign):  # twice the same: the early findings are not counted twice
        again = validate(data, today=TODAY, first=first)
        assert again.cells == alone.cells and again.kind.tolist() == alone.kind.tolist()
        assert again.kinds == alone.kinds
    # a day later the future-date checks differ: the early checks of TODAY are not reused
    later = validate(data, today=TODAY + dt.timedelta(days=400), first=own)
    assert later.cells == validate(data, today=TODAY + dt.timedelta(days=400)).cells


GOOD_DOKU = [["Datum", "ID", "Berater", "Zusammenfassung"], [dt.date(2026, 1, 5), "A1", "Frau Rot", "Erstgespräch"]]
GOOD_KUNDEN = [["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse", "PLZ", "Stadt",
                "Telefon", "Email"],
               ["A1", "2026-01-05", "Jobcenter", "neu", "Frau Rot", "Ada", "Muster", "Weg 1", "01067", "Dresden",
                None, None]]


def _book(path: Path, kunden_rows: list[list[object]] | None, doku_rows: list[list[object]] | None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    for row in kunden_rows or []:
        ws.append(row)
    if doku_rows is not None:
        doku = wb.create_sheet("KundenDoku")
        for row in doku_rows:
            doku.append(row)
    wb.save(path)
    return path


@pytest.mark.parametrize("rows, doku, says, handed", [
    (GOOD_KUNDEN, None, "Das Blatt „KundenDoku“ fehlt", 0),
    (None, GOOD_DOKU, "Das Blatt „Kundenliste“ ist leer", 0),
    ([["irgendwas"], ["noch etwas"]], GOOD_DOKU, "keine Überschriftenzeile", 0),
    (None, None, "Das Blatt „KundenDoku“ fehlt", 0),
    # the Kundenliste is fine, the KundenDoku has no header: found only after the hand-over
    (GOOD_KUNDEN, [["irgendwas"], ["noch etwas"]], "„KundenDoku“ steht in den ersten Zeilen keine", 1),
])
def test_a_workbook_the_model_refuses_says_the_same_as_before(tmp_path, rows, doku, says, handed) -> None:
    path = _book(tmp_path / "falsch.xlsx", rows, doku)
    called = []
    with pytest.raises(WorkbookUnreadable) as one_pass:
        read_workbook(path)
    with pytest.raises(WorkbookUnreadable) as early:
        read_workbook(path, first=called.append)
    assert str(early.value) == str(one_pass.value) and says in str(early.value)
    assert len(called) == handed  # no Kundenliste share to hand over: nothing was checked
    with pytest.raises(WorkbookUnreadable) as checked:
        check_file(path)
    assert str(checked.value) == str(one_pass.value)


def test_a_failing_early_check_leaves_no_parse_running(foreign_books) -> None:
    import threading

    before = threading.active_count()

    def broken(part) -> None:
        raise RuntimeError("kaputt")

    with pytest.raises(RuntimeError, match="kaputt"):
        read_workbook(foreign_books["demo"], first=broken)
    assert threading.active_count() == before


def test_pruefen_json_of_the_team_workbook_parses_and_counts_the_same(foreign_books, capsys) -> None:
    from kundenliste_tools.cli import main

    path = foreign_books["team-xlsxwriter"]
    out = io.StringIO()
    code = main(["pruefen", "--json", str(path)], stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())
    one_pass = check(read_workbook(path))
    assert code == (1 if one_pass.errors else 0)
    assert len(report["findings"]) == len(one_pass.findings)
    assert report["summary"]["errors"] == one_pass.errors


def _cells(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def test_quartal_builds_its_scrubber_while_the_kundendoku_is_read(foreign_books, tmp_path, monkeypatch) -> None:
    """`quarter_file` builds the scrubber from the Kundenliste's early share; the export is the
    one of the one-pass way (`quarter(read_workbook(path))`), cell for cell."""
    from kundenliste_tools.app.quarter import quarter, quarter_file
    from kundenliste_tools.core import scrub
    from kundenliste_tools.core.periods import parse_quarter

    built = []
    real = scrub.build_scrubber

    def counted(kunden, names=frozenset()):
        built.append(kunden)
        return real(kunden, names)

    monkeypatch.setattr(scrub, "build_scrubber", counted)
    from .test_export_file import FORBIDDEN, source_book

    # entries that talk about the other customers by name, street, phone and e-mail: only the
    # scrubber built from the Kundenliste knows their surnames and streets
    foreign_books = dict(foreign_books, namen=source_book(tmp_path / "namen.xlsx"))
    for name, quartal in (("namen", "2026-Q3"), ("team-libreoffice", "2026-Q1"), ("team-xlsxwriter", "2026-Q1"),
                          ("excel", "2026-Q1"), ("pandas-xlsxwriter", "2026-Q1"), ("demo", "2026-Q3")):
        path, period = foreign_books[name], parse_quarter(quartal)
        built.clear()
        early = quarter_file(path, period, out=tmp_path / f"{name}-frueh.xlsx")
        assert len(built) == 1, name  # built once, from the early share, and used
        one_pass = quarter(read_workbook(path), period, out=tmp_path / f"{name}-einmal.xlsx", source=path)
        again = quarter(read_workbook(path), period, out=tmp_path / f"{name}-nochmal.xlsx", source=path)
        # a workbook without an export key gets a key for each export: its pseudonyms differ
        # from export to export, so they are compared by where they stand, not by their value
        a, b, c = _cells(early.path), _cells(one_pass.path), _cells(again.path)
        assert a.keys() == b.keys() == c.keys(), name
        for sheet in b:
            assert len(a[sheet]) == len(b[sheet]) == len(c[sheet]), (name, sheet)
            for ra, rb, rc in zip(a[sheet], b[sheet], c[sheet]):
                assert [x if y == z else "<Pseudonym>" for x, y, z in zip(ra, rb, rc)] == \
                    [y if y == z else "<Pseudonym>" for y, z in zip(rb, rc)], (name, sheet)
        assert early.customers == one_pass.customers and early.customers > 0, name
    text = str(_cells(tmp_path / "namen-frueh.xlsx")).lower()
    assert "markerwort-alpha" in text  # the notes are there, and no name, street or number in them
    assert [word for word in FORBIDDEN if word in text] == []
