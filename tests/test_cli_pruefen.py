"""`kundenliste pruefen MAPPE [--json]`: table or JSON, exit 0/1/2, never writes the workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.files.template import write_workbook

TODAY = dt.date.today()
BERATER = (("Karin Albers", 1.0),)


def kunde(i: int, **fields: Any) -> dict[str, Any]:
    row = {
        "ID": str(100 + i),
        "Erstkontakt": TODAY - dt.timedelta(days=100),
        "Akquise": "VAMV",
        "Status": "in Beratung",
        "Berater": "Karin Albers",
        "VName": "Anna",
        "NName": ("Albers", "Becker", "Claus", "Dorn")[i],
        "Strasse": "Lindenstraße 4",
        "PLZ": "01067",
        "Stadt": "Dresden",
        "Telefon": "0351 2345678",
        "Email": f"anna{i}@web.de",
    }
    row.update(fields)
    return row


def eintrag(kid: str, **fields: Any) -> dict[str, Any]:
    row = {
        "Datum": TODAY - dt.timedelta(days=30),
        "ID": kid,
        "Berater": "Karin Albers",
        "Zusammenfassung": "Unterlagen besprochen",
        "Vereinbarungen": "Bewerbung schicken",
        "Folgetermin": TODAY + dt.timedelta(days=14),
        "Kontaktart": "persönlich",
        "Vermerkart": "Beratungsvermerk",
    }
    row.update(fields)
    return row


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "sauber.xlsx", [kunde(1), kunde(2)], [eintrag("101")], berater=BERATER)


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    kunden = [
        kunde(1, Erstkontakt=(TODAY - dt.timedelta(days=100)).strftime("%d.%m.%Y")),
        kunde(2, PLZ=1067),
        kunde(3, Akquise="Jobmesse"),
    ]
    return write_workbook(tmp_path / "fehler.xlsx", kunden, [eintrag("101"), eintrag("9999")], berater=BERATER)


def test_clean_workbook_exit_0_and_says_so(clean: Path) -> None:
    code, out, err = run("pruefen", str(clean))
    assert code == 0
    assert "0 Fehler, 0 Warnungen (2 Kunden, 1 Einträge" in out
    assert "Keine Befunde" in out


def test_warnings_only_exit_0(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "w.xlsx", [kunde(1, Akquise="Jobmesse")], [], berater=BERATER)
    code, out, _ = run("pruefen", str(path))
    assert code == 0
    assert "0 Fehler, 1 Warnung " in out and "Jobmesse" in out


def test_errors_exit_1_with_a_german_table(faulty: Path) -> None:
    code, out, _ = run("pruefen", str(faulty))
    assert code == 1
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Blatt"))
    assert header.split() == ["Blatt", "Zelle", "Art", "Feld", "Meldung"]
    iso = (TODAY - dt.timedelta(days=100)).isoformat()
    rows = [line.split()[:4] for line in lines if line.startswith(("Kundenliste", "KundenDoku"))]
    assert rows == [
        ["Kundenliste", "B2", "Fehler", "Erstkontakt"],
        ["Kundenliste", "I3", "Fehler", "PLZ"],
        ["Kundenliste", "C4", "Warnung", "Akquise"],
        ["KundenDoku", "B3", "Fehler", "ID"],
    ]
    assert f"Richtig: {iso}" in out and "Richtig: 01067" in out


def test_json_has_findings_and_summary(faulty: Path) -> None:
    code, out, _ = run("pruefen", str(faulty), "--json")
    assert code == 1
    doc = json.loads(out)
    assert set(doc) == {"findings", "summary"}
    assert [(f["sheet"], f["cell"], f["row"], f["field"], f["severity"], f["code"]) for f in doc["findings"]] == [
        ("Kundenliste", "B2", 2, "Erstkontakt", "error", "datum-format"),
        ("Kundenliste", "I3", 3, "PLZ", "error", "plz-fuehrende-null"),
        ("Kundenliste", "C4", 4, "Akquise", "warning", "nicht-in-liste-offen"),
        ("KundenDoku", "B3", 3, "ID", "error", "id-unbekannt"),
    ]
    assert doc["findings"][1]["suggestion"] == "01067"
    assert set(doc["findings"][0]) == {"sheet", "cell", "row", "field", "severity", "code", "message", "suggestion"}
    s = doc["summary"]
    assert (s["errors"], s["warnings"], s["customers"], s["entries"]) == (3, 1, 3, 2)
    assert s["codes"] == {"datum-format": 1, "id-unbekannt": 1, "nicht-in-liste-offen": 1, "plz-fuehrende-null": 1}


def test_json_of_a_clean_workbook(clean: Path) -> None:
    code, out, _ = run("pruefen", str(clean), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["findings"] == [] and (doc["summary"]["errors"], doc["summary"]["warnings"]) == (0, 0)


def test_read_only(faulty: Path) -> None:
    before = hashlib.sha256(faulty.read_bytes()).hexdigest()
    run("pruefen", str(faulty))
    assert hashlib.sha256(faulty.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in faulty.parent.iterdir()) == ["fehler.xlsx"]


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: d / "gibtsnicht.xlsx", "gibt es nicht"),
        (lambda d: (d / "liste.csv").write_text("ID;Name\n1;A\n") and d / "liste.csv", "CSV"),
    ],
)
def test_unreadable_exit_2_with_a_german_message(tmp_path: Path, make, words: str) -> None:
    code, out, err = run("pruefen", str(make(tmp_path)))
    assert code == 2 and out == ""
    assert err.startswith("Fehler: ") and words in err and "Traceback" not in err


def test_missing_column_exit_2_names_it(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Kundenliste"
    wb.active.append(
        [
            "ID",
            "Erstkontakt",
            "Akquise",
            "Status",
            "Berater",
            "Vorname",
            "Nachname",
            "Straße",
            "Postleitzahl",
            "Ort",
            "Telefon",
        ]
    )
    wb.create_sheet("KundenDoku").append(["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"])
    wb.save(tmp_path / "ohne_email.xlsx")
    code, out, err = run("pruefen", str(tmp_path / "ohne_email.xlsx"))
    assert code == 2 and "„Email“" in err


def test_help_is_german() -> None:
    with pytest.raises(SystemExit) as exc:
        run("pruefen", "--help")
    assert exc.value.code == 0


def test_help_text(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["pruefen", "--help"])
    text = capsys.readouterr().out
    assert "Prüft jedes Feld" in text and "Rückgabe: 0 = keine Fehler" in text and "--json" in text


def test_json_lines_are_exactly_what_the_json_encoder_gives() -> None:
    """The fast writer of `pruefen --json` (one distinct string encoded once) against json."""
    from kundenliste_tools.cli.pruefen import _json_slices
    from kundenliste_tools.core.findings import Finding

    def _encoded(findings: list[Finding], encode: Any) -> list[str]:
        # each finding's line as written (encoded JSON holds no line break: the lines split
        # where they were joined)
        return "".join(_json_slices(findings, encode))[2:].split(",\n ")

    encode = json.JSONEncoder(ensure_ascii=False).encode
    findings = [
        Finding(
            "Kundenliste 2025",
            "B7",
            7,
            "Erstkontakt",
            "error",
            "datum-format",
            '„05.01.2026“ ist nicht "ISO"\\ \n\t\u2028 …',
            "2026-01-05",
        ),
        Finding("KundenDoku", "A2", 2, "Datum", "warning", "x", "ohne", None),
    ] * 2
    assert _encoded(findings, encode) == [encode(f.to_dict()) for f in findings]


def test_the_table_written_in_pieces_is_the_table_in_one(faulty: Path, monkeypatch) -> None:
    """`pruefen` writes its table piece by piece (issue 18: 150,000 findings as one string cost
    125 MB); cut into pieces of two lines, the output is the same text, line for line."""
    from kundenliste_tools.cli import pruefen

    code, whole, _ = run("pruefen", str(faulty))
    lines = whole.splitlines()
    assert code == 1 and len(lines) >= 6  # head, blank, title, rule, and the findings
    monkeypatch.setattr(pruefen, "JSON_SLICE", 2)
    pieces = list(pruefen.table_pieces(*_findings_and_summary(faulty)))
    assert len(pieces) >= 3 and all(p.endswith("\n") for p in pieces)
    _, cut, _ = run("pruefen", str(faulty))
    assert cut == whole == "".join(pieces)


def _findings_and_summary(path: Path) -> tuple[list[Any], dict[str, Any]]:
    from kundenliste_tools.app.check import check
    from kundenliste_tools.app.workbook import open_workbook

    result = check(open_workbook(path))
    return result.findings, result.summary


def test_the_findings_columns_and_the_plain_findings_print_alike(faulty: Path) -> None:
    """The door writes the table and the JSON from the columns of a `FindingTable` (issue 18);
    handed the same findings as plain `Finding`s, it writes the same text."""
    from kundenliste_tools.cli import pruefen

    findings, summary = _findings_and_summary(faulty)
    plain = list(findings)
    assert len(plain) >= 4 and type(findings) is not list
    assert "".join(pruefen.table_pieces(findings, summary)) == "".join(pruefen.table_pieces(plain, summary))
    texts = []
    for given in (findings, plain):
        out = io.StringIO()
        pruefen.write_json(out, given, summary)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]
    assert [f.to_dict() for f in plain] == json.loads(texts[0])["findings"]
