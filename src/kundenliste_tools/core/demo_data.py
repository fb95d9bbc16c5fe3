"""Invented demo data: a counselling team's Kundenliste and KundenDoku with a few mistakes.

Names are random combinations of common German first and last names; no real person is
meant.  The data is drawn from a seeded generator relative to a reference day, so the same
day gives the same workbook, and the deliberate mistakes (`DemoData.mistakes`) are listed so
that a test can check that validation finds exactly those.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from . import model

FIRST_NAMES = (
    "Anna",
    "Lena",
    "Sabine",
    "Petra",
    "Julia",
    "Katrin",
    "Nadine",
    "Sandra",
    "Melanie",
    "Aylin",
    "Olga",
    "Jana",
    "Miriam",
    "Claudia",
    "Doreen",
    "Ines",
    "Yvonne",
    "Tanja",
    "Thomas",
    "Michael",
    "Stefan",
    "Jan",
    "Mehmet",
    "Sven",
    "Dirk",
    "Marco",
    "Tobias",
    "Kevin",
    "Daniel",
    "Ralf",
    "Andrzej",
    "Hakan",
    "Frank",
    "Uwe",
    "René",
    "Jörg",
)
LAST_NAMES = (
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Kaya",
    "Nowak",
    "Yıldız",
    "Günther",
    "Böhm",
    "Vogel",
    "Friedrich",
    "Keller",
    "Jäger",
    "Otto",
    "Sommer",
    "Brandt",
)
STREETS = (
    "Lindenstraße",
    "Hauptstraße",
    "Bahnhofstraße",
    "Gartenweg",
    "Schulstraße",
    "Am Markt",
    "Birkenweg",
    "Rosenstraße",
    "Mühlgasse",
    "Friedrich-Ebert-Straße",
    "Goethestraße",
    "Ringstraße",
    "Wiesenweg",
    "Kirchplatz",
)
PLACES = (
    ("01067", "Dresden", "0351"),
    ("04109", "Leipzig", "0341"),
    ("10317", "Berlin", "030"),
    ("09111", "Chemnitz", "0371"),
    ("06108", "Halle (Saale)", "0345"),
    ("99084", "Erfurt", "0361"),
    ("39104", "Magdeburg", "0391"),
)
MAIL_DOMAINS = ("web.de", "gmx.de", "posteo.de", "t-online.de", "mailbox.org")
BERATER = (("Karin Albers", 1.0), ("Birgit Sommerfeld", 0.75), ("Evelyn Strauch", 1.0), ("Regina Pohl", 0.5))
AKQUISE_WEIGHTS = (
    ("Runder Tisch Kinderarmut", 2),
    ("VAMV", 3),
    ("Beratungstag", 3),
    ("Kontaktstelle Familie & Beruf", 4),
    ("Wer hilft weiter", 2),
)
#: The `Ergebnis` list (seed 000); the goal twice as often as the rest.
ERGEBNISSE = (
    "Arbeitsstelle angenommen",
    "Arbeitsstelle angenommen",
    "Arbeitsstelle nicht angenommen",
    "Ausbildung/Maßnahme begonnen",
    "Beratung beendet",
    "Kontakt abgebrochen",
)
TOPICS = (
    "Bewerbungsunterlagen durchgesehen, Anschreiben überarbeitet",
    "Kinderbetreuung für die Frühschicht geklärt, Kita-Platz ab nächstem Monat",
    "Stellenangebote im Einzelhandel besprochen, zwei passen",
    "Vorstellungsgespräch vorbereitet, Fragen geübt",
    "Weiterbildung Buchhaltung besprochen, Bildungsgutschein beantragt",
    "Rückmeldung zum Praktikum: gut gelaufen, Übernahme möglich",
    "Finanzielle Lage und Wohngeld besprochen, Termin bei der Schuldnerberatung",
    "Teilzeitstelle in der Pflege vorgestellt, Hospitation vereinbart",
    "Arbeitgeberkontakt hergestellt, Kennenlerngespräch am Freitag",
)
AGREEMENTS = (
    "Kundin schickt bis Freitag drei Bewerbungen.",
    "Kunde meldet sich nach dem Vorstellungsgespräch.",
    "Unterlagen für den Bildungsgutschein mitbringen.",
    "Kita-Anmeldung bis Monatsende erledigen.",
    "Lebenslauf aktualisieren und per Post schicken.",
)


@dataclass
class DemoData:
    """The demo's rows (dicts keyed by canonical field) and its deliberate mistakes."""

    kunden: list[dict[str, Any]]
    doku: list[dict[str, Any]]
    berater: tuple[tuple[str, float], ...] = BERATER
    #: (sheet, Excel row, field) of every mistake put in on purpose.
    mistakes: list[tuple[str, int, str]] = field(default_factory=list)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _job_centre_fields(rnd: random.Random, today: dt.date) -> dict[str, Any]:
    """Birth date, Bereich, Kundenstatus, Profillage etc., mutually consistent."""
    bereich = rnd.choices(("Basis", "U25", "BJO", "FM", "Reha", "Selbständige"), (10, 5, 4, 1, 1, 1))[0]
    age = rnd.randint(17, 24) if bereich == "U25" else rnd.randint(25, 63)
    birth = today - dt.timedelta(days=age * 365 + rnd.randint(10, 350))
    kundenstatus = rnd.choices(model.DEFAULT_LISTS["Kundenstatus"], (6, 3, 1))[0]
    profillage = rnd.choice(model.DEFAULT_LISTS["Profillage"])
    out: dict[str, Any] = {
        "Geburtsdatum": birth,
        "Kundenstatus": kundenstatus,
        "Profillage": profillage,
        "Bereich": bereich,
        "Langzeitbezug": rnd.choices((model.JA, model.NEIN), (1, 2))[0],
        "Schulpflichtig": model.JA
        if bereich == "U25" and _age_on(birth, today) < 18 and rnd.random() < 0.5
        else model.NEIN,
    }
    if profillage == "Z" and rnd.random() < 0.6:
        out["Elternzeit bis"] = today + dt.timedelta(days=rnd.randint(-30, 330))
    return out


