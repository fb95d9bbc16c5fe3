"""People and places the Kundenliste does not know: partners, children, landlords, employers'
contacts, and their addresses (issue 13).

Job-centre notes are full of them ("Frau Schmidt, Lindenstraße 12, 10117 Berlin", "Tochter
Mia", "Ehemann Thomas").  No list of the workbook names them, so four generic rules apply:

* a capitalised word (or two) after a title or relation word (`Frau`, `Herrn`, `Dr.`,
  `Tochter`, `Ehemann`, `Vermieterin`, …) is a name; the title itself stays, so the note keeps
  its meaning ("Tochter [Name] krank");
* a capitalised word that is a first name in gender-guesser's dictionary (some 48,000 first
  names of 54 countries, from Jörg Michael's `nam_dict.txt`) is a name.  That dictionary also
  lists words such as `Am`, `Sie`, `Alle`, `Mal`: names of two letters, the German stop words
  of `stopwordsiso` and the month and weekday names are taken out (they would destroy
  ordinary sentences and appointment dates); capitalised nouns that are also names (`Rose`,
  `Ernst`, `Frank`) stay in, since privacy wins over readability;
* a street with a house number, by its German street suffix (`…straße 12`, `…str. 5`,
  `…weg 17b`, `Berliner Allee 3`, `Am Markt 5`, `Zur Alten Mühle 2`);
* a five-digit PLZ followed by a place name (`10117 Berlin`, `60311 Frankfurt am Main`).

The first-name list is read by files/firstnames.py, chosen by `usable_first_names`, turned
into hashed keys once per process and looked up with all other known values in one vectorised
pass (core/scrub.py); the patterns are compiled regular expressions run over the joined texts
of a batch, house numbers located from the scrubber's word table.
"""

from __future__ import annotations

import re
from typing import Iterable

Span = tuple[int, int, str]

