"""Contact-density rule sets ("Kundenkontaktdichtekonzepte") as data, and their parser.

A rule set is a decision table: each row has conditions over customer fields and one
obligation; for every customer the first row that matches decides (SPEC §5).  A job centre
writes its own concept without code, as a TOML file or as a sheet `Regelwerk` in the workbook.
Both formats are the same flat mapping, parsed here from plain data:

- top-level keys: `name`, `titel`, `quelle`, `beschreibung`, `kontakt_heisst` (how a reason
  names a counting contact), `kontaktart` / `vermerkart` (which KundenDoku entries count; a
  blank cell or a missing column always counts), `beratungsgespraeche_je_woche` (staff quota
  per full-time counsellor) and `betreuungsschluessel` (caseload 1:N);
- a list `regel` of rows, each with a `name`, conditions (`altersgruppe`, `alter`, `bereich`,
  `kundenstatus`, `profillage`, `langzeitbezug`, `elternzeit`, `schulpflichtig`, `status`,
  `kontakt_vorhanden`), a `pflicht` and optionally `offener_folgetermin = "setzt aus"`.

Keys are matched like headers (`Offener Folgetermin` = `offener_folgetermin`), so a sheet's
column titles and a file's keys are the same words.  Every mistake raises `RuleSetError` whose
message names where it is (the caller passes a `Where` that turns row/key into "Zeile 12").
Values are checked against the workbook's value lists, so a typo in a Profillage is an error
with a suggestion, not a silently dead row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

import pandas as pd

from . import model
from .errors import RuleSetError
from .model import MARKTNAH, ValueLists, normalize_key
from .values import is_blank, janein, to_text  # noqa: F401  (janein: part of the rule vocabulary)

#: Where(row_index or None for a top-level key, key or None) → "Zeile 12" etc.
Where = Callable[[int | None, str | None], str]

Unit = Literal["Tage", "Wochen", "Monate"]
Kind = Literal["interval", "count", "deadline", "none"]
Truth = Literal["ja", "nein"]

ALL_WORDS = frozenset({"alle", "jede", "jeder", "alles", "*"})


# ----------------------------------------------------------------------------- periods

_UNITS: dict[str, Unit] = {
    "tag": "Tage", "tage": "Tage", "tagen": "Tage",
    "woche": "Wochen", "wochen": "Wochen",
    "monat": "Monate", "monate": "Monate", "monaten": "Monate", "monats": "Monate",
    "jahr": "Monate", "jahre": "Monate", "jahren": "Monate", "jahres": "Monate",
}
_ADVERBS: dict[str, tuple[int, Unit]] = {
    "woechentlich": (1, "Wochen"), "monatlich": (1, "Monate"), "vierteljaehrlich": (3, "Monate"),
    "quartalsweise": (3, "Monate"), "halbjaehrlich": (6, "Monate"), "jaehrlich": (12, "Monate"),
}


@dataclass(frozen=True)
class Period:
    """N days, weeks or calendar months (years are stored as 12 N months)."""

    count: int
    unit: Unit

    def add(self, dates: pd.Series, sign: int = 1) -> pd.Series:
        """Shift a datetime column; months are calendar months (31 Aug + 6 = 28/29 Feb)."""
        if self.unit == "Monate":
            return dates + pd.DateOffset(months=sign * self.count)
        days = self.count * (7 if self.unit == "Wochen" else 1)
        return dates + pd.Timedelta(days=sign * days)

    def add_one(self, date: pd.Timestamp, sign: int = 1) -> pd.Timestamp:
        """Shift one date (see `add`)."""
        return self.add(pd.Series([date]), sign).iloc[0]

    @property
    def text(self) -> str:
        """The period as written: `6 Monate`, `1 Woche`."""
        singular = {"Tage": "Tag", "Wochen": "Woche", "Monate": "Monat"}[self.unit]
        return f"{self.count} {singular if self.count == 1 else self.unit}"

    @property
    def dative(self) -> str:
        """The form after "in": `6 Monaten`, `14 Tagen`, `4 Wochen`, `1 Monat`."""
        if self.count == 1:
            return self.text
        return f"{self.count} {self.unit if self.unit.endswith('n') else self.unit + 'n'}"


_PERIOD = re.compile(r"^\s*(\d+)\s*([a-zäöüß]+)\.?\s*$", re.IGNORECASE)


def parse_period(text: str) -> Period | None:
    """`6 Monate`, `4 Wochen`, `14 Tage`, `1 Jahr` → Period; None if it is not one."""
    m = _PERIOD.match(text)
    if not m:
        return None
    n = int(m.group(1))
    unit_key = normalize_key(m.group(2))
    unit = _UNITS.get(unit_key)
    if unit is None or n <= 0:
        return None
    if unit_key.startswith("jahr"):
        n *= 12
    return Period(n, unit)


# ----------------------------------------------------------------------------- obligations


@dataclass(frozen=True)
class Obligation:
    """What a matching row demands.

    - `interval`: a contact every `period`, counted from the latest counting contact, else
      from Erstkontakt;
    - `count`: at least `minimum` counting contacts within the trailing `period` (pro rata,
      rounded up, while Erstkontakt lies inside that window);
    - `deadline`: at least one counting contact from `window` before the date in `field` up
      to `period` before it (seed 002: Elternzeit);
    - `none`: no rule ("keine Regel").
    """

    kind: Kind
    text: str
    period: Period | None = None
    minimum: int = 0
    field: str | None = None
    window: Period | None = None


_NONE_WORDS = {"keine", "keineregel", "keinevorgabe", "ohne", "ohneregel", "keinekontaktdichte", "-"}
_EVERY = re.compile(r"^\s*(?:alle|jede[n]?|mindestens\s+alle)\s+(.+?)\s*$", re.IGNORECASE)
_COUNT = re.compile(
    r"^\s*(?:mindestens|mind\.?|min\.?)\s+(\d+)\s*(?:x|mal|kontakte?|gespräche?|gespraeche?)?\s+"
    r"(?:in|je|pro|innerhalb)\s+(?:den\s+letzten\s+|der\s+letzten\s+|einem\s+|einer\s+)?(.+?)\s*$",
    re.IGNORECASE,
)
_DEADLINE = re.compile(
    r"^\s*spätestens\s+(.+?)\s+vor\s+(.+?)\s*\(\s*(?:kontakt\s+)?ab\s+(.+?)\s+vorher\s*\)\s*$",
    re.IGNORECASE,
)
_DEADLINE_NO_WINDOW = re.compile(r"^\s*spätestens\s+(.+?)\s+vor\s+(.+?)\s*$", re.IGNORECASE)

#: Date fields a deadline may refer to (Kundenliste, canonical name).
DEADLINE_FIELDS = ("Elternzeit bis",)


def _plural_period(text: str) -> Period | None:
    """`6 Monaten` / `1 Monat` / `Halbjahr` as used after "in"."""
    key = normalize_key(text)
    if key in {"halbjahr", "halbenjahr", "halbjahreszeitraum"}:
        return Period(6, "Monate")
    if key in {"jahr", "einemjahr"}:
        return Period(12, "Monate")
    if key in {"monat", "einemmonat"}:
        return Period(1, "Monate")
    if key in {"quartal", "vierteljahr"}:
        return Period(3, "Monate")
    return parse_period(text)


def parse_obligation(text: str) -> Obligation:
    """Parse the `pflicht` cell; raises ValueError with a German hint on anything unclear.

    Accepted: `keine Regel`; `alle 4 Wochen`, `alle 6 Monate`, `monatlich`, `jährlich`;
    `mindestens 4 in 6 Monaten`; `spätestens 2 Monate vor Elternzeit bis (ab 6 Monate vorher)`.
    """
    raw = text.strip()
    key = normalize_key(raw)
    if not key and raw != "-":
        raise ValueError("Die Pflicht fehlt (z.B. „alle 6 Monate“ oder „keine Regel“).")
    if key in _NONE_WORDS or raw == "-":
        return Obligation("none", "keine Regel")
    if key in _ADVERBS:
        n, unit = _ADVERBS[key]
        p = Period(n, unit)
        return Obligation("interval", f"alle {p.text}", period=p)
    m = _EVERY.match(raw)
    if m:
        p = parse_period(m.group(1)) or _plural_period(m.group(1))
        if p is None:
            raise ValueError(f"„{m.group(1)}“ ist kein Zeitraum (z.B. „6 Monate“, „4 Wochen“, „14 Tage“).")
        return Obligation("interval", f"alle {p.text}", period=p)
    m = _COUNT.match(raw)
    if m:
        k = int(m.group(1))
        p = _plural_period(m.group(2))
        if p is None:
            raise ValueError(f"„{m.group(2)}“ ist kein Zeitraum (z.B. „6 Monaten“).")
        if k <= 0:
            raise ValueError("Die Mindestzahl muss mindestens 1 sein.")
        return Obligation("count", f"mindestens {k} in {p.dative}", period=p, minimum=k)
    m = _DEADLINE.match(raw) or _DEADLINE_NO_WINDOW.match(raw)
    if m:
        p = parse_period(m.group(1))
        if p is None:
            raise ValueError(f"„{m.group(1)}“ ist kein Zeitraum (z.B. „2 Monate“).")
        fld = _deadline_field(m.group(2))
        if len(m.groups()) < 3:
            raise ValueError(
                "Bei einer Frist fehlt, ab wann ein Kontakt zählt: z.B. "
                f"„spätestens {p.text} vor {fld} (ab 6 Monate vorher)“."
            )
        w = parse_period(m.group(3))
        if w is None:
            raise ValueError(f"„{m.group(3)}“ ist kein Zeitraum (z.B. „6 Monate“).")
        if _months_equiv(w) <= _months_equiv(p):
            raise ValueError(f"Das Fenster ({w.text} vorher) muss früher beginnen als die Frist ({p.text} vorher).")
        return Obligation("deadline", f"spätestens {p.text} vor {fld} (Kontakt ab {w.text} vorher)",
                          period=p, field=fld, window=w)
    raise ValueError(
        f"„{raw}“ verstehe ich nicht. Möglich sind: „keine Regel“, „alle 6 Monate“, „alle 4 Wochen“, "
        "„mindestens 4 in 6 Monaten“, „spätestens 2 Monate vor Elternzeit bis (ab 6 Monate vorher)“."
    )


def _months_equiv(p: Period) -> float:
    return p.count if p.unit == "Monate" else p.count * (7 if p.unit == "Wochen" else 1) / 30.44


def _deadline_field(text: str) -> str:
    key = normalize_key(text)
    for name in DEADLINE_FIELDS:
        f = model.field_of(model.KUNDENLISTE, name)
        if key in {normalize_key(s) for s in (f.name, *f.aliases)}:
            return name
    raise ValueError(f"Eine Frist kann sich nur auf {', '.join(DEADLINE_FIELDS)} beziehen, nicht auf „{text}“.")


# ----------------------------------------------------------------------------- conditions

CondField = Literal["Altersgruppe", "Alter", "Bereich", "Kundenstatus", "Profillage", "Langzeitbezug",
                    "Elternzeit", "Schulpflichtig", "Status", "Kontakt vorhanden"]

#: Condition key (normalized) → condition field; the sheet's column titles are these words.
CONDITION_KEYS: dict[str, CondField] = {
    "altersgruppe": "Altersgruppe", "gruppe": "Altersgruppe",
    "alter": "Alter",
    "bereich": "Bereich", "team": "Bereich",
    "kundenstatus": "Kundenstatus", "statuselb": "Kundenstatus",
    "profillage": "Profillage", "profil": "Profillage",
    "langzeitbezug": "Langzeitbezug", "lzb": "Langzeitbezug",
    "elternzeit": "Elternzeit", "elternzeitbis": "Elternzeit",
    "schulpflichtig": "Schulpflichtig", "schulpflicht": "Schulpflichtig",
    "status": "Status",
    "kontaktvorhanden": "Kontakt vorhanden",
}
#: Order of the condition columns in a sheet and in generated labels.
CONDITION_ORDER: tuple[CondField, ...] = ("Status", "Bereich", "Altersgruppe", "Alter", "Kundenstatus",
                                          "Profillage", "Langzeitbezug", "Elternzeit", "Schulpflichtig",
                                          "Kontakt vorhanden")
#: Condition field → the value list its values come from.
LIST_OF: dict[str, str] = {"Bereich": "Bereich", "Kundenstatus": "Kundenstatus", "Profillage": "Profillage",
                           "Status": "Status"}
JANEIN_CONDITIONS = ("Langzeitbezug", "Elternzeit", "Schulpflichtig", "Kontakt vorhanden")
U25, UE25 = "U25", "Ü25"


@dataclass(frozen=True)
class Condition:
    """One cell of the decision table: a field and the values it accepts (or refuses)."""

    field: CondField
    values: tuple[str, ...] = ()  # canonical list entries / "ja"|"nein" / "U25"|"Ü25"
    negate: bool = False
    low: int | None = None  # Alter: inclusive bounds
    high: int | None = None
    text: str = ""  # as written, for labels and reasons


_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|—|bis)\s*(\d+)\s*(?:jahre)?\s*$", re.IGNORECASE)
_FROM = re.compile(r"^\s*(?:ab\s+|über\s+|>=\s*|≥\s*)?(\d+)\s*(?:\+|-|–|und älter|und mehr)?\s*(?:jahre)?\s*$",
                   re.IGNORECASE)
_UPTO = re.compile(r"^\s*(bis|unter|<=|≤|<)\s*(\d+)\s*(?:jahre)?\s*$", re.IGNORECASE)


def parse_age_range(text: str) -> tuple[int | None, int | None]:
    """`25-40`, `25–40`, `56+`, `ab 56`, `bis 24`, `unter 25` → inclusive (low, high)."""
    t = text.strip()
    m = _RANGE.match(t)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo > hi:
            raise ValueError(f"Im Altersbereich „{text}“ ist die erste Zahl größer als die zweite.")
        return lo, hi
    m = _UPTO.match(t)
    if m:
        n = int(m.group(2))
        return None, (n - 1 if m.group(1).lower() in {"unter", "<"} else n)
    if re.fullmatch(r"\s*\d+\s*", t):
        n = int(t)
        return n, n
    m = _FROM.match(t)
    if m and re.search(r"\+|ab|über|>|≥|älter|mehr|-|–", t, re.IGNORECASE):
        n = int(m.group(1))
        return (n + 1 if t.lower().startswith("über") else n), None
    raise ValueError(f"„{text}“ ist kein Altersbereich (z.B. „25-40“, „56+“, „bis 24“).")


def _split_values(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        parts = [to_text(v) for v in value]
    else:
        parts = re.split(r"[,;]|\s+oder\s+|\s*/\s*", to_text(value))
    return [p.strip() for p in parts if p and p.strip()]


def parse_condition(fld: CondField, value: object, lists: ValueLists) -> Condition | None:
    """A condition cell → Condition; None for a blank cell ("egal"); ValueError when wrong."""
    if isinstance(value, bool):
        value = "ja" if value else "nein"
    text = ", ".join(_split_values(value)) if isinstance(value, (list, tuple)) else to_text(value)
    if not text.strip() or normalize_key(text) in {"egal", "alle"} - {""}:
        return None
    negate = False
    body = text.strip()
    m = re.match(r"^(nicht|kein|keine|ohne|!)\s*(.+)$", body, re.IGNORECASE)
    whole_is_entry = fld in LIST_OF and all(lists.match(LIST_OF[fld], p) for p in _split_values(body))
    if m and fld not in JANEIN_CONDITIONS and not whole_is_entry:
        negate, body = True, m.group(2)
    if fld == "Alter":
        lo, hi = parse_age_range(body)
        return Condition(fld, negate=negate, low=lo, high=hi, text=text)
    if fld == "Altersgruppe":
        key = normalize_key(body)
        if key == "u25":
            return Condition(fld, (U25,), negate, text=text)
        if key in {"ue25", "u25plus", "ab25"}:
            return Condition(fld, (UE25,), negate, text=text)
        raise ValueError(f"Altersgruppe „{body}“ gibt es nicht; möglich sind U25 und Ü25.")
    if fld in JANEIN_CONDITIONS:
        truth = janein(body)
        if truth is None:
            raise ValueError(f"Für {fld} bitte „ja“ oder „nein“ eintragen, nicht „{body}“.")
        return Condition(fld, (truth,), text=text)
    list_name = LIST_OF[fld]
    canon: list[str] = []
    for part in _split_values(body):
        if fld == "Profillage" and normalize_key(part) == "marktnah":
            canon.extend(MARKTNAH)
            continue
        hit = lists.match(list_name, part)
        if hit is None:
            entries = list(lists.get(list_name))
            starts = [e for e in entries if normalize_key(e).startswith(normalize_key(part))]
            near = starts[0] if starts else model.closest(part, entries + (["marktnah"] if fld == "Profillage" else []))
            hint = f" Meinten Sie „{near}“?" if near else ""
            raise ValueError(f"{fld} „{part}“ steht nicht in der Liste „{list_name}“.{hint}")
        canon.append(hit)
    return Condition(fld, tuple(dict.fromkeys(canon)), negate, text=text)


# ----------------------------------------------------------------------------- rule set


@dataclass(frozen=True)
class Rule:
    """One row of the decision table."""

    number: int  # 1-based position, first match wins
    name: str
    conditions: tuple[Condition, ...]
    obligation: Obligation
    folgetermin_suspends: bool = False  # an open Folgetermin replaces the rule's date (vamv)
    where: str = ""

    @property
    def label(self) -> str:
        """What the `rule` column shows: `3. Ü25 arbeitslos`."""
        return f"{self.number}. {self.name}"

    def condition(self, fld: str) -> Condition | None:
        """This rule's condition on a field, or None."""
        return next((c for c in self.conditions if c.field == fld), None)


