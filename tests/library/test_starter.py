"""The files of a new folder (tieuchi.library.starter): the period follows the day they are
made, and a folder that goes back before 2025 is about 2024."""

from __future__ import annotations

from datetime import date

import pytest

from tieuchi.domain.problems import ProblemError
from tieuchi.library.starter import default_sets, starter_files


def test_the_period_is_the_year_of_the_day() -> None:
    files = starter_files("Gia Lai", "Ia Sao", today=date(2027, 3, 1))
    assert 'period: "2027"' in files["tieuchi.yaml"]
    assert "tạo ngày 01/03/2027" in files["README.md"]
    assert "criteria/ntm-xa-2026-2030.yaml" in files


def test_the_readme_is_vietnamese_or_english() -> None:
    vi = starter_files("Gia Lai", today=date(2026, 3, 1))["README.md"]
    en = starter_files("Gia Lai", today=date(2026, 3, 1), lang="en")["README.md"]
    assert "## Cần điền gì" in vi and "What to fill in" not in vi
    assert "## What to fill in" in en and "Cần điền gì" not in en
    for text in (vi, en):
        assert "--unit P52 --period 2026" in text and "nhom: N1|N2|N3" in text


def test_a_folder_before_2025_is_about_2024_with_the_sets_of_then() -> None:
    files = starter_files("Gia Lai", "Ia Sao", before_2025=True, today=date(2027, 3, 1))
    assert 'period: "2024"' in files["tieuchi.yaml"]
    assert [f"criteria/{n}.yaml" for n in default_sets(True)] == [
        p for p in files if p.startswith("criteria/")]
    assert "L24070" in files["units.yaml"]  # xã Ia Rtô, merged into Ia Sao


def test_an_unknown_set_is_refused_by_name() -> None:
    with pytest.raises(ProblemError):
        starter_files("Gia Lai", sets=("ntm-xa-2099",), today=date(2026, 1, 1))


def test_every_file_is_nfc_text_that_names_its_source() -> None:
    import unicodedata

    files = starter_files("Gia Lai", "Ia Sao", before_2025=True, today=date(2026, 5, 2))
    for path, text in files.items():
        assert unicodedata.normalize("NFC", text) == text, path
    assert "vietnamadminunits" in files["units.yaml"]
    assert "Quyết định" in files["README.md"]  # the set's document
