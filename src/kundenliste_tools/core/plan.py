"""Next week's invitations per counsellor: quota, working days, agreed appointments, no-shows.

Seeds 001 and 004 ask each counsellor for 25 (20) Beratungsgespräche per week and full-time
position, part-time pro rata, and seed 001 adds that "ein nicht unerheblicher Teil der
eingeladenen Kunden nicht erscheint" – so more must be invited than there are places.  Seed 004
asks to keep the "Einladungskette" going.  A team lead used to work out by hand whom each
counsellor invites; this module does it from the workbook (issue 16).

Per counsellor, for the ISO week Monday…Sunday:
- quota = the rule set's weekly quota × Stellenanteil (Berater sheet, default 1);
- working days = Monday–Friday minus the public holidays of the team's Bundesland
  (`holidays` package; without a Bundesland only the nationwide ones);
- capacity = quota × working days / 5 − Folgetermine already agreed in the week (not below 0);
  an agreed appointment is the Folgetermin of a customer's latest entry (the engine's, see
  `core.overdue.reduce_doku`), for the customer's counsellor (Kundenliste), closed customers not;
- no-show rate = `nicht erschienen` among the appointments (persönlich, Video, `nicht
  erschienen`) of that counsellor in the 26 weeks before the Monday (`core.staff`);
- invitations = ceil(capacity / (1 − rate)), at most the number of candidates;
- candidates = the counsellor's customers due by the Sunday under the rule set and without a
  Folgetermin in the week, assessed as of the Monday (decision: the week's first day is the
  Stichtag; `days_overdue` counts to it), longest overdue first (due date, then ID).

Decisions where the issue is silent: a rate of 1 (every appointment missed) invites every
candidate while there is capacity; a Folgetermin on a holiday or a weekend still counts as
agreed; customers the rule set cannot assess are no candidates (they need their data fixed),
unless they missed an agreed Folgetermin (then that date makes them due, as in the overdue
engine, and the `rule` says so).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from .book import WorkbookData
from .columns import texts
from .errors import KundenlisteError
from .model import ROW, normalize_key
from .overdue import assess_with_fields
from .reasons import ABGESCHLOSSEN, REASONS
from .rules import RuleSet
from .staff import NO_SHOW_WEEKS, no_show_rates, rate, roster

#: The Einstellungen key naming the team's Bundesland (code `BE` or name `Berlin`).
BUNDESLAND_SETTING = "Bundesland"

_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class Week:
    """One ISO week."""

    monday: dt.date

    @property
    def sunday(self) -> dt.date:
        """The week's last day: candidates are due by it."""
        return self.monday + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        """`2026-W50`."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def weekdays(self) -> list[dt.date]:
        """Monday to Friday."""
        return [self.monday + dt.timedelta(days=i) for i in range(5)]


def parse_week(text: str) -> Week:
    """`2026-W50` (also `2026W50`, `2026-w5`) → Week; ValueError with a German hint otherwise."""
    m = _WEEK.match(text)
    if not m:
        raise ValueError(f"„{text}“ ist keine Kalenderwoche im Format JJJJ-Www (z. B. 2026-W50).")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        return Week(dt.date.fromisocalendar(year, week, 1))
    except ValueError:
        raise ValueError(f"Die Kalenderwoche {week} gibt es {year} nicht.") from None


def next_week(today: dt.date) -> Week:
    """The ISO week after the one `today` lies in."""
    return Week(today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7))


def bundesland_code(text: str) -> str | None:
    """A Bundesland as the `holidays` package names it (`BE`), from a code or a German name;
    None when blank.  KundenlisteError naming the setting when it is no Bundesland."""
    import holidays

    if not text.strip():
        return None
    codes = {normalize_key(c): c for c in holidays.Germany.subdivisions if len(c) == 2}
    names = {normalize_key(n): c for n, c in holidays.Germany.subdivisions_aliases.items()}
    key = normalize_key(text)
    hit = codes.get(key) or names.get(key)
    if hit is None:
        listed = ", ".join(sorted(codes.values()))
        raise KundenlisteError(f"Einstellung „{BUNDESLAND_SETTING}“: „{text}“ ist kein Bundesland. Möglich "
                               f"sind die Kürzel {listed} oder der Name (z. B. Berlin).")
    return hit


def public_holidays(bundesland: str | None, week: Week) -> dict[dt.date, str]:
    """The public holidays Monday–Friday of the week (German names), of the Land or nationwide."""
    import holidays

    years = sorted({d.year for d in week.weekdays})
    calendar = holidays.Germany(subdiv=bundesland, years=years, language="de")
    return {d: str(calendar[d]) for d in week.weekdays if d in calendar}


@dataclass
class Invitation:
    """One customer to invite."""

    id: str
    due: dt.date
    days_overdue: int
    rule: str
    row: int  # Excel row in the Kundenliste (doors look up the name there)


@dataclass
class AdvisorPlan:
    """One counsellor's week."""

    berater: str
    stellenanteil: float
    quota: float
    working_days: int
    already_agreed: int
    no_show_rate: float
    no_shows: int
    appointments: int
    capacity: float
    invitations: int
    candidates: int
    invite: list[Invitation] = field(default_factory=list)

    def as_json(self) -> dict:
        """The JSON of one counsellor (`kundenliste einladen --json`)."""
        return {
            "berater": self.berater, "stellenanteil": self.stellenanteil, "quota": round(self.quota, 4),
            "working_days": self.working_days, "already_agreed": self.already_agreed,
            "no_show_rate": round(self.no_show_rate, 4), "capacity": round(self.capacity, 4),
            "invitations": self.invitations,
            "invite": [{"id": i.id, "due": i.due.isoformat(), "days_overdue": i.days_overdue, "rule": i.rule}
                       for i in self.invite],
        }


