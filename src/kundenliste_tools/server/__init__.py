"""The team server door: the workbook's use cases on xlwings Server (SPEC §10, issue 15).

Where Python may not run on the counsellors' PCs, the workbook's buttons and its check on
save call this server instead (`RunServerPython`, when the Einstellungen name a `Server`).
xlwings Server (the `xlwings-server` package: `pip install .[server]`) does the HTTP, the
remote-engine `Book` and the token check; the project in `projekt/` only maps its custom
scripts onto the Excel door's entry points.  `kundenliste-server` starts it with one command:

    KUNDENLISTE_TOKEN=… XLWINGS_LICENSE_KEY=noncommercial kundenliste-server

Decisions: the token is required (no anonymous server), the access log is off (it would hold
the counsellors' IP addresses; the scripts log one line without cell values instead), and
TLS is the job of a proxy in front (README: several workers behind TLS).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

PROJECT = Path(__file__).resolve().parent / "projekt"
#: The smallest token the server accepts (a team token is typed once, by `kundenliste einrichten`).
MIN_TOKEN = 16


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment xlwings Server needs for this project (on top of `base`)."""
    env = dict(os.environ if base is None else base)
    env["XLWINGS_PROJECT_DIR"] = str(PROJECT)
    env["XLWINGS_AUTH_PROVIDERS"] = '["team"]'
    env.setdefault("XLWINGS_ENVIRONMENT", "prod")
    env.setdefault("XLWINGS_ENABLE_SOCKETIO", "false")
    return env


def problems(env: dict[str, str]) -> list[str]:
    """What keeps the server from starting, in German (empty: it may start)."""
    found = []
    if len(env.get("KUNDENLISTE_TOKEN", "").strip()) < MIN_TOKEN:
        found.append(f"KUNDENLISTE_TOKEN fehlt oder ist kürzer als {MIN_TOKEN} Zeichen (das Team-Token, z. B. "
                     "python -c \"import secrets; print(secrets.token_urlsafe(24))\").")
    if not env.get("XLWINGS_LICENSE_KEY"):
        found.append("XLWINGS_LICENSE_KEY fehlt: gemeinnützige und öffentliche Träger setzen "
                     "XLWINGS_LICENSE_KEY=noncommercial (PolyForm Noncommercial), andere brauchen eine xlwings-Lizenz.")
    return found


def run(argv: Sequence[str] | None = None) -> None:
    """Console script `kundenliste-server`: start xlwings Server with the team project."""
    parser = argparse.ArgumentParser(
        prog="kundenliste-server",
        description="Startet den Team-Server (xlwings Server) für die Kundenliste. Das Team-Token steht in "
        "KUNDENLISTE_TOKEN, der Ordner für Quartalsexporte in KUNDENLISTE_EXPORT_ORDNER.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Adresse (Vorgabe 127.0.0.1; hinter einem TLS-Proxy)")
    parser.add_argument("--port", type=int, default=8000, help="Port (Vorgabe 8000)")
    parser.add_argument("--workers", type=int, default=1, help="Zahl der Prozesse (Vorgabe 1)")
    args = parser.parse_args(argv)
    env = environment()
    found = problems(env)
    if found:
        sys.exit("Der Server startet nicht:\n- " + "\n- ".join(found))
    os.environ.update(env)
    import uvicorn

    uvicorn.run("xlwings_server.main:main_app", host=args.host, port=args.port, workers=args.workers,
                access_log=False, proxy_headers=True)
