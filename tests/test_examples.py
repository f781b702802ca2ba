"""The two reference examples of issue 10 rebuilt from real reports: each report states every
figure of its source text as the source writes it, in Markdown, in the DOCX (read through its
PDF's text) and on the web report page.

- ``examples/nghe-an-2024-9-thang``: tỉnh Nghệ An, 9 tháng đầu năm 2024 (figures A1–A21);
- ``examples/ia-sao-2025``: xã Ia Sao (Gia Lai), năm 2025 (figures B1–B10).

Each folder's README.md gives the source and the table of its figures. A figure is checked
by the source's own words, split into fragments where the source's sentence mixes figures
with words the report does not own. The README says which values are illustrative and why
A6 and B6 are left out.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import ROOT
from tests.snapshot import assert_snapshot
from tests.web.conftest import PASSWORD, SECRET_KEY, Site, WebApp
from tieuchi.cli import app as cli
from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports import pdf
from tieuchi.reports.docx import render_docx
from tieuchi.reports.text import render_markdown
from tieuchi.reports.trace import trace
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app

EXAMPLES = ROOT / "examples"
NGHE_AN, IA_SAO = "nghe-an-2024-9-thang", "ia-sao-2025"
ROOTS = {NGHE_AN: ("NA", "2024-YTD09"), IA_SAO: ("IS", "2025")}



@dataclass(frozen=True)
class Figure:
    example: str
    id: str
    words: str  # exactly as the source writes them


FIGURES = [
    # Nghệ An, 9 tháng đầu năm 2024
    Figure(NGHE_AN, "A1", "ước đạt 264.821,45 ha"),
    Figure(NGHE_AN, "A2", "bằng 99,63% so với cùng kỳ năm trước"),
    Figure(NGHE_AN, "A3", "đạt 184.989,53 ha, bằng 99,88%"),
    Figure(NGHE_AN, "A4", "ước đạt 79.831,92 ha, bằng 99,07%"),
    Figure(NGHE_AN, "A5", "Diện tích rừng trồng tập trung ước đạt 16.170,1 ha"),
    Figure(NGHE_AN, "A7", "Tổng sản lượng thủy sản ước đạt 223.029 tấn, tăng 13,26% so với "
           "cùng kỳ"),
    Figure(NGHE_AN, "A8", "ước đạt 166.267,5 tấn, tăng 3,44%"),
    Figure(NGHE_AN, "A9", "có 320/411 xã đạt chuẩn NTM, tương đương 77,86%"),
    Figure(NGHE_AN, "A10", "101/320 xã đạt chuẩn NTM nâng cao, tương đương 31,56%"),
    Figure(NGHE_AN, "A11", "16/320 xã đạt chuẩn NTM kiểu mẫu, tương đương 5,0%"),
    Figure(NGHE_AN, "A12", "có 09 đơn vị cấp huyện đạt chuẩn xây dựng NTM"),
    Figure(NGHE_AN, "A13", "tăng 12,4% so với cùng kỳ"),
    Figure(NGHE_AN, "A14", "tăng 10,64%"),
    Figure(NGHE_AN, "A15", "ước đạt 82.946 tỷ đồng"),
    Figure(NGHE_AN, "A16", "tăng 22,25% so với cùng kỳ"),
    Figure(NGHE_AN, "A17", "đạt 89,81% kế hoạch"),
    Figure(NGHE_AN, "A18", "ước đạt 8,43 triệu lượt, tăng 15% so với cùng kỳ"),
    Figure(NGHE_AN, "A19", "thu du lịch ước đạt 10.217 tỷ đồng"),
    Figure(NGHE_AN, "A20", "16.671 tỷ đồng"),
    Figure(NGHE_AN, "A20", "đạt 104,8% dự toán"),
    Figure(NGHE_AN, "A21", "bằng 143,2% so với cùng kỳ năm 2023"),
    # Xã Ia Sao, năm 2025
    Figure(IA_SAO, "B1", "đạt và vượt 17/19 chỉ tiêu Nghị quyết"),
    Figure(IA_SAO, "B2", "4.718,9 ha, đạt 102,5% kế hoạch"),
    Figure(IA_SAO, "B3", "6.548 tấn, đạt 101,6% kế hoạch"),
    Figure(IA_SAO, "B4", "Công nghiệp-tiểu thủ công nghiệp ước đạt 315 tỷ đồng"),
    Figure(IA_SAO, "B5", "tăng 12,3% so với cùng kỳ"),
    # B6 "hơn 6 tỷ đồng" is not checked: a rounded "hơn" (more than) value is press wording,
    # which belongs to the public summary, never to the official report (issue 13); the
    # report states the exact (illustrative) value, "6,04 tỷ đồng". B7 checks its ratio.
    Figure(IA_SAO, "B7", "915,64% dự toán tỉnh và HĐND xã giao"),
    Figure(IA_SAO, "B8", "4 hộ nghèo, chiếm tỷ lệ 0,2%"),
    Figure(IA_SAO, "B9", "39 hộ cận nghèo, chiếm tỷ lệ 1,95%"),
    Figure(IA_SAO, "B10", "xóa nhà tạm, nhà dột nát"),
]


def _params() -> list[object]:
    """One case per figure, named by its id in the README (A20, A20b for its second part)."""
    params, seen = [], set()
    for f in FIGURES:
        params.append(pytest.param(f, id=f.id if f.id not in seen else f"{f.id}b"))
        seen.add(f.id)
    return params


def _flat(text: str) -> str:
    """The text with every run of white space as one space (lines of a PDF, of a page)."""
    return " ".join(text.split())


def _body(markdown: str) -> str:
    """The report's text without its appendix tables, where a figure is no statement."""
    return _flat(markdown.split("## Phụ lục")[0])


