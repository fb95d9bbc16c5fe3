"""The workbook model: which sheets and fields exist, how users spell them, which lists apply.

Everything else (validation, rule sets, export, the template) asks this module what a field
is, so a new alias or list is added in one place.  Pure data, no file access.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "date", "text", "list", "plz", "phone", "email", "janein"]

KUNDENLISTE = "Kundenliste"
KUNDENDOKU = "KundenDoku"
LISTEN = "Listen"
EINSTELLUNGEN = "Einstellungen"
#: xlwings' own configuration sheet: the Python to start (the template writes it, `einrichten` fills it).
XLWINGS_CONF = "xlwings.conf"
BERATER_SHEET = "Berater"
REGELWERK_SHEET = "Regelwerk"
ID_REGISTER_SHEET = "ID-Register"
#: Header of column A of the hidden `ID-Register` sheet (the template writes the same).
REGISTER_HEADER = "Vergebene ID"
#: Header of column B of the `ID-Register` sheet; the export pseudonyms' key stands beside it
#: (core/pseudonym.py says why it lives there).
EXPORT_KEY_HEADER = "Export-Schlüssel"
#: Sheets the model reads besides the two record sheets (a reader may skip all others).
AUX_SHEETS = (LISTEN, EINSTELLUNGEN, BERATER_SHEET, REGELWERK_SHEET, ID_REGISTER_SHEET)

#: Column holding the Excel row number of every record, so findings can point at cells.
ROW = "_row"


@dataclass(frozen=True)
class Field:
    """One column of a sheet: its canonical name, type and how users may spell it."""

    name: str
    kind: Kind
    required_column: bool
    required_value: bool = False
    list_name: str | None = None
    aliases: tuple[str, ...] = ()
    personal: bool = False  # never leaves the workbook (quarterly export scrubs it)


KUNDEN_FIELDS: tuple[Field, ...] = (
    Field("ID", "id", True, True, aliases=("Kunde", "Kunden-ID", "KundenID", "Kundennummer",
                                             "Kunden-Nr", "Kundennr", "Nr", "Pseudonym")),
    Field("Erstkontakt", "date", True, True, aliases=("Erstkontakt am", "Datum Erstkontakt",
                                                        "Erster Kontakt", "Datum Erstgespräch",
                                                        "Erstgespräch", "Erstgespräch am",
                                                        "Datum des Erstkontakts", "Aufnahme",
                                                        "Aufnahmedatum")),
    Field("Akquise", "list", True, True, "Akquise", ("Aquise", "Quelle", "Herkunft",
                                                     "Akquiseweg", "Zugang", "Zugangsweg",
                                                     "Kontaktweg Akquise")),
    Field("Status", "list", True, True, "Status", ("Stand", "Beratungsstatus")),
    Field("Berater", "list", True, True, "Berater", ("Beraterin", "Berater/in", "BeraterIn",
                                                       "IFK", "Betreuer")),
    Field("VName", "text", True, True, aliases=("Vorname", "Rufname"), personal=True),
    Field("NName", "text", True, True, aliases=("Nachname", "Name", "Familienname", "Zuname"),
          personal=True),
    Field("Strasse", "text", True, aliases=("Straße", "Strasse Hausnummer", "Straße und Hausnummer",
                                           "Straße / Hausnr.", "Straße, Hausnr.", "Straße Hausnr.",
                                           "Straße/Nr.", "Str. + Nr.", "Str.", "Straße + Hausnummer",
                                           "Straße, Hausnummer", "Anschrift", "Adresse"),
          personal=True),
    Field("PLZ", "plz", True, aliases=("Postleitzahl", "PLZ.", "Plz"), personal=True),
    Field("Stadt", "text", True, aliases=("Ort", "Wohnort"), personal=True),
    Field("Telefon", "phone", True, aliases=("Telefonnummer", "Tel", "Tel.", "Tel.-Nr.",
                                             "Telefon-Nr", "Handy", "Handynummer", "Mobil",
                                             "Mobilnummer", "Rufnummer", "Telefon / Handy"),
          personal=True),
    Field("Email", "email", True, aliases=("E-Mail", "E-Mail-Adresse", "E-Mail Adresse",
                                           "Emailadresse", "Mail", "Mailadresse"),
          personal=True),
    Field("Geburtsdatum", "date", False, aliases=("Geburtstag", "Geb.-Datum", "Geb.datum",
                                                  "geboren am"), personal=True),
    Field("Kundenstatus", "list", False, list_name="Kundenstatus",
          aliases=("Status eLb", "Status ELB", "Arbeitsmarktstatus")),
    Field("Profillage", "list", False, list_name="Profillage", aliases=("Profil",)),
    Field("Bereich", "list", False, list_name="Bereich", aliases=("Team",)),
    Field("Langzeitbezug", "janein", False, list_name="Ja/Nein",
          aliases=("Langzeitbezieher", "LZB", "Langzeitleistungsbezug")),
    Field("Elternzeit bis", "date", False, aliases=("Elternzeit", "Elternzeitende",
                                                    "Ende Elternzeit")),
    Field("Schulpflichtig", "janein", False, list_name="Ja/Nein",
          aliases=("Schulpflicht", "schulpflichtig (nicht Abschlussjahr)")),
    Field("Ergebnis", "list", False, list_name="Ergebnis", aliases=("Abschluss", "Ergebnis Beratung")),
    Field("Abschluss am", "date", False, aliases=("Abschlussdatum", "Datum Abschluss", "abgeschlossen am",
                                                  "Ende der Beratung", "Beratungsende")),
)

DOKU_FIELDS: tuple[Field, ...] = (
    Field("Datum", "date", True, True, aliases=("Kontaktdatum", "Gesprächsdatum", "Termin",
                                              "Datum Gespräch", "Datum des Gesprächs",
                                              "Beratungsdatum", "Datum Beratung", "Gespräch am")),
    Field("ID", "id", True, True, aliases=("Kunde", "Kunden-ID", "KundenID", "Kundennummer",
                                             "Kunden-Nr", "Kundennr")),
    Field("Berater", "list", True, True, "Berater", ("Beraterin", "Berater/in", "BeraterIn", "IFK")),
    Field("Zusammenfassung", "text", True, aliases=("Kommentar", "Besprechung", "Inhalt",
                                                    "Gesprächsinhalt", "Notiz")),
    Field("Vereinbarungen", "text", True, aliases=("Vereinbarung", "Absprachen")),
    Field("Folgetermin", "date", True, aliases=("Nächster Termin", "Wiedervorlage", "WV",
                                                "Folgetermin am", "Neuer Termin", "WV-Datum")),
    Field("Kontaktart", "list", False, list_name="Kontaktart", aliases=("Art", "Kontaktweg",
                                                                        "Gesprächsart")),
    Field("Vermerkart", "list", False, list_name="Vermerkart", aliases=("Vermerk",)),
)

SHEET_FIELDS: dict[str, tuple[Field, ...]] = {KUNDENLISTE: KUNDEN_FIELDS, KUNDENDOKU: DOKU_FIELDS}

SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    KUNDENLISTE: ("Kundenliste", "Kunden", "Kundenübersicht"),
    KUNDENDOKU: ("KundenDoku", "Kundenduku", "Kundendokumentation", "Doku", "Dokumentation",
                 "Beratungsverlauf"),
}

STATUS_NEU = "neu"
STATUS_IN_BERATUNG = "in Beratung"
STATUS_ABGESCHLOSSEN = "abgeschlossen"
JA = "ja"
NEIN = "nein"
#: The goal of the counselling (seed 000): the outcome the Auswertung calls success.
ERGEBNIS_ANGENOMMEN = "Arbeitsstelle angenommen"

#: The value lists of the `Listen` sheet and their defaults (SPEC §2).  `Berater` has no
#: default: each team enters its own names; an empty list means "not checked".
DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "Status": (STATUS_NEU, STATUS_IN_BERATUNG, STATUS_ABGESCHLOSSEN),
    "Akquise": ("Runder Tisch Kinderarmut", "VAMV", "Beratungstag",
                "Kontaktstelle Familie & Beruf", "Wer hilft weiter"),
    "Berater": (),
    "Kundenstatus": ("arbeitslos (alo)", "arbeitsuchend (asu)", "nicht gesetzt"),
    "Profillage": ("Marktprofil", "Aktivierungsprofil", "Förderprofil", "Entwicklungsprofil",
                   "Stabilisierungsprofil", "Unterstützungsprofil", "I", "Z"),
    "Bereich": ("Basis", "BJO", "U25", "FM", "Reha", "Selbständige"),
    "Kontaktart": ("persönlich", "telefonisch", "Video", "E-Mail", "schriftlich", "nicht erschienen"),
    "Vermerkart": ("Beratungsvermerk", "Beratungsvermerk zur Standortbestimmung", "Allgemeiner Vermerk",
                   "Kontaktversuch"),
    "Ja/Nein": (JA, NEIN),
    "Ergebnis": (ERGEBNIS_ANGENOMMEN, "Arbeitsstelle nicht angenommen", "Ausbildung/Maßnahme begonnen",
                 "Beratung beendet", "Kontakt abgebrochen"),
}

#: Entries that are data but never a contact (issue 16): a no-show and a contact attempt show
#: in the KundenDoku and the reports, but no rule set counts them, whatever it lists.
NICHT_ERSCHIENEN = "nicht erschienen"
KONTAKTVERSUCH = "Kontaktversuch"
NEVER_CONTACT: dict[str, str] = {"Kontaktart": NICHT_ERSCHIENEN, "Vermerkart": KONTAKTVERSUCH}

#: Lists where an unknown value is only a warning (the seed says "z.B.").
#: `Ergebnis`: seed 000 ends a case with "Arbeitsstelle nicht angenommen, Erklärung warum".
OPEN_LISTS: frozenset[str] = frozenset({"Akquise", "Ergebnis"})

#: The marktnah Profillagen (SPEC §2: the first three).
MARKTNAH: tuple[str, ...] = ("Marktprofil", "Aktivierungsprofil", "Förderprofil")

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_key(text: object) -> str:
    """Fold case, umlaut/ss spelling, spaces and punctuation: `Straße ` and `STRASSE` match."""
    s = str(text).strip().lower().translate(_UMLAUTS)
    return _NON_ALNUM.sub("", s)


def _alias_index(fields: tuple[Field, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for spelling in (f.name, *f.aliases):
            index.setdefault(normalize_key(spelling), f.name)
    return index


_ALIAS_INDEX = {sheet: _alias_index(fields) for sheet, fields in SHEET_FIELDS.items()}
_SHEET_INDEX = {normalize_key(a): sheet for sheet, al in SHEET_ALIASES.items() for a in al}


_REMARK = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def canonical_field(sheet: str, header: object) -> str | None:
    """The canonical field name a user's header means on `sheet`, or None for an extra column.

    Real headers carry more than the name: a line break (`Kunde⏎Vorname`, the name on the
    second line), a remark in brackets (`Erstkontakt (JJJJ-MM-TT)`), a trailing `*` for
    "Pflicht".  The whole text is tried first, then without remarks, then each line from the
    last (the specific word usually stands below a group label).
    """
    if header is None:
        return None
    index = _ALIAS_INDEX[sheet]
    text = str(header)
    hit = index.get(normalize_key(text))
    if hit or not text.strip():
        return hit
    plain = _REMARK.sub(" ", text)
    hit = index.get(normalize_key(plain))
    if hit:
        return hit
    lines = [ln for ln in re.split(r"[\r\n]+", plain) if ln.strip()]
    if len(lines) > 1:
        for line in reversed(lines):
            hit = index.get(normalize_key(line))
            if hit:
                return hit
    return None


def canonical_sheet(name: str) -> str | None:
    """Which model sheet a workbook sheet name means (`Kundenduku` → `KundenDoku`).

    Exact spellings and aliases first; then a name that starts with one and goes on with
    something that is not a letter (`Kundenliste 2025`, `KundenDoku_alt`): teams keep the year
    in the name.  The longest alias wins, so `KundenDoku 2025` is not the `Kunden` sheet.
    """
    key = normalize_key(name)
    hit = _SHEET_INDEX.get(key)
    if hit:
        return hit
    folded = str(name).strip().lower().translate(_UMLAUTS)
    best: tuple[int, str] | None = None
    for alias_key, sheet in _SHEET_INDEX.items():
        if len(alias_key) < 4 or not key.startswith(alias_key):
            continue
        rest = _after_prefix(folded, alias_key)
        if rest is None or (rest and rest[0].isalpha()):
            continue
        if best is None or len(alias_key) > best[0]:
            best = (len(alias_key), sheet)
    return best[1] if best else None


def _after_prefix(folded: str, alias_key: str) -> str | None:
    """What follows `alias_key` (letters and digits only) at the start of `folded`, or None."""
    i = 0
    for pos, ch in enumerate(folded):
        if i == len(alias_key):
            return folded[pos:]
        if ch.isalnum():
            if ch != alias_key[i]:
                return None
            i += 1
    return "" if i == len(alias_key) else None


def resolve_sheets(names: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Which workbook sheet is which model sheet: (model sheet → sheet name, ambiguous ones).

    A sheet spelled exactly (or as an alias) wins over one that only starts with the name;
    two candidates of the same kind (`Kundenliste 2024`, `Kundenliste 2025`) are ambiguous,
    and the caller asks the user to rename one instead of guessing the wrong year.
    """
    exact: dict[str, list[str]] = {}
    prefix: dict[str, list[str]] = {}
    for name in names:
        canon = canonical_sheet(name)
        if not canon:
            continue
        (exact if normalize_key(name) in _SHEET_INDEX else prefix).setdefault(canon, []).append(name)
    found: dict[str, str] = {}
    ambiguous: dict[str, list[str]] = {}
    for sheet in SHEET_ALIASES:
        candidates = exact.get(sheet) or prefix.get(sheet) or []
        if candidates:
            found[sheet] = candidates[0]
            if len(candidates) > 1 and sheet not in exact:
                ambiguous[sheet] = candidates
    return found, ambiguous


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate that looks most like `name`, for "did you mean" messages."""
    if not candidates:
        return None
    by_key = {normalize_key(c): c for c in candidates if str(c).strip()}
    hit = difflib.get_close_matches(normalize_key(name), list(by_key), n=1, cutoff=0.0)
    return by_key[hit[0]] if hit else None


def field_of(sheet: str, name: str) -> Field:
    """The field of a sheet a header means (aliases, case, umlauts forgiven)."""
    for f in SHEET_FIELDS[sheet]:
        if f.name == name:
            return f
    raise KeyError(f"{sheet}.{name}")


def personal_fields() -> tuple[str, ...]:
    """Kundenliste columns that identify a person and must never leave the workbook."""
    return tuple(f.name for f in KUNDEN_FIELDS if f.personal)


@dataclass
class ValueLists:
    """The team's value lists (sheet `Listen`), defaults where the workbook has none."""

    lists: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_LISTS))

    def get(self, name: str) -> tuple[str, ...]:
        """The values of a list (the `Listen` sheet's, else the defaults)."""
        return self.lists.get(name, ())

    def match(self, name: str, value: str) -> str | None:
        """The list entry `value` means, forgiving case and spacing; None if not in the list."""
        key = normalize_key(value)
        if not key:
            return None
        for entry in self.get(name):
            if key in _spellings(entry):
                return entry
        return None


