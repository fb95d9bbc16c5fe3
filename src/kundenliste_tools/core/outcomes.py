"""The Auswertung's answers to seed 000's Analyse questions (issue 19): what works, are we
getting closer, at what effort.

The counselling's goal is "dass er eigenständig eine Stelle findet"; a case ends with an
`Ergebnis` (the Listen sheet's list, default from seed 000).  These tables look at the whole
workbook up to the period's end, not only at the period, because a success rate of one quarter
says little and an analyst otherwise rebuilds the history by hand from several exports.

Decisions where issue and seed are silent:
* A case is closed when its Status at the period's end is `abgeschlossen` (core/quarterly.py's
  `_status_at_end`); it closed on `Abschluss am`, else on the day of the customer's latest
  entry up to the period's end, else on its Erstkontakt.  The workbook keeps no status
  history, so an earlier quarter counts the cases closed in it that are still closed now.
* An `Ergebnis` counts as the list entry it is or starts with: `Arbeitsstelle nicht
  angenommen: Schichtdienst` is "Arbeitsstelle nicht angenommen" with the seed's "Erklärung
  warum" (validation warns about it all the same).  Success is "Arbeitsstelle angenommen";
  the success rate is angenommen / closed.
* Days are counted from Erstkontakt; an entry or closing before the Erstkontakt counts 0 days.
  "Gespräche bis zum Abschluss" are the customer's entries up to the closing day.
* Small cells: a figure drawn from the outcome or the duration of single cases (angenommen,
  success rate, medians, means) is left empty where fewer than `MIN_CASES` cases make it: the
  export carries each customer's source, counsellor, status and entries, so a group of one or
  two closed cases would tell their Ergebnis and closing day.  Counts of customers and of
  closed cases stay: the export's Kundenliste already shows them.
* "Entwicklung der letzten 8 Quartale": the calendar quarters up to the one the period ends
  in, that one only up to the period's end; quarters before the workbook's first Erstkontakt
  or entry are left out.  The overdue share at each quarter's end comes from the overdue
  engine, run by the use case through `trend_assessments` (the same verdicts as the engine
  on `view_at` at the period's end and on `earlier_views` for the quarters before).
* Folgetermine: an appointment is one (customer, Folgetermin day) from the entries up to the
  period's end; kept when an entry of that customer dated after the appointment was made lies
  within `KEPT_DAYS` of it, missed when not, and still open while that window reaches past
  the period's end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pandas as pd

from .book import WorkbookData
from .model import (
    ERGEBNIS_ANGENOMMEN,
    STATUS_ABGESCHLOSSEN,
    STATUS_IN_BERATUNG,
    ValueLists,
    normalize_key,
)
from .periods import Period, quarter
from .quarterly import OHNE_ANGABE, Prepared, Table, data_at_period_end, lenient_dates, state_at_end
from .rules import RuleSet
from .values import is_blank, to_texts

#: Fewer closed cases than this: no figure from their outcome or duration (see above).
MIN_CASES = 3
#: Quarters of the development table.
QUARTERS = 8
#: An entry this many days before or after a Folgetermin keeps it.
KEPT_DAYS = 7

SMALL_NOTE = f"Leer: weniger als {MIN_CASES} abgeschlossene Fälle (kein Rückschluss auf einzelne Kunden)."


@dataclass
class Cases:
    """Per Kundenliste row (index of `data.kunden`), what the tables need, up to the period's end."""

    erst: pd.Series  # datetime64, NaT unreadable
    existed: pd.Series  # Erstkontakt on or before the period's end
    closed: pd.Series  # abgeschlossen at the period's end, closed on or before it
    closing: pd.Series  # the closing day (NaT: not closed)
    success: pd.Series  # closed with "Arbeitsstelle angenommen"
    talks: pd.Series  # entries up to the closing day (closed) or the period's end
    first_talk: pd.Series  # the first entry's day up to the period's end (NaT: none)