@pytest.fixture(scope="module")
def evaluations() -> dict[str, Evaluation]:
    found = {}
    for example, (_, period) in ROOTS.items():
        found[example] = evaluate(load_definitions(EXAMPLES / example), period)
    return found


@pytest.fixture(scope="module")
def markdowns(evaluations: dict[str, Evaluation]) -> dict[str, str]:
    return {k: render_markdown(ev, "vi") for k, ev in evaluations.items()}


@pytest.mark.parametrize("figure", _params())
def test_the_report_states_the_source_figure(figure: Figure, markdowns: dict[str, str]) -> None:
    assert figure.words in _body(markdowns[figure.example])


@pytest.mark.parametrize("example", [NGHE_AN, IA_SAO])
def test_snapshot(request: pytest.FixtureRequest, example: str,
                  markdowns: dict[str, str]) -> None:
    assert_snapshot(request, f"{example}.vi.md", markdowns[example])


@pytest.mark.parametrize("example", [NGHE_AN, IA_SAO])
def test_the_docx_is_written_by_the_cli(example: str, tmp_path: Path) -> None:
    written = tmp_path / "report.docx"
    result = CliRunner().invoke(cli, ["report", str(EXAMPLES / example), "--format", "docx",
                                      "-o", str(written)])
    assert result.exit_code == 0, result.output
    assert written.read_bytes().startswith(b"PK")  # a zip: the DOCX package


# ------------------------------------------------------------------ DOCX (its PDF's text)