@dataclass(frozen=True)
class ContactFilter:
    """Which KundenDoku entries count as a contact: None = every value counts.

    Values are stored as normalized keys of the list entries; a blank cell always counts.  A
    value written with a trailing `*` is a prefix (`Beratungsvermerk*` also counts
    "Beratungsvermerk zur Standortbestimmung", seeds 001 and 003), so a team's own variant of
    a Vermerkart counts without a new rule set.  `nicht erschienen` and `Kontaktversuch`
    never count, whatever is listed (`model.NEVER_CONTACT`).
    """

    kontaktart: frozenset[str] | None = None
    vermerkart: frozenset[str] | None = None
    kontaktart_text: tuple[str, ...] = ()
    vermerkart_text: tuple[str, ...] = ()
    kontaktart_prefix: tuple[str, ...] = ()  # normalized keys of `…*` values
    vermerkart_prefix: tuple[str, ...] = ()

    def allowed(self, column: str) -> tuple[frozenset[str] | None, tuple[str, ...]]:
        """(exact keys or None for "every value", prefix keys) of `Kontaktart` or `Vermerkart`."""
        if column == "Kontaktart":
            return self.kontaktart, self.kontaktart_prefix
        return self.vermerkart, self.vermerkart_prefix

    @property
    def text(self) -> str:
        """What counts as a contact, in German, for listings."""
        parts = []
        parts.append("Kontaktart " + (", ".join(self.kontaktart_text) if self.kontaktart is not None else "alle"))
        parts.append("Vermerkart " + (", ".join(self.vermerkart_text) if self.vermerkart is not None else "alle"))
        return "; ".join(parts)


