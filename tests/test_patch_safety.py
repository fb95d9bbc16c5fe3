"""The in-place writer under real failures: a full disk, a killed process, a shared team folder.

After any of them the workbook is the original or the complete new version, a backup is
complete or absent, and what a killed run left behind is removed by the next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from kundenliste_tools.cli import main
from kundenliste_tools.core.errors import KundenlisteError
from kundenliste_tools.files import package
from kundenliste_tools.files.patch import Append, patch_workbook, remove_leftovers
from kundenliste_tools.files.reader import read_workbook

from .userbook import all_values, raw_entries, user_xlsm

ROOT = Path(__file__).resolve().parent.parent
EDIT = {"Kundenliste": {"A3": "K7M4Q3"}}
REGISTER = {"ID-Register": Append([["K7M4Q3"]], header=["Vergebene ID"])}


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def sound(path: Path) -> None:
    """The file is a complete workbook: a zip whose parts all pass their CRC, readable as data."""
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    read_workbook(path)


# --- a full disk -------------------------------------------------------------------------

@contextlib.contextmanager
def small_disk(folder: Path, size_kib: int):
    folder.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"no tmpfs here ({proc.stderr.strip()}); the injected write failure of test_patch covers it")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_full_disk_leaves_the_original_and_no_backup_looking_file(tmp_path: Path) -> None:
    """On disks from "the original only just fits" to "everything fits", in 4 KiB steps: each
    run either completes (new file sound, backup = the original) or leaves exactly the original."""
    source = user_xlsm(tmp_path / "Kundenliste.xlsm")
    original = source.read_bytes()
    size = len(original)
    outcomes = {"voll": 0, "geschrieben": 0}
    for kib in range(size // 1024 + 4, 3 * size // 1024 + 16, 4):
        with small_disk(tmp_path / f"disk{kib}", kib) as disk:
            book = disk / "Kundenliste.xlsm"
            try:
                book.write_bytes(original)
            except OSError:
                continue  # not even the original fits
            out, err = io.StringIO(), io.StringIO()
            code = main(["ids", str(book)], stdout=out, stderr=err)
            if code == 2:
                outcomes["voll"] += 1
                assert "konnte nicht geschrieben werden" in err.getvalue() and "unverändert" in err.getvalue()
                assert book.read_bytes() == original
                assert listing(disk) == ["Kundenliste.xlsm"], kib  # no temp file, no partial backup
            else:
                assert code == 0, err.getvalue()
                outcomes["geschrieben"] += 1
                sound(book)
                backups = [p for p in disk.iterdir() if ".bak." in p.name]
                assert len(backups) == 1 and backups[0].read_bytes() == original
                assert len(listing(disk)) == 2
    assert outcomes["voll"] >= 2 and outcomes["geschrieben"] >= 1, outcomes


# --- a killed process --------------------------------------------------------------------

def forked_ids(book: Path) -> tuple[int, int]:
    """A child process (forked: everything is imported already) that runs `ids` on a signal.

    Returns its pid and the write end of a pipe: writing a byte starts the run.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            os.close(write)
            os.read(read, 1)
            with open(os.devnull, "w") as null:
                code = main(["ids", str(book)], stdout=null, stderr=null)
        finally:
            os._exit(code)
    os.close(read)
    return pid, write


TRIES = 32