def _column(data: WorkbookData, name: str) -> pd.Series:
    """A Kundenliste column, blanks where the workbook has none."""
    k = data.kunden
    return k[name] if name in k.columns else pd.Series(None, index=k.index, dtype=object)


def outcome_keys(values: pd.Series, lists: ValueLists) -> pd.Series:
    """Each Ergebnis as the normalised key of the list entry it is or starts with ("" for none)."""
    texts = to_texts(values)
    entries = {normalize_key(e): e for e in lists.get("Ergebnis")}
    entries.setdefault(normalize_key(ERGEBNIS_ANGENOMMEN), ERGEBNIS_ANGENOMMEN)

    def key_of(text: str) -> str:
        if not text:
            return ""
        hit = lists.match("Ergebnis", text)
        if hit:
            return normalize_key(hit)
        key = normalize_key(text)
        lead = [k for k in entries if len(k) >= 6 and key.startswith(k)]
        return max(lead, key=len) if lead else key

    mapping = {u: key_of(u) for u in pd.unique(texts)}
    return texts.map(mapping).astype(object)


@dataclass
class Codes:
    """The workbook's ID texts as numbers (-1: no ID), Kundenliste and KundenDoku alike: the
    tables look entries up by customer many times, and numbers are what pandas does fast."""

    kunden: np.ndarray
    doku: np.ndarray
    count: int

    @classmethod
    def of(cls, p: Prepared) -> Codes:
        """One numbering over both sheets' IDs (an entry's number is its customer's); made
        once per `Prepared` (the trend and the tables both need it)."""
        if p.codes is None:
            p.codes = cls._of(p)
        return p.codes

    @classmethod
    def _of(cls, p: Prepared) -> Codes:
        k, d = p.ids.to_numpy(dtype=object), p.doku_ids.to_numpy(dtype=object)
        codes, uniques = pd.factorize(np.concatenate([k, d]))
        codes = np.asarray(codes).copy()
        for blank in np.flatnonzero(np.asarray(uniques, dtype=object) == ""):
            codes[codes == blank] = -1
        return cls(codes[:len(k)], codes[len(k):], len(uniques))

    def among(self, found: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        """Whether each of `numbers` is one of the ID numbers `found` (-1, no ID, never is)."""
        hit = np.zeros(self.count + 1, dtype=bool)  # the last slot, for -1, stays False
        hit[found[found >= 0]] = True
        return hit[numbers]

    def per_customer(self, days: pd.Series, mask: np.ndarray, how: str, index: pd.Index) -> pd.Series:
        """The first (`min`) or latest (`max`) of the entries' `days` under `mask`, per
        Kundenliste row (NaT where there is none)."""
        sel = mask & (self.doku >= 0)
        out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
        if not sel.any() or not len(index):
            return out
        by_code = pd.Series(days.to_numpy()[sel]).groupby(self.doku[sel]).agg(how)
        found = by_code.reindex(self.kunden).to_numpy()
        out[:] = pd.to_datetime(found)
        return out


def closing_days(data: WorkbookData, p: Prepared, end: pd.Timestamp, codes: Codes | None = None) -> pd.Series:
    """The day each case closed (or would have): `Abschluss am`, else the latest entry up to
    `end`, else the Erstkontakt."""
    codes = codes or Codes.of(p)
    abschluss, _ = lenient_dates(_column(data, "Abschluss am"))
    latest = codes.per_customer(p.datum, (p.datum <= end).to_numpy(), "max", p.ids.index)
    return abschluss.where(abschluss.notna(), latest.where(latest.notna(), p.erst))


def cases(data: WorkbookData, p: Prepared, status_end: pd.Series, period: Period,
          codes: Codes | None = None) -> Cases:
    """Every customer's case as it stood at the period's end."""
    codes = codes or Codes.of(p)
    end = pd.Timestamp(period.end)
    existed = p.erst <= end
    closing_all = closing_days(data, p, end, codes)
    closed = (status_end == STATUS_ABGESCHLOSSEN) & (closing_all <= end) & existed
    closing = closing_all.where(closed)
    outcome = outcome_keys(_column(data, "Ergebnis"), data.lists)
    success = closed & (outcome == normalize_key(ERGEBNIS_ANGENOMMEN))

    # conversations only: a no-show or a contact attempt is no Gespräch (issue 16)
    upto = (p.datum <= end).to_numpy() & p.held
    first_talk = codes.per_customer(p.datum, upto, "min", p.ids.index)
    # entries up to each customer's limit (closing day, else the period's end); the first row
    # of an ID speaks for it (duplicate IDs are a validation error)
    limit = closing.where(closing.notna(), end).to_numpy()
    first_row = (codes.kunden >= 0) & ~pd.Series(codes.kunden).duplicated().to_numpy()
    limit_by_code = np.full(codes.count, np.datetime64("NaT"), dtype="datetime64[ns]")
    limit_by_code[codes.kunden[first_row]] = limit[first_row]
    entry = upto & (codes.doku >= 0)
    counted = entry.copy()
    counted[entry] = p.datum.to_numpy()[entry] <= limit_by_code[codes.doku[entry]]
    per_code = np.bincount(codes.doku[counted], minlength=codes.count)
    talks = pd.Series(np.where(codes.kunden >= 0, per_code[np.maximum(codes.kunden, 0)], 0), index=p.ids.index)
    return Cases(p.erst, existed, closed, closing, success, talks, first_talk)


def view_at(data: WorkbookData, day: dt.date, prepared: Prepared) -> WorkbookData:
    """The workbook as it stood at `day`, for the overdue engine: `data_at_period_end`, and a
    case closed `Abschluss am` after `day` was still open then."""
    view = data_at_period_end(data, Period("stichtag", day, day, ""), prepared)
    if "Abschluss am" not in view.kunden.columns:
        return view
    later, _ = lenient_dates(view.kunden["Abschluss am"])
    reopen = (_is_closed(view.kunden["Status"]) & (later > pd.Timestamp(day))).to_numpy()
    if not reopen.any():
        return view
    kunden = view.kunden.copy()
    kunden.loc[reopen, "Status"] = STATUS_IN_BERATUNG
    return dataclasses.replace(view, kunden=kunden)


def _state_at(data: WorkbookData, day: dt.date, p: Prepared) -> tuple[np.ndarray, pd.Series]:
    """(which customers exist in `view_at(data, day, p)`, every customer's Status cell in it)
    without copying the sheets."""
    end = pd.Timestamp(day)
    existed, status = state_at_end(p, end)
    status = status.where(status != "", None)
    if "Abschluss am" in data.kunden.columns:
        later, _ = lenient_dates(data.kunden["Abschluss am"])
        reopen = (_is_closed(status) & (later > end) & existed).to_numpy()
        status = status.where(~reopen, STATUS_IN_BERATUNG)
    return existed.to_numpy(), status


def _is_closed(status: pd.Series) -> pd.Series:
    """Status `abgeschlossen` in any spelling, once per distinct value."""
    closed = normalize_key(STATUS_ABGESCHLOSSEN)
    mapping = {u: not is_blank(u) and normalize_key(u) == closed for u in pd.unique(status)}
    return status.map(mapping).eq(True)


def earlier_views(data: WorkbookData, period: Period, prepared: Prepared) -> Iterator[tuple[dt.date, WorkbookData]]:
    """(day, the workbook at that day) for the development table's quarter ends before the
    period's end (the use case has the period's own assessment already).

    The same view as `view_at`, for the engine's verdicts, with the work that would repeat
    seven times done once: each customer's first and latest entry; the linking of entries to
    customers (core/idkey.py `link`, over the whole workbook), after which the view carries
    each customer's number instead of the ID text; and only the overdue share is read, which
    leaves closed customers out, so they and their entries are left out before the engine
    runs (in a workbook of some years most customers are closed).  `trend_assessments` judges
    the same customers and entries without building the views.
    """
    p = prepared
    kunden_ids, doku_ids = _linked_numbers(p.ids, p.doku_ids)  # prepare() linked them (idkey.link)
    for day, existed, closed, status in _earlier_states(data, period, p):
        end = pd.Timestamp(day)
        keep = existed & ~closed
        gone = set(kunden_ids[existed & closed]) - set(kunden_ids[keep]) - {""}
        kunden = data.kunden[keep].assign(Status=status[keep].where(status[keep] != "", None),
                                          ID=kunden_ids[keep])
        rows = ((p.datum <= end).to_numpy() & ~pd.Series(doku_ids).isin(gone).to_numpy())
        doku = data.doku[rows].assign(ID=doku_ids[rows])
        yield day, dataclasses.replace(data, kunden=kunden, doku=doku)


def _earlier_states(data: WorkbookData, period: Period,
                    p: Prepared) -> Iterator[tuple[dt.date, np.ndarray, np.ndarray, pd.Series]]:
    """(day, which customers existed then, which of them were closed, every customer's Status
    then) for each quarter end of the development table before the period's end."""
    codes = Codes.of(p)
    every = np.ones(len(p.datum), dtype=bool)
    first = codes.per_customer(p.datum, every, "min", p.ids.index)
    last = codes.per_customer(p.datum, every, "max", p.ids.index)
    abschluss, _ = lenient_dates(_column(data, "Abschluss am"))
    has_id = p.ids != ""
    for day in trend_days(period, p):
        if day == period.end:
            continue
        end = pd.Timestamp(day)
        existed = (p.erst <= end) | (p.erst.isna() & (first <= end) & has_id)
        # core/quarterly.py's `_status_at_end`, then `view_at`'s Abschluss am
        status = p.status.where(~((p.status == STATUS_ABGESCHLOSSEN) & (last > end) & has_id), STATUS_IN_BERATUNG)
        status = status.where(~(_is_closed(status) & (abschluss > end)), STATUS_IN_BERATUNG)
        existed = existed.to_numpy()
        yield day, existed, existed & _is_closed(status).to_numpy(), status


def trend_assessments(data: WorkbookData, period: Period, prepared: Prepared,
                      rules: RuleSet, sentences: bool = True) -> dict[dt.date, pd.DataFrame]:
    """The overdue engine's frame at the period's end (as `assess(view_at(...))`) and at each
    earlier quarter end of the development table (as `assess` of each of `earlier_views`).

    One `overdue.basis` for all the days (issue 18): every column parsed and keyed once,
    each day only selects its customers, their Status and the entries up to it.  The earlier
    days link entries as `earlier_views` does (over the whole workbook, prepare()); the
    period's end as `view_at` does (over the customers existing then).  Of the earlier days
    only the overdue share is read: their `id` column holds ID keys where the views held
    numbers, and their `reason` and reason values (`p_*`) stay empty (`overdue.judge`).
    `sentences` False leaves them empty at the period's end too: the export reads only the
    verdicts and counsellors (`quarterly._overdue`), and a sentence per customer costs as
    much as judging them (issue 18).
    """
    from .idkey import id_keys, link
    from .overdue import basis, judge

    p = prepared
    codes = Codes.of(p)
    whole = basis(data, rules.counts, (p.ids, p.doku_ids), numbers=(codes.kunden, codes.doku))
    existed, status = _state_at(data, period.end, p)
    at_end = np.flatnonzero(existed)
    # `view_at` links the entries up to the end to the customers existing then: an entry linked
    # (over the whole workbook) to one of them links alike; only the others are linked again
    # (an entry after the end has no date up to it either way: the engine never sees it)
    keys = p.doku_ids.to_numpy(dtype=object).copy()
    in_view = (p.datum <= pd.Timestamp(period.end)).to_numpy()
    again = np.flatnonzero(in_view & ~codes.among(codes.kunden[existed], codes.doku))
    if len(again):
        doku_again = data.doku["ID"].iloc[again]  # prepare() keyed the customers already
        keys[again] = link(data.kunden["ID"][existed], doku_again,
                           keys=(p.ids[existed], id_keys(doku_again)))[1].to_numpy()
    out = {period.end: judge(whole.restrict(at_end, status.iloc[at_end], data.lists, keys), rules, period.end,
                             sentences=sentences)[0]}
    for day, existed, closed, status in _earlier_states(data, period, p):
        keep = np.flatnonzero(existed & ~closed)
        status = status.iloc[keep]
        out[day] = judge(whole.restrict(keep, status.where(status != "", None), data.lists), rules, day,
                         sentences=False)[0]
    return out


def _linked_numbers(kunden_keys: pd.Series, doku_keys: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's number (from 2: the engine looks twice at 0 and 1, which hash like
    booleans) and, per entry, the number of the customer it links to; "" for none."""
    codes, uniques = pd.factorize(kunden_keys.where(kunden_keys != "", None).to_numpy(dtype=object))
    index = pd.Index(uniques)
    entry = index.get_indexer(doku_keys.to_numpy(dtype=object)) if len(index) else np.full(len(doku_keys), -1)

    def numbers(pos: np.ndarray) -> np.ndarray:
        out = (pos + 2).astype(object)
        out[pos < 0] = ""
        return out

    return numbers(np.asarray(codes)), numbers(np.asarray(entry))


def trend_windows(period: Period, p: Prepared) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of the quarters of the development table, oldest first."""
    y, q = period.end.year, (period.end.month - 1) // 3 + 1
    windows = []
    for _ in range(QUARTERS):
        cq = quarter(y, q)
        end = min(cq.end, period.end)
        windows.append((cq.label, cq.start, end))
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    windows.reverse()
    starts = [s.min() for s in (p.erst, p.datum) if s.notna().any()]
    if starts:
        first = min(starts).date()
        kept = [w for w in windows if w[2] >= first]
        windows = kept or windows[-1:]
    return windows


def trend_days(period: Period, p: Prepared) -> list[dt.date]:
    """The days the use case runs the overdue engine on (each quarter's last counted day)."""
    return [w[2] for w in trend_windows(period, p)]


def overdue_share(assessment: pd.DataFrame | None) -> float | None:
    """Overdue / assessable among the customers not closed (as the period's own table)."""
    if assessment is None:
        return None
    a = assessment[~_is_closed(assessment["status"]).to_numpy()]
    assessable = int(a["assessable"].sum())
    late = int((a["overdue"] & a["assessable"]).sum())
    return round(late / assessable, 4) if assessable else None


# ----------------------------------------------------------------------------- the tables


def outcome_tables(data: WorkbookData, p: Prepared, period: Period, status_end: pd.Series,
                   akquise: pd.Series, berater: pd.Series,
                   trend: dict[dt.date, pd.DataFrame] | None = None) -> list[Table]:
    """The five tables of issue 19.  `akquise` and `berater` are gated (core/gate.py);
    `trend` holds the overdue engine's frame per day of `trend_days` (None: not computed)."""
    codes = Codes.of(p)
    c = cases(data, p, status_end, period, codes)
    return [
        _trend(c, p, period, trend),
        _success_by(c, akquise, "Akquise", list(data.lists.get("Akquise")), "akquise_erfolg",
                    "Erfolg je Akquise-Quelle", keep_listed=True),
        _success_by(c, berater, "Berater", list(data.lists.get("Berater")), "berater_erfolg",
                    "Erfolg je Berater", keep_listed=False),
        _effort(c),
        _appointments(data, p, period, codes),
    ]


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: pd.Series) -> float | None:
    return round(float(values.median()), 1) if len(values) >= MIN_CASES else None


