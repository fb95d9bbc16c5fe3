"""Reading a team's workbook: forgiving on spelling, clear (exit 2, German) on bad files."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.core.errors import PasswordRequired, WorkbookUnreadable
from kundenliste_tools.core.values import id_texts, to_dates
from kundenliste_tools.files.reader import read_workbook

from .lo import convert

USER_KUNDEN_HEADER = ["Kunden-ID", "erstkontakt", "Aquise", "STATUS", "Berater/in", "Vorname",
                      "Nachname", "Straße", "Postleitzahl", "Ort", "Telefonnummer", "E-Mail",
                      "Notizen der Kollegin", "Profillage"]
USER_DOKU_HEADER = ["Datum", "Kunde", "Berater", "Besprechung", "Vereinbarung", "Folgetermin", "Dauer (min)"]


def user_workbook(path: Path) -> Path:
    """A workbook as a team really keeps it: aliases, extra columns, gaps, date cells, numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    ws.append(USER_KUNDEN_HEADER)
    ws.append([101, dt.datetime(2026, 1, 5), "VAMV", "neu", "Karin", "Anna", "Muster", "Weg 1",
               "01067", "Dresden", "0351 1234567", "anna@example.de", "ruft zurück", "Marktprofil"])
    ws.append([None] * 14)  # an empty row in between
    ws.append(["A7K3Q", "2026-02-10", "Beratungstag", "in Beratung", "Birgit", "Bernd", "Beispiel",
               "Ring 2", "04109", "Leipzig", "+49 171 12345678", "bernd@example.de", None, None])
    wb.create_sheet("Notizen").append(["nicht unser Blatt"])
    d = wb.create_sheet("Kundenduku")  # the seed's own spelling
    d.append(USER_DOKU_HEADER)
    d.append([dt.datetime(2026, 2, 1), 101.0, "Karin", "Erstgespräch", "Unterlagen", "2026-02-15", 45])
    d.append([])
    d.append(["2026-03-01", "A7K3Q", "Birgit", "Bewerbung", None, None, 30])
    wb.save(path)
    return path


def test_round_trip_reads_a_users_workbook_into_the_model(tmp_path):
    data = read_workbook(user_workbook(tmp_path / "team.xlsx"))
    k, d = data.kunden, data.doku
    assert list(k["_row"]) == [2, 4]  # the empty row is skipped, Excel row numbers kept
    assert list(d["_row"]) == [2, 4]
    assert list(id_texts(k["ID"])) == ["101", "A7K3Q"]
    assert list(id_texts(d["ID"])) == ["101", "A7K3Q"]  # 101.0 is customer 101
    assert list(to_dates(k["Erstkontakt"]).dt.date) == [dt.date(2026, 1, 5), dt.date(2026, 2, 10)]
    folge = to_dates(d["Folgetermin"])
    assert folge.iloc[0].date() == dt.date(2026, 2, 15) and pd.isna(folge.iloc[1])
    assert list(k["Akquise"]) == ["VAMV", "Beratungstag"]
    assert list(k["PLZ"]) == ["01067", "04109"]
    assert list(k["Email"]) == ["anna@example.de", "bernd@example.de"]
    assert list(d["Zusammenfassung"]) == ["Erstgespräch", "Bewerbung"]
    assert list(k["Notizen der Kollegin"]) == ["ruft zurück", None]  # extra column kept
    assert list(d["Dauer (min)"]) == [45, 30]
    assert k["Kundenstatus"].isna().all()  # optional field absent: present as blanks
    assert data.layouts["Kundenliste"].letter("Stadt") == "J"
    assert data.layouts["KundenDoku"].name == "Kundenduku"


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "kunden.csv"
    p.write_text("ID;Erstkontakt\n1;2026-01-01\n", encoding="utf-8")
    return p


def test_csv_is_refused(csv_file):
    with pytest.raises(WorkbookUnreadable, match="Textdatei \\(CSV\\)"):
        read_workbook(csv_file)


def test_text_renamed_to_xlsx_is_refused(tmp_path):
    p = tmp_path / "kunden.xlsx"
    p.write_text("ID,Erstkontakt\n", encoding="utf-8")
    with pytest.raises(WorkbookUnreadable, match="Textdatei"):
        read_workbook(p)


