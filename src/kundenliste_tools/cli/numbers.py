"""Numbers in the doors' German output."""

from __future__ import annotations


def german_number(x: float) -> str:
    """A number as a German reads it: decimal comma, no trailing zeros (0,75 Stelle, Soll 18,75)."""
    return f"{x:g}".replace(".", ",")
