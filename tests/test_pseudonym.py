"""Export pseudonyms (core/pseudonym.py): which IDs go out as they are, and that a pseudonym is
stable under its key, different under another, and never looks like one of our IDs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kundenliste_tools.core.book import export_key_from_grid
from kundenliste_tools.core.ids import is_own_format, new_ids
from kundenliste_tools.core.pseudonym import is_exportable, new_key, pseudonym


def test_only_ids_that_are_ids_go_out_as_they_are():
    ours = new_ids(3)
    assert all(is_exportable(i) for i in ours + ["101", "7", "12345678"])
    for other in ["Hasenbein-S", "Müller, Anna", "A-17", "123456789", "86095742719", "0341 5558123",
                  "12.5", "١٢٣"]:  # long numbers, Arabic-Indic digits, names
        assert not is_exportable(other), other


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_a_pseudonym_is_stable_keyed_and_never_our_format(value):
    key = "ab" * 32
    p = pseudonym(value, key)
    assert p == pseudonym(value, key) == pseudonym(f"  {value} ", key)  # as IDs compare: trimmed
    assert p.startswith("P-") and len(p) == 12 and not is_own_format(p)
    assert pseudonym(value, "cd" * 32) != p


def test_the_key_is_read_from_the_register_row_one():
    key = new_key()
    assert len(key) == 64 and key != new_key()
    assert export_key_from_grid([["Vergebene ID", "Export-Schlüssel", key], ["K7M4QX"]]) == key
    assert export_key_from_grid([["Vergebene ID"], ["K7M4QX"]]) == ""
    assert export_key_from_grid([["Vergebene ID", "etwas anderes", key]]) == ""
    assert export_key_from_grid(None) == ""
