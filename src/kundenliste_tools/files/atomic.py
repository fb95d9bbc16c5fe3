"""Writing a file so that it is the old one or the complete new one, never half of either.

The one way any module writes a file (SPEC §9), used through `files.package`: the content goes
to a temporary file in the same folder, which is flushed and fsynced, optionally checked, and
only then renamed over the target (`os.replace`, atomic on one file system); the folder is
fsynced so the rename survives a power cut.  Any failure removes the temporary file and leaves
the target as it was.

A file that replaces a team's workbook (or is its backup) gets the original's owner, group,
mode and POSIX ACL before a byte is written; when that is not allowed the write is refused,
since a colleague's replaced file would otherwise lock the team out.  A new file (the template,
the export) gets the mode any program's new file gets under the user's umask.

Temporary files are named ``.<name>.<host>.<pid>.<random>.kl-tmp``, so the next run can tell a
killed run's leftovers (its process is gone) from a colleague's run in progress, and removes
only the former (`remove_leftovers`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import secrets
import socket
import stat
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..core.errors import WorkbookBusy

TEMP_SUFFIX = ".kl-tmp"
STALE_AFTER = dt.timedelta(hours=24)  # a temp file of another machine (shared folder) this old is dead
LEGACY_STALE_AFTER = dt.timedelta(minutes=10)  # earlier versions' names carry no process id
#: This machine in temporary file names (what `remove_leftovers` compares).
TEMP_HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:24] or "host"
_ACL = "system.posix_acl_access"

Writer = Callable[[BinaryIO], None]


def lock_files(path: Path) -> list[Path]:
    """Lock files that say someone has `path` open: Excel's ``~$`` owner file, LibreOffice's."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Office shortens long names this way
    return [path.parent / c for c in candidates if (path.parent / c).exists()]


def lock_program(lock: Path) -> str:
    """The program a lock file of `lock_files` belongs to, for the refusal message."""
    return "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"


@contextlib.contextmanager
def removed_on_failure(path: Path) -> Iterator[None]:
    """Remove `path` when the block fails, then let the failure through: nothing half-done
    stays behind."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def temp_name(path: Path) -> Path:
    """`.Kundenliste.xlsm.<host>.<pid>.<random>.kl-tmp` beside the file (hidden on macOS/Linux)."""
    return path.with_name(f".{path.name}.{TEMP_HOST}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _pid_alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a reused id only delays a clean-up)."""
    if os.name == "nt":  # os.kill would terminate it there; ask Windows instead
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def remove_leftovers(path: Path) -> list[Path]:
    """Remove the temporary files that killed runs left beside `path`; return them.

    Only our own names for this very file are considered, and only dead ones: written on this
    machine by a process that is gone, or older than a day (another machine's run in a shared
    folder).  A running colleague's temporary file is never touched.
    """
    removed: list[Path] = []
    head, legacy = f".{path.name}.", re.compile(re.escape(f".{path.stem}.") + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
    now = dt.datetime.now().timestamp()
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)
                      and (p.name.startswith(head) or legacy.fullmatch(p.name))]
    except OSError:
        return removed
    for candidate in candidates:
        fields = candidate.name[len(head):-len(TEMP_SUFFIX)].split(".")
        try:
            st = candidate.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        if legacy.fullmatch(candidate.name):  # an earlier version's name (no process id in it)
            dead = st.st_mtime < now - LEGACY_STALE_AFTER.total_seconds()
        else:
            mine = len(fields) == 3 and fields[0] == TEMP_HOST and fields[1].isdigit()
            dead = (mine and not _pid_alive(int(fields[1]))) or st.st_mtime < now - STALE_AFTER.total_seconds()
        if dead:
            with contextlib.suppress(OSError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def _owner_refusal(path: Path, before: os.stat_result, exc: OSError) -> WorkbookBusy:
    return WorkbookBusy(
        f"„{path.name}“ gehört einem anderen Benutzer oder einer Gruppe (Benutzer-Nr. {before.st_uid}, "
        f"Gruppen-Nr. {before.st_gid}), die dieses Konto einer neuen Datei nicht geben darf "
        f"({exc.strerror or exc}). Die Kolleginnen und Kollegen verlören sonst den Zugriff; es wurde "
        "nichts geändert. Bitte den Befehl als Besitzer der Datei ausführen oder die Datei kopieren."
    )


def _owner_of(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_uid, st.st_gid


def _acl(path: Path) -> bytes | None:
    try:
        return os.getxattr(path, _ACL)
    except (OSError, AttributeError):
        return None


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _create_like(target: Path, path: Path, before: os.stat_result) -> int:
    """Create `target` empty with the owner, group, mode (and POSIX ACL) of the original.

    Done before a byte is written: when the file could not get the same owner or group, the
    run is refused (a colleague's replaced file would lock the team out) with nothing written.
    """
    fd = os.open(target, _FLAGS, 0o600)
    try:
        if hasattr(os, "fchown") and (before.st_uid, before.st_gid) != _owner_of(fd):
            os.fchown(fd, before.st_uid, before.st_gid)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(before.st_mode))  # after chown, which clears set-id bits
        else:
            os.chmod(target, stat.S_IMODE(before.st_mode))
        acl = _acl(path)
        if acl is not None:
            os.setxattr(fd, _ACL, acl)
        if hasattr(os, "fchown") and _owner_of(fd) != (before.st_uid, before.st_gid):
            raise PermissionError(1, "Besitzer nicht übernommen")
    except OSError as exc:
        os.close(fd)
        with contextlib.suppress(OSError):
            target.unlink()
        raise _owner_refusal(path, before, exc) from exc
    return fd


def stage(path: Path, write: Writer, like: os.stat_result | None = None) -> Path:
    """A complete temporary file beside `path`, written by `write`, flushed and fsynced.

    With `like` (the stat of the file it will replace) it gets that file's owner, group, mode
    and ACL, or the write is refused; without, the mode a new file gets under the umask (an
    ordinary file the user may pass on, not a private 0600).  On any failure nothing is left.
    """
    tmp = temp_name(path)
    fd = _create_like(tmp, path, like) if like is not None else os.open(tmp, _FLAGS, 0o666)
    with removed_on_failure(tmp), os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def _fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (not possible everywhere: then the OS decides)."""
    with contextlib.suppress(OSError, AttributeError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _bytes_writer(data: bytes) -> Writer:
    def write(fh: BinaryIO) -> None:
        fh.write(data)

    return write


def write_atomically(path: str | Path, content: bytes | Writer, *, like: os.stat_result | None = None,
                     check: Callable[[Path], None] | None = None) -> Path:
    """Write `content` (bytes, or a function writing into a binary file) to `path` atomically.

    Temporary file (`stage`) → `check(temporary file)` → atomic replace → folder fsynced.
    `check` may refuse by raising, and may do more before the replace (the lossless writer
    makes the backup there).  Leftovers of killed earlier runs are removed first.  Returns the
    path.  OS errors are raised as they are, for the caller to put into its own words.
    """
    path = Path(path)
    write = _bytes_writer(content) if isinstance(content, bytes) else content
    remove_leftovers(path)
    tmp = stage(path, write, like)
    with removed_on_failure(tmp):
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    _fsync_folder(path.parent)
    return path
