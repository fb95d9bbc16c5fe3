"""The team server (issue 15): request size and round-trip time for a team workbook.

Starts `kundenliste-server` on 127.0.0.1 (as tests/test_server.py does), sends the body xlwings'
Remote module sends (`tests/serverbook.vba_payload`: the sheets our VBA includes, Excel's used
range from A1, nulls for empty cells) and times each script from the first byte sent to the
last byte of the answer, `RUNS` times; the best and the median count.  Two workbooks of a team
(1,000 customers): the demo workbook (`kundenliste demo`'s generator, the template's 2,000
prepared rows, about 8,300 entries) and the benchmark workbook (`bench/generate.py`, 10,000
entries).  Not part of the test run.

    python bench/server.py [--json out.json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
RUNS = 5
SCRIPTS = ("on_save", "pruefen", "faelligkeiten", "ids_vergeben")


def workbooks(folder: Path) -> dict[str, Path]:
    from bench.generate import ensure
    from kundenliste_tools.files.demo import write_demo

    demo = folder / "Kundenliste-demo.xlsm"
    write_demo(demo, n_customers=1000)
    generated, _ = ensure(1000)
    return {"demo 1.000": demo, "bench 1.000/10.000": generated}


def measure(name: str, path: Path, server) -> dict[str, object]:
    import openpyxl

    from tests.serverbook import run_locally, vba_payload

    sheets = openpyxl.load_workbook(path, read_only=True).sheetnames
    payload = vba_payload(path, [s for s in sheets if s != "xlwings.conf"])  # = BenoetigteBlaetter here
    body = json.dumps(payload).encode("utf-8")
    rows = {s["name"]: len(s["values"]) for s in payload["sheets"] if s["values"] != [[]]}
    report: dict[str, object] = {
        "workbook": name, "rows_sent": rows, "request_bytes": len(body),
        "request_gzip_bytes": len(gzip.compress(body)), "scripts": {},
    }
    for script in SCRIPTS:
        times, size = [], 0
        for _ in range(RUNS):
            status, answer, seconds = server.call(script, body)
            assert status == 200, (script, status, answer)
            times.append(seconds)
            size = len(json.dumps(answer).encode("utf-8"))
        start = time.perf_counter()
        run_locally(payload, script)
        local = time.perf_counter() - start
        report["scripts"][script] = {  # type: ignore[index]
            "best_s": min(times), "median_s": statistics.median(times), "answer_bytes": size,
            "in_process_s": local,
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Team-Server: Größe der Anfrage und Antwortzeit")
    parser.add_argument("--json", type=Path, help="Ergebnis zusätzlich als JSON-Datei")
    args = parser.parse_args(argv)
    from tests.serverbook import team_server

    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        books = workbooks(Path(tmp))
        with team_server(Path(tmp)) as server:
            for name, path in books.items():
                reports.append(measure(name, path, server))
    for r in reports:
        print(f"{r['workbook']}: Anfrage {r['request_bytes'] / 1e6:.2f} MB "
              f"(gzip {r['request_gzip_bytes'] / 1e6:.2f} MB), Zeilen {r['rows_sent']}")
        for script, s in r["scripts"].items():  # type: ignore[union-attr]
            print(f"  {script:14} Hin und zurück {s['best_s']:.2f} s (Median {s['median_s']:.2f} s), "
                  f"Antwort {s['answer_bytes'] / 1e3:.0f} kB, im selben Prozess {s['in_process_s']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
