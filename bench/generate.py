"""Benchmark workbooks at team and job-centre scale: N customers, ten times as many entries.

The customers come from the demo generator itself (`core.demo_data._customer`, so names,
addresses, job-centre fields and their mix are the demo's); the KundenDoku entries are drawn
vectorised (numpy) with the demo's value pools and weights, because a million entries through
the demo's per-entry loop would be too slow and too few (the demo has about five per customer).
The demo's deliberate mistakes (`_add_mistakes`) go in too, so every command has something
to find.  Files are written with xlsxwriter (about three times faster than openpyxl's
write-only mode), with shared strings, ISO date formats and Excel tables, as Excel saves them.

A file is cached by size in `bench/out/`: a rerun reuses it while its `.json` sidecar says it
was made by this generator and the same demo generator (a hash of both sources).  Usage:

    python bench/generate.py --groesse 1000,30000,100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from kundenliste_tools.core import demo_data, model

OUT = Path(__file__).resolve().parent / "out"
#: Bump when the files change shape, so cached workbooks are rebuilt.
VERSION = 1


def fingerprint() -> str:
    """This generator's version and the demo generator it draws from: a cached workbook made
    by other code is rebuilt."""
    import hashlib

    digest = hashlib.sha256(Path(demo_data.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return f"{VERSION}-{digest.hexdigest()[:12]}"


ENTRIES_PER_CUSTOMER = 10
SEED = 7


def parse_sizes(text: str) -> list[int]:
    """`1000,30k,100000` → [1000, 30000, 100000]."""
    sizes = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if not part:
            continue
        factor = 1000 if part.endswith("k") else 1
        sizes.append(int(part.rstrip("k")) * factor)
    return sizes


def customers(n: int, today: dt.date, rnd: random.Random) -> list[dict[str, Any]]:
    """`n` invented customers, exactly as the demo draws them."""
    return [demo_data._customer(rnd, i, today) for i in range(n)]


#: `--freitext eindeutig`: what makes each note its own, as in a real KundenDoku (the default
#: workbook draws its notes from the demo's few dozen sentences, so they repeat).
DETAILS = ("Unterlagen Nr. {n} besprochen", "Rückruf unter Vorgang {n} vereinbart",
           "Bescheid vom {d} mit Aktenzeichen {n} gelesen", "Stelle {n} bei einem Träger in {c} besprochen",
           "Kita-Platz, Wartenummer {n}", "Schreiben vom {d}, Geschäftszeichen {n}")
CITIES = ("Dresden", "Leipzig", "Chemnitz", "Zwickau", "Plauen", "Görlitz", "Bautzen", "Pirna")


def entries(kunden: list[dict[str, Any]], total: int, today: dt.date, seed: int,
            unique_text: bool = False) -> list[dict[str, Any]]:
    """`total` conversations spread over the customers that are past `neu`, sorted like a log.

    Longer-known customers get more entries (multinomial weights ∝ days since Erstkontakt);
    each entry's date lies between the customer's Erstkontakt and today; every entry has a
    Folgetermin 2–8 weeks later except the last one of a closed customer (as in the demo).
    `unique_text`: each Zusammenfassung and Vereinbarung gets a detail of its own (a number,
    a date, a place), so that almost no two notes are the same text.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    active = [i for i, k in enumerate(kunden) if k["Status"] != model.STATUS_NEU]
    if not active or total <= 0:
        return []
    t0 = np.datetime64(today, "D")
    erst = np.array([kunden[i]["Erstkontakt"] for i in active], dtype="datetime64[D]")
    age = (t0 - erst).astype(np.int64)
    weights = (age + 14).astype(float)
    counts = rng.multinomial(total, weights / weights.sum())
    owner = np.repeat(np.arange(len(active)), counts)
    day = erst[owner] + np.floor(rng.random(len(owner)) * (age[owner] + 1)).astype("timedelta64[D]")
    order = np.lexsort((day, owner))
    owner, day = owner[order], day[order]
    last_of_owner = np.append(owner[1:] != owner[:-1], True)
    closed = np.array([kunden[i]["Status"] == model.STATUS_ABGESCHLOSSEN for i in active])
    gap = rng.choice(np.array([14, 21, 28, 42, 56]), len(owner)).astype("timedelta64[D]")
    follow = np.where(last_of_owner & closed[owner], np.datetime64("NaT"), day + gap)

    kontaktarten, weights = zip(*demo_data.HELD)  # conversations that took place (no no-shows)
    kontakt = rng.choice(len(kontaktarten), len(owner), p=np.array(weights) / sum(weights))
    topic = rng.integers(0, len(demo_data.TOPICS), len(owner))
    named = rng.random(len(owner)) < 0.1  # counsellors do write names into free text
    agreement = rng.integers(0, len(demo_data.AGREEMENTS), len(owner))
    allgemein = rng.random(len(owner)) < 0.1
    number = rng.integers(10_000, 10_000_000, len(owner))  # drawn always: the same log either way

    # a log is kept in date order: sort by (Datum, ID) as the demo does
    ids = np.array([int(kunden[i]["ID"]) for i in active])
    order = np.lexsort((ids[owner], day))
    days = day[order].astype(object)
    follows = follow[order].astype(object)  # NaT → None
    out = []
    for j, o in enumerate(owner[order].tolist()):
        k = kunden[active[o]]
        text = demo_data.TOPICS[topic[j]]
        agreed = demo_data.AGREEMENTS[agreement[j]]
        if unique_text:
            detail = DETAILS[j % len(DETAILS)].format(
                n=int(number[j]), d=(days[j] - dt.timedelta(days=int(number[j]) % 40)).strftime("%d.%m.%Y"),
                c=CITIES[int(number[j]) % len(CITIES)])
            text = f"{text}; {detail}"
            until = days[j] + dt.timedelta(days=7 + int(number[j]) % 21)
            agreed = f"{agreed} (bis {until.strftime('%d.%m.')}, Nr. {int(number[j]) // 7})"
        if named[j]:
            text = f"{'Frau' if k['VName'][-1] in 'aen' else 'Herr'} {k['NName']}: {text}"
        out.append(
            {
                "Datum": days[j],
                "ID": k["ID"],
                "Berater": k["Berater"],
                "Zusammenfassung": text,
                "Vereinbarungen": agreed,
                "Folgetermin": follows[j],
                "Kontaktart": kontaktarten[kontakt[j]],
                "Vermerkart": "Allgemeiner Vermerk" if allgemein[j] else "Beratungsvermerk",
            }
        )
    return out


