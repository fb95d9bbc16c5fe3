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

The first-name list is turned into hashed keys once per process and looked up with all other
known values in one vectorised pass (core/scrub.py); the three patterns are compiled regular
expressions run over the joined texts of a batch.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

Span = tuple[int, int, str]

_UPPER = "A-ZÄÖÜÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_NAME_WORD = rf"[{_UPPER}][^\W\d_]*(?:['’\-][{_UPPER}]?[^\W\d_]+)*"

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
    rf"(?<![^\W\d_])(?:{_TITLE_ALT})(?![^\W\d_])"
    r"(?:\s+(?:Dr\.|Prof\.|med\.|Dipl\.-Ing\.))*"
    rf"(?:\s+(?:von|van|de|zu|vom)(?:\s+(?:der|den|dem))?)?"
    rf"\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)"
)

#: Words a title may be followed by that are no names ("Frau Doktor", "Herr Kollege").
_NOT_A_NAME = frozenset({"Doktor", "Professor", "Kollege", "Kollegin", "Sowieso"})

_STREET_SUFFIX = (
    r"stra(?:ss|ß)e|str\.|str\b|weg|allee|gasse|platz|pl\.|ring|damm|ufer|chaussee|pfad|steig|stieg"
    r"|markt|berg|hof|graben|wall|zeile|kamp|feld|garten|park|höhe|hoehe|tor|brücke|bruecke|siedlung"
    r"|twiete|grund|anger|aue|winkel|bogen|hain|heide|redder|promenade|passage|kai|wiese|wiesen"
)
_STREET_RE = re.compile(
    # `Lindenstraße 12`, `Haupt-Str. 5`, `Berliner Allee 3`, `Am Alten Markt 5`, `An der Kirche 3`
    rf"(?<![^\W\d_])(?:"
    rf"(?:[{_UPPER}][^\W\d_]*[\s\-])?[{_UPPER}][^\W\d_]*?(?i:{_STREET_SUFFIX})"
    rf"|(?:Am|An\s+der|An\s+den|Auf\s+dem|Auf\s+der|Im|In\s+der|In\s+den|Zum|Zur|Unter\s+den|Hinter\s+der|Vor\s+dem|Alt)"
    rf"(?:\s+[{_UPPER}][^\W\d_]+){{1,2}}"
    rf")\s?\d{{1,4}}(?:\s?[a-hA-H](?![^\W\d_]))?(?:\s?[\-/]\s?\d{{1,4}})?(?!\d)",
)
_PLZ_RE = re.compile(
    rf"(?<![\d.,])(?:D-)?\d{{5}}\s+(?P<place>[{_UPPER}][^\W\d_]+(?:-[{_UPPER}]?[^\W\d_]+)*)"
    rf"(?:\s+(?:am|an\s+der|im|in\s+der|ob\s+der|bei|vor\s+der)\s+[{_UPPER}][^\W\d_]+|\s?\([^)\n]{{1,30}}\))?"
)
#: Words after a five-digit number that are no place: amounts and counts.
_NOT_A_PLACE = frozenset({"Euro", "EUR", "Stunden", "Std", "Tage", "Tagen", "Minuten", "Einwohner", "Kunden",
                          "Menschen", "Personen", "Bewerbungen", "Zeichen", "Punkte", "Mal", "Schritte",
                          "Kilometer", "Km", "Meter", "Seiten", "Stück", "Fälle", "Einträge"})

NAME = "[Name]"
ADRESSE = "[Adresse]"


def find(text: str) -> list[Span]:
    """Names after titles and relation words, streets with a number, PLZ with a place."""
    spans: list[Span] = []
    for m in _TITLE_RE.finditer(text):
        name = m.group("name")
        first = name.split()[0]
        if first in _NOT_A_NAME:
            continue
        spans.append((m.start("name"), m.end("name"), NAME))
    for m in _STREET_RE.finditer(text):
        spans.append((m.start(), m.end(), ADRESSE))
    for m in _PLZ_RE.finditer(text):
        if m.group("place") not in _NOT_A_PLACE:
            spans.append((m.start(), m.end(), ADRESSE))
    return spans


_MONTHS_AND_DAYS = (
    "Januar Jänner Februar März Maerz April Mai Juni Juli August September Oktober November Dezember "
    "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonnabend Sonntag"
).split()


#: The dictionary rates each name per country from 1 (rare) to 13; names rated 1 everywhere
#: are mostly spellings nobody uses, among them ordinary words (`Kita`, `Engel`).  A rare name
#: still goes when it is a customer's (the Kundenliste's keys) or follows a title.
MIN_FREQUENCY = 2


@functools.lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first names of gender-guesser's dictionary that are not German ordinary words."""
    import gender_guesser
    import stopwordsiso

    path = Path(gender_guesser.__file__).with_name("data") / "nam_dict.txt"
    stop = {w.casefold() for w in stopwordsiso.stopwords("de")} | {m.casefold() for m in _MONTHS_AND_DAYS}
    names: set[str] = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line[:1] in "#=" or len(line) < 30:
                continue
            name = line[3:29].strip().replace("+", "-")
            frequency = max((int(ch, 16) for ch in line[30:-2] if ch.strip()), default=0)
            if frequency < MIN_FREQUENCY or len(name) < 3 or name.casefold() in stop:
                continue
            names.add(name)
            names.update(p for p in name.split("-") if len(p) >= 3 and p.casefold() not in stop)
    return frozenset(names)
