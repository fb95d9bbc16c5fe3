"""Personal data to plant, and realistic German counselling notes made from it (issue 13).

Everything here is invented.  The customers' names come in the spellings that defeated the
old scrubber (Turkish ı, Polish ł, Scandinavian ø, a Chinese name, a double first name); the
identifiers are valid ones (their check digits computed here, or by python-stdnum's own
checks in a loop); third parties are people the Kundenliste does not know, named the way
job-centre notes name them (after a title or relation word, or by a common first name).

`notes(n)` makes n notes from templates: each note knows which of its words are personal
(they must go) and which are ordinary (they should stay), so a test can measure recall and
over-scrubbing.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from stdnum import iban as _iban
from stdnum.de import idnr as _idnr

from kundenliste_tools.core.canonical import loose
from kundenliste_tools.core.identifiers import ausweis_ok, kv_ok, sv_ok

CUSTOMERS = [
    # VName, NName, Strasse, PLZ, Stadt, Telefon, Email, Geburtsdatum
    (
        "Anna-Lena",
        "Müller",
        "Zypressenweg 17b",
        "04317",
        "Wolkenheim",
        "0341 5558123",
        "anna.lena@example.org",
        "1987-03-14",
    ),
    ("Şükrü", "Yılmaz", "Kastanienallee 4", "10435", "Berlin", "+49 171 2345678", "sukru.y@example.net", "1979-11-30"),
    ("Łukasz", "Wałęsa", "Hauptstraße 5", "01067", "Dresden", "0049 351 9876543", "lukasz.w@example.com", "1990-01-05"),
    (
        "Søren",
        "Kjærgaard",
        "Am Lindenhang 3",
        "99423",
        "Kleinbrunnstadt",
        "0361 4455667",
        "soren.k@example.org",
        "1985-07-21",
    ),
    ("伟", "王", "Ulmenallee 112", "80799", "München", "089 3216549", "wang.wei@example.cn", "1992-02-29"),
    ("Sabine", "Hasenbein", "Birkenstraße 8", "50667", "Köln", "0221 998877", "hasi1985@web.de", "1985-06-09"),
    (
        "Jolanthe",
        "Quastenberg",
        "Zur Alten Mühle 2",
        "37073",
        "Göttingen",
        "0551 123456",
        "j.quastenberg@example.org",
        "1966-12-24",
    ),
]

#: Third parties: (relation or title, name) as notes write them.
THIRD_PARTIES = [
    ("Frau", "Schmidt"),
    ("Herrn Dr.", "Kowalczyk"),
    ("Tochter", "Mia"),
    ("Sohn", "Leon"),
    ("Ehemann", "Thomas"),
    ("Partnerin", "Aylin"),
    ("Vermieter", "Brandtner"),
    ("Herr", "Özdemir"),
    ("Frau Dr.", "Lindqvist-Behrens"),
    ("Arbeitgeberin", "Wiebke Sörensen"),
    ("Nachbarin", "Gülsen"),
    ("Schwester", "Olena"),
    ("Betreuerin", "Frau Pietrzak"),
]
#: Common first names standing alone ("Mehmet hat angerufen"): found by the first-name list.
BARE_FIRST_NAMES = [
    "Mehmet",
    "Emma",
    "Lukas",
    "Sophie",
    "Jonas",
    "Fatma",
    "Katarzyna",
    "Dmitri",
    "Aleksandra",
    "Hannah",
    "Noah",
    "Elif",
    "Marie",
    "Ben",
    "Paul",
    "Lea",
]
STREETS = [
    "Lindenstraße 12",
    "Berliner Allee 3a",
    "Am Markt 5",
    "Goethestr. 47",
    "An der Kirche 3",
    "Rosenweg 9",
    "Friedrich-Ebert-Platz 1",
]
PLACES = ["10117 Berlin", "60311 Frankfurt am Main", "04109 Leipzig", "20095 Hamburg"]


def _check_digit_sv(body: str) -> str:
    for d in "0123456789":
        if sv_ok(body + d):
            return d
    raise AssertionError(body)


def identifiers(rng: random.Random) -> dict[str, str]:
    """One valid number of every kind, written as people write them."""
    while True:
        steuer = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(10))
        if _idnr.is_valid(steuer):
            break
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(50, 99)
    sv_body = f"{rng.randint(10, 99)}{day:02d}{month:02d}{year:02d}{rng.choice('ABKMSW')}{rng.randint(0, 99):02d}"
    sv = sv_body + _check_digit_sv(sv_body)
    while True:
        kv = rng.choice("ABCDEFGHIKLMNPRSTUVWZ") + "".join(rng.choice("0123456789") for _ in range(9))
        if kv_ok(kv):
            break
    while True:
        ausweis = (
            rng.choice("LMNPRTVWXYZ")
            + "".join(rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(7))
            + rng.choice("0123456789")
            + rng.choice("0123456789")
        )
        if ausweis_ok(ausweis):
            break
    account = "".join(rng.choice("0123456789") for _ in range(18))
    iban = "DE" + _iban.calc_check_digits("DE00" + account) + account
    return {
        "Steuer-ID": f"{steuer[:2]} {steuer[2:5]} {steuer[5:8]} {steuer[8:]}",
        "SV-Nummer": f"{sv[:2]} {sv[2:8]} {sv[8]} {sv[9:]}",
        "KV-Nummer": kv,
        "Ausweis": ausweis,
        "BG-Nummer": f"{rng.randint(10000, 99999)}BG{rng.randint(0, 9999999):07d}",
        "Kundennummer": f"{rng.randint(100, 999)}D{rng.randint(0, 999999):06d}",
        "IBAN": " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)),
    }


# ------------------------------------------------------------------ spellings


def spelled(name: str, how: int) -> str:
    """A name as people type it: as written, NFD, upper, lower, with digraphs, transliterated."""
    digraphs = (
        name.replace("ä", "ae")
        .replace("ö", "oe")
        .replace("ü", "ue")
        .replace("ß", "ss")
        .replace("ø", "oe")
        .replace("æ", "ae")
        .replace("Ä", "Ae")
        .replace("Ö", "Oe")
        .replace("Ü", "Ue")
    )
    plain = (
        unicodedata.normalize(
            "NFKD",
            name.replace("ı", "i")
            .replace("ł", "l")
            .replace("Ł", "L")
            .replace("ø", "o")
            .replace("ß", "ss")
            .replace("æ", "ae"),
        )
        .encode("ascii", "ignore")
        .decode()
        or name
    )
    forms = [name, unicodedata.normalize("NFD", name), name.upper(), name.lower(), digraphs, plain]
    return forms[how % len(forms)]


# ------------------------------------------------------------------ notes


@dataclass
class Note:
    text: str
    personal: list[str] = field(default_factory=list)  # values that must not survive
    ordinary: list[str] = field(default_factory=list)  # words that should stay


#: Templates: text with slots {C} customer name, {F} customer first name, {T} third party
#: after its title, {B} bare first name, {S} street, {P} PLZ and place, {X} an identifier
#: with its label, {Y} an identifier without label, {M} e-mail, {MA} e-mail written apart,
#: {TEL} phone, {GEB} birth date, {CAMEL} file name of joined names.
TEMPLATES = [
    "Erstgespräch mit {C} geführt, Lebenslauf besprochen und Bewerbungstraining vereinbart.",
    "{T} hat angerufen, Termin verschoben auf nächste Woche.",
    "Kundin berichtet, {T} unterstützt bei der Kinderbetreuung; Kitaplatz ab August beantragt.",
    "Wohnungssuche: neue Adresse {S}, {P}. Mietvertrag liegt vor.",
    "{B} hat die Unterlagen vorbeigebracht, Kopien für die Akte gemacht.",
    "Rückfrage zur Krankenversicherung, {X}. Bescheinigung angefordert.",
    "Bitte Bescheid an {M} schicken, Eingang bestätigen.",
    "Kontakt per Mail: {MA}, Antwort bis Freitag erbeten.",
    "Rückruf unter {TEL} vereinbart, Thema Weiterbildung Buchhaltung.",
    "Antrag Kinderzuschlag besprochen, {C} geb. {GEB}, Unterlagen vollständig.",
    "Datei {CAMEL} mit Zeugnissen erhalten und geprüft.",
    "Jobcenter meldet {Y} im Bescheid, Klärung mit Leistungsabteilung.",
    "{F} möchte in Teilzeit arbeiten, {T} holt die Kinder aus der Schule ab.",
    "Vorstellungsgespräch bei Bäckerei vorbereitet, {T} ist Ansprechpartner im Betrieb.",
    "Überweisung des Zuschusses auf {X} veranlasst.",
    "Hausbesuch abgesagt, {C} krank, neuer Termin nach Rücksprache.",
    "Sprachkurs B1 bestätigt, Beginn im Oktober, {B} begleitet zur Anmeldung.",
    "Mietschulden: {T} droht mit Kündigung, Schuldnerberatung eingeschaltet.",
    "{C} ({S}, {P}) erscheint regelmäßig, Motivation gut.",
    "Praktikum im Pflegeheim ab Montag, Kontakt {T}, Telefon {TEL}.",
    "Unterlagen zur Anerkennung des Abschlusses übersetzt, {X} notiert.",
    "Gespräch über Alleinerziehendengruppe, {F} nimmt teil.",
    "Kindergeld fehlt seit März, Familienkasse angeschrieben, {Y} angegeben.",
    "Ehrenamtliche Unterstützung durch {T} beim Ausfüllen der Formulare.",
    # notes without a slot, with words that look like names or addresses to a careless rule
    "Termin am 12.05.2026 um 10:30 Uhr in Raum 12, Job im Lager ab Mai in Aussicht.",
    "Neuer Job als Verkäuferin bei Rossmann, Probezeit bis August, Arbeitsvertrag gesehen.",
    "Schulden von 10000 Euro, Ratenzahlung mit dem Inkassobüro vereinbart.",
    "Kita-Gutschein beantragt, Wartezeit etwa drei Monate, Tagesmutter als Übergang.",
    "Fahrt ab Bahnhof Gleis 3, Fahrtkosten für 14 Tage werden erstattet.",
    "Frau vom Amt hat zurückgerufen, Bescheid kommt per Post.",
    "Mutter-Kind-Kur bewilligt, Abreise im Juli, Rückkehr Ende August.",
    "Bewerbungen bei Deutsche Bahn, Siemens und Lidl abgeschickt, Rückmeldung offen.",
    "Gespräch mit Sohn über Ausbildung zum Mechatroniker, Berufsschule in Halle 2 besichtigt.",
    "Tochter in der 5. Klasse, Lernförderung über Bildung und Teilhabe beantragt.",
    "Kundin hat Führerschein Klasse B bestanden, Stellen im Lieferdienst gesucht.",
    "Ehemann arbeitet im Schichtdienst, Kinderbetreuung am Wochenende ungeklärt.",
    "Deutschkurs Modul 4 abgeschlossen, Zertifikat B2 kommt im Juni.",
    "Wohngeld für 12 Monate bewilligt, Heizkosten Nachzahlung 480 Euro offen.",
    "Minijob im Café Rose an der Ecke, 520 Euro, Rentenversicherungspflicht besprochen.",
    "Frühstückstreff Alleinerziehende am Dienstag, Kinder spielen im Nebenraum.",
]
LABELS = {
    "Steuer-ID": "Steuer-ID",
    "SV-Nummer": "Rentenversicherungsnummer",
    "KV-Nummer": "KV-Nummer",
    "Ausweis": "Ausweisnummer",
    "BG-Nummer": "BG-Nummer",
    "Kundennummer": "Kundennummer",
    "IBAN": "IBAN",
}


def _words(text: str) -> list[str]:
    return [w for w in loose(text).split() if w]


def notes(n: int, seed: int = 13) -> list[Note]:
    """`n` notes over the customers, third parties and identifiers above."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        template = TEMPLATES[i % len(TEMPLATES)]
        personal: list[str] = []
        values: dict[str, str] = {}
        c = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
        how = rng.randrange(6)
        values["C"] = f"{spelled(c[0], how)} {spelled(c[1], how)}" if rng.random() < 0.6 else spelled(c[1], how)
        values["F"] = spelled(c[0], how)
        title, name = THIRD_PARTIES[rng.randrange(len(THIRD_PARTIES))]
        values["T"] = f"{title} {name}"
        values["B"] = rng.choice(BARE_FIRST_NAMES)
        values["S"] = rng.choice(STREETS + [c[2]])
        values["P"] = rng.choice(PLACES + [f"{c[3]} {c[4]}"])
        ids = identifiers(rng)
        kind = rng.choice(sorted(ids))
        values["X"] = f"{LABELS[kind]} {ids[kind]}"
        unlabelled = rng.choice(["Steuer-ID", "SV-Nummer", "KV-Nummer", "Ausweis", "BG-Nummer", "Kundennummer", "IBAN"])
        values["Y"] = ids[unlabelled]
        local = c[6].split("@")[0]
        values["M"] = c[6]
        values["MA"] = f"{local} at {c[6].split('@')[1].replace('.', ' dot ')}"
        values["TEL"] = c[5]
        values["GEB"] = rng.choice([c[7], ".".join(reversed(c[7].split("-")))])
        values["CAMEL"] = f"{c[0].replace('-', '')}{c[1]}.pdf"
        text = template
        for slot in sorted(values, key=len, reverse=True):
            token = "{" + slot + "}"
            if token not in text:
                continue
            value = values[slot]
            text = text.replace(token, value)
            personal += _personal_parts(slot, value, c, name, ids, kind, unlabelled)
        ordinary = _words(_strip_slots(template))
        out.append(Note(text, personal, ordinary))
    return out


def _personal_parts(
    slot: str, value: str, c: tuple, third: str, ids: dict[str, str], kind: str, unlabelled: str
) -> list[str]:
    """What of a slot's value is personal (a title or label is not)."""
    if slot == "T":
        return [third.replace("Frau ", "")]
    if slot == "X":
        return [ids[kind]]
    if slot == "Y":
        return [ids[unlabelled]]
    if slot == "MA":
        return [value]
    if slot == "CAMEL":
        return [c[0], c[1]]
    return [value]


def _strip_slots(template: str) -> str:
    import re

    return re.sub(r"\{[A-Z]+\}", " ", template)


def survives(value: str, text: str) -> bool:
    """Whether `value` is still in `text`, compared on the loose canonical form: as a run of
    whole words, or as a substring for a script written without spaces."""
    v, t = loose(value), loose(text)
    if not v:
        return False
    if any(ord(ch) > 0x2E80 for ch in v):
        return v.replace(" ", "") in t.replace(" ", "")
    return f" {v} " in f" {t} "
