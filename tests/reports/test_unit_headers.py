"""Scenario: a small folder of another shape than the reference district (a province, a
ward and a commune, post-2025: no district), reported for each unit and for two periods.
Each report is headed by its own unit's committee and titled with the period evaluated."""

from __future__ import annotations

import textwrap
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import load_definitions
from tieuchi.engine import evaluate
from tieuchi.reports.document import build_document
from tieuchi.reports.docx import render_docx

runner = CliRunner()

FILES = {
    "tieuchi.yaml": """\
        project:
          name: Tỉnh Bắc Sơn
          root: BS
          period: "2025"
          as_of: 2025-12-15
          headers:
            BS-TANAN:
              signer_title: [KT. Chủ tịch, Phó Chủ tịch]
              signer_name: Lê Văn C
              recipients: [UBND tỉnh Bắc Sơn, Đảng ủy xã, "Lưu: VT, VP"]
        levels:
          - {code: tinh, name: Tỉnh}
          - {code: xa, name: Xã}
        units:
          - {code: BS, name: Bắc Sơn, level: tinh}
          - {code: BS-HOABINH, name: Phường Hòa Bình, level: xa, kind: phường, parent: BS}
          - {code: BS-TANAN, name: Tân An, level: xa, parent: BS}
        indicators:
          - {code: thu-ns, name: Thu ngân sách trên địa bàn, unit: tỷ đồng, frequency: month,
             time: sum}
        """,
    "groups.yaml": """\
        groups:
          - code: ktxh-bs
            name: Chỉ tiêu kinh tế - xã hội năm {year}
            unit: BS
            period: "2025"
            targets: [{indicator: thu-ns, at_least: 1200}]
          - code: ktxh-hb
            name: Chỉ tiêu kinh tế - xã hội năm {year}
            unit: BS-HOABINH
            period: "2025"
            targets: [{indicator: thu-ns, at_least: 120}]
          - code: ktxh-ta
            name: Chỉ tiêu kinh tế - xã hội năm {year}
            unit: BS-TANAN
            period: "2025"
            targets: [{indicator: thu-ns, at_least: 60}]
        report:
          title: Báo cáo tình hình kinh tế - xã hội {period}
          sections:
            - title: Kết quả thực hiện các chỉ tiêu {period}
              items: [{group: ktxh-bs}, {group: ktxh-hb}, {group: ktxh-ta}]
        """,
    "observations.csv": "unit,indicator,period,value,vintage\n"
                        "BS-HOABINH,thu-ns,2025-09,100,official\n"
                        "BS-TANAN,thu-ns,2025-09,50,official\n"
                        "BS-HOABINH,thu-ns,2025-12,40,estimate\n"
                        "BS-TANAN,thu-ns,2025-12,20,estimate\n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("unit", "issuer", "place", "recipients", "signer"), [
    ("BS", ("Ủy ban nhân dân", "tỉnh Bắc Sơn"), "Bắc Sơn", ("- Lưu: VT.",),
     (("TM. Ủy ban nhân dân", "Chủ tịch"), None)),
    ("BS-HOABINH", ("Ủy ban nhân dân", "phường Hòa Bình"), "Hòa Bình",
     ("- Ủy ban nhân dân tỉnh Bắc Sơn;", "- Lưu: VT."),
     (("TM. Ủy ban nhân dân", "Chủ tịch"), None)),
    ("BS-TANAN", ("Ủy ban nhân dân", "xã Tân An"), "Tân An",
     ("- UBND tỉnh Bắc Sơn;", "- Đảng ủy xã;", "- Lưu: VT, VP."),
     (("KT. Chủ tịch", "Phó Chủ tịch"), "Lê Văn C")),
])
def test_each_unit_is_headed_by_its_own_committee(
        folder: Path, unit: str, issuer: tuple[str, ...], place: str,
        recipients: tuple[str, ...], signer: tuple[tuple[str, ...], str | None]) -> None:
    ev = evaluate(load_definitions(folder), "2025", units=[unit])
    doc = build_document(ev, "vi", unit)
    assert doc.header.issuer == issuer and doc.header.parent_body == ()
    assert doc.header.place_date == f"{place}, ngày 15 tháng 12 năm 2025"
    assert doc.header.number == "Số:       /BC-UBND"
    assert doc.recipients == recipients
    assert (doc.signature.title, doc.signature.name) == signer
    assert doc.appendix_note is not None and doc.appendix_note.endswith(
        f"của {' '.join(issuer)})")


@pytest.mark.parametrize(("period", "label"), [("2025", "năm 2025"),
                                               ("2025-YTD09", "9 tháng năm 2025")])
def test_titles_follow_the_period(folder: Path, period: str, label: str) -> None:
    ev = evaluate(load_definitions(folder), period, units=["BS-TANAN"])
    doc = build_document(ev, "vi", "BS-TANAN")
    assert doc.header.title == f"Báo cáo tình hình kinh tế - xã hội {label}"
    assert [s.title for s in doc.sections] == [f"Kết quả thực hiện các chỉ tiêu {label}"]
    assert "1/1 chỉ tiêu kinh tế - xã hội năm 2025" in doc.sections[0].paragraphs[0]
    assert [t.title for t in doc.tables] == ["Phụ lục 1: Chỉ tiêu kinh tế - xã hội năm 2025"]
    word = Document(BytesIO(render_docx(ev, "vi", "BS-TANAN")))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "{" not in text and f"tình hình kinh tế - xã hội {label}" in text.lower()
    assert [p.text for p in word.tables[0].cell(0, 0).paragraphs if p.text] == [
        "ỦY BAN NHÂN DÂN", "XÃ TÂN AN"]


def test_cli_a_past_period_is_titled_with_its_year() -> None:
    """The reference district's report for 2022 says 2022 in its title, first section and
    appendix titles (its definitions write "{period}", "năm {year}")."""
    from tests.conftest import EXAMPLE

    result = runner.invoke(app, ["report", str(EXAMPLE), "--period", "2022", "-f", "md"])
    assert result.exit_code == 0, result.output
    titles = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert titles[0] == "# Báo cáo kết quả thực hiện nhiệm vụ chính trị năm 2022"
    assert all("2023" not in t for t in titles), titles
    assert "## Phụ lục 1: Chỉ tiêu nhiệm vụ chính trị năm 2022 của Đảng bộ huyện" in titles
