"""Staff figures: Beratungsgespräche per counsellor and ISO week, and caseload per counsellor.

Seeds 001 and 004 set a weekly quota of conversations per full-time counsellor (25 and 20,
part-time pro rata); seed 002 a caseload of 1:120.  Team leads look at both.  A conversation is
a KundenDoku entry that counts as a contact under the rule set (same filter as the overdue
engine), attributed to the counsellor named in the entry, or, when that cell is blank, to the
customer's counsellor.

Decisions:
- The weekly view covers the `weeks` ISO weeks up to and including the Stichtag's week (weeks
  without a conversation show 0); that last week is `partial` when the Stichtag is before its
  Sunday, and entries after the Stichtag are not counted.
- Stellenanteil comes from the `Berater` sheet (1 = full time); a counsellor missing there
  counts as full time.  The caseload limit is pro rata too (half time → 1:60).
- Active customers are all whose Status is not `abgeschlossen` (a blank Status counts as
  active: nobody has closed the case).
- The no-show rate covers the 26 weeks up to the Stichtag: entries with Kontaktart `nicht
  erschienen` among those with persönlich, Video or `nicht erschienen` (0 without any).
- Counsellor names are matched forgivingly (case, spaces, umlaut spelling); the `Berater`
  sheet's spelling is shown when it has one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .book import WorkbookData
from .columns import counts_mask, dates, list_keys, per_unique, texts
from .idkey import link
from .model import NICHT_ERSCHIENEN, STATUS_ABGESCHLOSSEN, normalize_key
from .overdue import Basis
from .rules import RuleSet

WEEKS = 8
#: (key → display name, key → Stellenanteil, counsellor key per customer, per entry): `_roster`.
Roster = tuple[dict[str, str], dict[str, float], pd.Series, pd.Series]


def _roster(data: WorkbookData, prepared: Basis | None = None) -> Roster:
    """Every counsellor (Berater sheet, Kundenliste, KundenDoku) by normalized name.

    Returns (key → display name, key → Stellenanteil, customer counsellor key per Kundenliste
    row, counsellor key per KundenDoku row (blank entry → the customer's counsellor)).
    `prepared`: the engine's `overdue.basis` of `data`, whose texts and links are reused.
    """
    display: dict[str, str] = {}
    share: dict[str, float] = {}
    if data.berater is not None:
        for name, s in zip(data.berater["Name"].tolist(), data.berater["Stellenanteil"].tolist()):
            key = normalize_key(name)
            if key:
                display.setdefault(key, str(name))
                share.setdefault(key, float(s))
    kunden_text = texts(data.kunden["Berater"]) if prepared is None else prepared.berater
    doku_text = texts(data.doku["Berater"])
    blank = doku_text == ""
    if blank.any():  # only those entries need their customer's counsellor
        if prepared is None:
            k_keys, d_keys, _ = link(data.kunden["ID"], data.doku["ID"])
        else:
            k_keys, d_keys = prepared.ids, pd.Series(prepared.entry_keys, index=data.doku.index, dtype=object)
        by_id = pd.Series(kunden_text.to_numpy(), index=k_keys.to_numpy())
        by_id = by_id[~by_id.index.duplicated()]
        doku_text = doku_text.copy()
        doku_text[blank] = d_keys[blank].map(by_id).fillna("").to_numpy()
    kunden_key = per_unique(kunden_text, normalize_key)[0]
    doku_key = per_unique(doku_text, normalize_key)[0]
    for keys, shown in ((kunden_key, kunden_text), (doku_key, doku_text)):
        firsts = pd.DataFrame({"k": keys, "t": shown}).drop_duplicates("k")
        for k, t in zip(firsts["k"].tolist(), firsts["t"].tolist()):
            if k:
                display.setdefault(k, t)
    return display, share, kunden_key, doku_key


def roster(data: WorkbookData, prepared: Basis | None = None) -> Roster:
    """Every counsellor by normalized name (see `_roster`), for the invitation planner."""
    return _roster(data, prepared)


#: No-show rate: the weeks looked back, and the Kontaktarten of an appointment that was kept
#: (a no-show is measured against appointments in person or by video, issue 16).
NO_SHOW_WEEKS = 26
HELD_KINDS = ("persönlich", "Video")


def no_show_rates(data: WorkbookData, first: pd.Timestamp, last: pd.Timestamp,
                  roster: tuple | None = None, prepared: Basis | None = None) -> dict[str, tuple[int, int]]:
    """Per counsellor key: (no-shows, appointments) among entries dated `first`…`last`.

    Appointments are entries with Kontaktart persönlich, Video or `nicht erschienen`; the
    entry's counsellor counts (blank: the customer's), as for the weekly conversations.
    """
    _, _, _, doku_key = roster or _roster(data, prepared)
    if prepared is not None and "Kontaktart" in prepared.contact:
        keys = prepared.contact["Kontaktart"]
    else:
        keys, _ = list_keys(data.doku["Kontaktart"], "Kontaktart", data.lists)
    noshow = keys == normalize_key(NICHT_ERSCHIENEN)
    held = keys.isin([normalize_key(k) for k in HELD_KINDS])
    when = _when(data, prepared)
    inside = when.notna() & (when >= first) & (when <= last) & (doku_key != "") & (noshow | held)
    frame = pd.DataFrame({"key": doku_key[inside], "noshow": noshow[inside].astype("int64")})
    grouped = frame.groupby("key")["noshow"].agg(["sum", "size"])
    return {k: (int(r["sum"]), int(r["size"])) for k, r in grouped.iterrows()}


def _when(data: WorkbookData, prepared: Basis | None) -> pd.Series:
    """Each entry's Datum (the basis has it parsed)."""
    if prepared is None:
        return dates(data.doku["Datum"])
    return pd.Series(prepared.when, index=data.doku.index)


def rate(counts: tuple[int, int] | None) -> float:
    """No-shows / appointments, 0 when there were none."""
    return counts[0] / counts[1] if counts and counts[1] else 0.0


def _sorted(display: dict[str, str]) -> list[str]:
    return sorted(display, key=lambda k: display[k].lower())


def weekly(data: WorkbookData, rules: RuleSet, stichtag: dt.date, weeks: int = WEEKS,
           roster: tuple | None = None, prepared: Basis | None = None) -> pd.DataFrame:
    """Per counsellor and ISO week: counted conversations against the pro-rata quota.

    Columns: berater, week (`2026-W14`), start (Monday), count, quota (NaN without a quota),
    met (count ≥ quota; NA without a quota), partial (the Stichtag's unfinished week).
    """
    S = pd.Timestamp(stichtag)
    display, share, _, doku_key = roster or _roster(data, prepared)
    doku = data.doku
    when = _when(data, prepared)
    this_monday = S - pd.Timedelta(days=S.weekday())
    first_monday = this_monday - pd.Timedelta(weeks=weeks - 1)
    counting = (counts_mask(doku, rules.counts, data.lists) if prepared is None
                else pd.Series(prepared.counting, index=doku.index))
    ok = counting & when.notna() & (when >= first_monday) & (when <= S) & (doku_key != "")
    monday = (when[ok] - pd.to_timedelta(when[ok].dt.day_of_week, unit="D")).dt.normalize()
    counted = pd.DataFrame({"key": doku_key[ok], "start": monday}).groupby(["key", "start"]).size()
    mondays = pd.date_range(first_monday, this_monday, freq="7D")
    grid = pd.MultiIndex.from_product([_sorted(display), mondays], names=["key", "start"])
    frame = counted.reindex(grid, fill_value=0).astype("int64").rename("count").reset_index()
    frame["berater"] = frame["key"].map(display)
    iso = frame["start"].dt.isocalendar()
    frame["week"] = iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    fte = frame["key"].map(lambda k: share.get(k, 1.0)).astype(float)
    quota = rules.staff.per_week
    frame["quota"] = fte * quota if quota else np.nan
    frame["met"] = (frame["count"] >= frame["quota"]).where(frame["quota"].notna(), None)
    frame["partial"] = (frame["start"] == this_monday) & (S.weekday() < 6)
    frame["start"] = frame["start"].dt.date
    return frame[["berater", "week", "start", "count", "quota", "met", "partial"]]


def caseload(data: WorkbookData, rules: RuleSet, roster: tuple | None = None,
             prepared: Basis | None = None) -> pd.DataFrame:
    """Per counsellor: active customers against the caseload ratio (pro rata by Stellenanteil).

    Columns: berater, stellenanteil, active, limit (NaN without a ratio), over (bool).
    """
    display, share, kunden_key, _ = roster or _roster(data, prepared)
    status_key = list_keys(data.kunden["Status"], "Status", data.lists)[0] if prepared is None else prepared.status_key
    active = (status_key != normalize_key(STATUS_ABGESCHLOSSEN)) & (kunden_key != "")
    counts = kunden_key[active].value_counts()
    frame = pd.DataFrame({"key": _sorted(display)})
    frame["berater"] = frame["key"].map(display)
    frame["stellenanteil"] = frame["key"].map(lambda k: share.get(k, 1.0)).astype(float)
    frame["active"] = frame["key"].map(counts).fillna(0).astype("int64")
    ratio = rules.staff.caseload
    frame["limit"] = frame["stellenanteil"] * ratio if ratio else np.nan
    frame["over"] = (frame["active"] > frame["limit"]).fillna(False).astype(bool)
    return frame[["berater", "stellenanteil", "active", "limit", "over"]]


def _num(v: object) -> float | None:
    return None if pd.isna(v) else float(v)


def advisors(data: WorkbookData, rules: RuleSet, stichtag: dt.date, weeks: int = WEEKS,
             prepared: Basis | None = None) -> list[dict]:
    """Both views per counsellor as plain data (the `advisors` list of `faellig --json`).
    `prepared`: `overdue.basis(data, rules.counts)` when the caller has it (issue 18)."""
    roster = _roster(data, prepared)
    week_frame = weekly(data, rules, stichtag, weeks, roster, prepared)
    S = pd.Timestamp(stichtag)
    shows = no_show_rates(data, S - pd.Timedelta(weeks=NO_SHOW_WEEKS) + pd.Timedelta(days=1), S, roster, prepared)
    key_of = {name: key for key, name in roster[0].items()}
    by_name = {name: g for name, g in week_frame.groupby("berater", sort=False)}
    out = []
    for row in caseload(data, rules, roster, prepared).itertuples(index=False):  # one per counsellor, not per customer
        mine = by_name.get(row.berater, week_frame.iloc[0:0])
        out.append({
            "berater": row.berater,
            "stellenanteil": float(row.stellenanteil),
            "active_customers": int(row.active),
            "caseload_limit": _num(row.limit),
            "over_caseload": bool(row.over),
            "no_show_rate": round(rate(shows.get(key_of.get(row.berater, ""))), 4),
            "weeks": [{"week": w.week, "start": w.start.isoformat(), "count": int(w.count),
                       "quota": _num(w.quota), "met": None if w.met is None or pd.isna(w.met) else bool(w.met),
                       "partial": bool(w.partial)} for w in mine.itertuples(index=False)],
        })
    return out
