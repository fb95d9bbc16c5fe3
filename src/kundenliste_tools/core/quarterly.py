"""The content of the anonymised quarterly export, as plain frames (SPEC §6, seed 000 "Analyse").

Seed 000 sends the analyst, four times a year, the Kundenliste reduced to `ID, Erstkontakt,
Akquise, Status, Berater` and the KundenDoku reduced to date, customer and summary with
agreements and Folgetermin.  The Analyse step then asks: what works, what does not, are we
getting closer to the goal, what effort does it take.  `build_export` answers with four
sheets' worth of data; `files/export.py` only lays them out.

Decisions where seed and spec are silent:
* Who is in the export: customers whose Erstkontakt lies in the period or who have a
  KundenDoku entry in it; entries dated in the period.  An entry whose date cannot be read
  cannot be placed in a period and is left out (counted in `Info`).  A date written in German
  form (`05.01.2026`) is read as that date: the validation flags it, the analysis should not
  lose the conversation.
* The KundenDoku sheet also carries the entry's `Berater` (a counsellor, not a customer),
  `Kontaktart` and `Vermerkart`: conversations per counsellor and kind of contact are what the
  "Aufwand" question needs.  No other column ever leaves the workbook.
* Every value passes one gate (core/gate.py), in the data sheets and in every Auswertung
  table alike: list values and the workbook's counsellors (`Berater` list, `Berater` sheet)
  verbatim, anything else scrubbed (core/scrub.py); IDs verbatim only when they are IDs,
  else a stable export pseudonym (core/pseudonym.py).  A workbook without counsellors
  therefore sends its Berater column scrubbed.
* k (Info sheet): the smallest group of exported customers sharing Erstkontakt, Akquise and
  Berater as written; `coarse` writes Erstkontakt as its month (`2026-07`) so that k grows.
* Status at the period's end: the recorded status, except that a case marked `abgeschlossen`
  that still has entries after the period's end was evidently open then (→ `in Beratung`).
  The workbook keeps no status history; for the usual run on the Stichtag both agree.
* Expectations (seed 000): VAMV one new customer a month, Kontaktstelle Familie & Beruf two to
  three a month, scaled by the period's length in months; Beratungstag four to five per event.
  The workbook has no event dates, so each distinct Erstkontakt date of a Beratungstag
  customer counts as one event (people met at a Beratungstag have their first contact there).
  Runder Tisch and Wer hilft weiter have no expectation in the seed.
* Closed in the period: status `abgeschlossen` and the latest entry (or, with none, the
  Erstkontakt) lies in the period; "Gespräche bis Abschluss" counts all their entries.
* Overdue share: the customers active at the period's end (Erstkontakt on or before it, not
  abgeschlossen then), assessed at the period's end under the workbook's rule set with only
  the entries up to that day (`data_at_period_end` gives that view; the door runs the engine).
* What works and at what effort, over the whole workbook up to the period's end (success per
  source and counsellor, effort to closing, Folgetermine kept, the last 8 quarters):
  core/outcomes.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .book import WorkbookData
from .gate import Gate, make_gate
from .idkey import link
from .model import (
    KUNDENDOKU,
    KUNDENLISTE,
    NEVER_CONTACT,
    ROW,
    STATUS_ABGESCHLOSSEN,
    STATUS_IN_BERATUNG,
    STATUS_NEU,
    ValueLists,
    normalize_key,
)
from .periods import Period
from .pseudonym import new_key
from .scrub import PLACEHOLDERS, Scrubber, build_scrubber
from .values import is_blank, parse_date, to_dates, to_texts

#: Exactly these columns (SPEC §6, seed 000 "Benötigte Daten").
KUNDEN_COLUMNS = ("ID", "Erstkontakt", "Akquise", "Status", "Berater")
#: Seed 000's KundenDoku fields plus non-personal analysis columns.
DOKU_COLUMNS = ("Datum", "ID", "Berater", "Zusammenfassung", "Vereinbarungen", "Folgetermin",
                "Kontaktart", "Vermerkart")
DATE_COLUMNS = frozenset({"Erstkontakt", "Datum", "Folgetermin"})

OHNE_ANGABE = "(ohne Angabe)"
NICHT_ERFASST = "(nicht erfasst)"


@dataclass(frozen=True)
class Expectation:
    """New customers a source should bring (seed 000)."""

    low: float
    high: float
    per: str  # "Monat" | "Veranstaltung"
    text: str


#: normalize_key(Akquise) → expectation; seed 000, 2.1 Akquise.
EXPECTATIONS: dict[str, Expectation] = {
    "vamv": Expectation(1, 1, "Monat", "1 je Monat"),
    "kontaktstellefamilieberuf": Expectation(2, 3, "Monat", "2–3 je Monat"),
    "beratungstag": Expectation(4, 5, "Veranstaltung", "4–5 je Veranstaltung"),
}


@dataclass
class Table:
    """One block of the `Auswertung` sheet: a heading, a small frame and how to chart it.

    The first column holds the categories; `chart_columns` are the numeric series to plot.
    `rows_are_series` plots each row as a series over the other columns (months).
    """

    key: str
    title: str
    frame: pd.DataFrame
    chart: str | None = None  # "column" | "stacked" | "bar" | "pie" | None
    chart_columns: tuple[str, ...] = ()
    rows_are_series: bool = False
    y_title: str = ""
    note: str = ""
    percent_columns: tuple[str, ...] = ()
    secondary_columns: tuple[str, ...] = ()  # a line chart's series on a second (percent) axis
    chart_rows: tuple[int, int] | None = None  # only these rows (start, stop) in the chart


@dataclass
class QuarterlyExport:
    period: Period
    kunden: pd.DataFrame  # KUNDEN_COLUMNS
    doku: pd.DataFrame  # DOKU_COLUMNS present in the workbook
    tables: list[Table]
    info: list[tuple[str, Any]]
    scrubbed: dict[str, int] = field(default_factory=dict)
    k: int = 0  # smallest group sharing Erstkontakt, Akquise, Berater (0: no customers)
    ids_replaced: int = 0  # distinct IDs written as export pseudonyms
    coarse: bool = False  # Erstkontakt written as month


# ----------------------------------------------------------------------------- helpers


def lenient_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates of a column (`datetime64`), also from German text; and which cells needed that.

    Once per distinct value (a KundenDoku's 300,000 dates are a few thousand days).
    """
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    # True, 1 and 1.0 are one value to pandas, but not one date: such a column cell by cell
    if 2 * len(uniques) > len(arr) or any(type(u) is bool for u in uniques) or (
            any(type(u) in (int, float) and u in (0, 1) for u in uniques) and any(type(v) is bool for v in arr)):
        return _lenient_dates(values)
    dates, guessed = _lenient_dates(pd.Series(uniques, dtype=object))
    at = np.append(dates.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))[codes]
    return (pd.Series(at, index=values.index, dtype="datetime64[ns]"),
            pd.Series(np.append(guessed.to_numpy(dtype=bool), False)[codes], index=values.index))