def generate(n_customers: int = 300, today: dt.date | None = None, seed: int = 7, mistakes: bool = True) -> DemoData:
    """Invented customers with conversations over the last two years up to `today`."""
    today = today or dt.date.today()
    rnd = random.Random(seed)
    absent = random.Random(seed * 1000 + 16)
    kunden: list[dict[str, Any]] = []
    doku: list[dict[str, Any]] = []
    for i in range(n_customers):
        row = _customer(rnd, i, today)
        kunden.append(row)
        if row["Status"] != model.STATUS_NEU:
            doku.extend(_conversations(rnd, row, today, absent))
    doku.sort(key=lambda e: (e["Datum"], int(e["ID"])))
    data = DemoData(kunden, doku)
    if mistakes:
        _add_mistakes(data, rnd, today)
    return data


def _customer(
    rnd: random.Random, i: int, today: dt.date, status: str | None = None, days_ago: int | None = None
) -> dict[str, Any]:
    """One invented customer; `status`/`days_ago` force a kind (the mistakes need new ones)."""
    sources, weights = zip(*AKQUISE_WEIGHTS)
    first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
    plz, city, area = rnd.choice(PLACES)
    erst = today - dt.timedelta(days=days_ago if days_ago is not None else rnd.randint(1, 730))
    akquise = rnd.choices(sources, weights)[0]
    if akquise == "Beratungstag" and days_ago is None:  # customers come in groups, one event every ~6 weeks
        erst = today - dt.timedelta(days=-(-(today - erst).days // 45) * 45 + 3)
    age_days = (today - erst).days
    status = status or (
        model.STATUS_NEU
        if age_days < 40 and rnd.random() < 0.7
        else rnd.choices((model.STATUS_IN_BERATUNG, model.STATUS_ABGESCHLOSSEN), (3, 1))[0]
    )
    mail_local = f"{first}.{last}".lower().translate(
        str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "ı": "i"})
    )
    phone = (
        f"{area} {rnd.randint(2000000, 8999999)}"
        if rnd.random() < 0.5
        else f"+49 1{rnd.choice((51, 60, 70, 71, 76))} {rnd.randint(10000000, 99999999)}"
    )
    row: dict[str, Any] = {
        "ID": str(1001 + i),
        "Erstkontakt": erst,
        "Akquise": akquise,
        "Status": status,
        "Berater": rnd.choice(BERATER)[0],
        "VName": first,
        "NName": last,
        "Strasse": f"{rnd.choice(STREETS)} {rnd.randint(1, 120)}",
        "PLZ": plz,
        "Stadt": city,
        "Telefon": phone,
        "Email": f"{mail_local}@{rnd.choice(MAIL_DOMAINS)}",
        **_job_centre_fields(rnd, today),
    }
    if status == model.STATUS_ABGESCHLOSSEN:
        row["Ergebnis"] = rnd.choice(ERGEBNISSE)
    return row


