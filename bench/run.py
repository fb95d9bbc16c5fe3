"""Speed of every command as a ratio to just reading the file (SPEC §10), in one run.

For each size the runner takes the same cached workbook (`bench/generate.py`) and measures,
each as a whole process (interpreter start, imports, reading, work, output):

- the floor: ``pandas.read_excel(path, sheet_name=None, engine="calamine")``.  All sheets,
  because every command reads both record sheets and the small auxiliary ones; reading only
  the two record sheets costs the same within noise.  The floor process also reports its
  in-process read time, printed below the table;
- ``kundenliste pruefen``, ``faellig --regelwerk X`` for every built-in rule set,
  ``quartal`` (into a temporary file) and ``ids`` (on a fresh copy, the copy not timed);

each as a ratio to the floor (best of `--wiederholungen` runs: the least disturbed by whatever
else the machine does), by wall time as SPEC §10 means it and by CPU time (user + system of
the child alone, which other load on the machine hardly moves), with its peak memory (the
child's own max RSS via `os.wait4`).
Then, for the team size, the on-save path: the workbook as a remote-engine xlwings `Book`
(the JSON a VBA client sends), read through the xl door, validated and marked by the
on-save hook; Python time only (building the `Book` is Excel's side and not counted).

    python bench/run.py --groesse 1000,30000,100000 [--wiederholungen 3] [--nur pruefen,faellig]
                        [--json out.json]

Not a test: the smoke test only checks that this runs on a tiny size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py beside this file)

#: Targets of SPEC §10 / issue 7: ratio to the floor by size (customers), memory, on-save.
TARGET_RATIO = {30_000: 1.5, 100_000: 2.0}
TARGET_MEMORY_MB = 4096
TARGET_ON_SAVE_S = 0.5
ON_SAVE_MAX = 1_000  # the on-save path is measured on team sizes only

FLOOR_CODE = (
    "import sys, time, json\n"
    "t = time.perf_counter()\n"
    "import pandas as pd\n"
    "i = time.perf_counter()\n"
    "frames = pd.read_excel(sys.argv[1], sheet_name=None, engine='calamine')\n"
    "e = time.perf_counter()\n"
    "print(json.dumps({'import': i - t, 'read': e - i, 'rows': {k: len(v) for k, v in frames.items()}}))\n"
)


@dataclass
class Measure:
    name: str
    seconds: float
    peak_mb: float
    exit: int
    cpu: float = 0.0  # user + system seconds of the child itself
    ratio: float | None = None
    cpu_ratio: float | None = None
    note: str = ""
    runs: list[float] = field(default_factory=list)


#: GNU time reports the peak memory of exactly the process it starts.  Why not os.wait4 alone:
#: on Linux a child's max RSS starts at its parent's RSS when it is forked (the high-water
#: mark survives exec), so a big runner would inflate every figure; time is a tiny parent.
GNU_TIME = "/usr/bin/time" if sys.platform.startswith("linux") and Path("/usr/bin/time").exists() else None


def run_process(args: list[str], cwd: Path) -> tuple[float, float, float, int, str, str]:
    """Run one child; wall seconds, CPU seconds (os.wait4), peak RSS in MB (GNU time, else
    os.wait4), exit code, stdout, stderr tail."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
    ):
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        wrapped = [GNU_TIME, "-f", "%M", "-o", rss.name, *args] if GNU_TIME else args
        t = time.perf_counter()
        proc = subprocess.Popen(wrapped, cwd=cwd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        measured = rss.read().strip().splitlines()
    if GNU_TIME and measured and measured[-1].isdigit():
        peak_mb = int(measured[-1]) / 1024  # KiB
        if proc.returncode != 0 and stderr.startswith("Command exited"):
            stderr = stderr.split("\n", 1)[-1]
    elif sys.platform == "darwin":
        peak_mb = usage.ru_maxrss / 1024 / 1024  # macOS: bytes
    else:
        peak_mb = usage.ru_maxrss / 1024  # Linux: KiB
    cpu = usage.ru_utime + usage.ru_stime  # time's own share is a few milliseconds
    return secs, cpu, peak_mb, proc.returncode, stdout, stderr[-600:]


def ensure_book(n: int, out: Path, log: Any, freitext: str = "wiederholt") -> tuple[Path, dict[str, Any]]:
    """The cached workbook, generated in a child process so the runner stays small."""
    done = subprocess.run(
        [sys.executable, str(HERE / "generate.py"), "--groesse", str(n), "--out", str(out),
         "--freitext", freitext],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if done.stderr:
        print(done.stderr.rstrip(), file=log, flush=True)
    done.check_returncode()
    path = generate.book_path(n, out, freitext == "eindeutig")
    return path, json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def warm_cache(path: Path) -> None:
    """Read the file once in small pieces, so the first measurement is not the disk's."""
    with open(path, "rb") as fh:
        while fh.read(1 << 20):
            pass


def built_in_rule_sets() -> list[str]:
    """The rule sets shipped with the package (one file each in `regelwerke/`)."""
    from importlib.resources import files

    folder = files("kundenliste_tools") / "regelwerke"
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith(".toml"))


def available_commands() -> set[str]:
    from kundenliste_tools.cli import COMMANDS

    return set(COMMANDS)


def command_plan(
    book: Path, tmp: Path, meta: dict[str, Any], only: set[str] | None
) -> list[tuple[str, list[str], Path | None]]:
    """(label, arguments after `python -m kundenliste_tools`, file to copy `book` to first)."""
    have = available_commands()
    plan: list[tuple[str, list[str], Path | None]] = []
    if "pruefen" in have:
        plan.append(("pruefen", ["pruefen", str(book)], None))
    if "faellig" in have:
        for name in built_in_rule_sets():
            plan.append(
                (f"faellig {name}", ["faellig", str(book), "--regelwerk", name, "--stichtag", meta["today"]], None)
            )
    if "quartal" in have:
        plan.append(("quartal", ["quartal", str(book), "--out", str(tmp / "export.xlsx")], None))
    if "ids" in have:
        copy = tmp / f"ids-{book.name}"
        plan.append(("ids (Kopie)", ["ids", str(copy)], copy))
    return [p for p in plan if only is None or p[0].split()[0] in only]


def measure_size(n: int, repeat: int, only: set[str] | None, out: Path, log: Any,
                 freitext: str = "wiederholt") -> dict[str, Any]:
    book, meta = ensure_book(n, out, log, freitext)
    py = sys.executable
    warm_cache(book)
    load_before = os.getloadavg()[0]
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="kl-bench-") as tmpdir:
        tmp = Path(tmpdir)

        def timed(name: str, args: list[str], copy_to: Path | None = None) -> tuple[Measure, str]:
            runs, cpus, peaks, code, stdout, stderr = [], [], [], 0, "", ""
            for _ in range(repeat):
                if copy_to is not None:
                    shutil.copyfile(book, copy_to)
                secs, cpu, peak, code, stdout, stderr = run_process(args, ROOT)
                runs.append(secs)
                cpus.append(cpu)
                peaks.append(peak)
            note = (
                ""
                if code in (0, 1)
                else f"Exit {code}: " + stderr.strip().splitlines()[-1]
                if stderr.strip()
                else f"Exit {code}"
            )
            m = Measure(name, min(runs), max(peaks), code, cpu=min(cpus), note=note, runs=runs)
            print(
                f"  {name:<24} {m.seconds:7.2f} s  CPU {m.cpu:7.2f} s  {m.peak_mb:7.0f} MB  exit {code}",
                file=log,
                flush=True,
            )
            return m, stdout

        floor, floor_out = timed("Boden: read_excel", [py, "-c", FLOOR_CODE, str(book)])
        floor.ratio = floor.cpu_ratio = 1.0
        inner = json.loads(floor_out) if floor.exit == 0 else {}
        results.append(floor)
        start, _ = timed("Start (--help)", [py, "-m", "kundenliste_tools", "--help"])
        results.append(start)
        for name, args, copy_to in command_plan(book, tmp, meta, only):
            m, _ = timed(name, [py, "-m", "kundenliste_tools", *args], copy_to)
            results.append(m)
    for m in results[1:]:
        m.ratio = m.seconds / floor.seconds if floor.seconds else None
        m.cpu_ratio = m.cpu / floor.cpu if floor.cpu else None
    on_save = (
        measure_on_save(book, log)
        if n <= ON_SAVE_MAX and (only is None or "speichern" in only or "pruefen" in only)
        else None
    )
    return {
        "customers": meta["customers"],
        "repeat": repeat,
        "load": [load_before, os.getloadavg()[0]],
        "entries": meta["entries"],
        "size": n,
        "file_mb": meta["bytes"] / 1e6,
        "floor_inner": inner,
        "results": [asdict(m) for m in results],
        "on_save": on_save,
    }


