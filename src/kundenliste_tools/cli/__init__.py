"""The `kundenliste` command: German subcommands, each a thin layer over the library.

Every subcommand lives in its own module with `register(subparsers)`; its handler takes the
parsed arguments and the output streams and returns the exit code:
0 = ran, no error found; 1 = ran, errors found; 2 = could not run (German message, no
traceback unless --debug).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
from typing import Callable, Sequence, TextIO

from ..core.errors import KundenlisteError

#: How this door spells the inputs that use cases name in `InvalidInput` (`abgeschlossen_vor` →
#: `--abgeschlossen-vor`).
FLAGS = {name: "--" + name.replace("_", "-") for name in (
    "stichtag", "wochen", "regelwerk", "passwort", "out", "quartal", "bis", "anzahl", "woche",
    "ueberschreiben", "server", "token", "id", "abgeschlossen_vor",
)}

#: Modules with a `register(subparsers)` function, in the order `--help` lists them.
COMMANDS: tuple[str, ...] = (
    "vorlage",
    "demo",
    "pruefen",
    "ids",
    "faellig",
    "regelwerke",
    "quartal",
    "einladen",
    "einrichten",
    "auskunft",
    "loeschen",
)  # each issue adds its command here

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

_GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "show this help message and exit": "diese Hilfe zeigen und beenden",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "ungültige Wahl: %(value)r (möglich: %(choices)s)",
    "expected one argument": "erwartet einen Wert",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "ungültiger Wert: %(value)r",
    "not allowed with argument %s": "nicht zusammen mit %s erlaubt",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Option: %(option)s passt zu %(matches)s",
}


def _translate(text: str) -> str:
    return _GERMAN.get(text, text)


# argparse looks its fixed texts up through this module-level gettext alias.
argparse._ = _translate  # type: ignore[attr-defined]


class GermanParser(argparse.ArgumentParser):
    """argparse with German usage errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and a German error, exit 2 (argparse's own texts are English)."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Fehler: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The `kundenliste` parser with every subcommand of `COMMANDS` registered."""
    import importlib

    parser = GermanParser(
        prog="kundenliste",
        description="Werkzeuge für die Excel-Kundenliste: Prüfen, IDs vergeben, Fälligkeiten, anonymer Quartalsexport.",
        epilog="Hilfe zu einem Befehl: kundenliste BEFEHL --help",
    )
    parser._positionals.title = "Argumente"
    parser._optionals.title = "Optionen"
    parser.add_argument("--debug", action="store_true", help="bei Fehlern die technische Ursache (Traceback) zeigen")
    sub = parser.add_subparsers(dest="command", title="Befehle", metavar="BEFEHL", parser_class=GermanParser)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for action in sub.choices.values():
        action._positionals.title = "Argumente"
        action._optionals.title = "Optionen"
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Entry point of the console script; returns (and, as a script, exits with) the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(stdout)
        return 2
    try:
        return args.handler(args, stdout, stderr)
    except KundenlisteError as exc:
        if args.debug:
            raise
        print(f"Fehler: {describe(exc)}", file=stderr)
        return 2
    except KeyboardInterrupt:
        print("Abgebrochen.", file=stderr)
        return 2
    except BrokenPipeError:
        # `kundenliste faellig … | head`: the reader has gone; say so once, without a traceback
        _silence_stdout()
        print("Hinweis: Die Ausgabe wurde vorzeitig beendet (Pipe geschlossen).", file=stderr)
        return 2
    except PermissionError as exc:
        if args.debug:
            raise
        print(
            f"Fehler: Keine Berechtigung für „{exc.filename or ''}“; bitte die Zugriffsrechte "
            "der Datei oder des Ordners prüfen.",
            file=stderr,
        )
        return 2
    except OSError as exc:
        if args.debug:
            raise
        print(
            f"Fehler: „{exc.filename or ''}“ kann nicht gelesen oder geschrieben werden "
            f"({exc.strerror or exc.__class__.__name__}).",
            file=stderr,
        )
        return 2
    except Exception as exc:  # a bug: say so in German, details only with --debug
        if args.debug:
            raise
        print(
            f"Interner Fehler ({exc.__class__.__name__}: {exc}). Mit --debug erneut aufrufen "
            "und die Ausgabe an den Support geben.",
            file=stderr,
        )
        return 2


def describe(exc: KundenlisteError) -> str:
    """The German message, prefixed with this door's flag when one input was wrong."""
    which = getattr(exc, "input", None)  # InvalidInput, PasswordRequired
    if which in FLAGS:
        return f"{FLAGS[which]}: {exc}"
    return str(exc)


def _silence_stdout() -> None:
    """After a broken pipe, Python would complain again when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
        pass


def add_book_argument(parser: argparse.ArgumentParser) -> None:
    """The workbook argument and `--passwort`, shared by every command that reads a workbook."""
    parser.add_argument("mappe", metavar="MAPPE", help="die Arbeitsmappe (.xlsx/.xlsm) mit Kundenliste und KundenDoku")
    parser.add_argument(
        "--passwort",
        metavar="KENNWORT",
        help="Kennwort einer verschlüsselten Arbeitsmappe (wird nur im Speicher entschlüsselt)",
    )


def progress(stderr: TextIO, message: str) -> None:
    """Progress for long runs goes to stderr, so stdout stays clean for --json."""
    print(message, file=stderr, flush=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with `main`'s code, without freeing millions of cells and
    findings one by one first (0.1–0.2 s): flushed output, exit handlers run, then `_exit`.
    The cyclic collector is off throughout: one command, then the end (bench/README.md)."""
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the normal way out, with its usual handling
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)
