"""Benchmark of the quarterly export (issue 6, SPEC §10): not a test, prints figures.

    python bench/bench_quartal.py [--groesse 30000]

Uses the cached benchmark workbook of `bench/generate.py` (N customers, ten entries each) and
prints, in one run, CPU seconds of each step of `kundenliste quartal` and the whole export as
a ratio to a bare `pandas.read_excel(engine="calamine")` of the same file; then the
scrubber's throughput on ALL entries of the workbook (not only one quarter's), since that is
the part whose cost grows with the free text: the known values of every customer against
every word of every entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import pandas as pd  # noqa: E402

from kundenliste_tools.core import quarterly  # noqa: E402
from kundenliste_tools.core.overdue import assess  # noqa: E402
from kundenliste_tools.core.periods import default_period  # noqa: E402
from kundenliste_tools.core.scrub import build_scrubber  # noqa: E402
from kundenliste_tools.files import export  # noqa: E402
from kundenliste_tools.files.firstnames import first_names  # noqa: E402
from kundenliste_tools.files.reader import read_workbook  # noqa: E402
from kundenliste_tools.files.rulefiles import load_ruleset  # noqa: E402


def cpu(fn, *args, **kw):
    t = time.process_time()
    result = fn(*args, **kw)
    return result, time.process_time() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groesse", type=int, default=30_000)
    size = ap.parse_args().groesse
    path, _ = generate.ensure(size)
    _, floor = cpu(pd.read_excel, path, sheet_name=None, engine="calamine")
    steps: dict[str, float] = {}
    data, steps["lesen"] = cpu(read_workbook, path)
    period = default_period(dt.date.today())
    rules, steps["regelwerk"] = cpu(load_ruleset, None, data)
    prepared, steps["daten vorbereiten"] = cpu(quarterly.prepare, data)
    view, steps["Stand am Periodenende"] = cpu(quarterly.data_at_period_end, data, period, prepared)
    assessment, steps["Überfälligkeit (Engine)"] = cpu(assess, view, rules, period.end)
    names, steps["Vornamenliste lesen"] = cpu(first_names)
    scrubber, steps["Anonymisierer bauen"] = cpu(build_scrubber, data.kunden, names)
    built, steps["Export-Inhalt"] = cpu(quarterly.build_export, data, period, assessment, rules.name,
                                        scrubber=scrubber, prepared=prepared)
    with tempfile.TemporaryDirectory() as tmp:
        _, steps["Datei schreiben"] = cpu(export.save_export, built, Path(tmp) / "x.xlsx")
    total = sum(steps.values())
    print(f"{len(data.kunden):,} Kunden, {len(data.doku):,} Einträge; Zeitraum {period.description}: "
          f"{len(built.kunden):,} Kunden, {len(built.doku):,} Einträge im Export")
    print(f"Boden read_excel: {floor:.2f} s CPU")
    for name, secs in steps.items():
        print(f"  {name:28s} {secs:6.2f} s")
    print(f"  {'gesamt':28s} {total:6.2f} s  = {total / floor:.2f} × Boden (ohne Interpreterstart)")

    texts = data.doku["Zusammenfassung"].tolist() + data.doku["Vereinbarungen"].tolist()
    chars = sum(len(str(t)) for t in texts if isinstance(t, str))
    for label, with_names in (("mit Vornamenliste", names), ("ohne Vornamenliste", frozenset())):
        fresh, build = cpu(build_scrubber, data.kunden, with_names)
        _, secs = cpu(fresh.scrub_many, texts)
        print(f"Anonymisieren aller {len(texts):,} Freitexte ({chars / 1e6:.1f} Mio. Zeichen) {label}: "
              f"bauen {build:.2f} s, {secs:.2f} s CPU, {chars / secs / 1e6:.1f} Mio. Zeichen/s; "
              f"ersetzt: {dict(fresh.counts)}")


if __name__ == "__main__":
    main()
