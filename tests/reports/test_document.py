"""The report model: the header of an official document, the sections, the appendix tables,
the closing; and an organisation's own phrases in place of the defaults."""

from __future__ import annotations

import dataclasses
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.project import ReportItem, ReportSection
from tieuchi.domain.words import PHRASE_KEYS, WORDS, with_phrases
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.document import ReportDocument, ReportError, Signature, build_document
from tieuchi.reports.text import markdown, render_markdown


@pytest.fixture(scope="module")
def doc(thanh_tri_2023: Evaluation) -> ReportDocument:
    return build_document(thanh_tri_2023, "vi")


def test_header_of_an_official_document(doc: ReportDocument) -> None:
    h = doc.header
    assert h.issuer == ("Ủy ban nhân dân", "huyện Thanh Trì")
    assert h.parent_body == ()
    assert h.number == "Số:       /BC-UBND"  # the number is written when registered
    assert (h.motto, h.motto_sub) == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                      "Độc lập - Tự do - Hạnh phúc")
    assert h.place_date == "Thanh Trì, ngày 12 tháng 12 năm 2023"
    assert (h.kind, h.subtitle) == ("BÁO CÁO", "Kết quả thực hiện nhiệm vụ chính trị năm 2023")


def test_sections_tables_and_closing(doc: ReportDocument) -> None:
    assert [(s.numeral, len(s.paragraphs)) for s in doc.sections] == [
        ("I", 4), ("II", 3), ("III", 3)]
    assert doc.sections[0].paragraphs[0].startswith("Hoàn thành đạt và vượt 18/18")
    assert [t.title.split(":")[0] for t in doc.tables] == [f"Phụ lục {n}" for n in range(1, 6)]
    first = doc.tables[0]
    assert [c.key for c in first.columns] == ["no", "target", "measure", "plan", "actual",
                                              "percent", "change", "status"]
    assert all(len(row) == len(first.columns) for row in first.rows)
    assert doc.recipients[0] == "- Thường trực Thành ủy;"
    assert doc.recipients[-1] == "- Lưu: VT, TCKH."
    assert doc.signature.title == ("TM. Ủy ban nhân dân", "Chủ tịch")
    assert doc.appendix_note == ("(Kèm theo Báo cáo số       /BC-UBND ngày 12/12/2023 của "
                                 "Ủy ban nhân dân huyện Thanh Trì)")
    assert doc.about_root and doc.has_content


def test_markdown_is_written_from_the_model(thanh_tri_2023: Evaluation,
                                            doc: ReportDocument) -> None:
    assert render_markdown(thanh_tri_2023, "vi") == markdown(doc)


def _with_project(defs: Definitions, **fields: object) -> Definitions:
    return dataclasses.replace(defs, project=defs.project.model_copy(update=fields))


def test_number_parent_body_and_a_unit_below(thanh_tri: Definitions) -> None:
    """The project's header fields are its root unit's: a unit below has its own header."""
    defs = _with_project(thanh_tri, number="5", parent_body="UBND thành phố Hà Nội")
    ev = evaluate(defs, "2023", units=["TT", "TT-YENMY"])
    root = build_document(ev, "vi", "TT")
    assert root.header.number == "Số: 05/BC-UBND"  # a zero before numbers under 10
    assert root.header.parent_body == ("UBND thành phố Hà Nội",)
    doc = build_document(ev, "vi", "TT-YENMY")
    assert (doc.unit_name, doc.about_root) == ("Xã Yên Mỹ", False)
    assert doc.header.issuer == ("Ủy ban nhân dân", "xã Yên Mỹ")
    assert (doc.header.parent_body, doc.header.number) == ((), "Số:       /BC-UBND")
    assert doc.header.place_date == "Yên Mỹ, ngày 12 tháng 12 năm 2023"
    assert doc.recipients == ("- Ủy ban nhân dân huyện Thanh Trì;", "- Lưu: VT.")
    assert doc.signature == Signature(("TM. Ủy ban nhân dân", "Chủ tịch"), None)
    assert doc.appendix_note == ("(Kèm theo Báo cáo số       /BC-UBND ngày 12/12/2023 của "
                                 "Ủy ban nhân dân xã Yên Mỹ)")