def _lenient_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`lenient_dates` cell by cell: only the cells the strict `to_dates` rejects go through
    the scalar parser."""
    dates = to_dates(values)
    guessed = pd.Series(False, index=values.index)
    missing = dates.isna()
    unclear = missing[missing].index
    unclear = unclear[[not is_blank(v) for v in values[unclear].tolist()]]
    for i in unclear:
        parsed = parse_date(values[i])
        if parsed is not None and parsed.date is None and parsed.suggestion:
            dates[i] = pd.Timestamp(parsed.suggestion)
            guessed[i] = True
    return dates, guessed


def _canonical(values: pd.Series, list_name: str, lists: ValueLists) -> pd.Series:
    """List values in their list spelling (other text as it is), once per distinct value."""
    texts = to_texts(values)
    matched = {u: lists.match(list_name, u) for u in pd.unique(texts) if u}
    return texts.map({u: m or u for u, m in matched.items()} | {"": ""}).astype(object)


def _in(dates: pd.Series, period: Period) -> pd.Series:
    return (dates >= pd.Timestamp(period.start)) & (dates <= pd.Timestamp(period.end))


def _status_at_end(p: Prepared, end: pd.Timestamp) -> pd.Series:
    """Recorded status; `abgeschlossen` with entries after `end` was still open then."""
    later = _has_entry(p, (p.datum > end).to_numpy())
    reopened = (p.status == STATUS_ABGESCHLOSSEN).to_numpy() & later
    return p.status.where(~reopened, STATUS_IN_BERATUNG)


def _has_entry(p: Prepared, entries: np.ndarray) -> np.ndarray:
    """Per Kundenliste row, whether its ID (not blank) is the ID of one of the `entries`
    (mask over the KundenDoku rows): the customers' and the entries' ID keys as numbers
    (`outcomes.Codes`, made once), not a set of a million ID texts (issue 18)."""
    from .outcomes import Codes  # it builds on this module

    codes = Codes.of(p)
    return codes.among(codes.doku[entries], codes.kunden)


@dataclass
class Prepared:
    """The workbook's two sheets with typed columns, shared by the export and the view."""

    ids: pd.Series
    erst: pd.Series
    erst_guessed: pd.Series
    status: pd.Series  # canonical list spelling or raw text
    doku_ids: pd.Series
    datum: pd.Series
    datum_guessed: pd.Series
    held: np.ndarray  # per entry: a Gespräch took place (not a no-show or contact attempt, issue 16)
    codes: Any = field(default=None, repr=False, compare=False)  # outcomes.Codes, made once on first use