def _mean(values: pd.Series) -> float | None:
    return round(float(values.mean()), 1) if len(values) >= MIN_CASES else None


def _days(later: pd.Series, erst: pd.Series) -> pd.Series:
    """Whole days from Erstkontakt, 0 for a day before it; rows with either day missing dropped."""
    days = (later - erst).dt.days.dropna()
    return days.clip(lower=0).astype(int)


def _trend(c: Cases, p: Prepared, period: Period, trend: dict[dt.date, pd.DataFrame] | None) -> Table:
    rows = []
    for label, start, end in trend_windows(period, p):
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        closed = c.closed & (c.closing >= s) & (c.closing <= e)
        n_closed = int(closed.sum())
        small = n_closed < MIN_CASES
        won = int((closed & c.success).sum())
        rows.append({
            "Quartal": label,
            "Neue Kunden": int(((c.erst >= s) & (c.erst <= e)).sum()),
            "Gespräche": int((((p.datum >= s) & (p.datum <= e)).to_numpy() & p.held).sum()),
            "Abgeschlossene Fälle": n_closed,
            ERGEBNIS_ANGENOMMEN: None if small else won,
            "Erfolgsquote": None if small else _ratio(won, n_closed),
            "Anteil überfällig": overdue_share(trend.get(end)) if trend is not None else None,
        })
    frame = pd.DataFrame(rows, columns=["Quartal", "Neue Kunden", "Gespräche", "Abgeschlossene Fälle",
                                        ERGEBNIS_ANGENOMMEN, "Erfolgsquote", "Anteil überfällig"], dtype=object)
    note = ("Erfolgsquote = Arbeitsstelle angenommen / abgeschlossene Fälle; Anteil überfällig am "
            f"Quartalsende (Regelwerk der Mappe); das letzte Quartal bis {period.end.isoformat()}. " + SMALL_NOTE)
    return Table("entwicklung", "Entwicklung der letzten 8 Quartale", frame, "line",
                 ("Neue Kunden", "Abgeschlossene Fälle", ERGEBNIS_ANGENOMMEN), y_title="Kunden",
                 note=note, percent_columns=("Erfolgsquote", "Anteil überfällig"),
                 secondary_columns=("Erfolgsquote", "Anteil überfällig"))


