"""Forgetting shared strings that only erased cells used (`patch_workbook(forget_strings=True)`).

The lossless writer writes text as inline strings and never touches ``sharedStrings.xml``
(files/patch.py says why).  For an erasure that is not enough: a name blanked in its cell still
stands in the shared-string table, and whoever unzips the file reads it.  So when erasing, every
shared string that a cell we overwrite referenced, and that no cell left anywhere in the
workbook references, is emptied in place (``<si><t/></si>``): its index stays, so no reference
in any sheet has to be renumbered, and every other string and byte of the part stays as it was.
A string another cell still uses (a city two customers share) is kept for that cell.
"""

from __future__ import annotations

from typing import Mapping

from .package import MAIN_NS, PKG_REL_NS, REL_NS, parse_ref, resolve
from .xmlpart import XmlPart, splice
from .zipraw import RawZip

SHARED_STRINGS_TYPE = REL_NS + "/sharedStrings"


def shared_strings_part(z: RawZip, workbook_part: str, rels_part: str) -> str | None:
    """The shared-string part of the workbook (from its relationships), or None."""
    rels = XmlPart(z.read(rels_part), rels_part)
    for el in rels.elements(PKG_REL_NS, "Relationship"):
        if (el.get(b"Type") or b"").decode() == SHARED_STRINGS_TYPE:
            return z.find(resolve(workbook_part, (el.get(b"Target") or b"").decode()))
    return None


def string_refs(xml: bytes, label: str) -> dict[tuple[int, int], int]:
    """(row, col) → shared-string index of every `t="s"` cell of a worksheet's XML."""
    part = XmlPart(xml, label)
    out: dict[tuple[int, int], int] = {}
    unnamed = -1
    for el in part.elements(MAIN_NS, "c"):
        if el.empty or el.get(b"t") != b"s":
            continue
        v = part.first(MAIN_NS, "v", el.tag_end, part.end(el))
        if v is None or v.empty:
            continue
        text = part.data[v.tag_end:part.inner_end(v)].strip()
        if not text.isdigit():
            continue
        ref = el.get(b"r")
        if ref:
            out[parse_ref(ref.decode())] = int(text)
        else:  # no reference: never one of ours, but it still uses the string
            out[(unnamed, 0)] = int(text)
            unnamed -= 1
    return out


def forgotten(z: RawZip, sheet_parts: list[str], edits: Mapping[str, Mapping[tuple[int, int], object]]) -> set[int]:
    """Indices of shared strings used by overwritten cells and by no other cell."""
    used_by_edits: set[int] = set()
    still_used: set[int] = set()
    for part in sheet_parts:
        part_edits = edits.get(part, {})
        for cell, index in string_refs(z.read(part), part).items():
            (used_by_edits if cell in part_edits else still_used).add(index)
    return used_by_edits - still_used


def blank_strings(xml: bytes, indices: set[int], label: str) -> bytes:
    """The shared-string table with the `<si>` items at `indices` emptied (same count)."""
    if not indices:
        return xml
    part = XmlPart(xml, label)
    ops = []
    for i, si in enumerate(part.elements(MAIN_NS, "si")):
        if i in indices:
            p = si.prefix
            ops.append((si.start, part.end(si), b"<" + p + b"si><" + p + b"t/></" + p + b"si>"))
    return splice(xml, ops)