def prepare(data: WorkbookData) -> Prepared:
    """The workbook's columns parsed once (dates, ID keys), shared by every export table."""
    k, d = data.kunden, data.doku
    erst, erst_guessed = lenient_dates(k["Erstkontakt"])
    datum, datum_guessed = lenient_dates(d["Datum"])
    status = _canonical(k["Status"], "Status", data.lists)
    # one ID key as everywhere (core/idkey.py): `k7m4q3` in the KundenDoku is customer K7M4Q3
    ids, doku_ids, _ = link(k["ID"], d["ID"])
    held = ~_not_held(d).to_numpy(dtype=bool)
    return Prepared(ids, erst, erst_guessed, status, doku_ids, datum, datum_guessed, held)


def data_at_period_end(data: WorkbookData, period: Period, prepared: Prepared | None = None) -> WorkbookData:
    """The workbook as it stood at the period's end, for the overdue engine.

    Customers whose Erstkontakt lies after the end (or is unreadable and who have no entry by
    then) did not exist yet; entries after the end had not happened; a case closed later was
    still open (see `_status_at_end`).  `prepared` (from `prepare(data)`) saves reading the
    dates twice when the export is built from the same workbook.
    """
    p = prepared or prepare(data)
    end = pd.Timestamp(period.end)
    existed, status = state_at_end(p, end)
    kunden = data.kunden.copy()
    kunden["Status"] = status.where(status != "", None)
    kunden = kunden[existed.to_numpy()]
    doku = data.doku[(p.datum <= end).to_numpy()]
    return dataclasses.replace(data, kunden=kunden, doku=doku)


