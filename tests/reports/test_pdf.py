"""The PDF report: the DOCX converted by LibreOffice (once for this module), its first page as
a PNG (``TIEUCHI_SCREENSHOTS=docs uv run pytest tests/reports/test_pdf.py`` refreshes
docs/report-page1.png), and a clear error when LibreOffice is missing or hangs.

Without LibreOffice the conversion tests are skipped, except in CI (``CI`` set), where they
fail: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLE
from tieuchi.cli import app
from tieuchi.engine import Evaluation
from tieuchi.reports import pdf
from tieuchi.reports.docx import render_docx
from tieuchi.reports.pdf import ReportError, convert_files, to_pdf

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


def _need(program: str | None, name: str) -> None:
    if program is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing; .ci/run installs it")
        pytest.skip(f"{name} is not installed")


@pytest.fixture(scope="module")
def report_pdf(thanh_tri_2023: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need(pdf.find_soffice(), "LibreOffice (soffice)")
    target = tmp_path_factory.mktemp("pdf") / "bao-cao-2023-TT.pdf"
    target.write_bytes(to_pdf(render_docx(thanh_tri_2023, "vi")))
    return target


def test_the_pdf_is_made(report_pdf: Path) -> None:
    assert report_pdf.read_bytes().startswith(b"%PDF-")


def test_first_page_as_png(report_pdf: Path, tmp_path: Path) -> None:
    _need(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(report_pdf), str(tmp_path / "page1")], check=True, timeout=60)
    image = (tmp_path / "page1.png").read_bytes()
    assert image.startswith(PNG)
    folder = os.environ.get("TIEUCHI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / "report-page1.png").write_bytes(image)


def test_the_pdf_keeps_the_vietnamese_text(report_pdf: Path) -> None:
    _need(shutil.which("pdftotext"), "pdftotext (poppler-utils)")
    result = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(report_pdf), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "ỦY BAN NHÂN DÂN", "Thanh Trì, ngày 12 tháng 12 năm 2023", "BÁO CÁO",
                 "18/18", "100,2%"):
        assert text in result.stdout, text


def test_cli_writes_pdf_for_each_unit(tmp_path: Path) -> None:
    _need(pdf.find_soffice(), "LibreOffice (soffice)")
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "pdf", "--all-units",
                                 "-u", "TT-DAIANG", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["bao-cao-2023-TT-DAIANG.pdf"]


def test_without_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(ReportError, match="PDF needs LibreOffice, which was not found"):
        to_pdf(b"PK")
    result = runner.invoke(app, ["report", str(EXAMPLE), "-f", "pdf",
                                 "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1
    assert "LibreOffice" in result.output and not (tmp_path / "r.pdf").exists()


def test_a_conversion_that_hangs_is_stopped(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(pdf, "find_soffice", lambda: str(fake))
    start = time.monotonic()
    with pytest.raises(ReportError, match="did not convert the report within 0.5 s"):
        convert_files([tmp_path / "a.docx"], tmp_path, timeout=0.5)
    assert time.monotonic() - start < 10