def test_corrupt_zip_is_refused(tmp_path):
    good = user_workbook(tmp_path / "good.xlsx").read_bytes()
    p = tmp_path / "kaputt.xlsx"
    p.write_bytes(good[: len(good) // 2])
    with pytest.raises(WorkbookUnreadable, match="beschädigt"):
        read_workbook(p)


def test_zip_that_is_no_workbook_is_refused(tmp_path):
    p = tmp_path / "archiv.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hallo.txt", "kein Excel")
    with pytest.raises(WorkbookUnreadable, match="keine Excel-Arbeitsmappe"):
        read_workbook(p)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_old_xls_and_ods_are_read_and_the_writer_refuses_them(tmp_path, fmt):
    other = convert(user_workbook(tmp_path / "alt.xlsx"), fmt, tmp_path)
    data = read_workbook(other)
    assert list(id_texts(data.kunden["ID"])) == ["101", "A7K3Q"]
    assert list(data.doku["_row"]) == [2, 4]
    before = other.read_bytes()
    out, err = io.StringIO(), io.StringIO()
    assert main(["ids", str(other)], stdout=out, stderr=err) == 2
    assert "als .xlsx oder .xlsm speichern" in err.getvalue()
    assert other.read_bytes() == before


def _encrypt(src: Path, dst: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(src, "rb") as fh, open(dst, "wb") as out:
        OOXMLFile(fh).encrypt(password, out)
    return dst


def test_encrypted_workbook_needs_and_accepts_a_password(tmp_path):
    enc = _encrypt(user_workbook(tmp_path / "plain.xlsx"), tmp_path / "geheim.xlsx", "Sommer2026")
    with pytest.raises(PasswordRequired, match="Kennwort angeben") as missing:
        read_workbook(enc)
    assert missing.value.input == "passwort"  # the command line names it as its flag:
    err = io.StringIO()
    assert main(["pruefen", str(enc)], stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().startswith("Fehler: --passwort: „geheim.xlsx“ ist mit einem Kennwort verschlüsselt")
    with pytest.raises(PasswordRequired, match="nicht entschlüsselt"):
        read_workbook(enc, password="falsch")
    before = set(tmp_path.iterdir())
    data = read_workbook(enc, password="Sommer2026")
    assert list(id_texts(data.kunden["ID"])) == ["101", "A7K3Q"]
    assert set(tmp_path.iterdir()) == before  # decrypted in memory only


def test_missing_sheet_names_it_and_lists_the_sheets_found(tmp_path):
    wb = openpyxl.load_workbook(user_workbook(tmp_path / "t.xlsx"))
    del wb["Kundenduku"]
    wb.save(tmp_path / "ohne_doku.xlsx")
    with pytest.raises(WorkbookUnreadable) as err:
        read_workbook(tmp_path / "ohne_doku.xlsx")
    assert "„KundenDoku“ fehlt" in str(err.value)
    assert "bitte das Blatt so benennen" in str(err.value)
    assert "Kundenliste, Notizen" in str(err.value)


def test_missing_column_names_it_and_the_closest_header(tmp_path):
    wb = openpyxl.load_workbook(user_workbook(tmp_path / "t.xlsx"))
    wb["Kundenliste"]["B1"] = "Erstkontak"  # typo: no longer matches
    wb.save(tmp_path / "tippfehler.xlsx")
    with pytest.raises(WorkbookUnreadable) as err:
        read_workbook(tmp_path / "tippfehler.xlsx")
    assert "fehlt die Spalte „Erstkontakt“ (ist „Erstkontak“ gemeint?)" in str(err.value)
    assert "(Zeile 1); bitte die Überschrift dort ergänzen oder so umbenennen." in str(err.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(WorkbookUnreadable, match="gibt es nicht"):
        read_workbook(tmp_path / "nichtda.xlsx")


BAD_INPUTS = ["csv", "corrupt", "encrypted", "missing_sheet", "missing_column"]


@pytest.fixture
def bad_input(request, tmp_path):
    kind = request.param
    good = user_workbook(tmp_path / "good.xlsx")
    if kind == "csv":
        p = tmp_path / "k.csv"
        p.write_text("ID;Erstkontakt\n", encoding="utf-8")
        return p, "CSV"
    if kind == "corrupt":
        p = tmp_path / "k.xlsx"
        p.write_bytes(good.read_bytes()[:3000])
        return p, "beschädigt"
    if kind == "encrypted":
        return _encrypt(good, tmp_path / "enc.xlsx", "pw"), "Kennwort"
    wb = openpyxl.load_workbook(good)
    if kind == "missing_sheet":
        del wb["Kundenliste"]
    else:
        wb["Kundenduku"]["D1"] = "Text"
    p = tmp_path / f"{kind}.xlsx"
    wb.save(p)
    return p, "fehlt"


@pytest.mark.parametrize("bad_input", BAD_INPUTS, indirect=True)
@pytest.mark.parametrize("command", ["pruefen", "faellig", "quartal", "ids"])
def test_every_reading_command_exits_2_with_a_german_message(bad_input, command, tmp_path):
    path, phrase = bad_input
    before = path.read_bytes()
    out, err = io.StringIO(), io.StringIO()
    code = main([command, str(path)], stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue().startswith("Fehler: ")
    assert phrase in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert path.read_bytes() == before  # nothing written


# --------------------------------------------------------------------------- parsing in threads

def _typed(grid) -> list[list[tuple[str, str]]]:
    """Each cell as (type name, repr), whether the grid is lists or the reader's array."""
    rows = grid.tolist() if hasattr(grid, "tolist") else grid
    return [[(type(v).__name__, repr(v)) for v in r] for r in rows]


def _plain_grids(source) -> dict[str, list[list]]:
    """What one calamine handle gives, sheet by sheet in order: the reader's threads must not
    change a single cell."""
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(source))
    return {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False) for s in wb.sheet_names}


def test_the_threaded_parse_gives_the_grids_of_one_handle(tmp_path):
    from kundenliste_tools.files.reader import read_grids

    path = user_workbook(tmp_path / "team.xlsx")
    grids = read_grids(path, name=path.name)
    plain = _plain_grids(path)
    assert list(grids) == list(plain)  # every sheet listed, in the workbook's order
    assert grids["Notizen"] == []  # not a sheet of the model: listed, not read
    for sheet in ("Kundenliste", "Kundenduku"):
        assert _typed(grids[sheet]) == _typed(plain[sheet]) and len(grids[sheet])


def test_an_in_memory_workbook_is_parsed_on_a_second_handle_too(tmp_path):
    from kundenliste_tools.files.reader import read_grids

    path = user_workbook(tmp_path / "team.xlsx")
    grids = read_grids(io.BytesIO(path.read_bytes()), name=path.name)
    assert _typed(grids["Kundenduku"]) == _typed(_plain_grids(path)["Kundenduku"])


def test_a_failing_second_handle_falls_back_to_the_first(tmp_path, monkeypatch):
    from kundenliste_tools.files import reader

    def broken():
        raise RuntimeError("zweiter Zugriff gescheitert")

    monkeypatch.setattr(reader, "_second_opener", lambda source: broken)
    path = user_workbook(tmp_path / "team.xlsx")
    assert _typed(reader.read_grids(path, name=path.name)["Kundenduku"]) == _typed(_plain_grids(path)["Kundenduku"])
    assert list(read_workbook(path).doku["_row"]) == [2, 4]


def test_a_damaged_record_sheet_is_still_refused_in_german(tmp_path):
    path = user_workbook(tmp_path / "team.xlsx")
    damaged = tmp_path / "kaputt.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":  # the KundenDoku
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    with pytest.raises(WorkbookUnreadable, match="beschädigt"):
        read_workbook(damaged)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_the_reads_side_work_is_made_less_urgent_never_more() -> None:
    """`_side_work` lowers the priority of the thread that calls it (the scan, the other sheets'
    parse) by SIDE_WORK_NICE levels, capped at 19, and leaves every other thread alone."""
    import os
    import threading

    from kundenliste_tools.files import reader

    seen: dict[str, tuple[int, int]] = {}

    def side(low: bool, key: str) -> None:
        tid = threading.get_native_id()
        if low:  # lowering needs no rights; a CI runner may run at a nice value of its own
            os.setpriority(os.PRIO_PROCESS, tid, max(15, os.getpriority(os.PRIO_PROCESS, tid)))
        start = os.getpriority(os.PRIO_PROCESS, tid)
        reader._side_work()
        seen[key] = (start, os.getpriority(os.PRIO_PROCESS, tid))

    main_before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    for low, key in ((False, "as started"), (True, "already low")):
        thread = threading.Thread(target=side, args=(low, key))
        thread.start()
        thread.join()
    start, after = seen["as started"]
    assert after == min(19, start + reader.SIDE_WORK_NICE) and after > start or start == 19
    assert seen["already low"][1] == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_before
