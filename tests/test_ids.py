"""IDs: random, unique, never reused, and a check character that catches every single typo and
every swap of neighbours (SPEC §4)."""

from __future__ import annotations

import inspect
import random
import secrets
from itertools import cycle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.book import workbook_from_grids
from kundenliste_tools.core.ids import (
    ALPHABET,
    LENGTH,
    assign_ids,
    blank_id_rows,
    check_char,
    check_ok,
    id_cell_edits,
    is_own_format,
    new_ids,
    random_id,
    taken_ids,
)

KUNDEN_HEADER = ["ID", "Erstkontakt", "Akquise", "Status", "Berater", "VName", "NName", "Strasse",
                 "PLZ", "Stadt", "Telefon", "Email"]
DOKU_HEADER = ["Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin"]


def _values(text: str) -> list[int]:
    """The draws that make a random source produce `text`."""
    return [ALPHABET.index(c) for c in text]


def test_alphabet_has_no_look_alikes_and_a_prime_size() -> None:
    assert len(ALPHABET) == 31 and len(set(ALPHABET)) == 31
    assert not set("01OIL") & set(ALPHABET)


def test_check_character_worked_by_hand() -> None:
    # K=17, 7=5, M=18, 4=2, Q=21; 6·17 + 5·5 + 4·18 + 3·2 + 2·21 = 247 ≡ 30 (mod 31),
    # so the check value is 1, the symbol "3": 247 + 1 = 248 = 8·31.
    assert check_char("K7M4Q") == "3"
    assert check_ok("K7M4Q3")
    assert check_ok("k7m4q3")  # typed in lower case
    assert check_ok(" K7M4Q3 ")
    assert not check_ok("K7M4Q4")


@pytest.mark.parametrize("text, ours", [
    ("K7M4Q3", True),
    ("101", False),          # legacy number
    ("234567", False),       # six digits: a legacy number, never ours
    ("MUSTER", False),       # a word: no digit
    ("K7M4Q0", False),       # 0 is not in the alphabet
    ("K7M4Q", False),        # too short
    ("K7M4Q3X", False),      # too long
    ("A-17", False),
    ("", False),
])
def test_own_format(text: str, ours: bool) -> None:
    assert is_own_format(text) is ours


def _issued(payload: str) -> str | None:
    """The ID this payload gives, if the generator would issue it (≥ 2 letters and ≥ 2 digits)."""
    candidate = payload + check_char(payload)
    digits = sum(ch.isdigit() for ch in candidate)
    return candidate if 2 <= digits <= LENGTH - 2 else None


def _payload(number: int) -> str:
    digits = []
    for _ in range(LENGTH - 1):
        number, rem = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rem])
    return "".join(digits)


def _nth_issuable(number: int) -> str:
    """The first issuable ID at or after payload number `number` (all 31^5 payloads in order)."""
    while not (found := _issued(_payload(number % len(ALPHABET) ** (LENGTH - 1)))):
        number += 1
    return found


#: IDs the generator can issue, spread over the whole payload space.
issued_ids = st.integers(0, len(ALPHABET) ** (LENGTH - 1) - 1).map(_nth_issuable)


def _assert_typos_caught(good: str) -> None:
    """All 6 × 30 single-character typos and all swaps of neighbours of one ID, exhaustively
    (and, for free, the swaps of characters one apart)."""
    assert check_ok(good)
    for i in range(LENGTH):
        for ch in ALPHABET:
            if ch != good[i]:
                typo = good[:i] + ch + good[i + 1:]
                assert is_own_format(typo), (good, typo)  # still looks like ours, so it is checked
                assert not check_ok(typo), (good, typo)
    for i in range(LENGTH - 1):
        for j in (i + 1, i + 2):
            if j < LENGTH and good[i] != good[j]:
                chars = list(good)
                chars[i], chars[j] = chars[j], chars[i]
                swapped = "".join(chars)
                assert is_own_format(swapped), (good, swapped)
                assert not check_ok(swapped), (good, swapped)


@settings(max_examples=1000, deadline=None)
@given(issued_ids)
def test_every_single_substitution_and_adjacent_swap_is_caught(good: str) -> None:
    _assert_typos_caught(good)


def test_typos_caught_for_ids_drawn_from_the_real_generator() -> None:
    for good in new_ids(2000):
        _assert_typos_caught(good)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64))
def test_random_ids_are_issuable_and_valid(seed: int) -> None:
    new = random_id(random.Random(seed).randrange)
    assert check_ok(new) and is_own_format(new)
    digits = sum(ch.isdigit() for ch in new)
    assert 2 <= digits <= LENGTH - 2


def test_ids_come_from_the_secrets_module() -> None:
    for func in (random_id, new_ids, assign_ids):
        assert inspect.signature(func).parameters["draw"].default is secrets.randbelow


def test_hundred_thousand_ids_without_a_duplicate() -> None:
    taken = {"101", "A-17", *new_ids(1000)}
    drawn = new_ids(100_000, taken)
    assert len(drawn) == 100_000
    assert len(set(drawn)) == 100_000
    assert not set(drawn) & taken
    assert all(check_ok(i) for i in drawn)


