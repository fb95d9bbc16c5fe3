"""The two written forms of a rule set, parsed and produced: a TOML text and a sheet grid.

Pure: text and cell grids in, `RuleSet` out (and back to a grid for the template's example
sheet).  Finding the text (a shipped file, a team's file, the workbook's sheet) is the I/O
ring's job (`files.rulefiles`).  A rule file and the sheet have the same shape, so a team can
move its table between them:

    TOML file                               sheet `Regelwerk`
    name = "mein-jobcenter"                 A: Name             B: mein-jobcenter
    kontaktart = ["persönlich", "Video"]    A: Kontaktart       B: persönlich, Video
    beratungsgespraeche_je_woche = 25       A: Beratungsgespräche je Woche   B: 25
    [[regel]]                               header row: Regel | Status | Bereich | … | Pflicht
    name = "U25 arbeitslos"                 one row per rule, one column per key,
    altersgruppe = "U25"                    blank cell = condition not used
    kundenstatus = "arbeitslos"
    pflicht = "alle 4 Wochen"
"""

from __future__ import annotations

import re
import tomllib
from typing import Any, Sequence

from .book import column_letter
from .errors import RuleSetError
from .model import ValueLists, normalize_key
from .rules import CONDITION_ORDER, RuleSet, parse_ruleset
from .values import is_blank, to_text

# ----------------------------------------------------------------------------- TOML


_TABLE = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_SINGLE_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]")
_KEY = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-äöüÄÖÜß]+)\s*=")


def toml_where(text: str):
    """A `Where` for a TOML text: (rule index, key) → `Zeile 12`.

    tomllib keeps no positions, so the lines are found by a light scan of the text: table
    headers `[[regel]]` and `key =` lines.  Good enough to point a person at the right line.
    """
    keys: dict[tuple[int | None, str], int] = {}
    headers: dict[int, int] = {}
    current: int | None = None
    count = -1
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0] if "\"" not in line and "'" not in line else line
        m = _TABLE.match(stripped)
        if m:
            if normalize_key(m.group(1)) in {"regel", "regeln"}:
                count += 1
                current = count
                headers[count] = n
            else:
                current = None
            continue
        if _SINGLE_TABLE.match(stripped):
            current = None
            continue
        m = _KEY.match(stripped)
        if m:
            keys.setdefault((current, normalize_key(m.group(1).strip("\"'"))), n)

    def where(row: int | None, key: str | None) -> str:
        if key is not None and (row, normalize_key(key)) in keys:
            line = keys[(row, normalize_key(key))]
            return f"Zeile {line}" + (f" (Regel {row + 1})" if row is not None else "")
        if row is not None and row in headers:
            return f"Zeile {headers[row]} (Regel {row + 1})" + (f", „{key}“" if key else "")
        if row is not None:
            return f"Regel {row + 1}"
        return f"„{key}“" if key else "Anfang der Datei"

    return where


