"""Bases as data (issue 10): a target's basis is a code of a catalogue (built-in plan,
budget, quota, resolution, and the folder's own), each with its phrases; an unknown basis
is a problem at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieuchi.definitions import load_definitions
from tieuchi.definitions.loader import check_definitions
from tieuchi.engine import evaluate
from tieuchi.reports.document import ReportDocument, build_document
from tieuchi.reports.text import markdown

FOLDER = Path(__file__).parent / "bases.yaml"


@pytest.fixture(scope="module")
def doc() -> ReportDocument:
    return build_document(evaluate(load_definitions(FOLDER), "2025"))


def test_a_built_in_resolution_basis(doc: ReportDocument) -> None:
    text = markdown(doc)
    assert "Có 2/3 chỉ tiêu Nghị quyết năm 2025 đạt và vượt chỉ tiêu Nghị quyết;" in text
    assert [c.label for c in doc.tables[0].columns][3:6] == [
        "Chỉ tiêu Nghị quyết", "Thực hiện", "% NQ"]


def test_a_declared_basis_with_no_phrase_override(doc: ReportDocument) -> None:
    assert ("Tổng thu ngân sách nhà nước trên địa bàn đạt 6,0432 tỷ đồng, đạt 915,64% dự toán "
            "tỉnh và HĐND xã giao.") in markdown(doc)
    assert [c.label for c in doc.tables[1].columns][3:6] == ["Dự toán", "Thực hiện",
                                                             "% dự toán"]


def test_a_declared_basis_replaces_the_built_in_one(tmp_path: Path) -> None:
    text = FOLDER.read_text(encoding="utf-8").replace("bases:\n", (
        "bases:\n  - {code: resolution, vi: {name: chỉ tiêu Nghị quyết Đại hội, "
        "short: chỉ tiêu}}\n"))
    (tmp_path / "tieuchi.yaml").write_text(text, encoding="utf-8")
    doc = build_document(evaluate(load_definitions(tmp_path), "2025"))
    assert "đạt và vượt chỉ tiêu Nghị quyết Đại hội;" in markdown(doc)
    assert [c.label for c in doc.tables[0].columns][3:6] == [
        "Chỉ tiêu", "Thực hiện", "% chỉ tiêu"]


def test_an_unknown_basis_is_a_problem_at_its_line(tmp_path: Path) -> None:
    text = FOLDER.read_text(encoding="utf-8").replace(
        "basis: du-toan-tinh-hdnd", "basis: du-toan-tinh-hdn")
    (tmp_path / "tieuchi.yaml").write_text(text, encoding="utf-8")
    definitions, problems = check_definitions(tmp_path)
    assert definitions is None
    [problem] = problems
    line = text.splitlines().index("    basis: du-toan-tinh-hdn") + 1
    assert (problem.code, problem.line) == ("unknown-basis", line)
    assert "did you mean 'du-toan-tinh-hdnd'" in problem.message