def _spellings(entry: str) -> set[str]:
    """`arbeitslos (alo)` is also written `arbeitslos` or `alo`."""
    keys = {normalize_key(entry)}
    m = re.fullmatch(r"\s*(.*?)\s*\((.*?)\)\s*", entry)
    if m:
        keys |= {normalize_key(m.group(1)), normalize_key(m.group(2))}
    return keys - {""}


# Sheets and columns the tool itself writes into the user's workbook.
PRUEFBERICHT = "Prüfbericht"
FAELLIGKEITEN = "Fälligkeiten"
#: Sheet for team leads: counted Beratungsgespräche per counsellor and week, and caseloads.
BERATUNGSGESPRAECHE = "Beratungsgespräche"
#: Column of the Kundenliste the tool fills with the next due date; conditional formatting
#: in the template colours it live (red overdue, amber due within `SOON_DAYS`).
#: A Folgetermin further than this after its entry is taken for a typo (2062 for 2026):
#: validation warns about it and the overdue engine ignores it.
FOLGETERMIN_MAX_DAYS = 731
DUE_COLUMN = "Fällig am"
SOON_DAYS = 14

#: Keys of the `Einstellungen` sheet (column A) with their defaults (column B).
SETTINGS_DEFAULTS: dict[str, str] = {
    "Regelwerk": "vamv",
    "Beim Speichern prüfen": "ja",
    "Speichern bei Fehlern verhindern": "nein",
    "Stichtag": "",
    "Bundesland": "",
    # AutoSave (OneDrive/SharePoint) saves every few seconds: the quiet check at most this often (0 = never)
    "Prüfen bei automatischem Speichern (Minuten)": "5",
    # A team server (xlwings Server) instead of Python on each PC: its address and the team token
    "Server": "",
    "Server-Token": "",
    "Löschfrist (Jahre nach Abschluss)": "",
}
