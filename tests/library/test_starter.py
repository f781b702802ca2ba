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


def test_a_commune_going_back_before_2025_is_about_this_year_with_its_predecessors() -> None:
    """The 2025 commune exists from 1/7/2025: its folder is about this year, the communes it
    succeeded there to compare with (2024)."""
    files = starter_files("Gia Lai", "Ia Sao", before_2025=True, today=date(2027, 3, 1))
    assert 'period: "2027"' in files["tieuchi.yaml"]
    assert "root: X24073" in files["tieuchi.yaml"]
    assert [f"criteria/{n}.yaml" for n in default_sets(False)] == [
        p for p in files if p.startswith("criteria/")]
    assert "L24070" in files["units.yaml"]  # xã Ia Rtô, merged into Ia Sao


def test_a_district_before_2025_is_about_2024_with_the_sets_of_then() -> None:
    files = starter_files("Gia Lai", district="Ayun Pa", today=date(2027, 3, 1))
    assert 'period: "2024"' in files["tieuchi.yaml"]
    assert "root: H624" in files["tieuchi.yaml"]
    assert [f"criteria/{n}.yaml" for n in default_sets(True)] == [
        p for p in files if p.startswith("criteria/")]


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


def _readme(*args: str, lang: str = "vi", **options: object) -> str:
    return starter_files(*args, today=date(2026, 5, 2), lang=lang, **options)["README.md"]


def test_the_readme_counts_the_units_it_names() -> None:
    assert "`units.yaml`: 2 đơn vị: Tỉnh Gia Lai và xã Ia Sao;" in _readme("Gia Lai", "Ia Sao")
    assert "2 units: Tỉnh Gia Lai and xã Ia Sao;" in _readme("Gia Lai", "Ia Sao", lang="en")
    assert ("136 đơn vị: Tỉnh Gia Lai và 135 đơn vị hành chính cấp xã từ 1/7/2025 (110 xã, "
            "25 phường);") in _readme("Gia Lai")
    back = _readme("Gia Lai", "Ia Sao", before_2025=True)
    assert "6 đơn vị: Tỉnh Gia Lai và xã Ia Sao, cùng 4 đơn vị trước 1/7/2025" in back


def test_the_group_matters_only_for_a_threshold_that_differs_by_it() -> None:
    vi, en = _readme("Gia Lai", "Ia Sao"), _readme("Gia Lai", "Ia Sao", lang="en")
    assert "bộ tiêu chí có sẵn này chưa có ngưỡng nào như vậy" in vi
    assert "this shipped set has none yet, so `tieuchi validate .` says nothing" in en
    assert "names each unit without it" not in en


def test_the_readme_names_the_file_targets_import_writes() -> None:
    assert "`targets/<tên>.yaml`" in _readme("Gia Lai", "Ia Sao")
    assert "`targets/<name>.yaml`" in _readme("Gia Lai", "Ia Sao", lang="en")


def test_a_2025_commune_is_told_how_to_compare_with_2024() -> None:
    vi = _readme("Gia Lai", "Ia Sao")
    assert "lập từ 2 xã trước đó (xã Ia RTô, xã Ia Sao)" in vi
    assert "--province 52 --commune 24073 --before-2025" in vi and "`split`" in vi
    en = _readme("Gia Lai", "Ia Sao", lang="en")
    assert "formed from 2 communes before" in en and "split weights" in en
    assert "So sánh với năm 2024" not in _readme("Gia Lai", "Ia Sao", before_2025=True)
    assert "So sánh với năm 2024" not in _readme("Gia Lai")  # a province: its communes differ


def test_a_set_with_thresholds_by_group_names_its_criteria() -> None:
    from tieuchi.domain.criteria import CriteriaSet
    from tieuchi.library.starter import _by_dimension

    cset = CriteriaSet.model_validate({
        "code": "s", "name": "Bộ", "dimension": "nhom", "dimension_values": ["N1", "N2"],
        "criteria": [
            {"code": "TC1", "name": "Thu nhập", "indicator": "thu-nhap",
             "at_least": {"N1": 50, "N2": 45}},
            {"code": "TC2", "name": "Quy hoạch", "indicator": "quy-hoach", "yes": True}]})
    assert [c.code for c in cset.by_dimension()] == ["TC1"]
    assert "Cần cho 1 tiêu chí có ngưỡng khác nhau theo `nhom` (TC1)" in _by_dimension(cset, True)


def test_a_ward_starts_without_the_new_rural_commune_set() -> None:
    """The new-rural set applies to xã only: a phường's (or đặc khu's) folder does not start
    with a set that is never evaluated for it."""
    ward = starter_files("Hà Nội", "Phường Hoàn Kiếm", today=date(2026, 3, 1))
    assert not [p for p in ward if p.startswith("criteria/")]
    commune = starter_files("Gia Lai", "Ia Sao", today=date(2026, 3, 1))
    assert "criteria/ntm-xa-2026-2030.yaml" in commune