def test_an_outline_item_the_definitions_do_not_hold(thanh_tri: Definitions) -> None:
    """Definitions scoped to a unit (as the store keeps a commune's) may lack a group or a set
    that the outline names: the report leaves it out."""
    extra = ReportSection(title="Khác", items=(ReportItem(group="khong-co"),
                                               ReportItem(criteria_set="khong-co")))
    outline = thanh_tri.report.model_copy(
        update={"sections": (*thanh_tri.report.sections, extra)})
    defs = dataclasses.replace(thanh_tri, report=outline)
    doc = build_document(evaluate(defs, "2023"), "vi")
    assert [s.numeral for s in doc.sections] == ["I", "II", "III"] and len(doc.tables) == 5


def test_english_header(thanh_tri_2023: Evaluation) -> None:
    h = build_document(thanh_tri_2023, "en").header
    assert (h.motto, h.kind) == ("SOCIALIST REPUBLIC OF VIET NAM", "REPORT")
    assert h.place_date == "Thanh Trì, 12 December 2023"
    assert h.subtitle == "The political tasks of 2023"


# ------------------------------------------------------------------ an organisation's phrases

PHRASES = """  phrases:
    vi:
      achieved_all: "Đạt và vượt {n}/{total} {name} (đạt 100%)"
      appendix: "Biểu {n}: {name}"
      columns: {change: "So với cùng kỳ"}
"""


@pytest.fixture(scope="module")
def own_words(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """The reference district with its own wording in report.yaml."""
    folder = tmp_path_factory.mktemp("defs") / "thanh-tri"
    shutil.copytree(EXAMPLE, folder)
    report = folder / "report.yaml"
    text = report.read_text(encoding="utf-8")  # the example's own phrases, and these
    report.write_text(text.replace("  phrases:\n    vi:\n", PHRASES, 1), encoding="utf-8")
    return evaluate(load_definitions(folder), "2023")


def test_an_organisation_rewords_the_report(own_words: Evaluation) -> None:
    text = render_markdown(own_words, "vi")
    assert "1. Đạt và vượt 18/18 chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện " \
        "(đạt 100%)." in text
    assert "## Biểu 1: Chỉ tiêu nhiệm vụ chính trị năm 2023 của Đảng bộ huyện" in text
    assert "| So với cùng kỳ |" in text and "Phụ lục 1" not in text
    assert "| Đánh giá |" in text  # the other column labels are kept
    english = render_markdown(own_words, "en")
    assert "Met or exceeded 18/18" in english and "Appendix 1" in english


@pytest.mark.parametrize(("phrases", "message"), [
    ({"achieved_al": "x"}, "report.phrases.vi.achieved_al: not a phrase of the report; "
                           "did you mean 'achieved_all'?"),
    ({"achieved_all": "Đạt {n}/{totl}"}, "report.phrases.vi.achieved_all: {totl} is not known "
                                         "here (placeholders: {n}, {name}, {total})"),
    ({"columns": {"chang": "x"}}, "report.phrases.vi.columns.chang: not a key of columns; "
                                  "did you mean 'change'?"),
    ({"motto": "{"}, "report.phrases.vi.motto: Single '{' encountered"),
    # a phrase given from Python skips the loader's check: the report checks it again
    ({"achieved_all": "{n.__class__.__mro__}"}, "report.phrases.vi.achieved_all: "
     "{n.__class__.__mro__} is not a placeholder: write a name alone in braces"),
    ({"columns": {"change": "{names[0]}"}}, "report.phrases.vi.columns.change: {names[0]} is "
                                            "not a placeholder"),
    ({"achieved_all": "{n!r}/{total:>99999999}"}, "report.phrases.vi.achieved_all: {n!r} is not "
                                                  "a placeholder"),
])
def test_a_phrase_that_does_not_fit_is_named(thanh_tri: Definitions, phrases: dict[str, object],
                                              message: str) -> None:
    outline = thanh_tri.report.model_copy(update={"phrases": {"vi": phrases}})
    ev = evaluate(dataclasses.replace(thanh_tri, report=outline), "2023")
    with pytest.raises(ReportError) as caught:
        build_document(ev, "vi")
    assert str(caught.value).startswith(message)


def test_every_phrase_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text("utf-8")
    missing = [key for key in PHRASE_KEYS if f"`{key}`" not in text]
    assert not missing, f"phrases not documented in docs/reports.md: {missing}"


def test_the_defaults_fit_themselves_and_are_nfc() -> None:
    for words in WORDS.values():
        phrases = {k: getattr(words, k) for k in PHRASE_KEYS}
        assert with_phrases(words, phrases) == words
        texts = [t for v in phrases.values() for t in (v.values() if isinstance(v, dict) else [v])]
        assert all(unicodedata.is_normalized("NFC", t) for t in texts)