#: Kontaktarten of a conversation that took place, and how often each occurs.
HELD = (("persönlich", 10), ("telefonisch", 5), ("Video", 2), ("E-Mail", 2), ("schriftlich", 1))
#: How often an invited customer does not come (seed 001: "ein nicht unerheblicher Teil").
NO_SHOW_SHARE = 0.15


def _conversations(rnd: random.Random, kunde: dict[str, Any], today: dt.date,
                   absent: random.Random | None = None) -> list[dict[str, Any]]:
    """A customer's conversations from Erstkontakt on, every 2–8 weeks, each with a Folgetermin.

    `absent` draws the no-shows (issue 16): an appointment in person or by video the customer
    missed is recorded as `nicht erschienen` with a new invitation as its Folgetermin.  A
    generator of its own, so the rest of the demo stays as it was.
    """
    out = []
    day = kunde["Erstkontakt"] + dt.timedelta(days=rnd.randint(0, 10))
    closed = kunde["Status"] == model.STATUS_ABGESCHLOSSEN
    # most active customers are seen until today; some drop out of contact (they show as overdue)
    n = rnd.randint(1, 10) if closed or rnd.random() < 0.25 else 10_000
    for k in range(n):
        if day > today:
            break
        last = k == n - 1 or day + dt.timedelta(days=14) > today
        follow = None if (closed and last) else day + dt.timedelta(days=rnd.choice((14, 21, 28, 42, 56)))
        kontaktart = rnd.choices(*zip(*HELD))[0]
        topic = rnd.choice(TOPICS)
        if rnd.random() < 0.1:  # counsellors do write names into free text; the export scrubs them
            topic = f"{'Frau' if kunde['VName'][-1] in 'aen' else 'Herr'} {kunde['NName']}: {topic}"
        out.append(
            {
                "Datum": day,
                "ID": kunde["ID"],
                "Berater": kunde["Berater"],
                "Zusammenfassung": topic,
                "Vereinbarungen": rnd.choice(AGREEMENTS),
                "Folgetermin": follow,
                "Kontaktart": kontaktart,
                "Vermerkart": "Allgemeiner Vermerk" if rnd.random() < 0.1 else "Beratungsvermerk",
            }
        )
        if absent is not None and follow is not None and kontaktart in ("persönlich", "Video") \
                and absent.random() < NO_SHOW_SHARE:
            out[-1].update({"Kontaktart": model.NICHT_ERSCHIENEN, "Vermerkart": "Allgemeiner Vermerk",
                            "Zusammenfassung": "Nicht erschienen, neu eingeladen.", "Vereinbarungen": ""})
        if follow is None:
            break
        day = follow + dt.timedelta(days=rnd.choice((0, 0, 0, 3, 10)))
    return out