def _group_order(labels: pd.Series, listed: list[str], keep_listed: bool) -> list[str]:
    present = set(labels)
    first = [g for g in listed if keep_listed or g in present]
    rest = sorted(present - set(first) - {OHNE_ANGABE})
    return first + rest + ([OHNE_ANGABE] if OHNE_ANGABE in present else [])


def _success_by(c: Cases, groups: pd.Series, name: str, listed: list[str], key: str, title: str,
                keep_listed: bool) -> Table:
    labels = groups.where(groups != "", OHNE_ANGABE)[c.existed]
    rows = []
    for g in _group_order(labels, listed, keep_listed):
        mine = c.existed & (groups.where(groups != "", OHNE_ANGABE) == g)
        closed = mine & c.closed
        n_closed = int(closed.sum())
        small = n_closed < MIN_CASES
        won = int((closed & c.success).sum())
        rows.append({
            name: g,
            "Kunden": int(mine.sum()),
            "Abgeschlossen": n_closed,
            ERGEBNIS_ANGENOMMEN: None if small else won,
            "Erfolgsquote": None if small else _ratio(won, n_closed),
            "Tage bis Abschluss (Median)": _median(_days(c.closing[closed], c.erst[closed])),
            "Gespräche bis Abschluss (Median)": _median(c.talks[closed]),
        })
    frame = pd.DataFrame(rows, columns=[name, "Kunden", "Abgeschlossen", ERGEBNIS_ANGENOMMEN, "Erfolgsquote",
                                        "Tage bis Abschluss (Median)", "Gespräche bis Abschluss (Median)"],
                         dtype=object)
    return Table(key, title, frame, "column", ("Abgeschlossen", ERGEBNIS_ANGENOMMEN), y_title="Fälle",
                 note="Alle Kunden mit Erstkontakt bis zum Periodenende. " + SMALL_NOTE,
                 percent_columns=("Erfolgsquote",))