@dataclass(frozen=True)
class StaffRules:
    """Staff quotas: Beratungsgespräche per full-time counsellor and week; caseload 1:N."""

    per_week: float | None = None
    caseload: int | None = None


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    source: str  # the seed or document it comes from
    rules: tuple[Rule, ...]
    counts: ContactFilter = field(default_factory=ContactFilter)
    staff: StaffRules = field(default_factory=StaffRules)
    contact_word: str = "Kontakt"  # "letzter {contact_word} 2026-04-01"
    description: str = ""
    origin: str = ""  # file path, "eingebaut" or the sheet

    def needed_fields(self) -> set[str]:
        """Every field some rule of the set looks at."""
        return {c.field for r in self.rules for c in r.conditions}


TOP_KEYS: dict[str, str] = {
    "name": "name", "titel": "titel", "title": "titel", "quelle": "quelle", "seed": "quelle",
    "beschreibung": "beschreibung", "kontaktheisst": "kontakt_heisst", "kontaktwort": "kontakt_heisst",
    "kontaktart": "kontaktart", "kontaktartzaehlt": "kontaktart", "zaehlendekontaktart": "kontaktart",
    "vermerkart": "vermerkart", "vermerkartzaehlt": "vermerkart", "zaehlendevermerkart": "vermerkart",
    "beratungsgespraechejewoche": "quote", "beratungsgespraecheprowoche": "quote", "quote": "quote",
    "betreuungsschluessel": "schluessel", "schluessel": "schluessel",
    "regel": "regel", "regeln": "regel",
}
ROW_KEYS: dict[str, str] = {
    **{k: "cond" for k in CONDITION_KEYS},
    "name": "name", "regel": "name", "bezeichnung": "name", "nr": "nr", "nummer": "nr",
    "pflicht": "pflicht", "kontaktdichte": "pflicht", "vorgabe": "pflicht",
    "offenerfolgetermin": "folgetermin", "folgetermin": "folgetermin",
    "hinweis": "hinweis", "kommentar": "hinweis", "quelle": "hinweis", "bemerkung": "hinweis",
}


