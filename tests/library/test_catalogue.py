"""The standard catalogue: it loads as a definition file, and its codes and synonyms are
unambiguous, so that a plan's row matches at most one indicator."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from tieuchi.definitions import check_definitions
from tieuchi.domain.base import fold
from tieuchi.domain.indicators import Direction, Rollup, TimeAggregation, ValueType
from tieuchi.domain.problems import Severity
from tieuchi.library.catalogue import catalogue, catalogue_codes, catalogue_text

# The concepts that other parts of the library (criteria sets, plan import) name by code.
SHARED = ("dan-so", "dien-tich-tu-nhien", "thu-nhap-binh-quan", "ty-le-ho-ngheo-da-chieu",
          "ty-le-bhyt", "ty-le-lao-dong-qua-dao-tao", "ty-le-nuoc-sach",
          "ty-le-truong-chuan-quoc-gia", "ty-le-do-thi-hoa", "grdp-tang-truong", "thu-nsnn")


def test_it_loads_as_indicators() -> None:
    indicators = catalogue()
    assert 50 <= len(indicators) <= 90
    assert catalogue_codes() == {i.code for i in indicators}


def test_codes_are_unique() -> None:
    counts = Counter(i.code for i in catalogue())
    assert [c for c, n in counts.items() if n > 1] == []


def test_the_shared_codes_are_there() -> None:
    assert set(SHARED) <= catalogue_codes()


def test_every_name_and_synonym_folds_to_one_indicator() -> None:
    """A plan's row names one indicator: no folded name or synonym belongs to two."""
    owners: dict[str, set[str]] = {}
    for i in catalogue():
        for text in (i.name, *i.synonyms):
            owners.setdefault(fold(text), set()).add(i.code)
    assert {t: c for t, c in owners.items() if len(c) > 1} == {}


def test_no_synonym_repeats_its_own_name() -> None:
    for i in catalogue():
        folded = [fold(t) for t in (i.name, *i.synonyms)]
        assert len(folded) == len(set(folded)), i.code


def test_every_indicator_is_described() -> None:
    for i in catalogue():
        assert i.unit and i.unit_en and i.name_en and i.short_name, i.code
        assert i.synonyms, i.code
        assert "direction" in _written(i.code), i.code


@pytest.mark.parametrize("field", ["type", "direction", "time", "rollup", "frequency"])
def test_every_rule_is_written_not_defaulted(field: str) -> None:
    """The catalogue says each rule: a default that changes must not change it."""
    for i in catalogue():
        assert f"    {field}:" in _written(i.code), (i.code, field)


def test_text_is_nfc() -> None:
    text = catalogue_text()
    assert unicodedata.normalize("NFC", text) == text


def test_the_rules_fit_the_kind_of_figure() -> None:
    by_code = {i.code: i for i in catalogue()}
    for i in catalogue():
        if i.type is ValueType.PERCENT and i.rollup is Rollup.SUM:
            pytest.fail(f"{i.code}: a percentage is never summed over units")
        if i.rollup is Rollup.RATIO:
            assert i.numerator in by_code and i.denominator in by_code, i.code
            assert by_code[i.numerator].time is TimeAggregation.LAST, i.code
    assert by_code["ty-le-ho-ngheo-da-chieu"].direction is Direction.LOWER
    assert by_code["thu-nsnn"].time is TimeAggregation.SUM


def _written(code: str) -> str:
    """The lines of the catalogue's entry for ``code``."""
    text = catalogue_text()
    start = text.index(f"  - code: {code}\n")
    end = text.find("\n  - code: ", start + 1)
    return text[start:end if end > 0 else None]


def test_the_definition_loader_takes_it_unchanged(tmp_path: Path) -> None:
    (tmp_path / "indicators.yaml").write_text(catalogue_text(), encoding="utf-8")
    (tmp_path / "tieuchi.yaml").write_text("project: {name: Thử}\n", encoding="utf-8")
    definitions, problems = check_definitions(tmp_path)
    assert [p for p in problems if p.severity is Severity.ERROR] == []
    assert definitions is not None
    assert set(definitions.indicator_by_code) == catalogue_codes()


# ---------------------------------------------------------------- docs/catalogue.md
DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
BEGIN = ("<!-- The catalogue: generated from src/tieuchi/library/data/catalogue/indicators.yaml; "
         "`uv run pytest tests/library/test_catalogue.py --snapshot-update -n0` rewrites it. -->")
END = "<!-- end of the catalogue -->"


def catalogue_table() -> str:
    """The catalogue as the table of docs/catalogue.md, in the file's order."""
    lines = [BEGIN, "", "| Code | Chỉ tiêu | Indicator | Unit | Better | Time | Roll-up | "
             "Also written |", "|---|---|---|---|---|---|---|---|"]
    for i in catalogue():
        rollup = i.rollup.value + (f" ({i.numerator} / {i.denominator})"
                                   if i.rollup is Rollup.RATIO else "")
        lines.append(f"| `{i.code}` | {i.name} | {i.name_en} | {i.unit} | {i.direction.value} "
                     f"| {i.time.value} | {rollup} | {'; '.join(i.synonyms)} |")
    return "\n".join([*lines, "", END])


def test_the_docs_table_is_the_catalogue(request: pytest.FixtureRequest) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/catalogue.md lacks the table's markers"
    start, end = text.index(BEGIN), text.index(END) + len(END)
    if request.config.getoption("--snapshot-update"):
        DOC.write_text(text[:start] + catalogue_table() + text[end:], encoding="utf-8")
        return
    assert text[start:end] == catalogue_table(), (
        "docs/catalogue.md differs from the catalogue; run pytest "
        "tests/library/test_catalogue.py --snapshot-update -n0 and review the diff")