_UPPER = "A-ZÄÖÜÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_NAME_WORD = rf"[{_UPPER}][^\W\d_]*(?:['’\-][{_UPPER}]?[^\W\d_]+)*(?![\d_])"

TITLES = (
    "Frau", "Fr.", "Herr", "Herrn", "Hr.", "Hrn.", "Dr.", "Prof.", "Tochter", "Töchter", "Sohn", "Söhne",
    "Kind", "Ehemann", "Ehefrau", "Ehegatte", "Ehegattin", "Mann", "Partner", "Partnerin",
    "Lebensgefährte", "Lebensgefährtin", "Freund", "Freundin", "Verlobte", "Verlobter",
    "Vermieter", "Vermieterin", "Hausverwalter", "Hausverwalterin", "Arbeitgeber", "Arbeitgeberin",
    "Chef", "Chefin", "Kollege", "Kollegin", "Nachbar", "Nachbarin", "Mutter", "Vater", "Bruder",
    "Schwester", "Oma", "Opa", "Großmutter", "Großvater", "Tante", "Onkel", "Cousin", "Cousine",
    "Enkel", "Enkelin", "Schwager", "Schwägerin", "Schwiegermutter", "Schwiegervater",
    "Ansprechpartner", "Ansprechpartnerin", "Betreuer", "Betreuerin", "Sachbearbeiter",
    "Sachbearbeiterin", "Fallmanager", "Fallmanagerin", "Anwalt", "Anwältin", "Rechtsanwalt",
    "Rechtsanwältin", "Lehrer", "Lehrerin", "Erzieher", "Erzieherin", "Ex-Mann", "Ex-Frau",
    "Ex-Partner", "Ex-Partnerin", "Exmann", "Exfrau", "Stiefsohn", "Stieftochter", "Stiefvater",
    "Stiefmutter", "Pflegekind", "Baby",
)
_TITLE_ALT = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_TITLE_RE = re.compile(
    rf"(?:{_TITLE_ALT})(?![^\W\d_])"
    r"(?:\s+(?:Dr\.|Prof\.|med\.|Dipl\.-Ing\.))*"
    rf"(?:\s+(?:von|van|de|zu)(?:\s+(?:der|den|dem))?)?"  # not `vom`: "Frau vom Amt"
    rf"\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)

#: Words a title may be followed by that are no names ("Frau Doktor", "Herr Kollege").
_NOT_A_NAME = frozenset({"Doktor", "Professor", "Kollege", "Kollegin", "Sowieso"})

#: Endings of German street names (folded to lower case; `str` also stands for `str.`).
STREET_SUFFIXES: tuple[str, ...] = tuple(
    "straße strasse str weg allee gasse platz ring damm ufer chaussee pfad steig stieg markt "
    "berg hof graben wall zeile kamp feld garten park höhe hoehe brücke bruecke siedlung twiete "
    "grund anger aue winkel bogen hain heide redder promenade passage wiese wiesen".split())
#: Suffixes that are a word of their own in two-word streets (`Berliner Straße`, `Am Markt`).
_STREET_WORDS = frozenset(STREET_SUFFIXES)
#: Streets named by a preposition and one or two words (`An der Kirche 3`, `Zur Alten Mühle 2`).
_PREFIX_STREET_RE = re.compile(
    rf"(?:Am|An\s+der|An\s+den|Auf\s+dem|Auf\s+der|Im|In\s+der|In\s+den|Zum|Zur|Unter\s+den|Hinter\s+der|Vor\s+dem|Alt)"
    rf"(?:\s+[{_UPPER}][^\W\d_]+){{1,2}}\s?\d{{1,4}}(?!\d)"
)
_HOUSE_NUMBER_TAIL = re.compile(r"(?:\s?[a-hA-H](?![^\W\d_]))?(?:\s?[\-/]\s?\d{1,4}(?!\d))?")
_PLZ_RE = re.compile(
    rf"\d{{5}}\s+(?P<place>[{_UPPER}][^\W\d_]+(?:-[{_UPPER}]?[^\W\d_]+)*)"
    rf"(?:\s+(?:am|an\s+der|im|in\s+der|ob\s+der|bei|vor\s+der)\s+[{_UPPER}][^\W\d_]+|\s?\([^)\n]{{1,30}}\))?"
)
#: Words after a five-digit number that are no place: amounts and counts.
_NOT_A_PLACE = frozenset({"Euro", "EUR", "Stunden", "Std", "Tage", "Tagen", "Minuten", "Einwohner", "Kunden",
                          "Menschen", "Personen", "Bewerbungen", "Zeichen", "Punkte", "Mal", "Schritte",
                          "Kilometer", "Km", "Meter", "Seiten", "Stück", "Fälle", "Einträge"})


def _letter_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalpha())


NAME = "[Name]"
ADRESSE = "[Adresse]"


#: The first word of every title and of every preposition street: the scrubber finds these
#: words in its word table and tries the patterns only there.
TITLE_FIRST_WORDS = frozenset(re.split(r"[\s.\-]", t)[0] for t in TITLES)
PREFIX_FIRST_WORDS = frozenset("Am An Auf Im In Zum Zur Unter Hinter Vor Alt".split())


def _matches(pattern: re.Pattern[str], text: str, starts: Iterable[int] | None) -> Iterable[re.Match[str]]:
    if starts is None:
        return pattern.finditer(text)
    return (m for m in (pattern.match(text, i) for i in starts) if m)


def find(text: str, numbers: Iterable[tuple[int, int, int, int]] | None = None,
         titles: Iterable[int] | None = None, prefixes: Iterable[int] | None = None,
         plz: Iterable[int] | None = None) -> list[Span]:
    """Names after titles and relation words, streets with a number, PLZ with a place.

    The scrubber passes candidates from its word table (None: searched here with regular
    expressions, slower, for a single text): `numbers` for a house number, as (start of the
    word before the word before the number or -1, start and end of the word before it, end
    of the number); `titles`, `prefixes`, `plz`: where a title word, a street's preposition
    or a five-digit number starts."""
    spans: list[Span] = []
    for m in _matches(_TITLE_RE, text, titles):
        if _letter_before(text, m.start()) or m.group("name").split()[0] in _NOT_A_NAME:
            continue
        spans.append((m.start("name"), m.end("name"), NAME))
    if numbers is None:
        numbers = [(m.start(1) if m.group(1) else -1, m.start(2), m.end(2), m.end())
                   for m in _NUMBER_AFTER_WORD.finditer(text)]
    for before, start, end, number_end in numbers:
        first = street_start(text, before, start, end)
        if first is not None:
            tail = _HOUSE_NUMBER_TAIL.match(text, number_end)
            spans.append((first, tail.end() if tail else number_end, ADRESSE))
    for m in _matches(_PREFIX_STREET_RE, text, prefixes):
        if not _letter_before(text, m.start()):
            spans.append((m.start(), m.end(), ADRESSE))
    for m in _matches(_PLZ_RE, text, plz):
        if m.start() and (text[m.start() - 1].isdigit() or text[m.start() - 1] in ".,"):
            continue
        if m.group("place") not in _NOT_A_PLACE:
            start = m.start() - 2 if text[max(0, m.start() - 2):m.start()] == "D-" else m.start()
            spans.append((start, m.end(), ADRESSE))
    return spans


_NUMBER_AFTER_WORD = re.compile(r"(?:([^\W\d_]+)[ \-])?([^\W\d_]+)\.?\s?\d{1,4}(?!\d)")


def street_start(text: str, before: int, start: int, end: int) -> int | None:
    """Where a street ends in the word text[start:end] just before a house number: that word
    ends in a street suffix and starts with a capital (`Lindenstraße`, `Hauptstr`); a suffix
    standing alone takes the capitalised word before it along (`Berliner Straße`, `Am Markt`)."""
    if not text[start].isupper():
        return None
    word = text[start:end].lower()
    if not word.endswith(STREET_SUFFIXES):
        return None
    if word in _STREET_WORDS and before >= 0 and text[before].isupper():
        return before
    return start


_MONTHS_AND_DAYS = (
    "Januar Jänner Februar März Maerz April Mai Juni Juli August September Oktober November Dezember "
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonnabend Sonntag"
).split()


#: The dictionary rates each name per country from 1 (rare) to 13; names rated at most 2
#: everywhere are mostly spellings nobody uses, among them ordinary words (`Kita`, `Engel`,
#: `Siemen`, which took `Siemens` along).  A rare name still goes when it is a customer's
#: (the Kundenliste's keys) or follows a title.  Measured on the corpus of tests/anoncorpus.py.
MIN_FREQUENCY = 3
#: Entries of the dictionary that job-centre notes use daily as ordinary nouns.
_ORDINARY_NOUNS = frozenset({"job"})


def usable_first_names(entries: Iterable[tuple[str, int]]) -> frozenset[str]:
    """The first names to scrub from (name, highest frequency in any country) pairs of the
    dictionary (files/firstnames.py reads them): frequent enough somewhere, three letters or
    more, and no German stop word, month, weekday or everyday noun of the notes."""
    import stopwordsiso

    stop = ({w.casefold() for w in stopwordsiso.stopwords("de")} | {m.casefold() for m in _MONTHS_AND_DAYS}
            | _ORDINARY_NOUNS)
    names: set[str] = set()
    for name, frequency in entries:
        if frequency < MIN_FREQUENCY or len(name) < 3 or name.casefold() in stop:
            continue
        names.add(name)
        names.update(p for p in name.split("-") if len(p) >= 3 and p.casefold() not in stop)
    return frozenset(names)
