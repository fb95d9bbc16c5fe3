"""Use case "Fälligkeiten": who is due for a contact, under which rule set, as of which day.

The sequence every door needs (choose the rule set, choose the Stichtag, assess, order for
people, count, and the staff figures for team leads) lives here once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from ..core import reasons
from ..core.book import WorkbookData
from ..core.errors import InvalidInput
from ..core.model import SOON_DAYS
from ..core.overdue import (
    LAGE_BALD,
    LAGE_NICHT_BEWERTBAR,
    LAGE_UEBERFAELLIG,
    PARAM_PREFIX,
    basis,
    choose_stichtag,
    iso,
    judge,
    ordered,
    reason_values,
)
from ..core.rules import RuleSet
from ..core.staff import WEEKS, advisors
from ..files.rulefiles import load_ruleset

#: The staff sheet's no-show column (issue 16): percent of appointments in the last 26 weeks.
NO_SHOW_HEADER = "Nicht erschienen % (26 Wochen)"


@dataclass
class DueResult:
    """The assessment of every customer, ordered for people (`lage` column), and the staff figures."""

    stichtag: dt.date
    rules: RuleSet
    customers: pd.DataFrame  # core.overdue.assess columns + `lage`, overdue first
    advisors: list[dict[str, Any]] = field(default_factory=list)
    soon_days: int = SOON_DAYS

    def count(self, lage: str) -> int:
        """How many customers are in this `lage` (`überfällig`, `bald fällig`, …)."""
        return int((self.customers["lage"] == lage).sum())

    @property
    def overdue(self) -> int:
        """Customers whose next contact is overdue at the Stichtag."""
        return self.count(LAGE_UEBERFAELLIG)

    @property
    def soon(self) -> int:
        """Customers due within `soon_days` of the Stichtag."""
        return self.count(LAGE_BALD)

    @property
    def not_assessable(self) -> int:
        """Customers the rule set cannot assess (a field it needs is missing)."""
        return self.count(LAGE_NICHT_BEWERTBAR)

    def staff_table(self) -> list[list[Any]]:
        """Header + one row per counsellor: weekly counts, quota, Stellenanteil, caseload, no-shows."""
        advisors = self.advisors
        labels = [w["week"] for w in advisors[0]["weeks"]] if advisors else []
        partial = {w["week"] for a in advisors for w in a["weeks"] if w["partial"]}
        header = (
            ["Berater", "Stellenanteil"]
            + [f"{w} (laufend)" if w in partial else w for w in labels]
            + ["Quote je Woche", "Aktive Kunden", "Betreuungsschlüssel-Grenze", NO_SHOW_HEADER]
        )
        rows: list[list[Any]] = [header]
        for a in advisors:
            counts = {w["week"]: w["count"] for w in a["weeks"]}
            quota = next((w["quota"] for w in a["weeks"]), None)
            limit = a["caseload_limit"]
            rows.append(
                [a["berater"], a["stellenanteil"]]
                + [int(counts.get(w, 0)) for w in labels]
                + [
                    None if quota is None else round(quota, 1),
                    a["active_customers"],
                    None if limit is None else round(limit, 1),
                    round(100 * a["no_show_rate"], 1),
                ]
            )
        return rows

    def records(self) -> list[dict[str, Any]]:
        """Customers as plain data (SPEC §8 fields + `code`, `followup`, `values`); dates ISO or None.

        Column by column, not through a dict per row and back (issue 18: 100,000 customers)."""
        c = self.customers
        n = len(c)
        due_day = [d or None for d in iso(c["due"]).tolist()]
        last = [d or None for d in iso(c["last_contact"]).tolist()]
        code, followup = c["code"].tolist(), c["followup"].tolist()
        params = {name: c[PARAM_PREFIX + name].tolist() if PARAM_PREFIX + name in c.columns else [""] * n
                  for name in reasons.PARAMS}
        fields: dict[tuple[str, str], list[str]] = {}  # the template fields of each (code, followup)
        values = []
        for i, pair in enumerate(zip(code, followup)):
            names = fields.get(pair)
            if names is None:
                names = fields[pair] = list(reason_values({"code": pair[0], "followup": pair[1]}))
            values.append({name: params[name][i] for name in names})
        columns = zip([str(v) for v in c["id"].tolist()], c["overdue"].astype(bool).tolist(), due_day,
                      c["days_overdue"].astype("int64").tolist(), c["rule"].tolist(), c["reason"].tolist(), last,
                      c["assessable"].astype(bool).tolist(), code, followup, values)
        return [{"id": i, "overdue": o, "due": d, "days_overdue": n_days, "rule": r, "reason": why,
                 "last_contact": lc, "assessable": a, "code": k, "followup": f or None, "values": v}
                for i, o, d, n_days, r, why, lc, a, k, f, v in columns]

    def as_json(self) -> dict[str, Any]:
        """The JSON of SPEC §8."""
        return {
            "stichtag": self.stichtag.isoformat(),
            "regelwerk": self.rules.name,
            "customers": self.records(),
            "advisors": self.advisors,
        }


def due(
    data: WorkbookData,
    *,
    regelwerk: str | None = None,
    stichtag: str | dt.date | None = None,
    today: dt.date | None = None,
    weeks: int = WEEKS,
    staff: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DueResult:
    """Assess every customer of `data`.

    `regelwerk`: a built-in name or a rule file (else the workbook's sheet or setting, else
    vamv); `stichtag`: ISO text or a date (else the workbook's setting, else `today`);
    `weeks`: how many ISO weeks the staff figures cover; `staff=False` skips them (formulas);
    `progress` receives a German line before the long part.
    """
    if not 1 <= weeks <= 520:
        raise InvalidInput("wochen", "Die Zahl der Wochen muss zwischen 1 und 520 liegen.")
    day = choose_stichtag(stichtag, data, today or dt.date.today())
    rules = load_ruleset(regelwerk, data)
    if progress:
        progress(f"Bewerte {len(data.kunden)} Kunden nach Regelwerk {rules.name} zum {day.isoformat()} …")
    prepared = basis(data, rules.counts)  # each column read once, for the engine and the staff figures
    result = ordered(judge(prepared, rules, day)[0], day, SOON_DAYS)
    return DueResult(day, rules, result, advisors(data, rules, day, weeks, prepared) if staff else [])