def _effort(c: Cases) -> Table:
    talked = c.existed & c.first_talk.notna()
    to_first = _days(c.first_talk[talked], c.erst[talked])
    to_close = _days(c.closing[c.closed], c.erst[c.closed])
    talks = c.talks[c.closed]
    won = int(c.success.sum())
    per_success = round(float(talks.sum()) / won, 2) if won >= MIN_CASES else None
    rows = [
        ("Tage vom Erstkontakt bis zum ersten Gespräch", _median(to_first), _mean(to_first), len(to_first)),
        ("Tage vom Erstkontakt bis zum Abschluss", _median(to_close), _mean(to_close), len(to_close)),
        ("Gespräche bis zum Abschluss", _median(talks), _mean(talks), len(talks)),
        (f"Gespräche je „{ERGEBNIS_ANGENOMMEN}“", None, per_success, won),
    ]
    frame = pd.DataFrame(rows, columns=["Kennzahl", "Median", "Durchschnitt", "Kunden"], dtype=object)
    return Table("aufwand", "Aufwand bis zum Abschluss", frame, "column", ("Median", "Durchschnitt"),
                 y_title="Tage", chart_rows=(0, 2),
                 note="Alle Kunden bis zum Periodenende; Gespräche je angenommener Stelle = Gespräche "
                      "aller abgeschlossenen Fälle / Fälle mit Arbeitsstelle angenommen. " + SMALL_NOTE)