def test_sigkill_at_random_moments_never_damages_the_workbook(tmp_path: Path) -> None:
    """32 runs killed at random moments: every other one anywhere in the run, the others in its
    last 40 %, where the commit is (temporary file, fsync, backup, replace) and a kill is most
    dangerous; the workbook carries 10 MB of pictures so that the commit takes a while."""
    from kundenliste_tools.files.demo import write_demo

    source = tmp_path / "quelle" / "Kundenliste.xlsm"
    source.parent.mkdir()
    write_demo(source, today=dt.date(2026, 11, 23), n_customers=120)
    with zipfile.ZipFile(source, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/fotos.bin", random.Random(5).randbytes(10 * 1024 * 1024))
    original = source.read_bytes()
    folder = tmp_path / "team"
    folder.mkdir()
    book = folder / "Kundenliste.xlsm"

    def run_once(kill_after: float | None) -> None:
        pid, go = forked_ids(book)
        os.write(go, b"x")
        os.close(go)
        if kill_after is not None:
            time.sleep(kill_after)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if kill_after is None:
            assert os.waitstatus_to_exitcode(status) == 0

    durations = []
    for _ in range(3):  # uninterrupted runs: how long one takes on this machine now
        for p in folder.iterdir():
            p.unlink()
        shutil.copy2(source, book)
        t0 = time.perf_counter()
        run_once(None)
        durations.append(time.perf_counter() - t0)
    duration = max(durations)
    rng = random.Random(11)
    seen = {"unverändert": 0, "neu": 0, "Reste": 0}
    for i in range(TRIES):
        for p in folder.iterdir():
            p.unlink()
        shutil.copy2(source, book)
        run_once(rng.uniform(0, duration * 1.1) if i % 2 else rng.uniform(duration * 0.6, duration * 1.05))
        # the workbook is the original or the complete new version; a backup is the whole original
        sound(book)
        seen["unverändert" if book.read_bytes() == original else "neu"] += 1
        for backup in folder.glob("*.bak.xlsm"):
            assert backup.read_bytes() == original
        leftovers = [p for p in folder.iterdir() if p.name.endswith(".kl-tmp")]
        seen["Reste"] += bool(leftovers)
        # the next run removes what the killed one left behind
        assert main(["ids", str(book)], stdout=io.StringIO(), stderr=io.StringIO()) == 0
        assert not [p for p in folder.iterdir() if p.name.endswith(".kl-tmp")]
        sound(book)
    print(f"SIGKILL nach 0…{duration * 1.1:.2f} s: {seen}")
    assert seen["unverändert"] + seen["neu"] == TRIES


def test_leftovers_of_dead_runs_are_removed_and_a_running_colleagues_are_kept(tmp_path: Path) -> None:
    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    host = package.TEMP_HOST
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()  # a process id that has just ended
    names = {
        "dead": f".Kundenliste.xlsm.{host}.{dead}.0a1b2c3d.kl-tmp",
        "alive": f".Kundenliste.xlsm.{host}.{os.getpid()}.0a1b2c3d.kl-tmp",
        "other_host_new": ".Kundenliste.xlsm.anderer-pc.4711.0a1b2c3d.kl-tmp",
        "other_host_old": ".Kundenliste.xlsm.anderer-pc.4712.0a1b2c3d.kl-tmp",
        "legacy_old": ".Kundenliste.abcd_123.kl-tmp",  # an earlier version's mkstemp name
        "other_book": f".Andere.xlsm.{host}.{dead}.0a1b2c3d.kl-tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"PK")
    old = time.time() - 2 * 24 * 3600
    for key in ("other_host_old", "legacy_old"):
        os.utime(tmp_path / names[key], (old, old))
    removed = {p.name for p in remove_leftovers(book)}
    assert removed == {names["dead"], names["other_host_old"], names["legacy_old"]}
    assert {names["alive"], names["other_host_new"], names["other_book"]} <= set(listing(tmp_path))


# --- a shared team folder: owner, group and mode survive ----------------------------------

def test_owner_group_and_mode_of_the_workbook_and_its_backup_survive(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the file to another user")
    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    os.chown(book, 4321, 4322)
    os.chmod(book, 0o660)
    result = patch_workbook(book, EDIT, REGISTER)
    for path in (book, result.backup):
        st = path.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o660), path
    assert all_values(book)["Kundenliste"][2][0] == "K7M4Q3"


def test_a_user_who_cannot_keep_the_owner_is_refused_before_writing(request) -> None:
    """A colleague (here: `nobody`) may write the team's file but could not give a new file the
    owner's user and group: refused, nothing written, nothing left behind."""
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another user")
    shared = Path(tempfile.mkdtemp(prefix="kl-team-", dir="/tmp"))  # pytest's tmp_path is root-only
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    os.chmod(shared, 0o755)
    folder = shared / "Teamordner"
    folder.mkdir()
    os.chmod(folder, 0o777)
    book = user_xlsm(folder / "Kundenliste.xlsm")
    os.chown(book, 4321, 4322)
    os.chmod(book, 0o666)
    original = book.read_bytes()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the colleague: everything is imported already, only the user changes
        code = 0
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            patch_workbook(book, EDIT, REGISTER)
        except KundenlisteError as exc:
            os.write(write, str(exc).encode())
            code = 3
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write, repr(exc).encode())
            code = 4
        finally:
            os._exit(code)
    os.close(write)
    message = b""
    while chunk := os.read(read, 4096):
        message += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3, message
    text = message.decode()
    assert "gehört einem anderen Benutzer" in text and "es wurde nichts geändert" in text
    assert book.read_bytes() == original
    assert listing(folder) == ["Kundenliste.xlsm"]
    st = book.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o666)


# --- a refused part: nothing written ------------------------------------------------------

def test_a_part_that_a_strict_parser_rejects_is_never_written(tmp_path: Path) -> None:
    """A sheet whose XML declares a DOCTYPE (no Office program writes one) is refused before
    anything is written, even though the lenient reader read it."""
    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    with zipfile.ZipFile(book) as zin:
        items = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b"<!DOCTYPE worksheet><worksheet", 1)
            zout.writestr(info, data)
    original, before = book.read_bytes(), raw_entries(book)
    out, err = io.StringIO(), io.StringIO()
    assert main(["ids", str(book)], stdout=out, stderr=err) == 2
    assert "DOCTYPE" in err.getvalue() and "es wurde nichts geändert" in err.getvalue()
    assert book.read_bytes() == original and raw_entries(book) == before
    assert listing(tmp_path) == ["Kundenliste.xlsm"]


def test_a_posix_acl_of_a_shared_workbook_survives(tmp_path: Path) -> None:
    """A team folder that grants a colleague (uid 1000) access by ACL keeps granting it."""
    import struct

    book = user_xlsm(tmp_path / "Kundenliste.xlsm")
    any_id = 0xFFFFFFFF
    acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, uid) for tag, perm, uid in [
        (0x01, 6, any_id), (0x02, 6, 1000), (0x04, 4, any_id), (0x10, 6, any_id), (0x20, 0, any_id)])
    try:
        os.setxattr(book, "system.posix_acl_access", acl)
    except (OSError, AttributeError) as exc:
        pytest.skip(f"no POSIX ACLs on this file system ({exc})")
    mode = stat.S_IMODE(book.stat().st_mode)
    result = patch_workbook(book, EDIT, REGISTER)
    for path in (book, result.backup):
        assert os.getxattr(path, "system.posix_acl_access") == acl, path
        assert stat.S_IMODE(path.stat().st_mode) == mode