@pytest.fixture(scope="module")
def pdf_texts(evaluations: dict[str, Evaluation],
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if pdf.find_soffice() is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice or pdftotext is not installed; the PDF checks must run in CI")
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    texts = {}
    for example, ev in evaluations.items():
        target = tmp_path_factory.mktemp("pdf") / f"{example}.pdf"
        target.write_bytes(pdf.to_pdf(render_docx(ev, "vi")))
        result = subprocess.run(["pdftotext", str(target), "-"], capture_output=True,
                                text=True, check=True, timeout=60)
        texts[example] = _flat(result.stdout)
    return texts


@pytest.mark.parametrize("figure", _params())
def test_the_docx_states_the_source_figure(figure: Figure, pdf_texts: dict[str, str]) -> None:
    assert figure.words in pdf_texts[figure.example]


# ------------------------------------------------------------------ the web report page

_TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def report_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Each example's report page, as an administrator sees it (SQLite)."""
    pages = {}
    for example, (unit, period) in ROOTS.items():
        path = tmp_path_factory.mktemp("web") / "t.db"
        store = Store.open(f"sqlite:///{path}")
        try:
            store.load(load_definitions(EXAMPLES / example), actor="test")
            store.users.add("admin", PASSWORD, role="admin", unit=None)
            web = WebApp(create_app(store, Settings(_env_file=None, secret_key=SECRET_KEY)),
                         store, {})
            site = Site(web)
            page = site.get("admin", f"/units/{unit}/report?period={period}")
            assert site.status == 200, page[:500]
            # the figures are links to their traces: the text without the tags
            main = page.split("<table")[0]
            pages[example] = _flat(_TAG.sub("", html.unescape(main)))
        finally:
            store.engine.dispose()
    yield pages


@pytest.mark.parametrize("figure", _params())
def test_the_web_report_states_the_source_figure(figure: Figure,
                                                 report_pages: dict[str, str]) -> None:
    assert figure.words in report_pages[figure.example]


# ------------------------------------------------------------------ ba-vi-2026 (issue 12)


BA_VI = EXAMPLES / "ba-vi-2026"
"""Xã Ba Vì (Hà Nội), 2026: made on 1/7/2025 of xã Ba Vì (cũ) and xã Khánh Thượng, whole, and
60% of xã Minh Quang (split with xã Bất Bạt); its targets are planned on 2024 (figures and
weights ILLUSTRATIVE, examples/ba-vi-2026/README.md)."""

BA_VI_SENTENCES = [
    # 2024: 12,5 + 8,3 + 60% × 10 = 26,8; 30,5 / 26,8 = +13,81%
    "Tổng thu ngân sách nhà nước trên địa bàn ước đạt 30,5 tỷ đồng, tăng 13,81% so với năm "
    "2024 (kế hoạch: tăng từ 10% trở lên), vượt kế hoạch.",
    # 350.000 + 120.000 + 60% × 80.000 = 518.000; 600.000 / 518.000 = +15,83%
    "Lượt khách du lịch ước đạt 600.000 lượt khách, tăng 15,83% so với năm 2024",
    # (87 + 96 + 60% × 110) / (2.900 + 2.400 + 60% × 2.500) = 249 / 6.800 = 3,66%; 2,75 - 3,66
    "Tỷ lệ hộ nghèo ước là 2,75%, giảm 0,91 điểm phần trăm so với năm 2024",
    # a mean is not re-based
    "Thu nhập bình quân đầu người ước đạt 62 triệu đồng/người/năm, không có số liệu so sánh",
    "Số liệu năm 2024 của xã Ba Vì được tính lại theo địa giới mới: cộng số liệu của xã Ba Vì "
    "(cũ), xã Khánh Thượng và 60% số liệu của xã Minh Quang (chia theo dân số, nguồn: Đề án "
    "sắp xếp đơn vị hành chính cấp xã năm 2025, trọng số minh họa).",
]


def test_ba_vi_states_its_2024_figures_re_based_with_the_data_note() -> None:
    result = CliRunner().invoke(cli, ["report", str(BA_VI), "--period", "2026",
                                      "--format", "md"])
    assert result.exit_code == 0, result.output
    text = _flat(result.output)
    for sentence in BA_VI_SENTENCES:
        assert sentence in text, sentence


def test_ba_vi_in_english_says_the_figures_are_recalculated() -> None:
    result = CliRunner().invoke(cli, ["report", str(BA_VI), "--period", "2026",
                                      "--format", "md", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert ("The 2024 figures of Ba Vì are recalculated for its new boundaries: the sum of the "
            "figures of Ba Vì (cũ), Khánh Thượng and 60% of those of Minh Quang (shared by "
            "population, source: Đề án sắp xếp đơn vị hành chính cấp xã năm 2025, trọng số "
            "minh họa).") in _flat(result.output)


def test_ba_vi_traces_its_2024_revenue_to_the_three_communes() -> None:
    ev = evaluate(load_definitions(BA_VI), "2026")
    rows = trace(ev, "X09700", "thu-nsnn", "2024")
    assert rows[0]["figure_value"] == pytest.approx(26.8)
    assert rows[0]["rule"] == (
        "Tính lại theo địa giới mới từ 3 đơn vị: Xã Ba Vì (cũ): 12,5; Xã Khánh Thượng: 8,3; "
        "Xã Minh Quang: 10 × 60% theo dân số (Đề án sắp xếp đơn vị hành chính cấp xã năm "
        "2025, trọng số minh họa)")
    assert [r["unit"] for r in rows] == ["L09703", "L09712", "L09700"]


def test_ba_vi_validates_without_problems() -> None:
    result = CliRunner().invoke(cli, ["validate", str(BA_VI)])
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_ba_vi_names_a_target_without_a_base_apart_from_one_without_figures() -> None:
    """Income per head is stated (62) but a mean is not re-based: it has nothing to compare
    with, which is not the same as having no figure."""
    result = CliRunner().invoke(cli, ["report", str(BA_VI), "--period", "2026", "--format",
                                      "md"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "1 chỉ tiêu chưa có số liệu so sánh: Thu nhập bình quân đầu người" in text
    assert "chỉ tiêu chưa có số liệu:" not in text