def _no_where(row: int | None, key: str | None) -> str:
    if row is None:
        return f"Schlüssel „{key}“" if key else "Kopf"
    return f"Regel {row + 1}" + (f", „{key}“" if key else "")


def parse_ruleset(doc: Mapping[str, Any], origin: str = "", where: Where | None = None,
                  lists: ValueLists | None = None) -> RuleSet:
    """Build a RuleSet from plain data (a TOML document or a sheet turned into a mapping).

    `where(row, key)` names a position for messages; `lists` are the workbook's value lists
    (defaults otherwise) that condition values must come from.
    """
    where = where or _no_where
    lists = lists or ValueLists()

    def fail(row: int | None, key: str | None, message: str) -> RuleSetError:
        place = where(row, key)
        return RuleSetError(f"Regelwerk {origin or ''}{', ' if origin else ''}{place}: {message}")

    top: dict[str, tuple[str, Any]] = {}
    for raw_key, value in doc.items():
        canon = TOP_KEYS.get(normalize_key(raw_key))
        if canon is None:
            near = model.closest(str(raw_key), sorted(set(TOP_KEYS.values()) - {"quote", "schluessel"})
                                 + ["beratungsgespraeche_je_woche", "betreuungsschluessel", "kontakt_heisst"])
            hint = f" Meinten Sie „{near}“?" if near else ""
            raise fail(None, str(raw_key), f"unbekannter Eintrag „{raw_key}“.{hint}")
        top[canon] = (str(raw_key), value)

    def text_of(key: str, default: str = "") -> str:
        return to_text(top[key][1]) if key in top else default

    name = text_of("name")
    if not name:
        raise fail(None, "name", "Das Regelwerk braucht einen Namen (name = \"…\").")
    art, art_text, art_prefix = _contact_values(top, "kontaktart", "Kontaktart", lists, fail)
    verm, verm_text, verm_prefix = _contact_values(top, "vermerkart", "Vermerkart", lists, fail)
    counts = ContactFilter(art, verm, art_text, verm_text, art_prefix, verm_prefix)
    staff = StaffRules(
        per_week=_number(top, "quote", fail, integer=False),
        caseload=_number(top, "schluessel", fail, integer=True),  # type: ignore[arg-type]
    )
    raw_rows = top.get("regel", ("regel", None))[1]
    if raw_rows is None or (isinstance(raw_rows, Sequence) and not isinstance(raw_rows, str) and not raw_rows):
        raise fail(None, "regel", "Das Regelwerk hat keine Regel-Zeilen.")
    if not isinstance(raw_rows, Sequence) or isinstance(raw_rows, str):
        raise fail(None, "regel", "„regel“ muss eine Liste von Zeilen sein ([[regel]] in der Datei).")
    rules: list[Rule] = []
    for i, row in enumerate(raw_rows):
        if not isinstance(row, Mapping):
            raise fail(i, None, "Jede Regel muss eine Tabelle sein ([[regel]] mit Einträgen darunter).")
        rules.append(_parse_row(i, row, lists, fail, where))
    return RuleSet(
        name=name,
        title=text_of("titel", name),
        source=text_of("quelle"),
        rules=tuple(rules),
        counts=counts,
        staff=staff,
        contact_word=text_of("kontakt_heisst", "Kontakt"),
        description=text_of("beschreibung"),
        origin=origin,
    )