def measure_on_save(book: Path, log: Any) -> dict[str, Any] | None:
    """The on-save path in a child process (clean imports); its JSON report, or the error."""
    secs, _, peak, code, stdout, stderr = run_process([sys.executable, str(HERE / "on_save.py"), str(book)], ROOT)
    if code != 0:
        print(f"  on-save: Exit {code}: {stderr.strip()[-300:]}", file=log, flush=True)
        return {"error": stderr.strip()[-300:]}
    report = json.loads(stdout)
    report["peak_mb"] = peak
    return report


def table(report: dict[str, Any]) -> str:
    """The figures of one size as a Markdown table (pasted into bench/README.md)."""
    n = report["size"]
    target = next((t for size, t in sorted(TARGET_RATIO.items(), reverse=True) if n >= size), None)
    load = report.get("load")
    lines = [
        f"### {report['customers']:,} Kunden / {report['entries']:,} Einträge ({report['file_mb']:.1f} MB)".replace(
            ",", "."
        ),
        "",
        f"Bestes von {report['repeat']} Läufen; Systemlast (1 min) vorher/nachher: {load[0]:.1f} / {load[1]:.1f}."
        if load
        else "",
        "",
        "| Befehl | Zeit (s) | × Boden | CPU (s) | × Boden (CPU) | Spitze (MB) | Ziel |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["results"]:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "–"
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if r.get("cpu_ratio") is not None else "–"
        verdict = ""
        if r["exit"] not in (0, 1):
            verdict = f"Fehler ({r['note'][:60]})"
        elif target and not r["name"].startswith(("Boden", "Start")):
            memory_ok = n < 100_000 or r["peak_mb"] < TARGET_MEMORY_MB
            ok = r["ratio"] <= target and memory_ok
            verdict = f"{'ok' if ok else 'verfehlt'} (≤ {target}×{', < 4 GB' if n >= 100_000 else ''})"
            if not ok and memory_ok and r.get("cpu_ratio") is not None and r["cpu_ratio"] <= target:
                verdict += ", CPU-Verhältnis ok"
        lines.append(
            f"| {r['name']} | {r['seconds']:.2f} | {ratio} | {r.get('cpu', 0):.2f} | {cpu_ratio} "
            f"| {r['peak_mb']:.0f} | {verdict} |"
        )
    inner = report.get("floor_inner") or {}
    if inner:
        lines.append("")
        lines.append(f"Im Boden-Prozess: `import pandas` {inner['import']:.2f} s, `read_excel` {inner['read']:.2f} s.")
    on_save = report.get("on_save")
    if on_save and "error" not in on_save:
        ok = on_save["warm_s"] < TARGET_ON_SAVE_S
        lines.append("")
        lines.append(
            f"Beim Speichern (Remote-Engine, nur Python-Zeit, bestes von {len(on_save['warm_runs'])}): "
            f"lesen {on_save['read_s']:.3f} s, ganzer Hook {on_save['warm_s']:.3f} s "
            f"(CPU {on_save['warm_cpu_s']:.3f} s; {'ok' if ok else 'verfehlt'}, Ziel < {TARGET_ON_SAVE_S} s); "
            f"kalt (Python startet frisch: `import xlwings` samt pandas {on_save['import_xlwings_s']:.2f} s, "
            f"Paket {on_save['import_s']:.2f} s, erster Aufruf {on_save['first_s']:.2f} s) {on_save['cold_s']:.2f} s; "
            f"{on_save['actions']} Schreibaktionen."
        )
    elif on_save:
        lines.append("")
        lines.append(f"Beim Speichern: nicht messbar ({on_save['error'][-120:]}).")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Geschwindigkeit der Befehle als Vielfaches von read_excel messen.")
    parser.add_argument("--groesse", default="1000,30000", help="Kundenzahlen, z. B. 1000,30000,100000")
    parser.add_argument("--wiederholungen", type=int, default=1, help="Läufe je Befehl (das beste zählt)")
    parser.add_argument("--nur", help="nur diese Befehle, z. B. pruefen,faellig")
    parser.add_argument("--out", type=Path, default=generate.OUT, help="Ordner der Arbeitsmappen (Standard: bench/out)")
    parser.add_argument("--json", type=Path, help="alle Messwerte zusätzlich als JSON hierhin")
    parser.add_argument("--freitext", choices=("wiederholt", "eindeutig"), default="wiederholt",
                        help="Mappe mit wiederholten Notizen (Standard) oder mit lauter verschiedenen")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.nur.split(",")} if args.nur else None
    reports = []
    for n in generate.parse_sizes(args.groesse):
        print(f"{n} Kunden:", file=sys.stderr, flush=True)
        report = measure_size(n, max(1, args.wiederholungen), only, args.out, sys.stderr, args.freitext)
        reports.append(report)
        print(table(report) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps(reports, indent=1, ensure_ascii=False), encoding="utf-8")
    failed = any(r["exit"] not in (0, 1) for rep in reports for r in rep["results"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
