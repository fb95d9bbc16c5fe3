"""Why a customer is (not) due: reason codes with German templates, like findings.

The overdue engine decides for thousands of customers at once, so a reason is not built per
customer: the engine fills one column per template field (`params`) and one `code` column;
`render` turns them into the German sentence, one vectorised concatenation per code.  Every
door shows the same sentence; a program reads the code and the values instead (`faellig
--json` carries both).  As with `core.findings`, each code is declared once with its title
and template, so two reasons with the same code always read alike and the catalogue doubles
as documentation.

A second, optional code says what the agreed appointment (Folgetermin of the latest entry)
did to the due date: missed, or an open one that suspends the table's own date.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ReasonType:
    """One reason code: a short German title and the template of the sentence."""

    code: str
    title: str
    template: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The template's field names, in order (the values a door may show on their own)."""
        return tuple(f for _, f, _, _ in string.Formatter().parse(self.template) if f)


REASONS: dict[str, ReasonType] = {}

#: What a door shows for a customer the rule set cannot assess (due-date cell, formula, list).
NICHT_BEWERTBAR = "nicht bewertbar"


def _reason(code: str, title: str, template: str) -> str:
    REASONS[code] = ReasonType(code, title, template)
    return code


INTERVALL = _reason("intervall", "Kontakt in festem Abstand", "{regel}: {pflicht}; {kontakt}")
MINDESTZAHL = _reason("mindestzahl", "Mindestzahl von Kontakten im Zeitraum",
                      "{regel}: {pflicht}; {anzahl} in {zeitraum} (nötig{anteilig}: {noetig}); {kontakt}")
FRIST = _reason("frist", "Kontakt vor einem Stichdatum", "{regel}: {pflicht} ({feld} {datum}); {stand}")
KEINE_PFLICHT = _reason("keine-pflicht", "Regel ohne Kontaktpflicht", "{regel}: {pflicht}")
ANGABE_FEHLT = _reason("angabe-fehlt", "nicht bewertbar: eine Angabe fehlt",
                       "nicht bewertbar: {fehlt} {verb} (für Regel „{regel}“)")
KEINE_REGEL_PASST = _reason("keine-regel-passt", "nicht bewertbar: keine Regel passt",
                            "nicht bewertbar: keine Regel passt ({werte})")
ABGESCHLOSSEN = _reason("abgeschlossen", "abgeschlossen", "abgeschlossen: keine Fälligkeit")
FOLGETERMIN_VERPASST = _reason("folgetermin-verpasst", "vereinbarter Folgetermin verpasst",
                               "Folgetermin {folgetermin} verpasst")
FOLGETERMIN_OFFEN = _reason("folgetermin-offen", "offener Folgetermin setzt die Regel aus",
                            "offener Folgetermin {folgetermin}")

#: Every template field: the engine keeps one text column per name ("" where unused).
PARAMS: tuple[str, ...] = tuple(dict.fromkeys(f for r in REASONS.values() for f in r.fields))


def fill(template: str, params: pd.DataFrame) -> pd.Series:
    """`template.format(**row)` for every row of `params`, as one concatenation per piece."""
    out = pd.Series("", index=params.index, dtype=object)
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            out = out + literal
        if name:
            out = out + params[name].astype(str)
    return out


def render(code: pd.Series, params: pd.DataFrame, followup: pd.Series | None = None) -> pd.Series:
    """The German reason per row: the code's template, then `; ` and the Folgetermin's."""
    text = pd.Series("", index=code.index, dtype=object)
    for c in code.unique():
        if c in REASONS:
            sel = code == c
            text[sel] = fill(REASONS[c].template, params.loc[sel])
    if followup is not None:
        for c in followup.unique():
            if c in REASONS:
                sel = followup == c
                text[sel] = text[sel] + "; " + fill(REASONS[c].template, params.loc[sel])
    return text


def values_of(code: str, row: dict[str, str]) -> dict[str, str]:
    """The values of one reason (the template's fields only), e.g. for JSON."""
    reason = REASONS.get(code)
    return {f: row.get(f, "") for f in reason.fields} if reason else {}