def _contact_values(top: dict[str, tuple[str, Any]], key: str, list_name: str, lists: ValueLists,
                    fail: Callable[..., RuleSetError]
                    ) -> tuple[frozenset[str] | None, tuple[str, ...], tuple[str, ...]]:
    """(exact keys, the values as written, prefix keys) of `kontaktart` / `vermerkart`."""
    if key not in top:
        return None, (), ()
    raw_key, value = top[key]
    parts = _split_values(value)
    if not parts or any(p.strip() == "*" or normalize_key(p) in ALL_WORDS for p in parts):
        return None, (), ()
    canon: list[str] = []
    prefixes: list[str] = []
    never = normalize_key(model.NEVER_CONTACT[list_name])
    for p in parts:
        if normalize_key(p.rstrip("*")) == never:
            raise fail(None, raw_key, f"„{model.NEVER_CONTACT[list_name]}“ zählt nie als Kontakt und "
                                      f"kann nicht in „{key}“ stehen.")
        if p.endswith("*"):
            prefix = normalize_key(p.rstrip("*"))
            if not prefix:
                raise fail(None, raw_key, f"„{p}“: vor dem * fehlt der Anfang der {list_name}.")
            prefixes.append(prefix)
            canon.append(p.rstrip("*").strip() + "*")
            continue
        hit = lists.match(list_name, p)
        if hit is None:
            near = model.closest(p, list(lists.get(list_name)))
            hint = f" Meinten Sie „{near}“?" if near else ""
            raise fail(None, raw_key, f"{list_name} „{p}“ steht nicht in der Liste „{list_name}“.{hint}")
        canon.append(hit)
    canon = list(dict.fromkeys(canon))
    exact = frozenset(normalize_key(c) for c in canon if not c.endswith("*"))
    return exact, tuple(canon), tuple(dict.fromkeys(prefixes))


