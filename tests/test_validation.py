"""Validation of every field (SPEC §3): each check flags a bad value at its cell with its
severity and leaves a good value alone; nothing a user can type crashes it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kundenliste_tools.core import model
from kundenliste_tools.core.book import column_letter, workbook_from_grids
from kundenliste_tools.core.findings import Finding
from kundenliste_tools.core.ids import check_char
from kundenliste_tools.core.validation import CODES, validate
from kundenliste_tools.core.value_checks import (
    check_email,
    plain_email_ok,
    plain_german_phone,
    plain_german_phone_invalid,
    plain_german_phone_ok,
)

TODAY = dt.date(2026, 3, 15)
K, D = model.KUNDENLISTE, model.KUNDENDOKU
KH = [f.name for f in model.KUNDEN_FIELDS]
DH = [f.name for f in model.DOKU_FIELDS]
OWN_ID = "K7M4Q" + check_char("K7M4Q")  # "K7M4Q3", worked by hand in test_ids
BERATER = ("Karin Albers", "Regina Pohl")


def kunde(i: int = 1, **fields: Any) -> dict[str, Any]:
    """A customer without any mistake; `fields` override (None = blank)."""
    row = {
        "ID": str(100 + i),
        "Erstkontakt": dt.datetime(2025, 6, 2),
        "Akquise": "VAMV",
        "Status": "in Beratung",
        "Berater": "Karin Albers",
        "VName": "Anna",
        "NName": f"Müller{'' if i == 1 else '-' + 'abcdefghij'[i % 10]}",
        "Strasse": "Lindenstraße 4",
        "PLZ": "01067",
        "Stadt": "Dresden",
        "Telefon": "0351 2345678",
        "Email": f"anna.mueller{i}@web.de",
        "Geburtsdatum": dt.datetime(1990, 4, 1),
        "Kundenstatus": "arbeitslos (alo)",
        "Profillage": "Marktprofil",
        "Bereich": "Basis",
        "Langzeitbezug": "nein",
        "Elternzeit bis": None,
        "Schulpflichtig": "nein",
        "Ergebnis": None,
    }
    row.update(fields)
    return row


def eintrag(kid: str = "101", **fields: Any) -> dict[str, Any]:
    """A KundenDoku entry without any mistake for customer `kid`."""
    row = {
        "Datum": dt.datetime(2025, 7, 1),
        "ID": kid,
        "Berater": "Karin Albers",
        "Zusammenfassung": "Bewerbungsunterlagen durchgesehen",
        "Vereinbarungen": "drei Bewerbungen",
        "Folgetermin": dt.datetime(2025, 7, 29),
        "Kontaktart": "persönlich",
        "Vermerkart": "Beratungsvermerk",
    }
    row.update(fields)
    return row


def book(
    kunden: list[dict[str, Any]],
    doku: list[dict[str, Any]] = (),
    berater: tuple[str, ...] = BERATER,
    kh: list[str] = KH,
    dh: list[str] = DH,
):
    lists = {**model.DEFAULT_LISTS, "Berater": berater}
    names = list(lists)
    depth = max(len(v) for v in lists.values())
    listen = [names] + [[lists[n][i] if i < len(lists[n]) else None for n in names] for i in range(depth)]
    return workbook_from_grids(
        {
            K: [kh] + [[r.get(h) for h in kh] for r in kunden],
            D: [dh] + [[r.get(h) for h in dh] for r in doku],
            model.LISTEN: listen,
        }
    )


def found(kunden, doku=(), today: dt.date = TODAY, **kw) -> list[tuple[str, int, str, str]]:
    return [(f.sheet, f.row, f.field, f.code) for f in validate(book(kunden, list(doku), **kw), today=today)]


def findings(kunden, doku=(), today: dt.date = TODAY, **kw):
    return validate(book(kunden, list(doku), **kw), today=today)


# --------------------------------------------------------------------------- a clean book


def test_a_workbook_without_mistakes_has_no_finding() -> None:
    kunden = [kunde(1), kunde(2, ID=OWN_ID, Status="neu"),
              kunde(3, Status="abgeschlossen", Ergebnis="Arbeitsstelle angenommen")]
    doku = [eintrag("101"), eintrag("103", Datum="2025-08-01", Folgetermin=None, Kontaktart="telefonisch")]
    assert found(kunden, doku) == []


def test_optional_blanks_are_not_findings() -> None:
    bare = {f.name: None for f in model.KUNDEN_FIELDS if not f.required_value}
    blank = dict(Zusammenfassung=None, Vereinbarungen=None, Folgetermin=None, Kontaktart=None, Vermerkart=None)
    assert found([kunde(1, **bare), kunde(2, Status="abgeschlossen")],
                 [eintrag("101", **blank), eintrag("102", **blank)]) == [
        # the one exception (issue 16): the latest entry of a customer in Beratung needs a Folgetermin
        ("KundenDoku", 2, "Folgetermin", "folgetermin-fehlt"),
    ]


def test_empty_rows_are_skipped_and_rows_keep_their_excel_number() -> None:
    data = workbook_from_grids(
        {
            K: [
                KH,
                [kunde(1).get(h) for h in KH],
                [None] * len(KH),
                ["  "] + [None] * (len(KH) - 1),
                [kunde(2, VName=None).get(h) for h in KH],
            ],
            D: [DH],
        }
    )
    assert [(f.row, f.field, f.code) for f in validate(data, today=TODAY)] == [(5, "VName", "pflichtfeld-leer")]


# --------------------------------------------------------------------------- required values


@pytest.mark.parametrize("field", ["Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName"])
@pytest.mark.parametrize("blank", [None, "   "])
def test_required_kunden_fields(field: str, blank: Any) -> None:
    col = column_letter(KH.index(field))
    fs = findings([kunde(1), kunde(2, **{field: blank})])
    assert [(f.cell, f.field, f.severity, f.code) for f in fs] == [(f"{col}3", field, "error", "pflichtfeld-leer")]


@pytest.mark.parametrize("field", ["Datum", "Berater"])
def test_required_doku_fields(field: str) -> None:
    assert found([kunde(1)], [eintrag("101"), eintrag("101", **{field: None})]) == [(D, 3, field, "pflichtfeld-leer")]


def test_excel_error_value_in_any_field() -> None:
    fs = findings([kunde(1, Telefon="#NV", Erstkontakt="#WERT!")])
    assert [(f.row, f.field, f.severity, f.code) for f in fs] == [
        (2, "Erstkontakt", "error", "zellfehler"),
        (2, "Telefon", "error", "zellfehler"),
    ]


# --------------------------------------------------------------------------- IDs


def test_id_blank_in_both_sheets() -> None:
    fs = findings([kunde(1), kunde(2, ID=None)], [eintrag("101"), eintrag(None)])
    assert [(f.sheet, f.cell, f.severity, f.code) for f in fs] == [
        (K, "A3", "error", "id-fehlt"),
        (D, "B3", "error", "id-fehlt"),
    ]


def test_ids_compare_as_text_101_101_0_and_string_are_one() -> None:
    fs = findings([kunde(1, ID=101), kunde(2, ID=101.0), kunde(3, ID="101"), kunde(4, ID="1010")])
    assert [(f.row, f.code) for f in fs] == [(2, "id-doppelt"), (3, "id-doppelt"), (4, "id-doppelt")]
    assert all(f.severity == "error" and "2, 3, 4" in f.message for f in fs)


def test_ids_differing_only_in_case_are_duplicates() -> None:
    assert found([kunde(1, ID=OWN_ID), kunde(2, ID=OWN_ID.lower())]) == [
        (K, 2, "ID", "id-doppelt"),
        (K, 3, "ID", "id-doppelt"),
    ]


def test_own_format_with_wrong_check_character_is_an_error_legacy_ids_stay_valid() -> None:
    wrong = OWN_ID[:-1] + ("4" if OWN_ID[-1] != "4" else "5")
    fs = findings([kunde(1, ID=OWN_ID), kunde(2, ID=wrong), kunde(3, ID=4711), kunde(4, ID="A-17")])
    assert [(f.cell, f.severity, f.code) for f in fs] == [("A3", "error", "id-pruefzeichen")]


def test_id_that_excel_turned_into_a_date() -> None:
    assert found([kunde(1, ID=dt.datetime(2026, 3, 1))]) == [(K, 2, "ID", "id-ungueltig")]


def test_doku_id_must_exist_in_the_kundenliste() -> None:
    fs = findings(
        [kunde(1, ID=OWN_ID), kunde(2)], [eintrag(OWN_ID), eintrag("102"), eintrag("9999"), eintrag(OWN_ID.lower())]
    )
    # the lower-case own ID is linked to its customer and only warned about (issue 12)
    assert [(f.cell, f.severity, f.code, f.suggestion) for f in fs] == [
        ("B4", "error", "id-unbekannt", None),
        ("B5", "warning", "id-schreibweise", OWN_ID),
    ]


def test_doku_ids_in_another_spelling_are_linked_and_warned_about() -> None:
    fs = findings(
        [kunde(1, ID="AB-12"), kunde(2, ID=7, Status="neu"), kunde(3, ID=" Meier 01 ")],
        [eintrag("ab 12"), eintrag("007"), eintrag(7.0), eintrag("Meier 01"), eintrag("meier-01")],
    )
    got = [(f.cell, f.code, f.suggestion) for f in fs]
    assert ("B2", "id-schreibweise", "AB-12") in got  # linked through the loose key
    assert ("B6", "id-schreibweise", "Meier 01") in got
    # `007` (text) and 7.0 are customer 7 by value: linked (its Status is still neu), no spelling warning
    assert [(c, code) for c, code, _ in got if c in ("B3", "B4")] == [
        ("B3", "kunde-noch-neu"),
        ("B4", "kunde-noch-neu"),
    ]
    assert "id-unbekannt" not in [code for _, code, _ in got]


def test_doku_id_as_number_matches_text_id() -> None:
    assert found([kunde(1, ID="101")], [eintrag(101.0), eintrag(101, Datum=dt.date(2025, 7, 8))]) == []


def test_entry_for_a_customer_still_neu_is_a_warning_at_the_entry() -> None:
    fs = findings([kunde(1, Status="neu"), kunde(2, Status="in Beratung")], [eintrag("101"), eintrag("102")])
    assert [(f.sheet, f.cell, f.severity, f.code) for f in fs] == [(D, "B2", "warning", "kunde-noch-neu")]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value, code, severity, suggestion",
    [
        ("05.01.2026", "datum-format", "error", "2026-01-05"),
        ("5.1.26", "datum-format", "error", "2026-01-05"),
        ("2026/01/05", "datum-format", "error", "2026-01-05"),
        ("morgen", "datum-ungueltig", "error", None),
        ("31.02.2026", "datum-ungueltig", "error", None),
        ("2026-13-01", "datum-ungueltig", "error", None),
        (46027, "datum-als-zahl", "warning", "2026-01-05"),  # 2026-01-05 as an Excel serial
    ],
)
@pytest.mark.parametrize(
    "sheet, field", [(K, "Erstkontakt"), (K, "Geburtsdatum"), (D, "Datum"), (D, "Folgetermin"), (K, "Elternzeit bis")]
)
def test_bad_dates(sheet: str, field: str, value: Any, code: str, severity: str, suggestion: str | None) -> None:
    if field == "Geburtsdatum" and code == "datum-als-zahl":
        value = 32964  # 1990-04-01 − 1899-12-30 (Excel's day 0) = 32964 days
        suggestion = "1990-04-01"
    if sheet == K:
        fs = findings([kunde(1, **{field: value})])
    else:  # no Folgetermin: the serial date is a valid date and would be compared with it
        fs = findings(
            [kunde(1)], [eintrag("101", **{field: value, "Folgetermin": None} if field == "Datum" else {field: value})]
        )
        fs = [f for f in fs if f.code != "folgetermin-fehlt"]  # that blank Folgetermin: tested elsewhere
    assert [(f.sheet, f.field, f.severity, f.code, f.suggestion) for f in fs] == [
        (sheet, field, severity, code, suggestion)
    ]


def test_good_dates_real_cells_and_iso_text() -> None:
    assert (
        found(
            [
                kunde(1, Erstkontakt="2025-06-02"),
                kunde(2, Erstkontakt=dt.date(2025, 6, 2)),
                kunde(3, Erstkontakt=dt.datetime(2025, 6, 2, 9, 30)),
            ],
            [eintrag("101", Datum="2025-07-01", Folgetermin="2025-07-29")],
        )
        == []
    )


@pytest.mark.parametrize("sheet, field", [(K, "Erstkontakt"), (K, "Geburtsdatum"), (D, "Datum")])
def test_dates_in_the_future(sheet: str, field: str) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    if sheet == K:
        fs = findings([kunde(1, **{field: TODAY}), kunde(2, **{field: tomorrow})])
        expect = [(K, 3, field, "datum-zukunft", "error")]
    else:
        fs = findings(
            [kunde(1)],
            [eintrag("101", Datum=TODAY, Folgetermin=None), eintrag("101", Datum=tomorrow, Folgetermin=None)],
        )
        expect = [(D, 3, field, "datum-zukunft", "error")]
    got = [(f.sheet, f.row, f.field, f.code, f.severity) for f in fs
           if f.code not in ("datum-unplausibel", "folgetermin-fehlt")]
    assert got == expect


def test_folgetermin_and_elternzeit_in_the_future_are_normal() -> None:
    assert (
        found(
            [kunde(1, **{"Elternzeit bis": TODAY + dt.timedelta(days=200)})],
            [eintrag("101", Datum=TODAY, Folgetermin=TODAY + dt.timedelta(days=60))],
        )
        == []
    )


def test_today_is_a_parameter() -> None:
    k = [kunde(1, Erstkontakt=dt.date(2026, 3, 20))]
    assert found(k, today=dt.date(2026, 3, 19)) == [(K, 2, "Erstkontakt", "datum-zukunft")]
    assert found(k, today=dt.date(2026, 3, 20)) == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("Erstkontakt", dt.date(1999, 12, 31)),
        ("Geburtsdatum", dt.date(2013, 1, 1)),  # 13 years old on TODAY
        ("Geburtsdatum", dt.date(1920, 1, 1)),  # 106 years old
    ],
)
def test_implausible_kunden_dates_are_warnings(field: str, value: dt.date) -> None:
    fs = findings([kunde(1, **{field: value})], [eintrag("101", Datum=dt.date(2026, 1, 5), Folgetermin=None)])
    fs = [f for f in fs if f.code != "folgetermin-fehlt"]  # the blank Folgetermin: tested elsewhere
    assert [(f.sheet, f.field, f.severity, f.code) for f in fs] == [(K, field, "warning", "datum-unplausibel")]


def test_implausible_doku_dates_are_warnings() -> None:
    fs = findings(
        [kunde(1)],
        [
            eintrag("101", Folgetermin=dt.date(2028, 3, 16)),  # > 2 years after TODAY
            eintrag("101", Datum=dt.date(1999, 12, 31), Folgetermin=None),
        ],
    )
    assert [(f.row, f.field, f.severity, f.code) for f in fs] == [
        (2, "Folgetermin", "warning", "datum-unplausibel"),
        (3, "Datum", "warning", "datum-unplausibel"),
        (3, "Datum", "warning", "vor-erstkontakt"),  # both true: 1999 lies before the Erstkontakt 2025
    ]


def test_plausible_edges_are_fine() -> None:
    assert (
        found(
            [kunde(1, Erstkontakt=dt.date(2000, 1, 1), Geburtsdatum=dt.date(2012, 3, 15))],
            [
                eintrag("101", Datum=dt.date(2000, 1, 1), Folgetermin=dt.date(2001, 12, 31)),
                eintrag("101", Datum=dt.date(2026, 3, 15), Folgetermin=dt.date(2028, 3, 15)),
            ],
        )
        == []
    )


def test_folgetermin_years_after_its_entry_is_a_warning_and_ignored_for_due_dates() -> None:
    from kundenliste_tools.core.overdue import assess
    from kundenliste_tools.files.rulefiles import load_builtin

    data = book(
        [kunde(1, Status="in Beratung", Erstkontakt=dt.date(2026, 1, 5))],
        [eintrag("101", Datum=dt.date(2026, 1, 10), Folgetermin=dt.date(2062, 1, 24))],
    )
    fs = validate(data, today=TODAY)
    assert [(f.cell, f.code) for f in fs] == [("F2", "datum-unplausibel")]  # far ahead of today too
    data = book(
        [kunde(1, Status="in Beratung", Erstkontakt=dt.date(2022, 1, 5))],
        [eintrag("101", Datum=dt.date(2022, 1, 10), Folgetermin=dt.date(2026, 1, 24))],
    )
    fs = validate(data, today=TODAY)
    assert [(f.cell, f.code, f.severity) for f in fs] == [("F2", "folgetermin-weit", "warning")]
    assert "mehr als zwei Jahre nach dem Gespräch am 2022-01-10" in fs[0].message
    # the 2062 typo does not silence the vamv rule: 3 months after the last entry are due
    data = book(
        [kunde(1, Status="in Beratung", Erstkontakt=dt.date(2026, 1, 5))],
        [eintrag("101", Datum=dt.date(2026, 1, 10), Folgetermin=dt.date(2062, 1, 24))],
    )
    row = assess(data, load_builtin("vamv"), dt.date(2026, 6, 1)).iloc[0]
    assert bool(row["overdue"]) and pd.Timestamp(row["due"]).date() == dt.date(2026, 4, 10)


def test_folgetermin_before_datum() -> None:
    fs = findings(
        [kunde(1)],
        [
            eintrag("101", Datum=dt.date(2025, 7, 1), Folgetermin=dt.date(2025, 6, 30)),
            eintrag("101", Datum=dt.date(2025, 8, 1), Folgetermin=dt.date(2025, 8, 1)),
        ],
    )
    assert [(f.cell, f.severity, f.code) for f in fs] == [("F2", "error", "folgetermin-vor-datum")]


def test_entry_before_erstkontakt_is_a_warning() -> None:
    fs = findings(
        [kunde(1, Erstkontakt=dt.date(2025, 6, 2))],
        [eintrag("101", Datum=dt.date(2025, 6, 1)), eintrag("101", Datum=dt.date(2025, 6, 2))],
    )
    assert [(f.cell, f.severity, f.code) for f in fs] == [("A2", "warning", "vor-erstkontakt")]


def test_a_broken_date_gives_one_finding_not_a_cascade() -> None:
    # Datum is German text: its own error, but no Folgetermin/Erstkontakt comparison with it
    fs = findings(
        [kunde(1, Erstkontakt="02.06.2025")], [eintrag("101", Datum="01.05.2025", Folgetermin=dt.date(2025, 4, 1))]
    )
    assert [(f.sheet, f.field, f.code) for f in fs] == [
        (K, "Erstkontakt", "datum-format"),
        (D, "Datum", "datum-format"),
    ]


# --------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    "sheet, field, bad",
    [
        (K, "Status", "in Bearbeitung"),
        (K, "Berater", "Frau Unbekannt"),
        (K, "Kundenstatus", "erwerbstätig"),
        (K, "Profillage", "Profil X"),
        (K, "Bereich", "Ü50"),
        (K, "Langzeitbezug", "vielleicht"),
        (K, "Schulpflichtig", "x"),
        (D, "Kontaktart", "Brieftaube"),
        (D, "Vermerkart", "Notiz"),
        (D, "Berater", "Frau Unbekannt"),
    ],
)
def test_values_not_in_a_closed_list_are_errors(sheet: str, field: str, bad: str) -> None:
    if sheet == K:
        fs = findings([kunde(1), kunde(2, **{field: bad})])
    else:
        fs = findings([kunde(1)], [eintrag("101"), eintrag("101", **{field: bad})])
    assert [(f.sheet, f.row, f.field, f.severity, f.code) for f in fs] == [(sheet, 3, field, "error", "nicht-in-liste")]


def test_near_miss_gets_a_suggestion() -> None:
    (f,) = findings([kunde(1, Status="in Bearbeitung", Langzeitbezug="WAHR")])[:1]
    assert f.suggestion == "in Beratung"
    (g,) = findings([kunde(1, Langzeitbezug=True)])
    assert (g.field, g.code, g.suggestion) == ("Langzeitbezug", "nicht-in-liste", "ja")


def test_bools_and_numbers_stay_different_values() -> None:
    fs = findings([kunde(1, Langzeitbezug=True), kunde(2, Langzeitbezug=1)])
    assert [(f.row, f.code, f.suggestion) for f in fs] == [(2, "nicht-in-liste", "ja"), (3, "nicht-in-liste", "ja")]
    assert "WAHR" in fs[0].message and "„1“" in fs[1].message


def test_unknown_akquise_is_only_a_warning() -> None:
    assert [(f.row, f.severity, f.code) for f in findings([kunde(1), kunde(2, Akquise="Jobmesse")])] == [
        (3, "warning", "nicht-in-liste-offen")
    ]


def test_berater_is_not_checked_without_a_team_list_but_blank_still_is() -> None:
    assert found([kunde(1, Berater="Wer Auchimmer")], [eintrag("101", Berater="Noch Jemand")], berater=()) == []
    assert found([kunde(1, Berater=None)], berater=()) == [(K, 2, "Berater", "pflichtfeld-leer")]


def test_other_spelling_of_a_list_value_is_a_warning_with_the_list_spelling() -> None:
    fs = findings([kunde(1, Status="In Beratung", Profillage="Foerderprofil")])
    assert [(f.field, f.severity, f.code, f.suggestion) for f in fs] == [
        ("Status", "warning", "listenwert-schreibweise", "in Beratung"),
        ("Profillage", "warning", "listenwert-schreibweise", "Förderprofil"),
    ]


def test_documented_short_forms_and_ja_nein_capitals_are_fine() -> None:
    assert found([kunde(1, Kundenstatus="alo", Langzeitbezug="Ja", Schulpflichtig="NEIN")]) == []


# --------------------------------------------------------------------------- names, address


@pytest.mark.parametrize("field, bad", [("VName", "Anna2"), ("NName", "mueller@web.de")])
def test_names_with_digits_or_at_are_warnings(field: str, bad: str) -> None:
    assert [(f.field, f.severity, f.code) for f in findings([kunde(1, **{field: bad})])] == [
        (field, "warning", "name-unplausibel")
    ]


def test_names_with_accents_hyphens_and_apostrophes_are_fine() -> None:
    assert found([kunde(1, VName="René-Marie", NName="O'Neill-Yıldız")]) == []


@pytest.mark.parametrize(
    "value, code, suggestion",
    [
        (1067, "plz-fuehrende-null", "01067"),
        (1067.0, "plz-fuehrende-null", "01067"),
        ("1067", "plz-fuehrende-null", "01067"),
        ("00123", "plz-ungueltig", None),
        ("ABCDE", "plz-ungueltig", None),
        ("123456", "plz-ungueltig", None),
        ("D-01067", "plz-ungueltig", "01067"),
        (1067.5, "plz-ungueltig", None),
    ],
)
def test_bad_plz(value: Any, code: str, suggestion: str | None) -> None:
    fs = findings([kunde(1, PLZ=value)])
    assert [(f.cell, f.severity, f.code, f.suggestion) for f in fs] == [("I2", "error", code, suggestion)]


@pytest.mark.parametrize("value", ["01067", " 01067 ", "99998", 10115, 10115.0])
def test_good_plz(value: Any) -> None:
    assert found([kunde(1, PLZ=value)]) == []


def test_stadt_required_with_plz_and_plz_expected_with_an_address() -> None:
    fs = findings([kunde(1, Stadt=None), kunde(2, PLZ=None), kunde(3, PLZ=None, Stadt=None, Strasse=None)])
    assert [(f.cell, f.severity, f.code) for f in fs] == [
        ("J2", "error", "stadt-fehlt"),
        ("I3", "warning", "plz-fehlt"),
    ]


# --------------------------------------------------------------------------- phone, e-mail


@pytest.mark.parametrize(
    "value",
    [
        "0351 2345678",
        "030/1234567",
        "(030) 123 4567",
        "+49 (0)30 1234567",
        "0049 30 1234567",
        "0171-1234567",
        "+49 151 23456789",
        "+43 1 5880000",
        "+1 212 555 0100",
        "0351 2345678; 0171 1234567",
    ],
)
def test_good_phone_numbers(value: str) -> None:
    assert found([kunde(1, Telefon=value)]) == []


@pytest.mark.parametrize(
    "value", ["bitte erfragen", "030 12", "12345678901234567890", "+99 123456", "0351 2345678 oder später"]
)
def test_bad_phone_numbers(value: str) -> None:
    fs = findings([kunde(1, Telefon=value)])
    assert [(f.cell, f.severity, f.code) for f in fs] == [("K2", "error", "telefon-ungueltig")]


def test_phone_number_that_lost_its_leading_zero() -> None:
    (f,) = findings([kunde(1, Telefon=1711234567)])
    assert (f.cell, f.severity, f.code, f.suggestion) == ("K2", "error", "telefon-fuehrende-null", "0171 1234567")


@pytest.mark.parametrize(
    "value",
    ["anna.mueller@web.de", "anna@müller.de", "jörg@web.de", "a+b@example.org", "ANNA@WEB.DE", "x@sub.domain.co.uk"],
)
def test_good_email_addresses(value: str) -> None:
    assert found([kunde(1, Email=value)]) == []


@pytest.mark.parametrize(
    "value, suggestion",
    [
        ("anna@web", None),
        ("anna.web.de", None),
        ("a@b@web.de", None),
        ("anna @web.de", "anna@web.de"),
        ("anna@web,de", "anna@web.de"),
        ("mailto:anna@web.de", "anna@web.de"),
        ("anna@localhost", None),
        ("anna(at)web.de", "anna@web.de"),
    ],
)
def test_bad_email_addresses(value: str, suggestion: str | None) -> None:
    fs = findings([kunde(1, Email=value)])
    assert [(f.cell, f.severity, f.code, f.suggestion) for f in fs] == [("L2", "error", "email-ungueltig", suggestion)]


# --------------------------------------------------------------------------- duplicates


def test_the_same_entry_twice_is_a_warning_at_the_copy() -> None:
    fs = findings([kunde(1)], [eintrag("101"), eintrag("101", Datum=dt.date(2025, 7, 8)), eintrag("101")])
    assert [(f.cell, f.severity, f.code) for f in fs] == [("A4", "warning", "eintrag-doppelt")]
    assert "Zeile 2" in fs[0].message


def test_entries_that_differ_only_in_their_text_are_not_duplicates() -> None:
    assert (
        found(
            [kunde(1)], [eintrag("101"), eintrag("101", Vereinbarungen="anders"), eintrag("101", Zusammenfassung=None)]
        )
        == []
    )


def test_excel_error_in_free_text() -> None:
    fs = findings(
        [kunde(1)],
        [eintrag("101", Zusammenfassung="#NV"), eintrag("101", Datum=dt.date(2025, 7, 8), Vereinbarungen="#BEZUG!")],
    )
    assert [(f.cell, f.severity, f.code) for f in fs] == [("D2", "error", "zellfehler"), ("E3", "error", "zellfehler")]


def test_same_person_twice_under_two_ids() -> None:
    twin = dict(VName="Anna", NName="Müller", Geburtsdatum=dt.date(1990, 4, 1))
    fs = findings([kunde(1, **twin), kunde(2, **twin), kunde(3, **{**twin, "Geburtsdatum": dt.date(1991, 1, 1)})])
    assert [(f.cell, f.severity, f.code) for f in fs] == [("G3", "warning", "kunde-doppelt")]


# --------------------------------------------------------------------------- cells and layout


def test_cells_follow_the_users_headers_and_column_order() -> None:
    kh = [
        "Nachname",
        "Vorname",
        "Kunden-ID",
        "Erstkontakt",
        "Quelle",
        "Status",
        "Beraterin",
        "Straße",
        "Postleitzahl",
        "Ort",
        "Telefonnummer",
        "E-Mail",
        "Bemerkung",
    ]
    canon = [
        "NName",
        "VName",
        "ID",
        "Erstkontakt",
        "Akquise",
        "Status",
        "Berater",
        "Strasse",
        "PLZ",
        "Stadt",
        "Telefon",
        "Email",
        None,
    ]
    k = kunde(1, PLZ=1067, Email="x@web")
    data = workbook_from_grids({"Kunden": [kh, [k.get(c) if c else "frei" for c in canon]], "Doku": [DH]})
    fs = validate(data, today=TODAY)
    assert [(f.sheet, f.cell, f.field, f.code) for f in fs] == [
        ("Kunden", "I2", "PLZ", "plz-fuehrende-null"),
        ("Kunden", "L2", "Email", "email-ungueltig"),
    ]


def test_frames_without_a_layout_use_their_column_order() -> None:
    import pandas as pd

    from kundenliste_tools.core.book import WorkbookData

    kunden = pd.DataFrame([kunde(1, PLZ=1067)], dtype=object)
    kunden[model.ROW] = [7]
    doku = pd.DataFrame([eintrag("101")], dtype=object)
    doku[model.ROW] = [2]
    fs = validate(WorkbookData(kunden=kunden, doku=doku), today=TODAY)
    assert [(f.sheet, f.cell, f.code) for f in fs] == [(K, "I7", "plz-fuehrende-null")]


def test_every_code_is_documented_in_the_catalogue_docstring() -> None:
    import kundenliste_tools.core.checkcodes as v

    for code, kind in CODES.items():
        line = next(line for line in v.__doc__.splitlines() if line.startswith(code + " "))
        assert kind.severity in line


def test_the_demo_workbook_gives_exactly_its_deliberate_mistakes(tmp_path) -> None:
    from kundenliste_tools.files.demo import write_demo
    from kundenliste_tools.files.reader import read_workbook

    today = dt.date(2026, 11, 20)
    demo = write_demo(tmp_path / "demo.xlsx", today=today)
    fs = validate(read_workbook(tmp_path / "demo.xlsx"), today=today)
    assert sorted((f.sheet, f.row, f.field) for f in fs) == sorted(demo.mistakes)


# --------------------------------------------------------------------------- property tests

CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
    st.times(),
    st.sampled_from(["#NV", "05.01.2026", "2026-01-05", " ", "0351 2345678", "a@b.de", "neu", "101", OWN_ID]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.fixed_dictionaries({h: CELL for h in KH}), min_size=1, max_size=5),
    st.lists(st.fixed_dictionaries({h: CELL for h in DH}), max_size=5),
)
def test_random_values_in_every_field_never_crash(kunden, doku) -> None:
    data = book(kunden, doku)
    fs = validate(data, today=TODAY)
    sheets = {K: data.kunden, D: data.doku}
    for f in fs:
        layout = data.layouts[K if f.sheet == K else D]
        assert f.cell == f"{layout.letter(f.field)}{f.row}"
        assert f.row in set(sheets[f.sheet][model.ROW])
        assert f.code in CODES and f.severity == CODES[f.code].severity
        assert f.message  # every template field was given (a missing one raises KeyError)
    _same_as_plain_findings(fs)
    _same_id_keys_as_idkey(data)


def _same_id_keys_as_idkey(data) -> None:
    """The ID keys the checks hand on to the Einladungskette (`core.chain`) are exactly what
    `idkey.id_keys` makes of the columns, or none at all (bools spelled out)."""
    from kundenliste_tools.core.idkey import id_keys
    from kundenliste_tools.core.validation import _id_keys, _Sheet

    keys = _id_keys(_Sheet(K, data.kunden, data.layouts.get(K)), _Sheet(D, data.doku, data.layouts.get(D)))
    if keys is not None:
        assert keys[0].equals(id_keys(data.kunden["ID"])) and keys[1].equals(id_keys(data.doku["ID"]))


def _same_as_plain_findings(fs) -> None:
    """The columns of a `FindingTable` read as the `Finding`s they stand for: by iteration,
    by index, sliced, rebuilt from the plain list, and counted like that list."""
    from kundenliste_tools.core.findings import FindingTable, code_counts, count

    plain = list(fs)
    assert all(isinstance(f, Finding) for f in plain)
    assert [fs[i] for i in range(len(fs))] == plain and list(fs[1:3]) == plain[1:3]
    assert FindingTable.of(plain) == fs == plain and list(FindingTable.of(plain)) == plain
    assert count(fs) == (sum(f.severity == "error" for f in plain), sum(f.severity == "warning" for f in plain))
    assert code_counts(fs) == Counter(f.code for f in plain)


def test_the_findings_table_reads_as_plain_findings() -> None:
    fs = findings([kunde(1, PLZ=1067, Email="x@web"), kunde(2, ID="101", Telefon="12", Erstkontakt="05.01.2025"),
                   kunde(3, Erstkontakt="05.01.2025")], [eintrag("999"), eintrag("101", Datum="2025-13-01")])
    assert len(fs) >= 6 and len({f.code for f in fs}) >= 5
    _same_as_plain_findings(fs)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9_+.\-]{1,20}@[A-Za-z0-9\-]{1,12}(\.[A-Za-z0-9\-]{1,8}){1,3}", fullmatch=True))
def test_fast_email_path_never_accepts_what_the_library_rejects(text: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    if plain_email_ok(text):
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"{text!r} passed the fast path but the library says {exc}") from exc
    assert check_email(text) is None or not plain_email_ok(text)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["0", "+49", "0049", "+49 ", "0"]), st.from_regex(r"[1-9][0-9 /\-]{2,16}", fullmatch=True))
def test_fast_phone_path_never_accepts_what_the_library_rejects(prefix: str, rest: str) -> None:
    import phonenumbers as pn

    text = prefix + rest
    if plain_german_phone_ok(text):
        assert pn.is_valid_number(pn.parse(text, "DE")), text


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(["0", "+49", "0049", "+49 ", "0"]), st.from_regex(r"[1-9][0-9 /\-]{2,16}", fullmatch=True))
def test_fast_phone_rejection_agrees_with_the_library(prefix: str, rest: str) -> None:
    """Whatever the fast path rejects, libphonenumber rejects, and for the same reason."""
    import phonenumbers as pn

    text = prefix + rest
    if plain_german_phone_invalid(text):
        number = pn.parse(text, "DE")
        assert not pn.is_valid_number(number), text
        assert pn.is_possible_number_with_reason(number) == pn.ValidationResult.IS_POSSIBLE, text
    verdict = plain_german_phone(text)
    if verdict is not None:  # the fast path decides: exactly as the library does
        assert verdict == pn.is_valid_number(pn.parse(text, "DE")), text


def test_fast_phone_rejection_catches_typical_typos() -> None:
    assert plain_german_phone_invalid("0351 12")  # too short for Dresden
    assert not plain_german_phone_invalid("0351 2345678")
    assert not plain_german_phone_invalid("0351 2345678; 0176 23456789")
    assert plain_german_phone("0800 1234567") is True  # toll-free: valid, decided without parsing
