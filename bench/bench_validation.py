"""Benchmark of the validation core (SPEC §10): not a test, prints figures.

    python bench/bench_validation.py            # team size: 1,000 customers, 10,000 entries
    python bench/bench_validation.py --gross    # also job-centre size: 30,000 / 300,000
    python bench/bench_validation.py --datei   # also the whole `pruefen` path from a file,
                                                # as a ratio to a bare pandas.read_excel

The data is invented (the demo generator's customers, with its deliberate mistakes, and
entries spread over each customer's time since Erstkontakt) and built in memory, so the
first figure is the validation core alone: what the on-save hook adds to reading the book.
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
from kundenliste_tools.core.demo_data import AGREEMENTS, TOPICS, generate
from kundenliste_tools.core.validation import validate

TODAY = dt.date(2026, 11, 20)


def rows(n_customers: int, n_entries: int, seed: int = 3) -> tuple[list[dict[str, Any]], list[dict[str, Any]], tuple]:
    """Invented Kundenliste and KundenDoku rows of the requested sizes."""
    demo = generate(n_customers=n_customers, today=TODAY)
    kunden = demo.kunden
    rnd = random.Random(seed)
    doku = list(demo.doku)
    active = [
        k for k in kunden if k["Status"] != model.STATUS_NEU and isinstance(k["Erstkontakt"], dt.date) and k["ID"]
    ]
    while len(doku) < n_entries:
        k = rnd.choice(active)
        span = max((TODAY - k["Erstkontakt"]).days, 1)
        day = k["Erstkontakt"] + dt.timedelta(days=rnd.randint(0, span))
        doku.append(
            {
                "Datum": day,
                "ID": k["ID"],
                "Berater": k["Berater"],
                "Zusammenfassung": rnd.choice(TOPICS),
                "Vereinbarungen": rnd.choice(AGREEMENTS),
                "Folgetermin": day + dt.timedelta(days=28),
                "Kontaktart": rnd.choice(model.DEFAULT_LISTS["Kontaktart"]),
                "Vermerkart": "Beratungsvermerk",
            }
        )
    return kunden, doku[:n_entries], demo.berater


def in_memory(n_customers: int, n_entries: int) -> WorkbookData:
    kunden, doku, berater = rows(n_customers, n_entries)
    kh = [f.name for f in model.KUNDEN_FIELDS]
    dh = [f.name for f in model.DOKU_FIELDS]
    names = [name for name, _ in berater]
    listen = [list(model.DEFAULT_LISTS)] + [
        [
            model.DEFAULT_LISTS[n][i]
            if i < len(model.DEFAULT_LISTS[n])
            else (names[i] if n == "Berater" and i < len(names) else None)
            for n in model.DEFAULT_LISTS
        ]
        for i in range(10)
    ]
    grids = {
        model.KUNDENLISTE: [kh] + [[r.get(h) for h in kh] for r in kunden],
        model.KUNDENDOKU: [dh] + [[r.get(h) for h in dh] for r in doku],
        model.LISTEN: listen,
    }
    return workbook_from_grids(grids, source="bench")


def timed(fn, repeat: int) -> float:
    """Median CPU time of `repeat` runs (CPU, not wall: the figure must not depend on what else
    the machine is doing; single-threaded code, so the two agree on an idle machine)."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def core(n_customers: int, n_entries: int, repeat: int) -> None:
    data = in_memory(n_customers, n_entries)
    validate(data, today=TODAY)  # warm-up: imports, phone metadata
    findings = validate(data, today=TODAY)
    secs = timed(lambda: validate(data, today=TODAY), repeat)
    print(
        f"Validierung (Kern) {n_customers:>6} Kunden / {n_entries:>7} Einträge: {secs * 1000:8.1f} ms "
        f"(CPU, Median aus {repeat}; {len(findings)} Befunde)"
    )


def on_save(n_customers: int, n_entries: int, repeat: int) -> None:
    """The Excel door on a remote-engine Book (what the on-save hook runs, minus Excel's calls)."""
    import os

    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    import xlwings as xw

    from kundenliste_tools.xl.checks import check_book

    data = in_memory(n_customers, n_entries)
    kh = [f.name for f in model.KUNDEN_FIELDS]
    dh = [f.name for f in model.DOKU_FIELDS]

    def cell(v: Any) -> Any:
        if isinstance(v, dt.date):
            return f"{v.isoformat()}T00:00:00.000Z"
        return "" if v is None else v

    def grid(frame, header):
        return [header] + [[cell(v) for v in row] for row in frame[header].itertuples(index=False)]

    sheets = [(model.KUNDENLISTE, grid(data.kunden, kh)), (model.KUNDENDOKU, grid(data.doku, dh))]
    payload = {
        "client": "VBA",
        "version": xw.__version__,
        "names": [],
        "book": {"name": "Kundenliste.xlsm", "active_sheet_index": 0, "selection": "A1"},
        "sheets": [{"name": n, "values": v, "pictures": [], "tables": []} for n, v in sheets],
    }
    book = xw.Book(json=payload)
    check_book(book, today=TODAY)
    secs = timed(lambda: check_book(xw.Book(json=payload), today=TODAY), repeat)
    print(
        f"Excel-Tür (on_save, Remote-Book) {n_customers:>6} / {n_entries:>7}:        {secs * 1000:8.1f} ms "
        f"(CPU; Lesen, Prüfen, Markieren, Prüfbericht)"
    )


def from_file(n_customers: int, n_entries: int) -> None:
    """The whole headless path (read + validate) as a ratio to a bare pandas.read_excel."""
    import pandas as pd

    from kundenliste_tools.files.reader import read_workbook
    from kundenliste_tools.files.template import write_workbook

    kunden, doku, berater = rows(n_customers, n_entries)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        write_workbook(path, kunden, doku, berater=berater)
        bare = timed(
            lambda: pd.read_excel(path, sheet_name=[model.KUNDENLISTE, model.KUNDENDOKU], engine="calamine"), 3
        )
        read = timed(lambda: read_workbook(path), 3)
        data = read_workbook(path)
        check = timed(lambda: validate(data, today=TODAY), 3)
    print(
        f"Datei {n_customers} / {n_entries} (CPU): pandas.read_excel {bare:.2f} s, read_workbook {read:.2f} s, "
        f"validate {check:.2f} s → pruefen ≈ {(read + check) / bare:.2f} × read_excel"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gross", action="store_true", help="auch 30.000 Kunden / 300.000 Einträge")
    p.add_argument("--datei", action="store_true", help="auch den ganzen Weg über eine Datei messen")
    args = p.parse_args(argv)
    sizes = [(1_000, 10_000, 7)] + ([(30_000, 300_000, 3)] if args.gross else [])
    for n_k, n_d, repeat in sizes:
        core(n_k, n_d, repeat)
    on_save(1_000, 10_000, 5)
    if args.datei:
        for n_k, n_d, _ in sizes:
            from_file(n_k, n_d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
