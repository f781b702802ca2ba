"""Scenario: a small folder of another shape than the reference district (a province, a
ward and a commune, post-2025: no district), reported for each unit and for two periods.
Each report is headed by its own unit's committee and titled with the period evaluated, and
states the unit's own items. Then a commune's Party committee (Hướng dẫn 36-HD/VPTW) and a
province's People's Council, and the reference district's units."""

from __future__ import annotations

import textwrap
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import load_definitions
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.document import build_document
from tieuchi.reports.docx import render_docx
from tieuchi.reports.text import html, markdown

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


def _written(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return _written(tmp_path, FILES)


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


# ------------------------------------------------------------------ each unit's own items


def test_each_unit_reports_its_own_group_only(folder: Path) -> None:
    """The outline names the groups of the three units; each unit's report states its own
    (evaluated together, the others' groups are there and still left out)."""
    ev = evaluate(load_definitions(folder), "2025")
    for unit, figure in (("BS-HOABINH", "140"), ("BS-TANAN", "70")):
        doc = build_document(ev, "vi", unit)
        assert [len(s.paragraphs) for s in doc.sections] == [1]
        assert [t.title for t in doc.tables] == ["Phụ lục 1: Chỉ tiêu kinh tế - xã hội năm 2025"]
        assert [r[4] for r in doc.tables[0].rows] == [figure]


def test_another_units_report_leaves_the_roots_items_out(thanh_tri_2023: Evaluation) -> None:
    """Hà Nội's report states no group or target of the district; Yên Mỹ's states its own
    set results; the district's own report is as written."""
    city = build_document(thanh_tri_2023, "vi", "HN")
    text = "\n".join(p for s in city.sections for p in s.paragraphs)
    assert "Đảng bộ huyện" not in text and "18/18" not in text and "208" not in text
    assert "15/15 xã đạt chuẩn nông thôn mới nâng cao." in text  # its communes, no TT target
    assert "Huyện ủy" not in text and "UBND Thành phố Hà Nội giao" not in text
    assert all("Chỉ tiêu" not in t.title for t in city.tables)
    commune = build_document(thanh_tri_2023, "vi", "TT-YENMY")
    paragraphs = [p for s in commune.sections for p in s.paragraphs]
    assert paragraphs[0].startswith("Xã Yên Mỹ đạt chuẩn nông thôn mới nâng cao")
    assert all(t.title.endswith("– Xã Yên Mỹ") for t in commune.tables)
    district = build_document(thanh_tri_2023, "vi", "TT")
    assert [len(s.paragraphs) for s in district.sections] == [4, 3, 3]


PARTY_FILES = {
    "tieuchi.yaml": """\
        project:
          name: Xã Ia Sao
          root: IS
          period: "2025"
          as_of: 2025-12-15
          body: party
          headers:
            GL: {body: council}
        levels:
          - {code: tinh, name: Tỉnh, name_en: Province}
          - {code: xa, name: Xã, name_en: Commune}
        units:
          - {code: GL, name: Gia Lai, level: tinh}
          - {code: IS, name: Ia Sao, level: xa, parent: GL}
          - {code: IO, name: Ia O, level: xa, parent: GL}
        indicators:
          - {code: thu-ns, name: Thu ngân sách trên địa bàn, unit: tỷ đồng, frequency: month,
             time: sum}
        groups:
          - {code: ktxh-is, name: "Chỉ tiêu kinh tế - xã hội năm {year}", unit: IS,
             period: "2025", targets: [{indicator: thu-ns, at_least: 60}]}
        targets:
          - {code: thu-io, indicator: thu-ns, unit: IO, period: "2025", at_least: 30}
        report:
          outlines:
            tinh:
              title: Báo cáo tình hình kinh tế - xã hội {period} của tỉnh
        """,
    "observations.csv": "unit,indicator,period,value,vintage\n"
                        "IS,thu-ns,2025-09,50,official\nIS,thu-ns,2025-12,20,estimate\n"
                        "IO,thu-ns,2025-12,35,official\n",
}


@pytest.fixture
def party(tmp_path: Path) -> Path:
    return _written(tmp_path, PARTY_FILES)


def test_the_party_committees_report_in_every_format(party: Path) -> None:
    """Hướng dẫn 36-HD/VPTW: "ĐẢNG CỘNG SẢN VIỆT NAM" in place of the motto, the Party
    organisation above the committee and a star under it, "Số …-BC/ĐU"."""
    ev = evaluate(load_definitions(party), "2025")
    doc = build_document(ev, "vi")
    h = doc.header
    assert (h.parent_body, h.issuer, h.star) == (("Đảng bộ tỉnh Gia Lai",),
                                                ("Đảng ủy xã Ia Sao",), True)
    assert (h.motto, h.motto_sub, h.number) == ("ĐẢNG CỘNG SẢN VIỆT NAM", "", "Số       -BC/ĐU")
    assert h.place_date == "Ia Sao, ngày 15 tháng 12 năm 2025"
    assert doc.signature.title == ("T/M Ban Thường vụ", "Bí thư")
    assert doc.recipients == ("- Ban Thường vụ Tỉnh ủy Gia Lai;", "- Lưu Văn phòng Đảng ủy.")
    assert doc.appendix_note is not None and "số       -BC/ĐU ngày 15/12/2025" in (
        doc.appendix_note)
    # no outline: the default one, of the unit's own group
    assert [s.title for s in doc.sections] == ["Kết quả thực hiện các chỉ tiêu năm 2025"]
    word = Document(BytesIO(render_docx(ev, "vi")))
    head = word.tables[0]
    assert [p.text for p in head.cell(0, 0).paragraphs if p.text] == [
        "ĐẢNG BỘ TỈNH GIA LAI", "ĐẢNG ỦY XÃ IA SAO", "*"]
    assert [p.text for p in head.cell(0, 1).paragraphs if p.text] == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    assert head.cell(1, 0).paragraphs[0].text == "Số       -BC/ĐU"
    page = html(doc)
    assert "<div>*</div>" in page and "Độc lập" not in page and "ĐẢNG CỘNG SẢN VIỆT NAM" in page
    assert "**ĐẢNG ỦY XÃ IA SAO**\n\n\\*\n\nSố       -BC/ĐU" in markdown(doc)


def test_the_council_a_level_outline_and_a_default_one(party: Path) -> None:
    """The province's People's Council (``headers``), titled by its level's outline, with no
    item of its own; a commune with a target in no group: a default outline of it."""
    ev = evaluate(load_definitions(party), "2025")
    province = build_document(ev, "vi", "GL")
    assert province.header.issuer == ("Hội đồng nhân dân", "tỉnh Gia Lai")
    assert province.header.motto == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert province.header.number == "Số:       /BC-HĐND"
    assert province.header.title == "Báo cáo tình hình kinh tế - xã hội năm 2025 của tỉnh"
    assert not province.has_content
    other = build_document(ev, "vi", "IO")
    assert other.header.issuer == ("Đảng ủy xã Ia O",)
    paragraphs = [p for s in other.sections for p in s.paragraphs]
    assert len(paragraphs) == 1 and paragraphs[0].startswith(
        "Thu ngân sách trên địa bàn đạt 35 tỷ đồng")


def test_in_english_the_body_is_named_in_english(party: Path) -> None:
    ev = evaluate(load_definitions(party), "2025")
    assert build_document(ev, "en").header.issuer == ("Party Committee of Ia Sao commune",)
    assert build_document(ev, "en", "GL").header.issuer == ("People's Council",
                                                            "of Gia Lai province")
    assert build_document(ev, "en").header.number == "No.       -BC/ĐU"


@pytest.mark.parametrize(("as_of", "place_date", "note"), [
    ("2026-02-15", "Tân An, ngày 15 tháng 02 năm 2026",
     "Số liệu ước thực hiện năm 2025, cập nhật đến ngày 15 tháng 02 năm 2026."),
    ("2026-06-01", "Tân An, ngày … tháng … năm …",
     "Số liệu ước thực hiện năm 2025, cập nhật đến ngày 01 tháng 6 năm 2026."),
])
def test_a_report_on_a_period_long_past(folder: Path, as_of: str, place_date: str,
                                        note: str) -> None:
    """Evaluated months after the period's end, the report leaves its day and month to the
    signer, and its data note says the figures are the period's, as known on that date."""
    ev = evaluate(load_definitions(folder), "2025", as_of=date.fromisoformat(as_of),
                  units=["BS-TANAN"])
    doc = build_document(ev, "vi", "BS-TANAN")
    assert doc.header.place_date == place_date
    assert doc.notes[0] == note
    assert doc.appendix_note is not None and (
        "ngày …/…/… của" in doc.appendix_note if "…" in place_date
        else "15/02/2026 của" in doc.appendix_note)


def test_cli_the_2022_report_is_left_for_its_signer_to_date() -> None:
    from tests.conftest import EXAMPLE

    result = runner.invoke(app, ["report", str(EXAMPLE), "--period", "2022", "-f", "md"])
    # the signer writes the date: neither 2022 (long past) nor a day nobody knows yet
    assert "*Thanh Trì, ngày … tháng … năm …*" in result.stdout
    # 2023 only as the day the figures were known (the data note); no "Nguồn" of 2023
    note = "Số liệu chính thức năm 2022, cập nhật đến ngày 12 tháng 12 năm 2023."
    assert note in result.stdout
    assert "2023" not in result.stdout.replace(note, "")


def test_a_wrong_body_or_outline_is_refused_where_it_is_written(party: Path) -> None:
    text = (party / "tieuchi.yaml").read_text("utf-8")
    (party / "tieuchi.yaml").write_text(
        text.replace("body: council", "body: councl").replace("    tinh:\n", "    tinhh:\n"),
        encoding="utf-8")
    result = runner.invoke(app, ["validate", str(party)])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert "tieuchi.yaml:8: error invalid-value headers.GL.body: Input should be " \
           "'committee', 'council' or 'party'" in out
    assert "error unknown-unit unit or level 'tinhh' is not defined; did you mean 'tinh'?" in out