def build(n: int, today: dt.date, per_customer: int = ENTRIES_PER_CUSTOMER, seed: int = SEED,
          unique_text: bool = False) -> demo_data.DemoData:
    """The data of a benchmark workbook, with the demo's deliberate mistakes recorded."""
    rnd = random.Random(seed)
    kunden = customers(n, today, rnd)
    doku = entries(kunden, n * per_customer, today, seed, unique_text)
    data = demo_data.DemoData(kunden, doku)
    if n >= 20 and doku:
        demo_data._add_mistakes(data, rnd, today)
    return data


def write(path: Path, data: demo_data.DemoData, stray_cell: bool = False) -> Path:
    """Write the workbook as Excel would keep it: tables, ISO date cells, the tool's sheets.

    `stray_cell`: one more cell in column XFD of the Kundenliste (row 17), as a slipped
    keystroke leaves it (issue 12: it must cost nothing)."""
    import xlsxwriter

    from kundenliste_tools.core.book import ID_REGISTER_SHEET
    from kundenliste_tools.files.template import doku_headers, kunden_headers

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(
        str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = wb.add_format({"num_format": "@"})
    head_fmt = wb.add_format({"bold": True})
    for sheet, headers, rows, table in (
        (model.KUNDENLISTE, kunden_headers(), data.kunden, "Kunden"),
        (model.KUNDENDOKU, doku_headers(), data.doku, "Doku"),
    ):
        ws = wb.add_worksheet(sheet)
        kinds = {f.name: f.kind for f in model.SHEET_FIELDS[sheet]}
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head_fmt)
            kind = kinds.get(h, "date" if h == model.DUE_COLUMN else "text")
            if kind == "date":
                ws.set_column(c, c, 12, date_fmt)
            elif kind in ("plz", "id", "phone"):
                ws.set_column(c, c, 12, text_fmt)
            else:
                ws.set_column(c, c, 20)
        for r, row in enumerate(rows, start=1):
            for c, h in enumerate(headers):
                v = row.get(h)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(
                        r, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day), date_fmt
                    )
                else:
                    ws.write_number(r, c, v)
        ws.add_table(
            0,
            0,
            max(len(rows), 1),
            len(headers) - 1,
            {"name": table, "style": "Table Style Medium 2", "columns": [{"header": h} for h in headers]},
        )
        ws.freeze_panes(1, 1)
        if stray_cell and sheet == model.KUNDENLISTE:
            ws.write_string(16, 16383, "x")

    lists = dict(model.DEFAULT_LISTS)
    lists["Berater"] = tuple(name for name, _ in data.berater)
    ws = wb.add_worksheet(model.LISTEN)
    for c, (name, values) in enumerate(lists.items()):
        ws.write_string(0, c, name, head_fmt)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
    ws = wb.add_worksheet(model.EINSTELLUNGEN)
    ws.write_row(0, 0, ["Einstellung", "Wert"], head_fmt)
    for r, (k, v) in enumerate(model.SETTINGS_DEFAULTS.items(), start=1):
        ws.write_string(r, 0, k)
        if v:
            ws.write_string(r, 1, v)
    ws = wb.add_worksheet(model.BERATER_SHEET)
    ws.write_row(0, 0, ["Name", "Stellenanteil"], head_fmt)
    for r, (name, share) in enumerate(data.berater, start=1):
        ws.write_string(r, 0, name)
        ws.write_number(r, 1, share)
    ws = wb.add_worksheet(ID_REGISTER_SHEET)
    ws.write_string(0, 0, "Vergebene ID")
    ws.hide()
    wb.close()
    tmp.replace(path)
    return path


