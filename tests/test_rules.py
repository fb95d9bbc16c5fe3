"""The rule-set format: parsing cells and files, user files and the `Regelwerk` sheet, mistakes
named by line/row, and which rule set wins."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kundenliste_tools.core.errors import RuleSetError
from kundenliste_tools.core.model import MARKTNAH
from kundenliste_tools.core.overdue import assess
from kundenliste_tools.core.ruleforms import ruleset_from_grid, ruleset_from_toml, ruleset_to_grid
from kundenliste_tools.core.rules import Obligation, Period, janein, parse_age_range, parse_obligation, parse_period
from kundenliste_tools.files.rulefiles import builtin_names, builtin_text, load_builtin, load_ruleset

from .duebook import customer, d, entry, outcome, workbook

BUILTINS = ["aa90", "ba-2010", "ivm-a25", "lichtenberg-2013", "vamv"]


# ----------------------------------------------------------------------------- cells


@pytest.mark.parametrize(
    "text,expected",
    [
        ("keine Regel", Obligation("none", "keine Regel")),
        ("-", Obligation("none", "keine Regel")),
        ("alle 6 Monate", Obligation("interval", "alle 6 Monate", Period(6, "Monate"))),
        ("alle 4 Wochen", Obligation("interval", "alle 4 Wochen", Period(4, "Wochen"))),
        ("Alle 14 Tage", Obligation("interval", "alle 14 Tage", Period(14, "Tage"))),
        ("alle 1 Jahr", Obligation("interval", "alle 12 Monate", Period(12, "Monate"))),
        ("monatlich", Obligation("interval", "alle 1 Monat", Period(1, "Monate"))),
        ("jährlich", Obligation("interval", "alle 12 Monate", Period(12, "Monate"))),
        ("mindestens 4 in 6 Monaten", Obligation("count", "mindestens 4 in 6 Monaten", Period(6, "Monate"), 4)),
        (
            "mindestens 2 Kontakte im Halbjahr".replace("im", "in einem"),
            Obligation("count", "mindestens 2 in 6 Monaten", Period(6, "Monate"), 2),
        ),
        (
            "spätestens 2 Monate vor Elternzeit bis (ab 6 Monate vorher)",
            Obligation(
                "deadline",
                "spätestens 2 Monate vor Elternzeit bis (Kontakt ab 6 Monate vorher)",
                Period(2, "Monate"),
                0,
                "Elternzeit bis",
                Period(6, "Monate"),
            ),
        ),
    ],
)
def test_obligations(text, expected):
    assert parse_obligation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alle paar Monate",
        "mindestens 0 in 6 Monaten",
        "ab und zu",
        "spätestens 2 Monate vor Geburtstag (ab 6 Monate vorher)",
        "spätestens 2 Monate vor Elternzeit bis",
        "spätestens 6 Monate vor Elternzeit bis (ab 2 Monate vorher)",
    ],
)
def test_unclear_obligations_are_refused_with_a_german_hint(text):
    with pytest.raises(ValueError) as err:
        parse_obligation(text)
    assert any(w in str(err.value) for w in ("Pflicht", "Zeitraum", "verstehe", "Frist", "Fenster", "Mindestzahl"))


@given(st.integers(1, 99), st.sampled_from(["Tage", "Wochen", "Monate"]))
def test_interval_text_round_trips(n, unit):
    ob = parse_obligation(f"alle {n} {unit}")
    assert ob.period == Period(n, unit)
    assert parse_obligation(ob.text) == ob


@given(st.integers(1, 12), st.integers(1, 24))
def test_count_text_round_trips(k, months):
    ob = parse_obligation(f"mindestens {k} in {months} Monaten")
    assert (ob.kind, ob.minimum, ob.period) == ("count", k, Period(months, "Monate"))
    assert parse_obligation(ob.text) == ob


@given(st.text(max_size=40))
def test_any_text_is_an_obligation_or_a_value_error(text):
    try:
        ob = parse_obligation(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert ob.kind in {"interval", "count", "deadline", "none"}


def test_periods_and_ages():
    assert parse_period("6 Monate") == Period(6, "Monate")
    assert parse_period("1 Monat") == Period(1, "Monate")
    assert parse_period("2 Jahre") == Period(24, "Monate")
    assert parse_period("0 Tage") is None and parse_period("bald") is None
    assert [parse_age_range(t) for t in ("25-40", "25–40", "56+", "ab 56", "bis 24", "unter 25", "30")] == [
        (25, 40),
        (25, 40),
        (56, None),
        (56, None),
        (None, 24),
        (None, 24),
        (30, 30),
    ]
    with pytest.raises(ValueError):
        parse_age_range("40-25")


def test_ja_nein_is_forgiving_but_blank_is_unknown():
    assert [janein(v) for v in ("ja", "Ja", "x", "1", "wahr", True, 1.0)] == ["ja"] * 7
    assert [janein(v) for v in ("nein", "N", "0", "falsch", False, "-")] == ["nein"] * 6
    assert [janein(v) for v in (None, "", "  ", "vielleicht")] == [None] * 4


# ----------------------------------------------------------------------------- built-ins


def test_the_five_builtins_ship_with_their_seed():
    assert builtin_names() == BUILTINS
    seeds = {n: load_builtin(n).source for n in BUILTINS}
    assert {n: s.split(" ")[1] for n, s in seeds.items()} == {
        "vamv": "000",
        "lichtenberg-2013": "001",
        "ivm-a25": "002",
        "ba-2010": "003",
        "aa90": "004",
    }


def test_builtin_quotas_and_contact_kinds_follow_the_seeds():
    got = {
        n: (
            load_builtin(n).staff.per_week,
            load_builtin(n).staff.caseload,
            load_builtin(n).counts.kontaktart_text,
            load_builtin(n).counts.vermerkart_text,
        )
        for n in BUILTINS
    }
    assert got == {
        "vamv": (None, None, (), ()),
        "ba-2010": (None, None, ("persönlich", "Video"), ("Beratungsvermerk*",)),
        "lichtenberg-2013": (25, None, ("persönlich", "Video", "telefonisch"), ("Beratungsvermerk*",)),
        "ivm-a25": (None, 120, ("persönlich", "Video", "telefonisch", "E-Mail"), ("Beratungsvermerk*",)),
        "aa90": (20, None, ("persönlich", "Video", "telefonisch"), ("Beratungsvermerk*",)),
    }


def test_marktnah_means_the_first_three_profillagen():
    rule = load_builtin("ivm-a25").rules[2]
    assert rule.condition("Profillage").values == MARKTNAH


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_survives_the_trip_through_a_sheet(name):
    """The sheet layout mirrors the file: the same table in a `Regelwerk` sheet is the same rule set."""
    rules = load_builtin(name)
    again = ruleset_from_grid(ruleset_to_grid(rules))
    def strip(rs):
        return [(r.number, r.name, r.conditions, r.obligation, r.folgetermin_suspends) for r in rs.rules]

    assert strip(again) == strip(rules)
    assert (again.name, again.counts, again.staff, again.contact_word) == (
        rules.name,
        rules.counts,
        rules.staff,
        rules.contact_word,
    )


# ----------------------------------------------------------------------------- user files

MY_FILE = """# Unser Jobcenter: alle drei Monate, U25 jeden Monat
name = "mein-jobcenter"
titel = "Dezentrales Kontaktdichtekonzept"
quelle = "Dienstanweisung 7/2026"
kontaktart = "persönlich, Video"
vermerkart = "Beratungsvermerk"
beratungsgespraeche_je_woche = 22

