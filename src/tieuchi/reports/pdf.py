"""The report as PDF: the DOCX converted by LibreOffice, so that the PDF is the document the
users also get as DOCX, laid out once (docs/reports.md says why).

LibreOffice runs headless with a profile of its own in a temporary folder, so that several
conversions (tests, web workers) can run at the same time, and with a time limit.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tieuchi.reports.document import ReportError

__all__ = ["to_pdf", "convert_files", "find_soffice", "ReportError", "TIMEOUT_SECONDS"]

TIMEOUT_SECONDS = 120
_NAMES = ("soffice", "libreoffice")
_PLACES = ("/Applications/LibreOffice.app/Contents/MacOS/soffice",
           "C:/Program Files/LibreOffice/program/soffice.exe")
_INSTALL = ("install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui; "
            "Windows, macOS: https://www.libreoffice.org) so that 'soffice' is on the PATH")


def find_soffice() -> str | None:
    """The LibreOffice program: soffice or libreoffice on the PATH, else where the
    installers of macOS and Windows put it."""
    found = next((path for name in _NAMES if (path := shutil.which(name))), None)
    return found or next((place for place in _PLACES if Path(place).exists()), None)


def to_pdf(docx: bytes) -> bytes:
    """The PDF of a DOCX document. Raises :class:`ReportError` when LibreOffice is missing,
    fails or takes longer than :data:`TIMEOUT_SECONDS`."""
    with tempfile.TemporaryDirectory(prefix="tieuchi-pdf-") as folder:
        source = Path(folder) / "bao-cao.docx"
        source.write_bytes(docx)
        (pdf,) = convert_files([source], Path(folder))
        return pdf.read_bytes()


def convert_files(files: Sequence[Path], outdir: Path,
                  timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """Convert DOCX files to PDF in ``outdir`` with one LibreOffice run; the PDFs' paths."""
    soffice = find_soffice()
    if soffice is None:
        raise ReportError(f"PDF needs LibreOffice, which was not found: {_INSTALL}")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tieuchi-lo-profile-") as profile:
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
                   *map(str, files)]
        code, output = _run(command, timeout)
    pdfs = [outdir / (Path(f).stem + ".pdf") for f in files]
    missing = [p.name for p in pdfs if not p.exists()]
    if code or missing:
        detail = output.strip().splitlines()
        raise ReportError(f"LibreOffice could not convert {', '.join(missing) or 'the report'}"
                          f" (exit {code}): {detail[-1] if detail else 'no message'}")
    return pdfs


def _run(command: list[str], timeout: float) -> tuple[int, str]:
    """Run LibreOffice in a process group of its own, killed whole at the time limit (the
    ``soffice`` script starts ``soffice.bin``, which would outlive it)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows
            process.kill()
        process.communicate()
        raise ReportError(f"LibreOffice did not convert the report within {timeout:g} s"
                          ) from None
    return process.returncode, output
