"""The workbook model: forgiving header matching, IDs as text, dates from cells or ISO text."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kundenliste_tools.core import model
from kundenliste_tools.core.values import id_text, id_texts, parse_date, to_dates

ALL_SPELLINGS = [(sheet, f.name, spelling) for sheet, fields in model.SHEET_FIELDS.items()
                 for f in fields for spelling in (f.name, *f.aliases)]


def test_every_alias_means_its_field():
    for sheet, name, spelling in ALL_SPELLINGS:
        assert model.canonical_field(sheet, spelling) == name, (sheet, spelling)


def test_the_aliases_of_the_spec():
    k, d = model.KUNDENLISTE, model.KUNDENDOKU
    assert [model.canonical_field(k, h) for h in ("E-Mail", "Straße", "Vorname", "Nachname", "Telefonnummer",
                                                   "Kunde", "Kunden-ID")] == \
        ["Email", "Strasse", "VName", "NName", "Telefon", "ID", "ID"]
    assert [model.canonical_field(d, h) for h in ("Kommentar", "Besprechung")] == ["Zusammenfassung"] * 2
    assert model.canonical_field(k, "Lieblingsfarbe") is None


@st.composite
def respelled(draw):
    """A spelling of a known header with other case, spaces, hyphens and umlaut/ss spelling."""
    sheet, name, spelling = draw(st.sampled_from(ALL_SPELLINGS))
    out = []
    for ch in spelling:
        ch = draw(st.sampled_from([ch, ch.upper(), ch.lower()]))
        if ch in "äöüÄÖÜ" and draw(st.booleans()):
            ch = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}[ch]
        if ch == "ß" and draw(st.booleans()):
            ch = "ss"
        out.append(ch + draw(st.sampled_from(["", "", " ", "-", "_"])))
    pad = draw(st.sampled_from(["", " ", "  "]))
    return sheet, name, pad + "".join(out) + pad


@given(respelled())
def test_header_matching_forgives_case_spaces_and_umlauts(case):
    sheet, name, header = case
    assert model.canonical_field(sheet, header) == name


@given(st.integers(min_value=0, max_value=10**12))
def test_ids_compare_as_text(n):
    assert id_text(n) == id_text(float(n)) == id_text(str(n)) == id_text(f" {n} ") == str(n)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_dates_iso_text_and_date_cells_are_the_same_date(d):
    assert parse_date(d.isoformat()).date == d
    assert parse_date(d.isoformat()).problem is None
    assert parse_date(dt.datetime(d.year, d.month, d.day)).date == d
    vec = to_dates(pd.Series([d.isoformat(), dt.datetime(d.year, d.month, d.day), d], dtype=object))
    if 1678 <= d.year <= 2261:  # what a nanosecond timestamp holds
        assert vec.dt.date.tolist() == [d] * 3
    else:
        assert vec.isna().all()


@given(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2069, 12, 31)))
def test_german_dates_are_problems_that_suggest_iso(d):
    parsed = parse_date(d.strftime("%d.%m.%Y"))
    assert parsed.date is None and parsed.problem == "not-iso" and parsed.suggestion == d.isoformat()
    assert to_dates(pd.Series([d.strftime("%d.%m.%Y")], dtype=object)).isna().all()


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
                 st.datetimes(), st.dates()))
def test_parsing_any_cell_never_crashes(value):
    parsed = parse_date(value)
    assert parsed is None or parsed.date is not None or parsed.problem is not None
    assert isinstance(id_text(value), str)
    series = pd.Series([value], dtype=object)
    assert len(to_dates(series)) == 1 and len(id_texts(series)) == 1


def test_value_lists_match_forgivingly():
    lists = model.ValueLists()
    assert lists.match("Kundenstatus", "alo") == "arbeitslos (alo)"
    assert lists.match("Kundenstatus", "Arbeitsuchend") == "arbeitsuchend (asu)"
    assert lists.match("Status", "In  Beratung") == "in Beratung"
    assert lists.match("Profillage", "foerderprofil") == "Förderprofil"
    assert lists.match("Status", "in Bearbeitung") is None