def invitations(capacity: float, no_show_rate: float, candidates: int) -> int:
    """ceil(capacity / (1 − rate)), at most `candidates`; every candidate when the rate is 1."""
    if capacity <= 0 or candidates == 0:
        return 0
    if no_show_rate >= 1:
        return candidates
    return min(candidates, math.ceil(capacity / (1 - no_show_rate) - 1e-9))


def plan(data: WorkbookData, rules: RuleSet, week: Week, holidays: Mapping[dt.date, str],
         per_week: float) -> list[AdvisorPlan]:
    """Every counsellor's invitations for `week` (see the module docstring), sorted by name.

    Counsellors are those of the Berater sheet and those with an open customer.
    """
    monday, sunday = pd.Timestamp(week.monday), pd.Timestamp(week.sunday)
    display, share, kunden_key, _ = people = roster(data)
    working = 5 - len(holidays)
    result, judged = assess_with_fields(data, rules, week.monday)
    followup = judged.folgetermin.reset_index(drop=True)
    open_ = (result["code"] != ABGESCHLOSSEN).to_numpy() & (kunden_key.to_numpy() != "")
    agreed_here = (followup >= monday) & (followup <= sunday)
    shows = no_show_rates(data, monday - pd.Timedelta(weeks=NO_SHOW_WEEKS), monday - pd.Timedelta(days=1), people)
    candidate = open_ & ~agreed_here.to_numpy() & result["due"].notna().to_numpy() \
        & (result["due"] <= sunday).to_numpy()
    frame = result.assign(key=kunden_key.to_numpy(), agreed=agreed_here.to_numpy() & open_)
    pool = frame[candidate].sort_values(["due", "id"], kind="stable").rename(columns={ROW: "excel_row"})
    agreed = frame.groupby("key")["agreed"].sum()
    listed = set(share) | set(frame.loc[open_, "key"])  # Berater sheet, or an open customer
    keys = sorted(k for k in display if k in listed)
    out = []
    for key in keys:
        fte = share.get(key, 1.0)
        quota = per_week * fte
        already = int(agreed.get(key, 0))
        capacity = max(0.0, quota * working / 5 - already)
        noshow, held = shows.get(key, (0, 0))
        r = rate((noshow, held))
        mine = pool[pool["key"] == key]
        n = invitations(capacity, r, len(mine))
        invite = [Invitation(str(x.id), x.due.date(), int((monday - x.due).days) if x.due < monday else 0,
                             _why(x.rule, x.followup), int(x.excel_row)) for x in mine.head(n).itertuples(index=False)]
        out.append(AdvisorPlan(display[key], fte, quota, working, already, r, noshow, held, capacity, n,
                               len(mine), invite))
    return sorted(out, key=lambda a: a.berater.lower())


def _why(rule: str, followup: str) -> str:
    """The deciding rule; for a customer no rule fits, the missed Folgetermin that makes them due."""
    if rule or not followup:
        return str(rule)
    return REASONS[followup].title


def names(data: WorkbookData) -> dict[int, str]:
    """`Vorname Nachname` by Kundenliste row (inside the workbook: the team's own data)."""
    full = (texts(data.kunden["VName"]) + " " + texts(data.kunden["NName"])).str.strip()
    return dict(zip(data.kunden[ROW].astype(int).tolist(), full.tolist()))