def book_path(n: int, out: Path = OUT, unique_text: bool = False) -> Path:
    return out / f"kundenliste-{n}{'-eindeutig' if unique_text else ''}.xlsx"


def ensure(n: int, out: Path = OUT, today: dt.date | None = None, log: Any = None,
           unique_text: bool = False) -> tuple[Path, dict[str, Any]]:
    """The workbook of `n` customers, generated unless a current one is cached; and its facts."""
    path = book_path(n, out, unique_text)
    meta_path = path.with_suffix(".json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") == fingerprint():
            return path, meta
    today = today or dt.date.today()
    t = time.perf_counter()
    data = build(n, today, unique_text=unique_text)
    built = time.perf_counter() - t
    write(path, data)
    meta = {
        "version": fingerprint(),
        "today": today.isoformat(),
        "customers": len(data.kunden),
        "entries": len(data.doku),
        "bytes": path.stat().st_size,
        "seconds": {"build": round(built, 1), "write": round(time.perf_counter() - t - built, 1)},
        "mistakes": [list(m) for m in data.mistakes],
    }
    meta_path.write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    if log:
        print(
            f"erzeugt: {path.name} ({meta['customers']} Kunden, {meta['entries']} Einträge, "
            f"{meta['bytes'] / 1e6:.1f} MB, {time.perf_counter() - t:.0f} s)",
            file=log,
            flush=True,
        )
    return path, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark-Arbeitsmappen erzeugen (zwischengespeichert in bench/out/)."
    )
    parser.add_argument("--groesse", default="1000,30000,100000", help="Kundenzahlen, z. B. 1000,30000")
    parser.add_argument("--out", type=Path, default=OUT, help="Zielordner (Standard: bench/out)")
    parser.add_argument("--freitext", choices=("wiederholt", "eindeutig"), default="wiederholt",
                        help="Notizen aus wenigen Sätzen (Standard) oder jede mit eigenem Detail")
    args = parser.parse_args(argv)
    for n in parse_sizes(args.groesse):
        path, meta = ensure(n, args.out, log=sys.stderr, unique_text=args.freitext == "eindeutig")
        print(f"{path}  {meta['customers']} Kunden, {meta['entries']} Einträge")
    return 0


if __name__ == "__main__":
    sys.exit(main())
