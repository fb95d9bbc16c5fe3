"""LibreOffice headless: proof that a real spreadsheet program reads the files we write."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, fmt: str, outdir: Path, timeout: int = 180) -> Path:
    """Convert `path` with LibreOffice (own profile, so parallel runs don't collide)."""
    assert SOFFICE, "LibreOffice (soffice) fehlt: `make test` installiert libreoffice-calc"
    profile = outdir / f"lo-profile-{uuid.uuid4().hex}"
    proc = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    out = outdir / f"{path.stem}.{fmt.split(':')[0]}"
    assert proc.returncode == 0 and out.exists(), (
        f"LibreOffice konnte {path.name} nicht lesen:\n{proc.stdout}\n{proc.stderr}"
    )
    return out


def pdf_to_pngs(pdf: Path, outdir: Path, first: int = 1, last: int = 1, dpi: int = 70) -> list[Path]:
    prefix = outdir / pdf.stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(first), "-l", str(last), str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    return sorted(outdir.glob(f"{pdf.stem}*.png"))