def ruleset_from_toml(text: str, origin: str, lists: ValueLists | None = None) -> RuleSet:
    """Parse a rule file's text; a syntax error names its line and column in German."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"line (\d+), column (\d+)", msg)
        place = f"Zeile {m.group(1)}, Spalte {m.group(2)}" if m else "unbekannte Stelle"
        detail = re.sub(r"\s*\(at .*?\)\s*$", "", msg)
        raise RuleSetError(
            f"Regelwerk {origin}, {place}: Die Datei ist kein gültiges TOML ({detail}). Häufige Ursachen: "
            "Text ohne Anführungszeichen (pflicht = \"alle 6 Monate\"), ein fehlendes Anführungszeichen "
            "oder ein Schlüssel zweimal in derselben Regel."
        ) from None
    return parse_ruleset(doc, origin, toml_where(text), lists)


# ----------------------------------------------------------------------------- sheet

SHEET_TOP = (("Name", "name"), ("Titel", "titel"), ("Quelle", "quelle"), ("Beschreibung", "beschreibung"),
             ("Kontakt heißt", "kontakt_heisst"), ("Kontaktart", "kontaktart"), ("Vermerkart", "vermerkart"),
             ("Beratungsgespräche je Woche", "beratungsgespraeche_je_woche"),
             ("Betreuungsschlüssel", "betreuungsschluessel"))
SHEET_COLUMNS = ("Regel", *CONDITION_ORDER, "Pflicht", "Offener Folgetermin", "Hinweis")
_HEADER_FIRST = {"regel", "name", "bezeichnung", "nr"}


def _is_header(row: Sequence[Any]) -> bool:
    keys = [normalize_key(to_text(c)) for c in row if not is_blank(c)]
    return bool(keys) and keys[0] in _HEADER_FIRST and "pflicht" in keys


def grid_has_rules(grid: Sequence[Sequence[Any]] | None) -> bool:
    """Whether a `Regelwerk` sheet holds anything (an empty or blank sheet is ignored)."""
    return bool(grid) and any(not is_blank(c) for row in grid for c in row)


def ruleset_from_grid(grid: Sequence[Sequence[Any]], origin: str = "Blatt „Regelwerk“",
                      lists: ValueLists | None = None) -> RuleSet:
    """Parse the sheet: key/value rows (A/B) above a header row `Regel | … | Pflicht`, rules below.

    Messages name the Excel row and column (`Zeile 14, Spalte F „Profillage“`).
    """
    rows = [list(r) for r in grid]
    header_at = next((i for i, r in enumerate(rows) if _is_header(r)), None)
    if header_at is None:
        raise RuleSetError(
            f"Regelwerk {origin}: Die Kopfzeile der Regeltabelle fehlt. Sie braucht mindestens die "
            "Spalten „Regel“ und „Pflicht“ (dazu Bedingungen wie „Kundenstatus“, „Profillage“)."
        )
    doc: dict[str, Any] = {}
    top_rows: dict[str, int] = {}
    for i, r in enumerate(rows[:header_at]):
        cells = [c for c in r]
        if not cells or is_blank(cells[0]):
            continue
        key = to_text(cells[0])
        values = [to_text(c) for c in cells[1:] if not is_blank(c)]
        doc[key] = ", ".join(values) if values else ""
        top_rows[normalize_key(key)] = i + 1
    header = rows[header_at]
    columns = [(j, to_text(h)) for j, h in enumerate(header) if not is_blank(h)]
    records: list[dict[str, Any]] = []
    record_rows: list[int] = []
    for i in range(header_at + 1, len(rows)):
        r = rows[i]
        if all(is_blank(c) for c in r):
            continue
        rec = {}
        for j, name in columns:
            value = r[j] if j < len(r) else None
            if not is_blank(value):
                rec[name] = value
        stray = [j for j, c in enumerate(r) if not is_blank(c) and j not in dict(columns)]
        if stray:
            j = stray[0]
            raise RuleSetError(
                f"Regelwerk {origin}, Zeile {i + 1}, Spalte {column_letter(j)}: Wert ohne Überschrift in "
                f"Zeile {header_at + 1}. Bitte eine Überschrift eintragen oder den Wert löschen."
            )
        records.append(rec)
        record_rows.append(i + 1)
    doc["regel"] = records
    col_of = {normalize_key(name): j for j, name in columns}

    def where(row: int | None, key: str | None) -> str:
        if row is None:
            if key and normalize_key(key) in top_rows:
                return f"Zeile {top_rows[normalize_key(key)]}"
            return f"Zeilen über der Kopfzeile (Zeile {header_at + 1})"
        line = record_rows[row] if row < len(record_rows) else header_at + 2
        if key and normalize_key(key) in col_of:
            j = col_of[normalize_key(key)]
            return f"Zeile {line}, Spalte {column_letter(j)} „{to_text(header[j])}“"
        return f"Zeile {line}"

    return parse_ruleset(doc, origin, where, lists)


def ruleset_to_grid(rules: RuleSet) -> list[list[Any]]:
    """The sheet form of a rule set (for a template's example sheet, or to copy a built-in)."""
    grid: list[list[Any]] = []
    quota = rules.staff.per_week
    values = {
        "name": rules.name, "titel": rules.title, "quelle": rules.source, "beschreibung": rules.description,
        "kontakt_heisst": rules.contact_word,
        "kontaktart": ", ".join(rules.counts.kontaktart_text) if rules.counts.kontaktart is not None else "alle",
        "vermerkart": ", ".join(rules.counts.vermerkart_text) if rules.counts.vermerkart is not None else "alle",
        "beratungsgespraeche_je_woche": (int(quota) if quota and float(quota).is_integer() else quota) or "",
        "betreuungsschluessel": rules.staff.caseload or "",
    }
    for label, key in SHEET_TOP:
        if values[key] not in ("", None):
            grid.append([label, values[key]])
    grid.append([])
    grid.append(list(SHEET_COLUMNS))
    for rule in rules.rules:
        row: list[Any] = [rule.name]
        for fld in CONDITION_ORDER:
            cond = rule.condition(fld)
            row.append(cond.text if cond else "")
        row += [rule.obligation.text if rule.obligation.kind != "deadline" else _deadline_text(rule),
                "setzt aus" if rule.folgetermin_suspends else "", ""]
        grid.append(row)
    width = len(SHEET_COLUMNS)
    return [r + [""] * (width - len(r)) for r in grid]


def _deadline_text(rule) -> str:
    ob = rule.obligation
    return f"spätestens {ob.period.text} vor {ob.field} (ab {ob.window.text} vorher)"


def sheet_name(grid: Sequence[Sequence[Any]]) -> str:
    """The name written in a `Regelwerk` sheet's `Name` row, or empty."""
    for row in grid:
        if row and normalize_key(to_text(row[0])) == "name" and len(row) > 1:
            return to_text(row[1])
    return ""