def _add_mistakes(data: DemoData, rnd: random.Random, today: dt.date) -> None:
    """Put in the mistakes a real team makes, each once, and record where they are."""
    K, D = model.KUNDENLISTE, model.KUNDENDOKU
    kunden, doku, log = data.kunden, data.doku, data.mistakes
    active = iter([k for k in kunden if k["Status"] == model.STATUS_IN_BERATUNG])

    def krow(k: dict[str, Any]) -> int:
        return kunden.index(k) + 2

    def drow(e: dict[str, Any]) -> int:
        return doku.index(e) + 2

    def fresh(days_ago: int = 5) -> dict[str, Any]:
        k = _customer(rnd, len(kunden), today, model.STATUS_NEU, days_ago)
        kunden.append(k)
        return k

    k = next(active)
    k["Erstkontakt"] = k["Erstkontakt"].strftime("%d.%m.%Y")
    log.append((K, krow(k), "Erstkontakt"))
    k = next(active)
    k["PLZ"], k["Stadt"] = 1067, "Dresden"
    log.append((K, krow(k), "PLZ"))  # lost its 0
    k = next(active)
    k["Email"] = k["Email"].split("@")[0] + "@web"
    log.append((K, krow(k), "Email"))
    k = next(active)
    k["Telefon"] = "bitte erfragen"
    log.append((K, krow(k), "Telefon"))
    k = next(active)
    k["Status"] = "in Bearbeitung"
    log.append((K, krow(k), "Status"))
    k = next(active)
    k["Akquise"] = "Jobmesse"
    log.append((K, krow(k), "Akquise"))
    k = next(active)
    k["VName"] = None
    log.append((K, krow(k), "VName"))
    k = fresh()
    k["Erstkontakt"] = today + dt.timedelta(days=30)
    log.append((K, krow(k), "Erstkontakt"))
    for _ in range(3):  # new customers whose ID is still to be handed out (`kundenliste ids`)
        k = fresh()
        k["ID"] = None
        log.append((K, krow(k), "ID"))
    # an ID typed twice: a new customer gets the ID of another new one (neither has entries)
    a, b = fresh(20), fresh(3)
    b["ID"] = a["ID"]
    log.append((K, krow(a), "ID"))
    log.append((K, krow(b), "ID"))

    entries = iter(doku[len(doku) // 3 :])
    e = next(entries)
    e["ID"] = "9999"
    log.append((D, drow(e), "ID"))
    e = next(entries)
    while e["Folgetermin"] is None:
        e = next(entries)
    e["Folgetermin"] = e["Datum"] - dt.timedelta(days=7)
    log.append((D, drow(e), "Folgetermin"))
    e = next(entries)
    e["Datum"] = e["Datum"].strftime("%d.%m.%Y")
    log.append((D, drow(e), "Datum"))
    # an entry dated before the customer's Erstkontakt (warning)
    erst_of = {k["ID"]: k["Erstkontakt"] for k in kunden}
    e = next(entries)
    while not isinstance(erst_of.get(e["ID"]), dt.date):
        e = next(entries)
    erst = erst_of[e["ID"]]
    e["Datum"] = erst - dt.timedelta(days=3)
    e["Folgetermin"] = None
    log.append((D, drow(e), "Datum"))
    # a conversation with a customer whose Status still says `neu` (warning)
    neu = fresh(10)  # its Status was not yet changed from `neu`
    doku.append(
        {
            "Datum": today - dt.timedelta(days=1),
            "ID": neu["ID"],
            "Berater": neu["Berater"],
            "Zusammenfassung": "Erstgespräch geführt, Unterlagen mitgegeben",
            "Vereinbarungen": AGREEMENTS[0],
            "Folgetermin": today + dt.timedelta(days=14),
            "Kontaktart": "persönlich",
            "Vermerkart": "Beratungsvermerk",
        }
    )
    log.append((D, len(doku) + 1, "ID"))
    # a customer in Beratung whose latest entry has no Folgetermin: the Einladungskette breaks
    # (warning `folgetermin-fehlt`, issue 16)
    for k in active:
        mine = [e for e in doku if e["ID"] == k["ID"] and isinstance(e["Datum"], dt.date)]
        if mine and mine[-1]["Folgetermin"] is not None:
            mine[-1]["Folgetermin"] = None
            log.append((D, drow(mine[-1]), "Folgetermin"))
            break
    log.sort()
