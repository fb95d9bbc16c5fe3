"""Every command speaks German and has help text (a command without help is a bug)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from kundenliste_tools.cli import COMMANDS, build_parser, main

EXPECTED = {"pruefen", "faellig", "regelwerke", "ids", "quartal", "vorlage", "demo", "einladen",
            "einrichten", "auskunft", "loeschen"}


def test_all_commands_of_the_spec_are_there():
    assert EXPECTED <= set(COMMANDS)


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return parser, action


def test_every_command_has_help_text():
    parser, action = _subparsers()
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert set(helps) == set(COMMANDS)
    for name, text in helps.items():
        assert text and len(text) > 15, name
        assert action.choices[name].description, name


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_is_german(command):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([command, "--help"])
    assert exit_.value.code == 0


@pytest.mark.parametrize("argv", [["--help"], *[[c, "--help"] for c in COMMANDS]])
def test_help_printed_by_the_console_command_is_german(argv):
    proc = subprocess.run([sys.executable, "-m", "kundenliste_tools", *argv], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Aufruf: kundenliste")
    assert "diese Hilfe zeigen und beenden" in proc.stdout
    for english in ("usage:", "show this help", "positional arguments", "options:"):
        assert english not in proc.stdout


def test_usage_errors_are_german_and_exit_2():
    proc = subprocess.run([sys.executable, "-m", "kundenliste_tools", "gibtsnicht"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Fehler: " in proc.stderr and "ungültige Wahl" in proc.stderr


def test_no_command_prints_help_and_exits_2():
    out = io.StringIO()
    assert main([], stdout=out) == 2
    assert "Befehle" in out.getvalue()


def test_einladen_help_names_the_week_and_the_no_shows():
    proc = subprocess.run([sys.executable, "-m", "kundenliste_tools", "einladen", "--help"], capture_output=True,
                          text=True)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    for words in ("--woche JJJJ-Www", "nicht erschienen", "Bundesland", "Stellenanteil", "--json"):
        assert words in text


def test_help_imports_neither_pandas_nor_numpy():
    """`kundenliste --help` starts in a tenth of a second: no command module may pull in pandas
    at import time (cli/ids.py once did, through core.book: 0.6 s and 70 MB for a help text)."""
    code = ("import contextlib, io, sys\n"
            "from kundenliste_tools.cli import main\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--help'])\n"
            "print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
