"""Which items of the outline a unit's report states (tieuchi.domain.outline), on the
reference district's definitions: the district's, the city's above it, a commune's."""

from __future__ import annotations

import dataclasses

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.outline import default_items, named_targets, own_sections, written_outline
from tieuchi.domain.project import ReportItem, ReportSection, UnitOutline

SETS = {"ntm-nang-cao", "ntm-kieu-mau", "diem-den-du-lich", "thanh-lap-quan", "phuong-13"}


def _items(sections: tuple[ReportSection, ...]) -> list[ReportItem]:
    return [i for s in sections for i in s.items]


def test_the_roots_report_keeps_its_outline(thanh_tri: Definitions) -> None:
    sections = thanh_tri.report.sections
    assert own_sections(thanh_tri, sections, "TT", SETS) == sections


def test_the_city_keeps_the_sets_rated_below_it_without_the_districts_targets(
        thanh_tri: Definitions) -> None:
    kept = _items(own_sections(thanh_tri, thanh_tri.report.sections, "HN", SETS))
    assert [i.criteria_set for i in kept] == ["ntm-nang-cao", "ntm-kieu-mau",
                                              "diem-den-du-lich", "thanh-lap-quan",
                                              "phuong-13"]
    assert all(not i.highlights for i in kept)  # the district's targets: left out


def test_a_commune_keeps_the_sets_it_is_rated_on(thanh_tri: Definitions) -> None:
    rated = {"ntm-nang-cao", "ntm-kieu-mau"}
    kept = own_sections(thanh_tri, thanh_tri.report.sections, "TT-YENMY", rated)
    assert [s.title for s in kept] == ["Xây dựng nông thôn mới"]
    assert [i.criteria_set for i in _items(kept)] == ["ntm-nang-cao", "ntm-kieu-mau"]


def test_an_item_written_for_the_unit_is_its_own(thanh_tri: Definitions) -> None:
    section = ReportSection(title="A", items=(
        ReportItem(group="nvct-2023", unit="TT-YENMY"), ReportItem(target="nvct-nhap-ngu"),
        ReportItem(target="nvct-nhap-ngu", unit="TT-YENMY"),
        ReportItem(target="gtsx"),  # an indicator code: the unit's own target
        ReportItem(criteria_set="ntm-nang-cao", unit="TT")))
    kept = _items(own_sections(thanh_tri, (section,), "TT-YENMY", SETS))
    assert [(i.group, i.target, i.unit) for i in kept] == [
        ("nvct-2023", None, "TT-YENMY"), (None, "nvct-nhap-ngu", "TT-YENMY"),
        (None, "gtsx", None)]


def test_the_default_outline_of_a_unit(thanh_tri: Definitions) -> None:
    groups, sets = default_items(thanh_tri, "TT", {"thanh-lap-quan"})
    assert [i.group for i in groups if i.group] == [g.code for g in thanh_tri.groups
                                                    if g.unit == "TT"]
    assert {i.target for i in groups if i.target} >= {"tp-ntm-kieu-mau-2021-2025"}
    assert [i.criteria_set for i in sets] == ["thanh-lap-quan"]
    assert default_items(thanh_tri, "TT-YENMY", set()) == ((), ())


def test_an_outline_for_a_unit_or_its_level(thanh_tri: Definitions) -> None:
    own = UnitOutline(title="Báo cáo của xã {period}")
    level = UnitOutline(title="Báo cáo cấp xã {period}")
    report = thanh_tri.report.model_copy(update={"outlines": {"TT-YENMY": own, "xa": level}})
    defs = dataclasses.replace(thanh_tri, report=report)
    assert written_outline(defs, "TT-YENMY") is own
    assert written_outline(defs, "TT-VANDIEN") is level
    assert written_outline(defs, "TT").sections == thanh_tri.report.sections


def test_the_key_figures_a_units_outline_names(thanh_tri: Definitions) -> None:
    assert named_targets(thanh_tri, "TT") == [
        "ktxh-gtsx", "ktxh-thu-co-dinh", "nvct-nhap-ngu", "nvct-ntm-nang-cao",
        "tp-ntm-kieu-mau-2021-2025"]
    assert named_targets(thanh_tri, "TT-YENMY") == []  # the district's: not the commune's