def _number(top: dict[str, tuple[str, Any]], key: str, fail: Callable[..., RuleSetError],
            integer: bool) -> float | int | None:
    if key not in top:
        return None
    raw_key, value = top[key]
    if is_blank(value) or normalize_key(to_text(value)) in {"keine", "keiner", "kein"}:
        return None
    text = to_text(value).replace(",", ".")
    m = re.fullmatch(r"\s*(?:1\s*:\s*)?(\d+(?:\.\d+)?)\s*", text)
    if isinstance(value, bool) or not m:
        raise fail(None, raw_key, f"„{to_text(value)}“ ist keine Zahl.")
    number = float(m.group(1))
    if number <= 0:
        raise fail(None, raw_key, "Die Zahl muss größer als 0 sein.")
    if integer:
        if not number.is_integer():
            raise fail(None, raw_key, f"„{to_text(value)}“ muss eine ganze Zahl sein.")
        return int(number)
    return number


def _parse_row(i: int, row: Mapping[str, Any], lists: ValueLists, fail: Callable[..., RuleSetError],
               where: Where) -> Rule:
    conditions: list[Condition] = []
    name = ""
    obligation: Obligation | None = None
    suspends = False
    seen: set[str] = set()
    for raw_key, value in row.items():
        key = normalize_key(raw_key)
        kind = ROW_KEYS.get(key)
        if kind is None:
            options = ["name", "pflicht", "offener_folgetermin", "hinweis",
                       *[c.lower().replace(" ", "_") for c in CONDITION_ORDER]]
            near = model.closest(str(raw_key), options)
            hint = f" Meinten Sie „{near}“?" if near else ""
            raise fail(i, str(raw_key), f"unbekannte Spalte „{raw_key}“.{hint}")
        if kind == "cond":
            fld = CONDITION_KEYS[key]
            if fld in seen:
                raise fail(i, str(raw_key), f"{fld} steht zweimal in dieser Regel.")
            seen.add(fld)
            try:
                cond = parse_condition(fld, value, lists)
            except ValueError as exc:
                raise fail(i, str(raw_key), str(exc)) from None
            if cond is not None:
                conditions.append(cond)
        elif kind == "name":
            name = to_text(value)
        elif kind == "pflicht":
            try:
                obligation = parse_obligation(to_text(value))
            except ValueError as exc:
                raise fail(i, str(raw_key), str(exc)) from None
        elif kind == "folgetermin":
            word = normalize_key(to_text(value)) if not isinstance(value, bool) else ("ja" if value else "")
            if word in {"setztaus", "ersetzt", "ersetztfrist", "ja", "x", "wahr", "true"}:
                suspends = True
            elif word not in {"", "nein", "false", "falsch"}:
                raise fail(i, str(raw_key), f"„{to_text(value)}“: erlaubt sind „setzt aus“ oder leer.")
    if obligation is None:
        raise fail(i, "pflicht", "Die Regel hat keine Pflicht (z.B. pflicht = \"alle 6 Monate\" oder \"keine Regel\").")
    conditions.sort(key=lambda c: CONDITION_ORDER.index(c.field))
    if not name:
        name = ", ".join(f"{c.field} {c.text}" for c in conditions) or "alle übrigen"
    return Rule(i + 1, name, tuple(conditions), obligation, suspends, where(i, None))
