"""Use case "Einladungen": whom each counsellor invites in a week (issue 16).

The sequence every door needs (choose the rule set and the week, read the Bundesland, find the
holidays, plan) lives here once; the arithmetic is `core.plan`'s.  No pandas at module level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidInput

if TYPE_CHECKING:
    from ..core.book import WorkbookData
    from ..core.plan import AdvisorPlan, Week
    from ..core.rules import RuleSet


SUMMARY_COLUMNS = ("Berater", "Stellenanteil", "Quote", "Arbeitstage", "Schon vereinbart",
                   "Nicht erschienen % (26 Wochen)", "Plätze", "Fällige Kunden", "Einladungen")
INVITE_COLUMNS = ("Berater", "ID", "Name", "Fällig am", "Tage überfällig", "Regel", "Zeile")


@dataclass
class InvitationResult:
    """The week's plan: per counsellor the figures and the customers to invite."""

    week: Week
    rules: RuleSet
    bundesland: str | None
    holidays: dict[dt.date, str]
    advisors: list[AdvisorPlan] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # Kundenliste row → name (Excel sheet only)

    @property
    def label(self) -> str:
        """`2026-W50`."""
        return self.week.label

    @property
    def total(self) -> int:
        """Invitations of the whole team."""
        return sum(a.invitations for a in self.advisors)

    def title(self) -> str:
        """One German line: week, rule set, Bundesland, holidays."""
        w = self.week
        days = ", ".join(f"{d.isoformat()} {name}" for d, name in sorted(self.holidays.items())) or "keine"
        land = self.bundesland or "nicht eingestellt (nur bundesweite Feiertage)"
        return (f"Einladungen für {w.label} ({w.monday.isoformat()} bis {w.sunday.isoformat()}) – Regelwerk "
                f"„{self.rules.name}“, Quote {self.rules.staff.per_week:g} je Vollzeitstelle; Bundesland {land}; "
                f"Feiertage Mo–Fr: {days}.")

    def summary_table(self) -> list[list[Any]]:
        """Header + one row per counsellor: the figures of the plan."""
        rows: list[list[Any]] = [list(SUMMARY_COLUMNS)]
        for a in self.advisors:
            rows.append([a.berater, a.stellenanteil, round(a.quota, 2), a.working_days, a.already_agreed,
                         round(100 * a.no_show_rate, 1), round(a.capacity, 2), a.candidates, a.invitations])
        return rows

    def invite_table(self) -> list[list[Any]]:
        """Header + one row per invitation, counsellor by counsellor, longest overdue first."""
        rows: list[list[Any]] = [list(INVITE_COLUMNS)]
        for a in self.advisors:
            for i in a.invite:
                rows.append([a.berater, i.id, self.names.get(i.row, ""), i.due, i.days_overdue or None,
                             i.rule, i.row])
        return rows

    def as_json(self) -> dict[str, Any]:
        """`kundenliste einladen --json` (issue 16), plus the holidays found in the week."""
        return {
            "woche": self.week.label,
            "regelwerk": self.rules.name,
            "bundesland": self.bundesland,
            "feiertage": {d.isoformat(): name for d, name in sorted(self.holidays.items())},
            "advisors": [a.as_json() for a in self.advisors],
        }


def invitations(data: WorkbookData, *, woche: str | None = None, regelwerk: str | None = None,
                today: dt.date | None = None) -> InvitationResult:
    """Plan the invitations of `woche` (`2026-W50`; default: the ISO week after `today`).

    `regelwerk`: a built-in name or a rule file (else the workbook's sheet or setting); it must
    name a weekly quota (`beratungsgespraeche_je_woche`).  The Bundesland comes from the
    setting `Bundesland` (blank: nationwide holidays only).
    """
    from ..core.plan import BUNDESLAND_SETTING, bundesland_code, names, next_week, parse_week, plan, public_holidays
    from ..files.rulefiles import load_ruleset

    if woche is None or not woche.strip():
        week = next_week(today or dt.date.today())
    else:
        try:
            week = parse_week(woche)
        except ValueError as exc:
            raise InvalidInput("woche", str(exc)) from None
    rules = load_ruleset(regelwerk, data)
    per_week = rules.staff.per_week
    if not per_week:
        raise InvalidInput(
            "regelwerk",
            f"Das Regelwerk „{rules.name}“ nennt keine Beratungsgespräche je Woche; ohne diese Quote lässt "
            "sich nicht planen. Ein Regelwerk mit Quote wählen (z. B. lichtenberg-2013: 25, aa90: 20) oder "
            "im eigenen Regelwerk „beratungsgespraeche_je_woche“ eintragen.",
        )
    land = bundesland_code(data.setting(BUNDESLAND_SETTING))
    days = public_holidays(land, week)
    return InvitationResult(week, rules, land, days, plan(data, rules, week, days, per_week), names(data))
