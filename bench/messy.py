"""Issue 12 in figures: a findings-heavy workbook and a stray cell in column XFD.

1. **Unordentlich**: 20,000 customers and 100,000 entries written the way a team that never
   heard of JJJJ-MM-TT keeps them: German date text, numbers that lost their leading zero,
   list values spelled differently, invalid phone numbers and e-mail addresses: about
   140,000 findings.  `pruefen` (table) and
   `pruefen --json` are measured against the floor (a bare `read_excel` of the same file, in
   a fresh process, `bench/run.py`'s floor); target ≤ 1.0×.
2. **Streuzelle XFD**: the benchmark workbook of N customers (`bench/generate.py`) and the same
   workbook with one more cell in XFD17 of the Kundenliste; every command on both; target: the
   stray cell adds < 10 %.

    python bench/messy.py [--groesse 20000] [--xfd 5000,30000] [--wiederholungen 2] [--json out.json]

Workbooks are cached in bench/out/ like generate.py's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import run  # noqa: E402

from kundenliste_tools.core import model  # noqa: E402

MESSY_VERSION = 1
ENTRIES_PER_CUSTOMER = 5


def messy_data(n: int, today: dt.date) -> Any:
    """The benchmark data of `n` customers, then spoiled the way real lists are (seeded)."""
    data = generate.build(n, today, per_customer=ENTRIES_PER_CUSTOMER)
    rnd = random.Random(12)
    for k in data.kunden:
        r = rnd.random()
        if isinstance(k.get("Erstkontakt"), dt.date) and r < 0.6:
            k["Erstkontakt"] = k["Erstkontakt"].strftime("%d.%m.%Y")  # datum-format
        if rnd.random() < 0.5:
            k["Telefon"] = f"0{rnd.randint(10, 99)} {rnd.randint(1, 999)}"  # too short
        if rnd.random() < 0.4:
            k["Email"] = f"{(k.get('VName') or 'info').lower()}@web"  # no domain ending
        if rnd.random() < 0.4 and isinstance(k.get("PLZ"), str) and k["PLZ"].startswith("0"):
            k["PLZ"] = int(k["PLZ"])  # lost its leading zero
        if rnd.random() < 0.5 and k.get("Status") == model.STATUS_IN_BERATUNG:
            k["Status"] = "In Beratung"  # spelled differently
    for e in data.doku:
        if isinstance(e.get("Datum"), dt.date) and rnd.random() < 0.8:
            e["Datum"] = e["Datum"].strftime("%d.%m.%Y")
        if rnd.random() < 0.3:
            e["Kontaktart"] = "Persönlich"
    return data


def ensure_messy(n: int, out: Path = generate.OUT) -> tuple[Path, dict[str, Any]]:
    path = out / f"kundenliste-unordentlich-{n}.xlsx"
    meta_path = path.with_suffix(".json")
    version = f"{MESSY_VERSION}-{generate.fingerprint()}"
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") == version:
            return path, meta
    today = dt.date.today()
    data = messy_data(n, today)
    generate.write(path, data)
    meta = {"version": version, "today": today.isoformat(), "customers": len(data.kunden),
            "entries": len(data.doku), "bytes": path.stat().st_size}
    meta_path.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return path, meta


def ensure_stray(n: int, out: Path = generate.OUT) -> tuple[Path, Path, dict[str, Any]]:
    """The plain benchmark workbook of `n` customers and its twin with a cell in XFD17."""
    plain, meta = generate.ensure(n, out)
    twin = out / f"kundenliste-{n}-xfd.xlsx"
    twin_meta = twin.with_suffix(".json")
    if not (twin.exists() and twin_meta.exists()
            and json.loads(twin_meta.read_text())["version"] == meta["version"]):
        data = generate.build(n, dt.date.fromisoformat(meta["today"]))
        generate.write(twin, data, stray_cell=True)
        twin_meta.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return plain, twin, meta


def best(args: list[str], repeat: int, copy: tuple[Path, Path] | None = None) -> dict[str, Any]:
    """Best wall and CPU time of `repeat` runs, the peak memory, the exit code, the output size."""
    import shutil

    walls, cpus, peaks, code, out = [], [], [], 0, ""
    for _ in range(repeat):
        if copy:
            shutil.copyfile(*copy)
        secs, cpu, peak, code, out, err = run.run_process(args, run.ROOT)
        walls.append(secs)
        cpus.append(cpu)
        peaks.append(peak)
    return {"wall": min(walls), "cpu": min(cpus), "peak_mb": max(peaks), "exit": code,
            "out_bytes": len(out.encode())}


def measure_messy(n: int, repeat: int, log: Any) -> dict[str, Any]:
    book, meta = ensure_messy(n)
    run.warm_cache(book)
    py = sys.executable
    floor = best([py, "-c", run.FLOOR_CODE, str(book)], repeat)
    rows = {"Boden: read_excel": floor}
    for label, extra in (("pruefen", []), ("pruefen --json", ["--json"])):
        rows[label] = best([py, "-m", "kundenliste_tools", "pruefen", str(book), *extra], repeat)
    _, _, _, _, out, _ = run.run_process([py, "-m", "kundenliste_tools", "pruefen", str(book), "--json"], run.ROOT)
    summary = json.loads(out)["summary"]
    for label, m in rows.items():
        m["ratio"] = m["wall"] / floor["wall"]
        m["cpu_ratio"] = m["cpu"] / floor["cpu"]
        print(f"  {label:<20} {m['wall']:6.2f} s  {m['ratio']:5.2f}×  CPU {m['cpu']:6.2f} s "
              f"{m['cpu_ratio']:5.2f}×  {m['peak_mb']:6.0f} MB", file=log, flush=True)
    return {"customers": meta["customers"], "entries": meta["entries"], "file_mb": meta["bytes"] / 1e6,
            "findings": summary["errors"] + summary["warnings"], "codes": summary["codes"],
            "rows": rows}


def measure_stray(n: int, repeat: int, log: Any) -> dict[str, Any]:
    plain, twin, meta = ensure_stray(n)
    py = sys.executable
    out: dict[str, Any] = {"customers": meta["customers"], "entries": meta["entries"], "rows": {}}
    with tempfile.TemporaryDirectory(prefix="kl-xfd-") as tmpdir:
        tmp = Path(tmpdir)
        run.warm_cache(plain)
        run.warm_cache(twin)
        plans = {kind: run.command_plan(book, tmp, meta, None) for book, kind in ((plain, "ohne"), (twin, "mit"))}
        # the two books alternate run by run, so a change in the machine's load hits both alike
        for i, (label, _, _) in enumerate(plans["ohne"]):
            runs: dict[str, list[dict[str, Any]]] = {"ohne": [], "mit": []}
            for _ in range(repeat):
                for book, kind in ((plain, "ohne"), (twin, "mit")):
                    _, args, copy_to = plans[kind][i]
                    runs[kind].append(best([py, "-m", "kundenliste_tools", *args], 1,
                                           (book, copy_to) if copy_to else None))
            out["rows"][label] = {kind: {"wall": min(r["wall"] for r in rs), "cpu": min(r["cpu"] for r in rs),
                                         "peak_mb": max(r["peak_mb"] for r in rs), "exit": rs[-1]["exit"]}
                                  for kind, rs in runs.items()}
    for label, pair in out["rows"].items():
        pair["zuschlag"] = pair["mit"]["wall"] / pair["ohne"]["wall"] - 1
        pair["zuschlag_cpu"] = pair["mit"]["cpu"] / pair["ohne"]["cpu"] - 1
        print(f"  {label:<24} ohne {pair['ohne']['wall']:6.2f} s  mit {pair['mit']['wall']:6.2f} s  "
              f"{pair['zuschlag']:+6.1%} (CPU {pair['zuschlag_cpu']:+6.1%})  "
              f"{pair['ohne']['peak_mb']:5.0f}/{pair['mit']['peak_mb']:5.0f} MB  "
              f"Exit {pair['ohne']['exit']}/{pair['mit']['exit']}", file=log, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Issue 12: Befund-reiche Mappe und Streuzelle in XFD messen.")
    parser.add_argument("--groesse", default="20000", help="Kunden der unordentlichen Mappe (0 = nicht messen)")
    parser.add_argument("--xfd", default="5000,30000", help="Kundenzahlen für den Streuzellen-Vergleich")
    parser.add_argument("--wiederholungen", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"load": [__import__("os").getloadavg()[0]], "unordentlich": [], "xfd": []}
    for n in generate.parse_sizes(args.groesse):
        if n:
            print(f"Unordentlich, {n} Kunden:", file=sys.stderr, flush=True)
            report["unordentlich"].append(measure_messy(n, args.wiederholungen, sys.stderr))
    for n in generate.parse_sizes(args.xfd):
        print(f"Streuzelle XFD, {n} Kunden:", file=sys.stderr, flush=True)
        report["xfd"].append(measure_stray(n, args.wiederholungen, sys.stderr))
    report["load"].append(__import__("os").getloadavg()[0])
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