def _appointments(data: WorkbookData, p: Prepared, period: Period, codes: Codes) -> Table:
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    folge, _ = lenient_dates(data.doku["Folgetermin"])
    in_period = (p.datum >= start) & (p.datum <= end)
    with_folge = in_period & folge.notna()

    known = codes.doku >= 0
    upto = (p.datum <= end).to_numpy() & known
    made = upto & folge.between(start, end).to_numpy()
    appts = pd.DataFrame({"ID": codes.doku[made], "F": folge.to_numpy()[made], "made": p.datum.to_numpy()[made]})
    appts = appts.groupby(["ID", "F"], as_index=False)["made"].min()
    met = upto & p.held  # an appointment is kept by a Gespräch, not by a no-show's entry
    entries = pd.DataFrame({"ID": codes.doku[met], "D": p.datum.to_numpy()[met]})
    pairs = appts.merge(entries, on="ID")
    hit = (pairs["D"] > pairs["made"]) & ((pairs["D"] - pairs["F"]).abs() <= pd.Timedelta(days=KEPT_DAYS))
    kept_pairs = pairs.loc[hit, ["ID", "F"]].drop_duplicates().assign(kept=True)
    kept = appts.merge(kept_pairs, on=["ID", "F"], how="left")["kept"].eq(True).to_numpy()
    pending = (appts["F"] + pd.Timedelta(days=KEPT_DAYS) > end).to_numpy()
    n = len(appts)
    n_kept, n_open = int(kept.sum()), int((~kept & pending).sum())
    n_missed = n - n_kept - n_open
    n_entries, n_with = int(in_period.sum()), int(with_folge.sum())
    rows: list[tuple[str, int, Any]] = [
        ("Einträge im Zeitraum", n_entries, None),
        ("davon mit Folgetermin", n_with, _ratio(n_with, n_entries)),
        ("Folgetermine im Zeitraum", n, None),
        ("eingehalten", n_kept, _ratio(n_kept, n)),
        ("verpasst", n_missed, _ratio(n_missed, n)),
        ("noch offen (Frist endet nach dem Zeitraum)", n_open, _ratio(n_open, n)),
    ]
    frame = pd.DataFrame(rows, columns=["Kennzahl", "Anzahl", "Anteil"], dtype=object)
    return Table("folgetermine", "Folgetermine", frame, "pie", ("Anzahl",), chart_rows=(3, 6),
                 percent_columns=("Anteil",),
                 note=f"Eingehalten: ein Eintrag des Kunden bis {KEPT_DAYS} Tage vor oder nach dem Folgetermin "
                      "(nach dem Tag, an dem er vereinbart wurde); Folgetermine aus allen Einträgen bis zum "
                      "Periodenende.")