[[regel]]
name = "U25"
altersgruppe = "U25"
pflicht = "monatlich"

[[regel]]
name = "Ü25 außer marktnah"
profillage = "nicht marktnah"
pflicht = "alle 3 Monate"

[[regel]]
name = "marktnah"
pflicht = "mindestens 2 in 3 Monaten"
"""


def test_a_user_written_rule_file(tmp_path):
    path = tmp_path / "mein-jobcenter.toml"
    path.write_text(MY_FILE, encoding="utf-8")
    rules = load_ruleset(str(path), None)
    assert (rules.name, rules.staff.per_week, len(rules.rules)) == ("mein-jobcenter", 22, 3)
    data = workbook(
        [
            customer("A", Bereich="Basis", Profillage="Z"),
            customer("B", Bereich="Basis", Profillage="Marktprofil"),
            customer("C", Bereich="U25"),
        ],
        [
            entry("A", "2026-02-14"),
            entry("B", "2026-03-01"),
            entry("B", "2026-04-01"),
            entry("C", "2026-04-15", kontaktart="telefonisch"),
        ],
    )
    got = outcome(assess(data, rules, d("2026-05-15")))
    assert got == [
        ("A", True, "2026-05-14", 1, "2. Ü25 außer marktnah", True),  # 2026-02-14 + 3 months
        ("B", False, "2026-06-01", 0, "3. marktnah", True),  # 2nd latest 03-01 + 3 months
        ("C", True, "2025-02-01", (d("2026-05-15") - d("2025-02-01")).days, "1. U25", True),
        # the phone call does not count here: from Erstkontakt 2025-01-01 + 1 month
    ]


@pytest.mark.parametrize(
    "change,where,what",
    [
        (('pflicht = "alle 3 Monate"', "pflicht = alle 3 Monate"), "Zeile 17, Spalte 11", "kein gültiges TOML"),
        (
            ('profillage = "nicht marktnah"', 'profilage = "nicht marktnah"'),
            "Zeile 16 (Regel 2)",
            "Meinten Sie „profillage“",
        ),
        (
            ('profillage = "nicht marktnah"', 'profillage = "Markt"'),
            "Zeile 16 (Regel 2)",
            "Profillage „Markt“ steht nicht in der Liste",
        ),
        (
            ('pflicht = "mindestens 2 in 3 Monaten"', 'pflicht = "oft"'),
            "Zeile 21 (Regel 3)",
            "„oft“ verstehe ich nicht",
        ),
        (('pflicht = "monatlich"\n', ""), "Zeile 9 (Regel 1)", "keine Pflicht"),
        (("beratungsgespraeche_je_woche = 22", 'beratungsgespraeche_je_woche = "viele"'), "Zeile 7", "keine Zahl"),
        (('kontaktart = "persönlich, Video"', 'kontaktart = "persönlich, Brief"'), "Zeile 5", "Kontaktart „Brief“"),
        (('altersgruppe = "U25"', 'altersgruppe = "U30"'), "Zeile 11 (Regel 1)", "U25 und Ü25"),
    ],
)
def test_a_broken_rule_file_names_the_line(tmp_path, change, where, what):
    path = tmp_path / "kaputt.toml"
    old, new = change
    assert old in MY_FILE
    path.write_text(MY_FILE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_ruleset(str(path), None)
    message = str(err.value)
    assert "„kaputt.toml“" in message and where in message and what in message, message


# ----------------------------------------------------------------------------- the sheet

SHEET = [
    ["Name", "team-nord"],
    ["Titel", "Kontaktdichte Team Nord"],
    ["Kontaktart", "persönlich", "telefonisch"],
    ["Betreuungsschlüssel", "1:100"],
    [],
    ["Regel", "Kundenstatus", "Profillage", "Pflicht", "Hinweis"],
    ["Profillage I", None, "I", "jährlich", "wie AA 90"],
    ["arbeitslos", "alo", None, "alle 2 Monate", None],
    ["sonst", None, None, "keine Regel", None],
]


def test_the_rule_sheet_of_the_workbook_is_used():
    data = workbook(
        [
            customer("I", Profillage="I", Kundenstatus="arbeitslos"),
            customer("A", Kundenstatus="alo", Profillage="Marktprofil"),
            customer("S", Kundenstatus="asu", Profillage="Z"),
        ],
        [entry("I", "2025-05-14"), entry("A", "2026-03-15", kontaktart="telefonisch")],
        Regelwerk=SHEET,
    )
    rules = load_ruleset(None, data)
    assert (rules.name, rules.staff.caseload, rules.counts.kontaktart_text) == (
        "team-nord",
        100,
        ("persönlich", "telefonisch"),
    )
    got = outcome(assess(data, rules, d("2026-05-15")))
    assert got == [
        ("I", True, "2026-05-14", 1, "1. Profillage I", True),
        ("A", False, "2026-05-15", 0, "2. arbeitslos", True),
        ("S", False, None, 0, "3. sonst", True),
    ]


@pytest.mark.parametrize(
    "row,col,value,where,what",
    [
        (7, 2, "Markt", "Zeile 8, Spalte C „Profillage“", "Meinten Sie „Marktprofil“"),
        (7, 3, "immer", "Zeile 8, Spalte D „Pflicht“", "„immer“ verstehe ich nicht"),
        (7, 3, None, "Zeile 8, Spalte D „Pflicht“", "keine Pflicht"),
        (7, 5, "x", "Zeile 8, Spalte F", "Wert ohne Überschrift"),
        (3, 1, "viel", "Zeile 4", "keine Zahl"),
        (5, 1, "Kundnstatus", "Zeile 8, Spalte B „Kundnstatus“", "Meinten Sie „kundenstatus“"),
    ],
)
def test_a_broken_rule_sheet_names_row_and_column(row, col, value, where, what):
    grid = [list(r) + [None] * (6 - len(r)) for r in SHEET]
    grid[row][col] = value
    data = workbook([customer("A")], Regelwerk=grid)
    with pytest.raises(RuleSetError) as err:
        load_ruleset(None, data)
    message = str(err.value)
    assert "Blatt „Regelwerk“" in message and where in message and what in message, message


def test_a_sheet_without_the_header_row_is_refused():
    data = workbook([customer("A")], Regelwerk=[["Name", "x"], ["irgendwas", "alle 3 Monate"]])
    with pytest.raises(RuleSetError, match="Kopfzeile der Regeltabelle fehlt"):
        load_ruleset(None, data)


# ----------------------------------------------------------------------------- which one wins


def test_precedence_explicit_then_sheet_then_setting_then_vamv(tmp_path):
    settings = [["Einstellung", "Wert"], ["Regelwerk", "aa90"]]
    with_both = workbook([customer("A")], Regelwerk=SHEET, Einstellungen=settings)
    assert load_ruleset("ba-2010", with_both).name == "ba-2010"
    assert load_ruleset(None, with_both).name == "team-nord"
    assert load_ruleset("team-nord", with_both).name == "team-nord"
    assert load_ruleset(None, workbook([customer("A")], Einstellungen=settings)).name == "aa90"
    assert load_ruleset(None, workbook([customer("A")], Regelwerk=[[None], []])).name == "vamv"
    assert load_ruleset(None, None).name == "vamv"
    path = tmp_path / "eigen.toml"
    path.write_text(MY_FILE, encoding="utf-8")
    setting_file = [["Regelwerk", str(path)]]
    assert load_ruleset(None, workbook([customer("A")], Einstellungen=setting_file)).name == "mein-jobcenter"


def test_an_unknown_rule_set_name_lists_the_builtins():
    with pytest.raises(RuleSetError) as err:
        load_ruleset("ba2010", None)
    assert "Meinten Sie „ba-2010“" in str(err.value) and "lichtenberg-2013" in str(err.value)
    with pytest.raises(RuleSetError, match="gibt es nicht"):
        load_ruleset(str("/nicht/da.toml"), None)


def test_builtin_text_is_the_file_a_team_copies():
    text = builtin_text("ba-2010")
    assert text.startswith("# Regelwerk „ba-2010“") and "[[regel]]" in text
    assert ruleset_from_toml(text, "Kopie").name == "ba-2010"