def test_a_repeating_random_source_is_drawn_again_not_duplicated() -> None:
    first = iter(_values("K7M4Q"))
    assert random_id(lambda n: next(first)) == "K7M4Q3"
    source = iter(_values("K7M4Q") * 2 + _values("X5YP3") * 2 + _values("R9S4T"))
    out = new_ids(2, taken=["k7m4q3"], draw=lambda n: next(source))  # taken in lower case
    assert out == ["X5YP3" + check_char("X5YP3"), "R9S4T" + check_char("R9S4T")]
    repeat = cycle(_values("K7M4Q"))
    with pytest.raises(RuntimeError):
        new_ids(2, draw=lambda n: next(repeat))  # K7M4Q3 again and again


# --- which rows get one -------------------------------------------------------------------

def _data():
    kunden = [KUNDEN_HEADER,
              [101, "2026-01-05", "VAMV", "neu", "A", "Eva", "X"],
              [None, "2026-01-06", "VAMV", "neu", "A", "Jan", "Y"],
              [None] * 12,
              ["  ", "2026-01-07", "VAMV", "neu", "A", "Ida", "Z"],
              [None, None, None, None, None, None, None, None, None, None, None, "nur@mail.de"]]
    doku = [DOKU_HEADER, ["2026-01-06", "K7M4Q3", "A", "gelöschter Kunde", None, None]]
    register = [["Vergebene ID"], ["H8BN26"]]
    return workbook_from_grids({"Kundenliste": kunden, "KundenDoku": doku, "ID-Register": register})


def test_blank_ids_of_rows_with_data() -> None:
    data = _data()
    assert blank_id_rows(data) == [3, 5, 6]  # row 4 is empty, whitespace counts as blank
    assert blank_id_rows(data, only_rows={2, 3, 4}) == [3]
    assert taken_ids(data) == {"101", "K7M4Q3", "H8BN26"}


def _doku_ids(cells: list[object]) -> set[str]:
    kunden = [KUNDEN_HEADER, ["K7M4Q3", "2026-01-05", "VAMV", "neu", "A", "Eva", "X"]]
    doku = [DOKU_HEADER, *(["2026-01-06", c, "A", "Gespräch", None, None] for c in cells)]
    return taken_ids(workbook_from_grids({"Kundenliste": kunden, "KundenDoku": doku}))


def test_taken_ids_keep_true_apart_from_one_in_a_mixed_column() -> None:
    # 1, 1.0 and True are equal in Python; as IDs "1" and "TRUE" are two different customers.
    # The mixed column goes by identity, so neither hides the other, in either order.
    assert _doku_ids([1, True, 1.0, "k7m4q3 ", None]) == {"K7M4Q3", "1", "TRUE"}
    assert _doku_ids([True, 1, 0, False]) == {"K7M4Q3", "1", "TRUE", "0", "FALSE"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.none(), st.integers(-3, 300), st.booleans(),
                          st.floats(allow_nan=False, allow_infinity=False, width=32)), max_size=40))
def test_taken_ids_equal_the_ids_of_every_cell(cells: list[object]) -> None:
    # the set of ID texts of the KundenDoku, cell by cell, whatever the column's mix of types
    from kundenliste_tools.core.ids import normalize
    from kundenliste_tools.core.values import id_text

    expected = {normalize(id_text(c)) for c in [*cells, "K7M4Q3"]} - {""}
    assert _doku_ids(cells) == expected


def test_assign_ids_skips_ids_known_from_kundendoku_and_the_register() -> None:
    data = _data()
    # The source first gives K7M4Q → K7M4Q3 (in KundenDoku), then H8BN2 → H8BN26 (register),
    # then X5YP3 twice (the second would duplicate the first), then R9S4T and M6NB8.
    # H=15, 8=6, B=9, N=19, 2=0: 90 + 30 + 36 + 57 + 0 = 213 ≡ 27, check value 4 = "6"
    assert check_char("H8BN2") == "6"
    source = iter(_values("K7M4Q") + _values("H8BN2") + _values("X5YP3") * 2 + _values("R9S4T")
                  + _values("M6NB8"))
    issued = assign_ids(data, draw=lambda n: next(source))
    ids = [p + check_char(p) for p in ("X5YP3", "R9S4T", "M6NB8")]
    assert issued == [(3, ids[0]), (5, ids[1]), (6, ids[2])]
    assert id_cell_edits(data, issued) == {"A3": ids[0], "A5": ids[1], "A6": ids[2]}


def test_a_broken_random_source_fails_instead_of_looping() -> None:
    with pytest.raises(RuntimeError):
        random_id(lambda n: 0)  # always 22222 → 222222, six digits: never issuable


def test_cell_edits_follow_the_id_column_wherever_it_is() -> None:
    header = ["Vorname", "Nachname", "Kunden-ID", "Erstkontakt", "Akquise", "Status", "Berater",
              "Strasse", "PLZ", "Stadt", "Telefon", "E-Mail"]
    data = workbook_from_grids({"Kunden": [header, ["Eva", "X", None, "2026-01-05"]],
                                "KundenDoku": [DOKU_HEADER]})
    assert id_cell_edits(data, [(2, "K7M4Q3")]) == {"C2": "K7M4Q3"}
