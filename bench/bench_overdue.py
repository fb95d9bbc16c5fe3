"""Benchmark of the overdue engine (issue 5, SPEC §10): not a test, prints figures.

    python bench/bench_overdue.py            # job-centre size: 30,000 customers, 300,000 entries
    python bench/bench_overdue.py --datei    # also the whole `faellig` path from an .xlsx file,
                                             # as a ratio to a bare pandas.read_excel(engine="calamine")

The data is invented in memory (seeded): every optional field the job-centre rule sets need,
entries of every Kontaktart/Vermerkart spread over each customer's time since Erstkontakt,
Folgetermine on most entries.  The first figures are the engine alone (`assess`) per built-in
rule set, and the staff figures, on the same `WorkbookData`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kundenliste_tools.core import model
from kundenliste_tools.core.book import WorkbookData, workbook_from_grids
from kundenliste_tools.core.overdue import assess
from kundenliste_tools.core.staff import advisors
from kundenliste_tools.files.rulefiles import builtin_names, load_builtin

STICHTAG = dt.date(2026, 11, 20)
KH = [f.name for f in model.KUNDEN_FIELDS]
DH = [f.name for f in model.DOKU_FIELDS]
BERATER = [f"Berater {i:02d}" for i in range(250)]


def grids(n_customers: int, n_entries: int, seed: int = 5) -> dict[str, list[list[Any]]]:
    rnd = random.Random(seed)
    lists = model.DEFAULT_LISTS
    kunden: list[list[Any]] = [KH]
    erst: list[dt.date] = []
    for i in range(n_customers):
        e = STICHTAG - dt.timedelta(days=rnd.randint(0, 5 * 365))
        erst.append(e)
        born = dt.date(rnd.randint(1960, 2009), rnd.randint(1, 12), rnd.randint(1, 28))
        row = {
            "ID": f"K{i:06d}" if i % 10 else float(100000 + i),  # some legacy numeric IDs
            "Erstkontakt": e.isoformat(),
            "Akquise": rnd.choice(lists["Akquise"]),
            "Status": rnd.choices(lists["Status"], weights=(1, 6, 3))[0],
            "Berater": rnd.choice(BERATER),
            "VName": "Vorname",
            "NName": f"Name{i}",
            "Geburtsdatum": born.isoformat(),
            "Kundenstatus": rnd.choice(lists["Kundenstatus"]),
            "Profillage": rnd.choice(lists["Profillage"]),
            "Bereich": rnd.choice(lists["Bereich"] + ("",)),
            "Langzeitbezug": rnd.choice(("ja", "nein")),
            "Elternzeit bis": (STICHTAG + dt.timedelta(days=rnd.randint(-60, 400))).isoformat()
            if rnd.random() < 0.05
            else None,
            "Schulpflichtig": rnd.choice(("ja", "nein")),
        }
        kunden.append([row.get(h) for h in KH])
    doku: list[list[Any]] = [DH]
    for _ in range(n_entries):
        i = rnd.randrange(n_customers)
        span = max((STICHTAG - erst[i]).days, 1)
        day = erst[i] + dt.timedelta(days=rnd.randint(0, span))
        ft = (day + dt.timedelta(days=rnd.choice((14, 28, 42)))).isoformat() if rnd.random() < 0.7 else None
        row = {
            "Datum": day.isoformat(),
            "ID": kunden[i + 1][0],
            "Berater": kunden[i + 1][4],
            "Zusammenfassung": "Gespräch",
            "Vereinbarungen": "",
            "Folgetermin": ft,
            "Kontaktart": rnd.choice(lists["Kontaktart"]),
            "Vermerkart": rnd.choice(lists["Vermerkart"]),
        }
        doku.append([row.get(h) for h in DH])
    return {
        model.KUNDENLISTE: kunden,
        model.KUNDENDOKU: doku,
        model.BERATER_SHEET: [["Name", "Stellenanteil"]] + [[b, rnd.choice((1, 0.5, 0.75))] for b in BERATER],
    }


def timed(func, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def in_memory(data: WorkbookData) -> None:
    print(f"{len(data.kunden):,} Kunden, {len(data.doku):,} Einträge (im Speicher), Stichtag {STICHTAG}")
    for name in builtin_names():
        rules = load_builtin(name)
        seconds = timed(lambda rules=rules: assess(data, rules, STICHTAG))
        result = assess(data, rules, STICHTAG)
        print(
            f"  assess {name:<17} {seconds:6.3f} s   überfällig {int(result['overdue'].sum()):>6,}   "
            f"nicht bewertbar {int((~result['assessable']).sum()):>6,}"
        )
    rules = load_builtin("lichtenberg-2013")
    print(
        f"  Beratungsgespräche + Betreuungsschlüssel (8 Wochen) {timed(lambda: advisors(data, rules, STICHTAG)):6.3f} s"
    )


def from_file(sheets: dict[str, list[list[Any]]]) -> None:
    import openpyxl
    import pandas as pd

    from kundenliste_tools.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "gross.xlsx"
        wb = openpyxl.Workbook(write_only=True)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
        wb.save(path)
        bare = timed(lambda: pd.read_excel(path, sheet_name=None, engine="calamine"), repeat=3)

        class Null:
            def write(self, *_: Any) -> None: ...
            def flush(self) -> None: ...

        argv = ["faellig", str(path), "--stichtag", STICHTAG.isoformat(), "--json"]
        whole = timed(lambda: main(argv, stdout=Null(), stderr=Null()), repeat=3)
        print(
            f"Datei {path.stat().st_size / 1e6:.1f} MB: read_excel(calamine) {bare:.2f} s, "
            f"kundenliste faellig --json {whole:.2f} s, Verhältnis {whole / bare:.2f}"
        )


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kunden", type=int, default=30_000)
    parser.add_argument("--eintraege", type=int, default=300_000)
    parser.add_argument("--datei", action="store_true", help="auch den ganzen Weg aus einer .xlsx-Datei messen")
    args = parser.parse_args(argv)
    t = time.perf_counter()
    sheets = grids(args.kunden, args.eintraege)
    data = workbook_from_grids(sheets, source="bench")
    print(f"(Daten erzeugt in {time.perf_counter() - t:.1f} s)")
    in_memory(data)
    if args.datei:
        from_file(sheets)
    return 0


if __name__ == "__main__":
    sys.exit(main_())
