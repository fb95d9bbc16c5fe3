"""Who is overdue for a contact at a Stichtag, under a rule set (SPEC §5).

One pass over the whole workbook, vectorised with pandas: the KundenDoku is reduced to a few
numbers per customer ID (latest counting contact, their count, the Folgetermin of the latest
entry), each decision-table row is evaluated as boolean masks over all customers at once, and
each obligation computes its due dates for the customers its row decided.  The only Python
loops run over the handful of rule rows and conditions, never over customers, so a job
centre's 30,000 customers and 300,000 entries take well under a second (see bench/).

Definitions (SPEC §5, decisions marked):
- A customer is overdue when the due date lies before the Stichtag; days_overdue counts from
  the due date.  Closed customers (`Status abgeschlossen`) are never due.
- Only entries dated on or before the Stichtag are seen (decision: an entry on the Stichtag
  itself is a contact of that day).  An entry counts as a contact when its Kontaktart and
  Vermerkart are in the rule set's lists, or blank, or the column is missing.
- Interval: due = latest counting contact (else Erstkontakt) + N weeks/months; months are
  calendar months (pandas DateOffset: 31 Aug + 6 months = 28/29 Feb).
- Count ("mindestens K in W"): a contact lies in the trailing window when contact + W is not
  before the Stichtag, the same arithmetic as the interval rule, so "mindestens 1 in 6 Monaten"
  and "alle 6 Monate" agree to the day.  Required = K, or pro rata ceil(K × days since
  Erstkontakt / days of W after Erstkontakt) while Erstkontakt lies inside the window.
  Decision: `due` is the last day on which the requirement still holds if no further contact
  happens: K-th latest counting contact + W; for a new customer with n < K contacts,
  Erstkontakt + floor(n × window days / K) days; for an older customer who never had K,
  Erstkontakt + W.  So "overdue" (due < Stichtag) is exactly "fewer contacts than required".
- Deadline (seed 002): due = date − period unless a counting contact lies between date −
  window and the Stichtag (then fulfilled: not due, no date).  Once the date lies before the
  Stichtag the row no longer applies and the next matching row decides; likewise the
  condition `elternzeit = ja` is false for an Elternzeit that has ended (issue 16).
- No-shows and contact attempts (`model.NEVER_CONTACT`) never count; when such an entry has
  no Folgetermin, the Folgetermin of the entry before it stays the agreed one.
- Missed Folgetermin: the Folgetermin of the latest entry (any entry, counting or not), when
  it lies before the Stichtag, makes the customer due on the earlier of the two dates; this
  also applies under "keine Regel" and to customers the table cannot assess (decision: a missed
  agreed appointment is a fact that does not depend on the table).  A row with
  `offener_folgetermin = "setzt aus"` (vamv) uses an open Folgetermin (on or after the
  Stichtag) as its due date instead of its own.
- Age is whole years at the Stichtag (someone born on 29 Feb turns a year older on 1 Mar in
  other years); U25 = Bereich U25, or with no Bereich, age under 25.
- Conditions are three-valued: a blank field is unknown.  Rows are tried in order; the first
  row with no false condition decides: if all its conditions hold it applies, if some are
  unknown the customer is "nicht bewertbar" with the missing fields named.  No row at all:
  "nicht bewertbar: keine Regel passt".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import reasons
from .book import WorkbookData
from .columns import contact_keys, counts_mask, dates, iso, list_keys, not_a_contact, per_unique, texts
from .model import FOLGETERMIN_MAX_DAYS, ROW, STATUS_ABGESCHLOSSEN, ValueLists, normalize_key
from .periods import YEAR_MAX, YEAR_MIN
from .rules import U25, UE25, Condition, ContactFilter, Period, Rule, RuleSet, janein
from .values import is_blank

#: A Folgetermin further than this after its entry is taken for a typo (validation warns).
FOLGETERMIN_MAX = np.timedelta64(FOLGETERMIN_MAX_DAYS, "D")

COLUMNS = ["id", "berater", "status", "overdue", "due", "days_overdue", "rule", "code", "followup", "reason",
           "last_contact", "assessable"]

#: What is missing when a condition cannot be evaluated, for the "nicht bewertbar" reason.
MISSING_TEXT = {
    "Altersgruppe": "Bereich oder Geburtsdatum",
    "Alter": "Geburtsdatum",
    "Elternzeit": "Elternzeit bis (kein gültiges Datum)",
}

def age_years(birth: pd.Series, stichtag: pd.Timestamp) -> pd.Series:
    """Whole years at the Stichtag (float, NaN when unknown)."""
    years = stichtag.year - birth.dt.year
    before = (birth.dt.month * 100 + birth.dt.day) > (stichtag.month * 100 + stichtag.day)
    return (years - before.astype("float64")).astype("float64")


def window_start(stichtag: pd.Timestamp, period: Period) -> pd.Timestamp:
    """The earliest day c with c + period not before the Stichtag.

    Months are not invertible (28, 29, 30, 31 Aug + 6 months are all 28 Feb), so the start is
    found from the forward direction; this keeps "in the last 6 months" and "every 6 months"
    consistent to the day.
    """
    c = period.add_one(stichtag, -1)
    one = pd.Timedelta(days=1)
    while period.add_one(c) < stichtag:
        c += one
    while period.add_one(c - one) >= stichtag:
        c -= one
    return c


# ----------------------------------------------------------------------------- the workbook, once


@dataclass
class Basis:
    """What the engine reads from one workbook, parsed, keyed and linked once (issue 18).

    Nothing here depends on the Stichtag: a run that judges several days (the quarterly
    export's 8-quarter trend) or that also needs the staff figures converts each column once,
    not once per call.  Customer fields are aligned with the Kundenliste rows kept (`index`);
    entry arrays hold every KundenDoku row.  `restrict` gives the same workbook with fewer
    customers, another Status, or entries linked another way, without converting anything again.
    """

    index: pd.Index  # the Kundenliste rows judged (labels of `data.kunden`)
    ids: pd.Series  # customer ID key (core/idkey.py)
    code: np.ndarray  # per customer, position of its ID key in `id_index`
    id_index: pd.Index  # the distinct ID keys
    row: pd.Series  # Excel row
    erst: pd.Series
    birth: pd.Series
    status_key: pd.Series
    keys: dict[str, pd.Series]  # Bereich/Kundenstatus/Profillage → normalized list key
    shown: dict[str, pd.Series]  # Status and those three → display text
    truth: dict[str, pd.Series]  # Langzeitbezug/Schulpflichtig → "ja"|"nein"|""
    elternzeit: pd.Series
    blank_ez: pd.Series
    berater: pd.Series  # counsellor as text
    entry_keys: np.ndarray  # per entry, the linked customer key ("" none)
    entry_code: np.ndarray  # per entry, the position of that key in `id_index` (-1 none)
    when: np.ndarray  # per entry, Datum (datetime64, NaT unreadable)
    folgetermin: np.ndarray  # per entry, Folgetermin
    entry_row: np.ndarray  # per entry, Excel row
    counting: np.ndarray  # per entry, counts as a contact under the rule set's filter
    passing: np.ndarray  # per entry, a no-show or attempt without a new Folgetermin
    contact: dict[str, pd.Series]  # per entry, Kontaktart/Vermerkart → list key (`columns.contact_keys`)
    sorted_entries: np.ndarray  # entries of a customer with a date, by (code, date, row)
    sorted_code: np.ndarray  # their customer code

    def restrict(self, rows: np.ndarray | None = None, status: pd.Series | None = None,
                 lists: ValueLists | None = None, entry_keys: np.ndarray | None = None) -> Basis:
        """The same workbook judged on the customers at positions `rows` only (their entries
        only), with `status` (raw cells of those rows, read against `lists`) instead of the
        recorded Status, and entries linked by `entry_keys` (customer key per entry) instead of
        the basis' own link.  Customer codes stay those of the whole basis."""
        if rows is None:
            rows = np.arange(len(self.index))
        part = {name: getattr(self, name).iloc[rows]
                for name in ("ids", "row", "erst", "birth", "status_key", "elternzeit", "blank_ez", "berater")}
        keys = {k: v.iloc[rows] for k, v in self.keys.items()}
        shown = {k: v.iloc[rows] for k, v in self.shown.items()}
        if status is not None:
            part["status_key"], shown["Status"] = list_keys(status.set_axis(part["ids"].index), "Status", lists)
        truth = {k: v.iloc[rows] for k, v in self.truth.items()}
        out = dataclasses.replace(self, index=self.index[rows], code=self.code[rows], keys=keys, shown=shown,
                                  truth=truth, **part)
        if entry_keys is not None:  # only the entries linked otherwise are looked up again
            changed = np.flatnonzero(entry_keys != self.entry_keys)
            code = self.entry_code.copy()
            code[changed] = _codes(self.id_index, entry_keys[changed])
            out = dataclasses.replace(out, entry_keys=entry_keys, entry_code=code)
            if (code[changed] != self.entry_code[changed]).any():
                out = _sort_entries(out)
        kept = np.zeros(len(self.id_index), dtype=bool)
        kept[out.code] = True
        mine = kept[out.sorted_code]
        return dataclasses.replace(out, sorted_entries=out.sorted_entries[mine], sorted_code=out.sorted_code[mine])


def basis(data: WorkbookData, counts: ContactFilter, linked: tuple[pd.Series, pd.Series] | None = None,
          numbers: tuple[np.ndarray, np.ndarray] | None = None) -> Basis:
    """Every column the engine reads, converted once; `linked` = (customer keys, entry keys)
    of `core.idkey.link` when the caller has them already, `numbers` the same keys as
    numbers (one numbering over both, -1 for a blank key: `outcomes.Codes`), which spares
    looking up a million entry keys among the customers' (issue 18)."""
    from .idkey import link

    k, doku, lists = data.kunden, data.doku, data.lists
    k_keys, d_keys = linked if linked is not None else link(k["ID"], doku["ID"])[:2]
    shown: dict[str, pd.Series] = {}
    status_key, shown["Status"] = list_keys(k["Status"], "Status", lists)
    keys = {}
    for name in ("Bereich", "Kundenstatus", "Profillage"):
        keys[name], shown[name] = list_keys(k[name], name, lists)
    truth = {name: per_unique(k[name], lambda v: janein(v) or "")[0] for name in ("Langzeitbezug", "Schulpflichtig")}
    ft = dates(doku["Folgetermin"]).to_numpy()
    contact = contact_keys(doku, lists)
    b = Basis(
        index=k.index, ids=k_keys.astype(str), code=np.empty(0, int), id_index=pd.Index([]),
        row=k[ROW].astype("int64"), erst=dates(k["Erstkontakt"]), birth=dates(k["Geburtsdatum"]),
        status_key=status_key, keys=keys, shown=shown, truth=truth,
        elternzeit=dates(k["Elternzeit bis"]),
        blank_ez=per_unique(k["Elternzeit bis"], is_blank)[0].astype(bool),
        berater=texts(k["Berater"]),
        entry_keys=d_keys.to_numpy(dtype=object), entry_code=np.empty(0, int),
        when=dates(doku["Datum"]).to_numpy(), folgetermin=ft,
        entry_row=doku[ROW].to_numpy(),
        counting=counts_mask(doku, counts, lists, contact).to_numpy(),
        # a no-show or contact attempt without a new Folgetermin leaves the agreed one in force
        # (issue 16: it does not stop the Einladungskette; a missed appointment stays missed)
        passing=not_a_contact(doku, lists, contact).to_numpy() & np.isnat(ft), contact=contact,
        sorted_entries=np.empty(0, int), sorted_code=np.empty(0, int))
    return _linked(b, numbers)


def _linked(b: Basis, numbers: tuple[np.ndarray, np.ndarray] | None = None) -> Basis:
    """`b` with its customer codes and its entries of known customers in engine order;
    `numbers` (see `basis`) give each entry its customer's code without a look-up."""
    code, uniques = pd.factorize(b.ids.to_numpy())
    code = np.asarray(code)
    id_index = pd.Index(uniques)
    if numbers is None:
        entry_code = _codes(id_index, b.entry_keys)
    else:
        kunden, doku = numbers
        by_number = np.full(max(kunden.max(initial=-1), doku.max(initial=-1)) + 2, -1, dtype=np.intp)
        by_number[kunden[kunden >= 0]] = code[kunden >= 0]  # the last slot stays -1: a blank key
        entry_code = by_number[doku]
    return _sort_entries(dataclasses.replace(b, code=code, id_index=id_index, entry_code=entry_code))


def _codes(id_index: pd.Index, keys: np.ndarray) -> np.ndarray:
    """Position of each key in `id_index`; -1 for none and for "" (customers without an ID own
    no entries; entries without an ID belong to no one)."""
    code = id_index.get_indexer(keys) if len(id_index) else np.full(len(keys), -1)
    if "" in id_index:
        code[code == id_index.get_loc("")] = -1
    return code


def _sort_entries(b: Basis) -> Basis:
    """`b` with the entries of its customers (dated) in (code, date, row) order."""
    entry = b.entry_code
    pos = np.flatnonzero((entry >= 0) & ~np.isnat(b.when))
    order = np.lexsort((b.entry_row[pos], b.when[pos].astype("int64"), entry[pos]))
    return dataclasses.replace(b, sorted_entries=pos[order], sorted_code=entry[pos[order]])


# ----------------------------------------------------------------------------- KundenDoku


@dataclass
class Contacts:
    """The KundenDoku reduced per customer code (position in `Basis.id_index` of the ID keys),
    entries up to the Stichtag only; arrays of length = number of distinct IDs."""

    last: np.ndarray  # latest counting contact (datetime64, NaT if none)
    number: np.ndarray  # number of counting contacts
    folgetermin: np.ndarray  # Folgetermin of the latest entry (NaT if none/invalid)
    count_code: np.ndarray  # counting entries sorted by (code, date, row): their code …
    count_date: np.ndarray  # … and date
    group_end: np.ndarray  # per code: index after its last counting entry in the sorted arrays

    def kth_latest(self, k: int) -> np.ndarray:
        """Per code, the k-th latest counting contact (NaT when there are fewer than k)."""
        pos = self.group_end - k
        ok = self.number >= k
        out = np.full(len(self.number), np.datetime64("NaT"), dtype="datetime64[ns]")
        out[ok] = self.count_date[pos[ok]]
        return out

    def number_since(self, start: pd.Timestamp) -> np.ndarray:
        """Per code, counting contacts on or after `start`."""
        hit = self.count_date >= np.datetime64(start.to_datetime64(), "ns")
        return np.bincount(self.count_code[hit], minlength=len(self.number))


def reduce_doku(b: Basis, stichtag: pd.Timestamp) -> Contacts:
    """Latest counting contact, their number and the latest entry's Folgetermin per customer code.

    Integer codes and numpy arrays instead of grouping by ID strings: this is the part that
    sees all 300,000 entries.  The entries are in (code, date, row) order once (`Basis`); a
    Stichtag only cuts each customer's entries after it.
    """
    n = len(b.id_index)
    S = np.datetime64(stichtag.to_datetime64(), "ns")
    pos = b.sorted_entries
    upto = b.when[pos] <= S
    pos, code = pos[upto], b.sorted_code[upto]
    when, ft, counting = b.when[pos], b.folgetermin[pos], b.counting[pos]
    # latest entry per code = last position of each code block (passing entries left out)
    ft_pos = np.flatnonzero(~b.passing[pos])
    ft_code = code[ft_pos]
    last_pos = ft_pos[np.r_[ft_code[1:] != ft_code[:-1], True]] if len(ft_pos) else np.array([], int)
    folgetermin = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    ft_last, when_last = ft[last_pos], when[last_pos]
    # a Folgetermin before its own entry, or more than two years after it (a typo such as
    # 2062 for 2026 would silence every rule): ignored; validation warns about both
    valid = ~np.isnat(ft_last) & (ft_last >= when_last) & (ft_last <= when_last + FOLGETERMIN_MAX)
    folgetermin[code[last_pos][valid]] = ft_last[valid]
    c_code, c_date = code[counting], when[counting]
    number = np.bincount(c_code, minlength=n)
    group_end = np.cumsum(number)
    last = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    has = number > 0
    last[has] = c_date[group_end[has] - 1]
    return Contacts(last, number, folgetermin, c_code, c_date, group_end)


# ----------------------------------------------------------------------------- customers


@dataclass
class Customers:
    """Per customer (aligned with `data.kunden`), the fields the conditions look at."""

    ids: pd.Series
    code: np.ndarray  # position of the customer's ID in the distinct IDs (Contacts arrays)
    erst: pd.Series
    status_key: pd.Series
    keys: dict[str, pd.Series]  # Bereich/Kundenstatus/Profillage → normalized list key
    shown: dict[str, pd.Series]  # condition field → display text ("" when blank)
    age: pd.Series
    group: pd.Series  # "U25" | "Ü25" | ""
    truth: dict[str, pd.Series]  # ja/nein fields → "ja"|"nein"|""
    elternzeit: pd.Series
    last: pd.Series
    number: pd.Series
    folgetermin: pd.Series


def customer_fields(b: Basis, contacts: Contacts, stichtag: pd.Timestamp) -> Customers:
    """The fields the conditions look at, per customer, computed once for all rules."""
    index = b.ids.index
    shown = dict(b.shown)
    age = age_years(b.birth, stichtag)
    bereich = b.keys["Bereich"]
    group = pd.Series(np.where(bereich == normalize_key(U25), U25,
                               np.where(bereich != "", UE25,
                                        np.where(age.isna(), "", np.where(age < 25, U25, UE25)))),
                      index=index, dtype=object)
    shown["Altersgruppe"] = group
    shown["Alter"] = (age.astype("Int64").astype(str) + " Jahre").where(age.notna(), "")
    truth = dict(b.truth)
    elternzeit = b.elternzeit
    # an Elternzeit that ended before the Stichtag is no Elternzeit: the next rule decides
    # (issue 16; seed 001 plans the review "3 Monate vor Ende der Elternzeit", not after it)
    ended = elternzeit.notna() & (elternzeit < stichtag)
    truth["Elternzeit"] = pd.Series(np.where(elternzeit.notna() & ~ended, "ja",
                                             np.where(b.blank_ez | ended, "nein", "")),
                                    index=index, dtype=object)
    code = b.code
    last = pd.Series(contacts.last[code], index=index)
    number = pd.Series(contacts.number[code], index=index).astype("int64")
    truth["Kontakt vorhanden"] = pd.Series(np.where(number > 0, "ja", "nein"), index=index, dtype=object)
    shown.update(truth)
    ft = pd.Series(contacts.folgetermin[code], index=index)
    return Customers(b.ids, code, b.erst, b.status_key, b.keys, shown,
                     age, group, truth, elternzeit, last, number, ft)


def evaluate(cond: Condition, c: Customers) -> tuple[np.ndarray, np.ndarray]:
    """(true, unknown) masks of one condition over all customers."""
    if cond.field == "Alter":
        known = c.age.notna().to_numpy()
        a = c.age.to_numpy()
        hit = np.ones(len(a), bool)
        if cond.low is not None:
            hit &= a >= cond.low
        if cond.high is not None:
            hit &= a <= cond.high
    elif cond.field == "Altersgruppe":
        g = c.group.to_numpy()
        known = g != ""
        hit = g == cond.values[0]
    elif cond.field in c.truth:
        t = c.truth[cond.field].to_numpy()
        known = t != ""
        hit = t == cond.values[0]
    else:
        series = c.status_key if cond.field == "Status" else c.keys[cond.field]
        v = series.to_numpy()
        known = v != ""
        hit = series.isin([normalize_key(x) for x in cond.values]).to_numpy()
    if cond.negate:
        hit = ~hit
    return hit & known, ~known


# ----------------------------------------------------------------------------- engine


def assess(data: WorkbookData, rules: RuleSet, stichtag: dt.date) -> pd.DataFrame:
    """One row per Kundenliste record: overdue?, due date, the deciding row and why.

    Columns: id, berater, status, overdue, due, days_overdue, rule, code, followup, reason,
    last_contact, assessable, one text column per reason parameter (`core.reasons.PARAMS`,
    prefixed `p_`), and `_row` (the Excel row of the customer, for writing back).  `code` and
    `followup` are reason codes of `core.reasons`; `reason` is their German sentence.
    """
    return assess_with_fields(data, rules, stichtag)[0]


def assess_with_fields(data: WorkbookData, rules: RuleSet, stichtag: dt.date,
                       prepared: Basis | None = None) -> tuple[pd.DataFrame, Customers]:
    """`assess`, and the per-customer fields it judged (the invitation plan needs each
    customer's agreed Folgetermin without reducing the KundenDoku a second time).
    `prepared`: `basis(data, rules.counts)` when the caller judges the workbook more than once."""
    return judge(prepared if prepared is not None else basis(data, rules.counts), rules, stichtag)


def judge(b: Basis, rules: RuleSet, stichtag: dt.date, sentences: bool = True) -> tuple[pd.DataFrame, Customers]:
    """`assess_with_fields` on a prepared workbook (`basis`, `Basis.restrict`).  `sentences`
    False leaves `reason` and the reason's values (`p_` columns) empty: a caller that counts
    verdicts (the quarterly trend) saves writing a sentence per customer."""
    S = pd.Timestamp(stichtag)
    contacts = reduce_doku(b, S)
    c = customer_fields(b, contacts, S)
    n = len(c.ids)
    index = b.index

    closed = (c.status_key == normalize_key(STATUS_ABGESCHLOSSEN)).to_numpy()
    decided = closed.copy()
    chosen = np.full(n, -1)
    blocked = np.zeros(n, bool)
    missing = np.full(n, "", dtype=object)
    for pos, rule in enumerate(rules.rules):
        all_true = np.ones(n, bool)
        any_false = np.zeros(n, bool)
        unknowns: list[tuple[np.ndarray, str]] = []
        for cond in rule.conditions:
            hit, unknown = evaluate(cond, c)
            all_true &= hit
            any_false |= ~hit & ~unknown
            unknowns.append((unknown, MISSING_TEXT.get(cond.field, cond.field)))
        if rule.obligation.kind == "deadline":  # its date has passed: the rule is over, fall through
            ended = (c.elternzeit < S).to_numpy()
            all_true &= ~ended
            any_false |= ended
        open_ = ~decided
        match = all_true & open_
        stuck = ~any_false & ~all_true & open_
        chosen[match | stuck] = pos
        blocked |= stuck
        for unknown, text in unknowns:
            sel = stuck & unknown
            if sel.any():
                missing[sel] = np.where(missing[sel] == "", text, missing[sel] + ", " + text)
        decided |= match | stuck

    due = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    why = pd.Series("", index=index, dtype=object)
    params = pd.DataFrame({p: pd.Series("", index=index, dtype=object) for p in reasons.PARAMS})
    rule_label = pd.Series("", index=index, dtype=object)
    assessable = pd.Series(True, index=index)
    suspend = np.zeros(n, bool)
    contact_text = _contact_text(c, rules.contact_word) if sentences else pd.Series("", index=index, dtype=object)

    def note(mask, name: str, value) -> None:  # a value of the reason's sentence
        if sentences:
            params.loc[mask, name] = value

    for pos, rule in enumerate(rules.rules):
        sel = (chosen == pos) & ~blocked
        stuck = (chosen == pos) & blocked
        if stuck.any():
            rule_label[stuck] = rule.label
            assessable[stuck] = False
            what = pd.Series(missing[stuck], index=index[stuck], dtype=object)
            why[stuck] = reasons.ANGABE_FEHLT
            note(stuck, "fehlt", what)
            note(stuck, "verb", np.where(what.str.contains(", ", regex=False), "fehlen", "fehlt"))
            note(stuck, "regel", rule.label)
        if not sel.any():
            continue
        # numpy masks for setting: a Series as key costs pandas a repr of it first
        m = pd.Series(sel, index=index)
        rule_label[sel] = rule.label
        d, kind, values, ok, needs = _obligation_due(rule, c, contacts, m, S, contact_text)
        due[sel] = d.to_numpy()  # in the order of index[sel]
        why[sel] = kind
        note(m, "regel", rule.name)
        note(m, "pflicht", rule.obligation.text)
        for name, value in values.items():
            note(m, name, value)
        bad = np.zeros(n, dtype=bool)
        bad[sel] = ~ok.to_numpy(dtype=bool)
        if bad.any():
            assessable[bad] = False
            why[bad] = reasons.ANGABE_FEHLT
            note(bad, "fehlt", needs)
            note(bad, "verb", "fehlt")
            note(bad, "regel", rule.label)
            due[bad] = pd.NaT
        if rule.folgetermin_suspends:
            suspend |= sel

    nomatch = ~decided
    if nomatch.any():
        assessable[nomatch] = False
        rule_label[nomatch] = ""
        why[nomatch] = reasons.KEINE_REGEL_PASST
        if sentences:
            note(nomatch, "werte", _describe(c, nomatch, rules))

    # Folgetermin of the latest entry: missed → earlier of the two; open and "setzt aus" → it.
    ft = c.folgetermin
    active = pd.Series(~closed, index=index)
    missed = active & ft.notna() & (ft < S)
    open_ft = active & ft.notna() & (ft >= S) & pd.Series(suspend, index=index)
    earlier = missed & (due.isna() | (ft < due))
    due = due.where(~(earlier | open_ft), ft)
    followup = pd.Series(np.select([missed, open_ft], [reasons.FOLGETERMIN_VERPASST, reasons.FOLGETERMIN_OFFEN],
                                   default=""), index=index, dtype=object)
    if sentences:
        params["folgetermin"] = iso(ft).where(followup != "", "")

    closed_s = pd.Series(closed, index=index)
    due = due.where(~closed_s)
    why[closed] = reasons.ABGESCHLOSSEN
    followup[closed] = ""
    rule_label = rule_label.where(~closed_s, "abgeschlossen")
    if sentences:
        params.loc[closed_s] = ""

    overdue = due.notna() & (due < S)
    days = ((S - due).dt.days).where(overdue, 0).fillna(0).astype("int64")
    frame = pd.DataFrame({
        "id": c.ids,
        "berater": b.berater,
        "status": c.shown["Status"],
        "overdue": overdue.astype(bool),
        "due": due,
        "days_overdue": days,
        "rule": rule_label,
        "code": why,
        "followup": followup,
        "reason": reasons.render(why, params, followup) if sentences else "",
        "last_contact": c.last,
        "assessable": assessable.astype(bool),
        ROW: b.row,
    }, index=index)
    return pd.concat([frame, params.add_prefix(PARAM_PREFIX)], axis=1).reset_index(drop=True), c


PARAM_PREFIX = "p_"


def reason_values(row: dict) -> dict[str, str]:
    """The values of a result row's reason and Folgetermin code (template fields only)."""
    values = {name: row.get(PARAM_PREFIX + name, "") for name in reasons.PARAMS}
    out = reasons.values_of(row.get("code", ""), values)
    out.update(reasons.values_of(row.get("followup", ""), values))
    return out


def _contact_text(c: Customers, word: str) -> pd.Series:
    """`letzter persönlicher Kontakt 2026-04-01` or `kein … seit Erstkontakt 2026-01-05`."""
    with_contact = "letzter " + word + " " + iso(c.last)
    without = "kein " + word + " seit Erstkontakt " + iso(c.erst)
    without = without.where(c.erst.notna(), "kein " + word)
    return with_contact.where(c.last.notna(), without)


def _obligation_due(rule: Rule, c: Customers, contacts: Contacts, m: pd.Series, S: pd.Timestamp,
                    contact_text: pd.Series) -> tuple[pd.Series, str, dict[str, pd.Series], pd.Series, str]:
    """(due, reason code, its values, assessable, what is missing otherwise) for the customers `m`."""
    ob = rule.obligation
    idx = m.index[m]
    last = c.last[idx]
    erst = c.erst[idx]
    if ob.kind == "none":
        return (pd.Series(pd.NaT, index=idx, dtype="datetime64[ns]"), reasons.KEINE_PFLICHT, {},
                pd.Series(True, index=idx), "")
    if ob.kind == "interval":
        base = last.where(last.notna(), erst)
        return ob.period.add(base), reasons.INTERVALL, {"kontakt": contact_text[idx]}, base.notna(), "Erstkontakt"
    if ob.kind == "deadline":
        date = c.elternzeit[idx]
        start = ob.window.add(date, -1)
        done = last.notna() & (last >= start)
        due = ob.period.add(date, -1).where(~done)
        stand = pd.Series(np.where(done, "Kontakt am " + iso(last) + " erfolgt",
                                   "noch kein Kontakt seit " + iso(start)),
                          index=idx)
        return (due, reasons.FRIST, {"feld": ob.field, "datum": iso(date), "stand": stand}, date.notna(),
                f"{ob.field} (gültiges Datum)")
    # count
    K, W = ob.minimum, ob.period
    c0 = window_start(S, W)
    codes = c.code[m.to_numpy()]
    n_win = pd.Series(contacts.number_since(c0)[codes], index=idx).astype("int64")
    c_k = pd.Series(contacts.kth_latest(K)[codes], index=idx)
    total = c.number[idx]
    young = erst.notna() & (erst >= c0)
    full = (W.add(erst) - erst).dt.days
    elapsed = (S - erst).dt.days.clip(lower=0)
    required = np.where(young, np.ceil(K * elapsed / full - 1e-9), K)
    required = pd.Series(required, index=idx).fillna(K).astype("int64")
    due_kth = W.add(c_k)
    due_young = erst + pd.to_timedelta(np.floor(n_win * full / K), unit="D")
    due = due_kth.where(~young | (n_win >= K), due_young)
    due = due.where(young | (total >= K), W.add(erst))
    ok = young | (total >= K) | erst.notna()
    pro_rata = pd.Series(np.where(young & (required < K), " anteilig", ""), index=idx)
    values = {"anzahl": n_win.astype(str), "zeitraum": W.dative, "anteilig": pro_rata,
              "noetig": required.astype(str), "kontakt": contact_text[idx]}
    return due, reasons.MINDESTZAHL, values, ok, "Erstkontakt"


def _describe(c: Customers, mask: np.ndarray, rules: RuleSet) -> pd.Series:
    """The values the table looks at, for a customer no row fits: `Kundenstatus nicht gesetzt, Ü25`."""
    idx = c.ids.index[mask]
    used = [f for f in ("Status", "Bereich", "Altersgruppe", "Alter", "Kundenstatus", "Profillage",
                        "Langzeitbezug", "Elternzeit", "Schulpflichtig", "Kontakt vorhanden")
            if f in rules.needed_fields()]
    out = pd.Series("", index=idx, dtype=object)
    for f in used:
        value = c.shown[f][idx]
        part = f + " " + value.where(value != "", "leer")
        out = out.where(out == "", out + ", ") + part
    return out


# ----------------------------------------------------------------------------- presenting

#: The `lage` column: what a row means for the counsellor, in the order lists show them.
LAGE_UEBERFAELLIG = "überfällig"
LAGE_BALD = "bald fällig"
LAGE_OFFEN = "fällig später"
LAGE_NICHT_BEWERTBAR = reasons.NICHT_BEWERTBAR
LAGE_KEINE = "keine Fälligkeit"
LAGE_ORDER = (LAGE_UEBERFAELLIG, LAGE_BALD, LAGE_NICHT_BEWERTBAR, LAGE_OFFEN, LAGE_KEINE)


def ordered(result: pd.DataFrame, stichtag: dt.date, soon_days: int) -> pd.DataFrame:
    """The assessment with a `lage` column, sorted for people: overdue first (longest first),
    then due within `soon_days`, then not assessable (the data needs fixing), then later due
    dates, then customers without a due date."""
    S = pd.Timestamp(stichtag)
    soon = result["due"].notna() & ~result["overdue"] & (result["due"] <= S + pd.Timedelta(days=soon_days))
    lage = np.select(
        [result["overdue"], soon, ~result["assessable"], result["due"].notna()],
        [LAGE_UEBERFAELLIG, LAGE_BALD, LAGE_NICHT_BEWERTBAR, LAGE_OFFEN],
        default=LAGE_KEINE,
    )
    out = result.assign(lage=lage)
    rank = out["lage"].map({name: i for i, name in enumerate(LAGE_ORDER)})
    out = out.assign(_rank=rank, _neg=-out["days_overdue"])
    out = out.sort_values(["_rank", "_neg", "due", "berater", "id"], kind="stable", na_position="last")
    return out.drop(columns=["_rank", "_neg"]).reset_index(drop=True)


#: Stichtage the engine can compute with (pandas' nanosecond timestamps end in 2262; rule
#: periods of up to a few years are added to the Stichtag and to contact dates).
STICHTAG_MIN = dt.date(YEAR_MIN, 1, 1)
STICHTAG_MAX = dt.date(YEAR_MAX, 12, 31)


def choose_stichtag(explicit: str | dt.date | None, data: WorkbookData | None, today: dt.date) -> dt.date:
    """The given Stichtag, else the workbook setting `Stichtag`, else today; ISO only (SPEC §2).

    A wrong given value is an `InvalidInput` for the input `stichtag`; a wrong setting names
    the setting (it lives in the workbook, which every door shows alike).
    """
    from .errors import InvalidInput, KundenlisteError
    from .values import parse_date

    if isinstance(explicit, dt.date):
        return explicit
    for text, setting in ((explicit, False), (data.setting("Stichtag") if data else "", True)):
        if text is None or is_blank(text):
            continue
        parsed = parse_date(text)
        if parsed is None or parsed.date is None or parsed.problem == "not-iso":
            hint = f" Gemeint ist wohl {parsed.suggestion}." if parsed and parsed.suggestion else ""
            message = f"„{text}“ ist kein Datum im Format JJJJ-MM-TT.{hint}"
        elif not STICHTAG_MIN <= parsed.date <= STICHTAG_MAX:
            message = (f"{parsed.date.isoformat()} liegt außerhalb des Bereichs, den das Werkzeug rechnen "
                       f"kann; bitte einen Stichtag zwischen {STICHTAG_MIN.isoformat()} und "
                       f"{STICHTAG_MAX.isoformat()} angeben.")
        else:
            return parsed.date
        if setting:
            raise KundenlisteError(f"Einstellung „Stichtag“: {message}")
        raise InvalidInput("stichtag", message)
    return today