def state_at_end(p: Prepared, end: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """(which customers existed at `end`, their Status then) as `data_at_period_end` sees them."""
    before = _has_entry(p, (p.datum <= end).to_numpy())
    existed = (p.erst <= end) | (p.erst.isna() & before)
    return existed, _status_at_end(p, end)


# ----------------------------------------------------------------------------- the export


def build_export(data: WorkbookData, period: Period, assessment: pd.DataFrame | None = None,
                 regelwerk: str = "", scrubber: Scrubber | None = None,
                 prepared: Prepared | None = None, key: str = "", stable_key: bool = True,
                 coarse: bool = False, trend: dict[dt.date, pd.DataFrame] | None = None) -> QuarterlyExport:
    """Everything the export file holds, with no personal data left in it.

    `assessment` is the overdue engine's frame for `data_at_period_end(data, period)` at
    `period.end` (None: the overdue share is reported as not computed); `regelwerk` its name.
    `key` is the workbook's export key for ID pseudonyms (core/pseudonym.py); `stable_key`
    False says it was made for this export only.  `coarse` writes Erstkontakt as its month.
    `trend` is the engine's frame per day of `outcomes.trend_days` (the overdue share of the
    development table).  Every value goes through one `Gate` (core/gate.py).
    """
    from .outcomes import outcome_tables  # it builds on this module's helpers
    k, d = data.kunden, data.doku
    p = prepared or prepare(data)
    scrubber = scrubber or build_scrubber(k)
    if not key:  # no key in the workbook: pseudonyms hold within this export only
        key, stable_key = new_key(), False
    gate = make_gate(data, scrubber, key)
    before = dict(scrubber.counts)
    end = pd.Timestamp(period.end)

    in_period = _in(p.datum, period)
    new = _in(p.erst, period)
    chosen = new | _has_entry(p, in_period.to_numpy())
    status_end = _status_at_end(p, end)

    # --- list columns and counsellors: verbatim when listed, else scrubbed (for every row:
    # the Auswertung counts customers outside the export too)
    akquise = gate.listed(k["Akquise"], "Akquise")
    status_out = gate.listed(status_end, "Status")
    berater = gate.berater(k["Berater"])
    kunden = pd.DataFrame({
        "ID": p.ids,
        "Erstkontakt": _date_or_text(k["Erstkontakt"], p.erst),
        "Akquise": akquise,
        "Status": status_out,
        "Berater": berater,
    }, index=k.index)[chosen.to_numpy()]
    ergebnis = gate.listed(k["Ergebnis"], "Ergebnis") if _has_column(data, KUNDENLISTE, "Ergebnis") else (
        pd.Series("", index=k.index, dtype=object))

    doku_sel = d[in_period.to_numpy()]
    doku = pd.DataFrame({"Datum": p.datum[in_period], "ID": p.doku_ids[in_period],
                         "Berater": gate.berater(doku_sel["Berater"])}, index=doku_sel.index)
    for col in ("Zusammenfassung", "Vereinbarungen"):
        doku[col] = to_texts(doku_sel[col])
    folge_dates, _ = lenient_dates(doku_sel["Folgetermin"])
    doku["Folgetermin"] = _date_or_text(doku_sel["Folgetermin"], folge_dates)
    for col in ("Kontaktart", "Vermerkart"):
        if _has_column(data, KUNDENDOKU, col):
            doku[col] = gate.listed(doku_sel[col], col)

    # --- one scrubbing run over every free-text cell that leaves the workbook
    targets: list[tuple[pd.DataFrame, str, pd.Series]] = [
        (doku, "Zusammenfassung", pd.Series(True, index=doku.index)),
        (doku, "Vereinbarungen", pd.Series(True, index=doku.index)),
        (doku, "Folgetermin", doku["Folgetermin"].map(lambda v: isinstance(v, str))),
        (kunden, "Erstkontakt", kunden["Erstkontakt"].map(lambda v: isinstance(v, str))),
    ]
    _scrub_in_place(scrubber, targets)
    if coarse:
        kunden["Erstkontakt"] = kunden["Erstkontakt"].map(
            lambda v: f"{v.year:04d}-{v.month:02d}" if isinstance(v, dt.date) else v)

    doku = doku.assign(_order=doku_sel[ROW].to_numpy()).sort_values(["Datum", "_order"], kind="stable")
    doku = doku.drop(columns="_order").reset_index(drop=True)
    kunden = kunden.reset_index(drop=True)

    regelwerk_out = gate.text(regelwerk) if regelwerk else ""
    tables = _analysis(data, p, period, chosen, new, status_out, akquise,
                       ergebnis, doku, berater, assessment, regelwerk_out, gate)
    tables += outcome_tables(data, p, period, status_end, akquise, berater, trend)
    # IDs last: the tables above match entries to customers by the workbook's own IDs
    kunden["ID"] = gate.ids(kunden["ID"])
    doku["ID"] = gate.ids(doku["ID"])
    scrubbed = {ph: scrubber.counts.get(ph, 0) - before.get(ph, 0) for ph in PLACEHOLDERS}
    scrubbed = {ph: n for ph, n in scrubbed.items() if n or ph in BASIC_PLACEHOLDERS}
    k_min = smallest_group(kunden)
    guessed = int(p.erst_guessed[chosen].sum() + p.datum_guessed[in_period].sum())
    undated = int(p.datum.isna().sum())  # empty rows are not records: every row here has content
    info: list[tuple[str, Any]] = [
        ("Zeitraum", period.description),
        ("Bezeichnung", period.label),
        ("von", period.start),
        ("bis", period.end),
        ("Kunden im Export", len(kunden)),
        ("davon Erstkontakt im Zeitraum", int(new.sum())),
        ("Einträge im Export (KundenDoku)", len(doku)),
        ("Einträge ohne lesbares Datum (nicht exportiert)", undated),
        ("Datumsangaben nicht im ISO-Format (übernommen)", guessed),
        ("Regelwerk für Überfälligkeit", regelwerk_out or "nicht berechnet"),
        ("Erstkontakt im Export", "Monat (vergröbert)" if coarse else "Tag"),
        (K_LABEL, k_min if k_min else "– (keine Kunden)"),
        ("IDs durch Export-Pseudonym ersetzt", len(gate.replaced_ids)),
        ("Export-Pseudonyme", "gleich in jedem Export (Schlüssel im ID-Register)" if stable_key
         else "nur in dieser Datei gleich (die Mappe hat noch keinen Export-Schlüssel im ID-Register)"),
    ] + [(f"Ersetzt durch {ph}", n) for ph, n in scrubbed.items()]
    return QuarterlyExport(period, kunden, doku, tables, info, scrubbed, k_min, len(gate.replaced_ids), coarse)


#: The Info sheet's line for k (SPEC §6).
K_LABEL = "k (kleinste Gruppe mit gleichem Erstkontakt, Akquise, Berater)"
#: Placeholders the Info sheet always lists (others only when they occurred).
BASIC_PLACEHOLDERS = ("[Name]", "[Adresse]", "[Telefon]", "[E-Mail]", "[Geburtsdatum]", "[IBAN]")
#: The quasi-identifiers of the export's Kundenliste.
QUASI_IDENTIFIERS = ("Erstkontakt", "Akquise", "Berater")


def smallest_group(kunden: pd.DataFrame) -> int:
    """k: how many customers the smallest group sharing Erstkontakt, Akquise and Berater (as
    written in the export) has; 0 for an export without customers."""
    if kunden.empty:
        return 0
    keys = pd.DataFrame({c: _as_written(kunden[c]) for c in QUASI_IDENTIFIERS})
    return int(keys.groupby(list(QUASI_IDENTIFIERS), sort=False).size().min())


def _as_written(values: pd.Series) -> pd.Series:
    """Each cell as the text it is written as ("" for None), once per distinct value: a
    column of dates, list values and counsellors has few (issue 18).  Values that pandas
    counts as one but that read differently (NaN beside None, True beside 1) go cell by cell."""
    arr = values.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if (codes < 0).any() and any(v is not None for v in arr[codes < 0]) or any(
            u.__class__ in (bool, int, float) for u in uniques):
        return pd.Series(["" if v is None else str(v) for v in arr], index=values.index, dtype=object)
    table = np.array(["" if u is None else str(u) for u in uniques] + [""], dtype=object)
    return pd.Series(table[codes], index=values.index, dtype=object)


def _has_column(data: WorkbookData, sheet: str, name: str) -> bool:
    """Whether the workbook has the column (the model adds missing optional ones as blanks)."""
    layout = data.layouts.get(sheet)
    if layout is not None:
        return name in layout.columns
    frame = data.kunden if sheet == KUNDENLISTE else data.doku
    return name in frame.columns and not frame[name].map(is_blank).all()


def _date_or_text(raw: pd.Series, dates: pd.Series) -> pd.Series:
    """A date where one could be read, else the cell's text (to be scrubbed), else None."""
    out = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    ok = dates.notna()
    out[ok] = dates[ok].dt.date
    if (~ok).any():
        texts = to_texts(raw[~ok])
        texts = texts[texts != ""]
        out[texts.index] = texts
    return out


def _scrub_in_place(scrubber: Scrubber, targets: list[tuple[pd.DataFrame, str, pd.Series]]) -> None:
    values: list[object] = []
    spans: list[tuple[pd.DataFrame, str, pd.Index]] = []
    for frame, col, mask in targets:
        idx = mask[mask.astype(bool)].index.intersection(frame.index)
        spans.append((frame, col, idx))
        values += frame.loc[idx, col].tolist()
    cleaned = scrubber.scrub_many(values)
    pos = 0
    for frame, col, idx in spans:
        part = cleaned[pos:pos + len(idx)]
        pos += len(idx)
        if len(idx):
            frame[col] = frame[col].astype(object)
            frame.loc[idx, col] = [c if c else None for c in part]


# ----------------------------------------------------------------------------- Auswertung


def _analysis(data: WorkbookData, p: Prepared, period: Period, chosen: pd.Series, new: pd.Series,
              status_end: pd.Series, akquise: pd.Series,
              ergebnis: pd.Series, doku: pd.DataFrame, berater: pd.Series,
              assessment: pd.DataFrame | None, regelwerk: str, gate: Gate) -> list[Table]:
    """The Auswertung tables, only from values that passed the gate (`status_end`, `akquise`,
    `berater`, `ergebnis` and `doku` are gated; the assessment's counsellors go through it here)."""
    end = pd.Timestamp(period.end)
    missed = _not_held(doku)  # issue 16: in the export's KundenDoku, but no Gespräch
    doku = doku[~missed]
    sources = _source_order(akquise[new], data.lists)
    by_month = _new_by_month(akquise[new], p.erst[new], sources, period)
    expect = _expectations(akquise[new], p.erst[new], sources, period)
    existed = (p.erst <= end)
    status = _status_table(status_end[existed], data.lists)
    per_berater = _per_berater(doku, p, berater)
    per_customer = _per_customer(p.ids[chosen], doku)
    closed = _closed(p, status_end, ergebnis, period)
    overdue, late = _overdue(assessment, regelwerk, gate)

    talks = len(doku)
    customers_with_talk = doku.loc[doku["ID"] != "", "ID"].nunique()
    counts = per_customer.attrs["counts"]
    key = pd.DataFrame({"Kennzahl": [
        "Neue Kunden (Erstkontakt im Zeitraum)", "Kunden im Export",
        "Gespräche (KundenDoku-Einträge ohne Nichterscheinen und Kontaktversuche)",
        "Nicht erschienen oder Kontaktversuch (kein Gespräch)",
        "Kunden mit Gespräch", "Gespräche je Kunde mit Gespräch (Durchschnitt)",
        "Gespräche je Kunde mit Gespräch (Median)", "Abgeschlossene Fälle im Zeitraum",
        "Aktive Kunden am Periodenende", "davon überfällig", "Anteil überfällig",
    ], "Wert": [
        int(new.sum()), int(chosen.sum()), talks, int(missed.sum()), int(customers_with_talk),
        round(talks / customers_with_talk, 2) if customers_with_talk else 0,
        float(np.median(counts[counts > 0])) if (counts > 0).any() else 0,
        int(closed.frame["Fälle"].sum()) if len(closed.frame) else 0,
        late["active"], late["overdue"], _percent(late["share"]),
    ]}, dtype=object)
    return [
        Table("kennzahlen", "Kennzahlen des Zeitraums", key, note=period.description),
        Table("akquise_monat", "Neue Kunden je Akquise-Quelle und Monat", by_month, "stacked",
              tuple(period.months()), rows_are_series=True, y_title="Neue Kunden",
              note="Monat des Erstkontakts; Randmonate zählen nur ihre Tage im Zeitraum."),
        Table("akquise_erwartung", "Neue Kunden je Quelle gegen die Erwartung (Prozessbeschreibung)",
              expect, "column", ("Neue Kunden", "Erwartung von", "Erwartung bis"), y_title="Kunden",
              note="Beratungstag: jeder Erstkontakt-Tag eines Beratungstag-Kunden zählt als eine Veranstaltung."),
        Table("status", "Status am Periodenende (alle Kunden mit Erstkontakt bis dahin)", status, "pie",
              ("Kunden",), percent_columns=("Anteil",)),
        Table("berater", "Gespräche je Beraterin/Berater", per_berater, "bar",
              ("Gespräche", "Kunden"), y_title="Anzahl"),
        Table("gespraeche_kunde", "Gespräche je Kunde im Zeitraum", per_customer, "column",
              ("Kunden",), y_title="Kunden",
              note="Alle Kunden des Exports; 0 = Erstkontakt im Zeitraum, aber noch kein Gespräch."),
        closed,
        overdue,
    ]


def _not_held(doku: pd.DataFrame) -> pd.Series:
    """Entries recording a no-show or a contact attempt (`model.NEVER_CONTACT`): no Gespräch."""
    from .columns import per_unique

    out = pd.Series(False, index=doku.index)
    for col, word in NEVER_CONTACT.items():
        if col in doku.columns:
            key = normalize_key(word)
            # once per distinct value; a blank is "" (as fillna("").astype(str) made it)
            hit = per_unique(doku[col], lambda v, key=key: normalize_key("" if v is None else str(v)) == key)[0]
            out |= hit.astype(bool)
    return out


def _percent(share: Any) -> str:
    """`0.7352` → `73,5 %` (German); blank stays blank."""
    if share == "" or share is None:
        return ""
    return f"{share * 100:.1f} %".replace(".", ",")


def _source_order(akquise: pd.Series, lists: ValueLists) -> list[str]:
    listed = list(lists.get("Akquise"))
    seen = [a for a in pd.unique(akquise) if a and a not in listed]
    out = listed + sorted(seen)
    if (akquise == "").any():
        out.append(OHNE_ANGABE)
    return out


def _new_by_month(akquise: pd.Series, erst: pd.Series, sources: list[str], period: Period) -> pd.DataFrame:
    months = period.months()
    label = akquise.where(akquise != "", OHNE_ANGABE)
    month = erst.dt.strftime("%Y-%m")
    table = pd.crosstab(label, month) if len(label) else pd.DataFrame()
    frame = pd.DataFrame({"Akquise": sources})
    for m in months:
        frame[m] = [int(table.at[s, m]) if s in table.index and m in table.columns else 0 for s in sources]
    frame["Summe"] = frame[months].sum(axis=1).astype(int)
    return frame


def _expectations(akquise: pd.Series, erst: pd.Series, sources: list[str], period: Period) -> pd.DataFrame:
    months = period.length_in_months()
    rows = []
    for s in sources:
        mine = akquise == s
        n = int(mine.sum())
        exp = EXPECTATIONS.get(normalize_key(s))
        low = high = None
        basis = "keine Erwartung genannt"
        if exp and exp.per == "Monat":
            low, high = exp.low * months, exp.high * months
            basis = f"{exp.text} × {months:g} Monate"
        elif exp:
            events = int(erst[mine].dt.normalize().nunique())
            low, high = exp.low * events, exp.high * events
            basis = f"{exp.text} × {events} Tage"
            if events:
                basis += f" (Ist {n / events:.1f})".replace(".", ",")
        if low is None:
            verdict = "–"
        elif n < low:
            verdict = "unter Erwartung"
        elif n > high:
            verdict = "über Erwartung"
        else:
            verdict = "im Rahmen"
        rows.append({"Akquise": s, "Neue Kunden": n, "Erwartung von": low, "Erwartung bis": high,
                     "Bewertung": verdict, "Grundlage": basis})
    return pd.DataFrame(rows, columns=["Akquise", "Neue Kunden", "Erwartung von", "Erwartung bis",
                                       "Bewertung", "Grundlage"])


def _status_table(status: pd.Series, lists: ValueLists) -> pd.DataFrame:
    order = list(lists.get("Status")) or [STATUS_NEU, STATUS_IN_BERATUNG, STATUS_ABGESCHLOSSEN]
    label = status.where(status != "", OHNE_ANGABE)
    extra = sorted(set(label) - set(order) - {OHNE_ANGABE}) + ([OHNE_ANGABE] if (label == OHNE_ANGABE).any() else [])
    counts = label.value_counts()
    names = order + extra
    frame = pd.DataFrame({"Status": names, "Kunden": [int(counts.get(s, 0)) for s in names]})
    total = frame["Kunden"].sum()
    frame["Anteil"] = frame["Kunden"] / total if total else 0.0
    return frame


def _per_berater(doku: pd.DataFrame, p: Prepared, berater: pd.Series) -> pd.DataFrame:
    """Conversations per counsellor: the entry's Berater, else the customer's (both gated)."""
    customer_berater = pd.Series(berater.to_numpy(), index=p.ids.to_numpy())
    customer_berater = customer_berater[~customer_berater.index.duplicated()]
    # as objects before the blanks are filled: with no customer known the look-up is all NaN,
    # a float column, which pandas 4 will not fill with text
    who = doku["Berater"].where(doku["Berater"] != "", doku["ID"].map(customer_berater).astype(object).fillna(""))
    who = who.where(who != "", OHNE_ANGABE)
    frame = pd.DataFrame({"Berater": who, "ID": doku["ID"]})
    if frame.empty:
        return pd.DataFrame(columns=["Berater", "Gespräche", "Kunden", "Gespräche je Kunde"])
    g = frame.groupby("Berater", sort=True)
    out = pd.DataFrame({"Gespräche": g.size(), "Kunden": g["ID"].nunique()}).reset_index()
    out["Gespräche je Kunde"] = (out["Gespräche"] / out["Kunden"]).round(2)
    if "Kontaktart" in doku.columns:
        art = doku["Kontaktart"].fillna("")
        persoenlich = art.map({u: normalize_key(u) == "persoenlich" for u in pd.unique(art)}).astype(bool)
        by_berater = persoenlich.groupby(who, sort=False).sum()  # one pass, not one per counsellor
        out["davon persönlich"] = [int(by_berater.get(b, 0)) for b in out["Berater"]]
    return out.sort_values("Gespräche", ascending=False, kind="stable").reset_index(drop=True)


def _per_customer(ids: pd.Series, doku: pd.DataFrame) -> pd.DataFrame:
    counts_by_id = doku.loc[doku["ID"] != "", "ID"].value_counts()
    counts = ids.map(counts_by_id).fillna(0).astype(int).to_numpy()
    labels = ["0", "1", "2", "3", "4", "5 und mehr"]
    bucket = np.minimum(counts, 5)
    frame = pd.DataFrame({"Gespräche": labels, "Kunden": [int((bucket == i).sum()) for i in range(6)]})
    frame.attrs["counts"] = counts
    return frame


def _closed(p: Prepared, status_end: pd.Series, ergebnis: pd.Series, period: Period) -> Table:
    from .outcomes import Codes  # it builds on this module

    # each customer's latest entry and number of entries, by the ID numbers (`Codes`) rather
    # than by grouping a million ID texts; a customer without an ID has the latest of the
    # entries without one (as grouping by the texts gave), and no entries to count
    codes = Codes.of(p)
    last = codes.per_customer(p.datum, np.ones(len(p.datum), dtype=bool), "max", p.ids.index)
    blank = codes.kunden < 0  # Codes number every ID but the blank one
    if blank.any() and (codes.doku < 0).any():
        last[blank] = p.datum[codes.doku < 0].max()
    when = last.where(last.notna(), p.erst)
    closed = (status_end == STATUS_ABGESCHLOSSEN) & _in(when, period)
    entries = np.append(np.bincount(codes.doku[codes.doku >= 0], minlength=codes.count), 0)
    talks = pd.Series(entries[codes.kunden[closed.to_numpy()]], index=p.ids.index[closed.to_numpy()]).astype(int)
    outcome = ergebnis[closed].fillna("").astype(str).str.strip()
    outcome = outcome.where(outcome != "", NICHT_ERFASST)
    first_spelling = {}
    for o in outcome:
        first_spelling.setdefault(normalize_key(o) or o, o)
    outcome = outcome.map(lambda o: first_spelling[normalize_key(o) or o])
    frame = pd.DataFrame({"Ergebnis": outcome, "talks": talks})
    if frame.empty:
        out = pd.DataFrame(columns=["Ergebnis", "Fälle", "Gespräche bis Abschluss (Durchschnitt)"])
    else:
        g = frame.groupby("Ergebnis", sort=False)
        out = pd.DataFrame({"Fälle": g.size(), "Gespräche bis Abschluss (Durchschnitt)":
                            g["talks"].mean().round(1)}).reset_index()
        out = out.sort_values(["Fälle", "Ergebnis"], ascending=[False, True], kind="stable")
        if len(out) > 12:  # free text: keep the chart readable
            head, tail = out.iloc[:11], out.iloc[11:]
            rest = pd.DataFrame({"Ergebnis": ["sonstige"], "Fälle": [int(tail["Fälle"].sum())],
                                 "Gespräche bis Abschluss (Durchschnitt)": [
                                     round(float((tail["Fälle"] * tail["Gespräche bis Abschluss (Durchschnitt)"]).sum()
                                                 / tail["Fälle"].sum()), 1)]})
            out = pd.concat([head, rest], ignore_index=True)
        out = out.reset_index(drop=True)
    return Table("abschluesse", "Abgeschlossene Fälle im Zeitraum nach Ergebnis", out, "pie", ("Fälle",),
                 note="Spalte „Ergebnis“ der Kundenliste, wo erfasst (Werte der Liste; anderer Text anonymisiert).")


def _overdue(assessment: pd.DataFrame | None, regelwerk: str, gate: Gate) -> tuple[Table, dict[str, Any]]:
    """Share of active customers overdue at the period's end, per counsellor and in total."""
    columns = ["Berater", "Aktive Kunden", "bewertbar", "überfällig", "Anteil überfällig"]
    if assessment is None:
        return (Table("ueberfaellig", "Überfällige Kontakte am Periodenende", pd.DataFrame(columns=columns),
                      note="nicht berechnet (kein Regelwerk)"), {"active": "", "overdue": "", "share": ""})
    status = assessment["status"]
    keys = {u: normalize_key(u) for u in pd.unique(status)}  # once per distinct value
    a = assessment[status.map(keys) != normalize_key(STATUS_ABGESCHLOSSEN)]
    gated = gate.berater(a["berater"])
    who = gated.where(gated != "", OHNE_ANGABE)
    rows = []
    for name in sorted(set(who)) + ["Gesamt"]:
        mine = a if name == "Gesamt" else a[who == name]
        assessable = int(mine["assessable"].sum())
        late = int((mine["overdue"] & mine["assessable"]).sum())
        rows.append({"Berater": name, "Aktive Kunden": len(mine), "bewertbar": assessable,
                     "überfällig": late, "Anteil überfällig": late / assessable if assessable else 0.0})
    frame = pd.DataFrame(rows, columns=columns)
    total = rows[-1]
    table = Table("ueberfaellig", f"Überfällige Kontakte am Periodenende (Regelwerk {regelwerk})", frame,
                  "column", ("Aktive Kunden", "überfällig"), y_title="Kunden",
                  percent_columns=("Anteil überfällig",),
                  note="Aktiv = nicht abgeschlossen am Periodenende; Anteil = überfällig / bewertbar.")
    return table, {"active": total["Aktive Kunden"], "overdue": total["überfällig"],
                   "share": round(total["Anteil überfällig"], 4)}
