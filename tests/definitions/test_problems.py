"""Every problem code, triggered by a small broken definition folder.

Each :class:`Case` writes a few files into a temporary folder (by default next to
``base.yaml``, a small valid catalogue of levels, units and indicators), runs
:func:`check_definitions` and asserts that a problem with the case's code is reported in the
right file, on the right line, with the right severity; for an error, that no definitions come
back. The expected line of a YAML file is the line that carries the marker ``# <-``; CSV files
cannot hold comments, so their cases give the line (the header is line 1).

``test_every_code_has_a_case`` fails when a code the loader gives (:data:`LOADER_CODES`: the
catalogue's definition codes and the shared ones below) has no case here.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tieuchi.definitions import check_definitions
from tieuchi.domain.problems import CATALOGUE, MAX_MESSAGE, Problem, Severity

SHARED_CODES = {
    "invalid-value", "unknown-unit", "unknown-indicator", "period-too-fine", "duplicate-target",
    "csv-header", "csv-value", "yesno-value", "percent-range", "count-value", "range-order",
    "duplicate-observation", "target-comparator", "computed-indicator",
}
"""Codes of the catalogue's other areas that a definition folder can also give."""
LOADER_CODES = {c for c, e in CATALOGUE.items() if e.area == "definitions"} | SHARED_CODES

MARK = "# <-"

LAUGHS = "units:\n" + "".join(
    f"  - &a{i} [{', '.join([f'*a{i - 1}' if i else 'lol'] * 9)}]"
    + ("  # <-" if i == 6 else "") + "\n" for i in range(9))
"""A "billion laughs": 9 levels of 9 aliases, 1e9 "lol" once written out (line 8 passes
8 MB)."""

BASE = """\
levels:
  - {code: huyen, name: Huyện}
  - {code: xa, name: Xã}
units:
  - {code: TT, name: Thanh Trì, level: huyen, attributes: {region: DBSH}}
  - {code: TT-YENMY, name: Yên Mỹ, level: xa, parent: TT, attributes: {region: DBSH}}
  - {code: TT-DAIANG, name: Đại Áng, level: xa, parent: TT, attributes: {region: DBSH}}
indicators:
  - {code: gtsx, name: Tổng giá trị sản xuất trên địa bàn, unit: tỷ đồng, frequency: year}
  - {code: thu-nhap-bq, name: Thu nhập bình quân đầu người, unit: triệu đồng/người/năm,
     time: last, rollup: none, frequency: year}
  - {code: dien-tap, name: Tổ chức thành công diễn tập khu vực phòng thủ, type: yesno,
     time: last, rollup: none, frequency: year}
  - {code: ho-ngheo, name: Tỷ lệ hộ nghèo, unit: "%", type: percent, direction: lower,
     time: last, rollup: none, frequency: year}
"""

OBS_HEADER = "unit,indicator,period,value,vintage\n"
TARGET_HEADER = "unit,indicator,period,comparator,value,value_high,group\n"


@dataclass(frozen=True)
class Case:
    """A broken folder and the problem it must produce."""

    id: str
    code: str
    files: dict[str, str]
    file: str  # the file the problem names ("" for the folder itself)
    line: int | None = None  # None: the marked line of a YAML file, or no line at all
    severity: Severity = Severity.ERROR
    message: str = ""  # a fragment the message must contain
    base: bool = True  # write base.yaml too
    raw: dict[str, bytes] = field(default_factory=dict)  # files written as bytes

    def expected_line(self) -> int | None:
        if self.line is not None:
            return self.line
        text = self.files.get(self.file, "")
        for number, content in enumerate(textwrap.dedent(text).splitlines(), start=1):
            if MARK in content:
                return number
        return None


def write(folder: Path, files: dict[str, str], raw: dict[str, bytes] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for name, data in (raw or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def names(problem: Problem, expected: str, root: Path) -> bool:
    """Whether ``problem`` names the file ``expected`` (relative to ``root``)."""
    if problem.file is None:
        return False
    if not expected:
        return Path(problem.file).resolve() == root.resolve()
    parts = Path(expected).parts
    return Path(problem.file).parts[-len(parts):] == parts


def explain(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problems)"



def _split(successors: str, weights: str) -> dict[str, str]:
    """A legacy commune split among ``successors`` with ``weights`` (none when empty)."""
    split = (f"    split:\n      by: dân số\n      source: Đề án (minh họa)\n"
             f"      weights: {weights}\n") if weights else ""
    return {"split.yaml": "units:\n  - code: TT-CU\n    name: Xã cũ\n    level: xa\n"
                          f"    valid_to: 2019-12-31\n    successors: [{successors}]\n"
                          + split}


CASES: list[Case] = [
    # ------------------------------------------------------------------ no-definitions
    Case("empty-folder", "no-definitions", {}, "", base=False, message="no .yaml or .csv"),
    Case("only-a-readme", "no-definitions", {"README.md": "# Thanh Trì\n"}, "", base=False),
    # ------------------------------------------------------------------ yaml-syntax
    Case("colon-in-plain-value", "yaml-syntax", {"units.yaml": """\
        units:
          - code: TT-NGOCHOI
            name: Ngọc Hồi: xã  # <-
            level: xa
        """}, "units.yaml", message="mapping values are not allowed"),
    Case("tab-indent", "yaml-syntax", {"units.yaml": """\
        units:
          - code: TT-NGOCHOI
        \tname: Ngọc Hồi  # <-
        """}, "units.yaml"),
    Case("unclosed-flow-mapping", "yaml-syntax", {"units.yaml": """\
        units:
          - {code: TT-NGOCHOI, name: Ngọc Hồi, level: xa
          - {code: TT-VANPHUC, name: Vạn Phúc, level: xa}  # <-
        """}, "units.yaml"),
    Case("not-utf8", "yaml-syntax", {}, "units.yaml", raw={
        "units.yaml": "units:\n  - {code: TT-TRI, name: Thanh Trì, level: xa}\n".encode(
            "latin-1"
        ),
    }, message="UTF-8"),
    # ------------------------------------------------------------------ yaml-limit
    Case("billion-laughs", "yaml-limit", {"laughs.yaml": LAUGHS}, "laughs.yaml",
         message="with its aliases (*name) written out, this value is longer than 8 MB"),
    Case("too-many-aliases", "yaml-limit", {"aliases.yaml": "project: &p {name: x}\nunits:\n"
                                            + "  - *p\n" * 1000 + "  - *p  # <-\n"},
         "aliases.yaml", message="more than 1000 aliases (*name) in one file"),
    Case("alias-inside-itself", "yaml-limit", {"units.yaml": """\
        units: &u  # <-
          - {code: TT-NGOCHOI, name: Ngọc Hồi, level: xa}
          - *u
        """}, "units.yaml", message="refers to the value that contains it"),
    Case("nested-too-deep", "yaml-limit", {"units.yaml": "units:\n  - " + "[" * 101 + "]" * 101
                                           + "  # <-\n"}, "units.yaml",
         message="nested more than 100 levels deep"),
    Case("file-too-large", "yaml-limit", {}, "big.yaml", raw={
        "big.yaml": b"# " + b"x" * (8 * 2**20) + b"\n"}, message="larger than 8 MB"),
    # ------------------------------------------------------------------ not-a-mapping
    Case("file-is-a-list", "not-a-mapping", {"units.yaml": """\
        - {code: TT-NGOCHOI, name: Ngọc Hồi, level: xa}  # <-
        """}, "units.yaml", message="mapping of sections"),
    Case("section-is-not-a-list", "not-a-mapping", {"units.yaml": """\
        units:  # <-
          code: TT-NGOCHOI
          name: Ngọc Hồi
          level: xa
        """}, "units.yaml", message="must be a list"),
    # ------------------------------------------------------------------ unknown-section
    Case("singular-section", "unknown-section", {"more.yaml": """\
        indicator:  # <-
          - {code: dn-moi, name: Số doanh nghiệp thành lập mới}
        """}, "more.yaml", message="did you mean 'indicators'"),
    # ------------------------------------------------------------------ missing-field
    Case("unit-without-name", "missing-field", {"more.yaml": """\
        units:
          - code: TT-NGOCHOI  # <-
            level: xa
            parent: TT
        """}, "more.yaml", message="'name: …'"),
    Case("criterion-without-name", "missing-field", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            criteria:
              - {code: TC1, indicator: gtsx, at_least: 1}
              - {code: TC2, indicator: dien-tap, "yes": true}  # <-
        """}, "sets.yaml"),
    Case("group-without-period", "missing-field", {"groups.yaml": """\
        groups:
          - code: nvct-2023  # <-
            name: Chỉ tiêu nhiệm vụ chính trị năm 2023
            unit: TT
            targets: []
        """}, "groups.yaml", message="'period: …'"),
    # ------------------------------------------------------------------ unknown-field
    Case("misspelled-field", "unknown-field", {"more.yaml": """\
        units:
          - code: TT-NGOCHOI
            nmae: Ngọc Hồi  # <-
            level: xa
        """}, "more.yaml", message="did you mean 'name'"),
    Case("unknown-field-in-criterion", "unknown-field", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            criteria:
              - code: TC1
                name: Thu nhập
                indicator: thu-nhap-bq
                at_least: 70
                ghi_chu: minh họa  # <-
        """}, "sets.yaml"),
    Case("unknown-field-in-source", "unknown-field", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            source:
              document: Quyết định số 318/QĐ-TTg
              verifed: true  # <-
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
        """}, "sets.yaml", message="did you mean 'verified'"),
    # ------------------------------------------------------------------ wrong-type
    Case("decimals-in-words", "wrong-type", {"more.yaml": """\
        indicators:
          - code: dn-moi
            name: Số doanh nghiệp thành lập mới
            decimals: không  # <-
        """}, "more.yaml", message="decimals"),
    Case("date-in-vietnamese-order", "wrong-type", {"more.yaml": """\
        units:
          - code: TT-NGOCHOI
            name: Ngọc Hồi
            level: xa
            valid_from: 31/12/2023  # <-
        """}, "more.yaml"),
    Case("threshold-not-a-number", "wrong-type", {"targets.yaml": """\
        targets:
          - unit: TT
            indicator: gtsx
            period: 2023
            at_least: nhiều  # <-
        """}, "targets.yaml"),
    Case("csv-target-value-not-a-number", "wrong-type", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,nhiều,,\n",
    }, "targets-2023.csv", line=2, message="'nhiều' is not a number"),
    Case("verified-not-a-bool", "wrong-type", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            source:
              document: Quyết định số 318/QĐ-TTg
              verified: chưa  # <-
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
        """}, "sets.yaml"),
    # ------------------------------------------------------------------ invalid-value
    Case("unknown-enum-value", "invalid-value", {"more.yaml": """\
        indicators:
          - code: dn-moi
            name: Số doanh nghiệp thành lập mới
            type: money  # <-
        """}, "more.yaml"),
    Case("code-with-space", "invalid-value", {"more.yaml": """\
        units:
          - code: Ngọc Hồi  # <-
            name: Ngọc Hồi
            level: xa
        """}, "more.yaml", message="a code is letters"),
    Case("phrase-reaching-into-a-value", "invalid-value", {"report.yaml": """\
        report:
          phrases:
            vi:
              achieved_all: "Đạt {n.__class__.__mro__}/{total}"  # <-
        """}, "report.yaml", message="report.phrases.vi.achieved_all: {n.__class__.__mro__} is "
         "not a placeholder: write a name alone in braces"),
    Case("phrase-that-is-no-phrase", "invalid-value", {"report.yaml": """\
        report:
          phrases:
            vi:
              vs_same_peroid: so với cùng kỳ năm trước  # <-
        """}, "report.yaml", message="report.phrases.vi.vs_same_peroid: not a phrase of the "
         "report; did you mean 'vs_same_period'?"),
    Case("phrase-with-a-placeholder-it-has-not", "invalid-value", {"report.yaml": """\
        report:
          phrases:
            vi:
              achieved_all: "Đạt {foo} chỉ tiêu"  # <-
        """}, "report.yaml", message="report.phrases.vi.achieved_all: {foo} is not known here"),
    Case("title-with-an-unknown-placeholder", "invalid-value", {"report.yaml": """\
        report:
          title: Báo cáo năm {year}
          sections:
            - title: Kết quả {nam}  # <-
              items: []
        """}, "report.yaml", message="report.sections[0].title: {nam} is not a placeholder of "
         "a title; write {period}, {year}"),
    Case("group-name-with-a-bad-brace", "invalid-value", {"groups.yaml": """\
        groups:
          - code: nvct
            name: Chỉ tiêu năm {year}
            name_en: Targets of {year  # <-
            unit: TT
            period: 2023
            targets:
              - {indicator: gtsx, at_least: 40000}
        """}, "groups.yaml", message="group 'nvct' name_en: "),
    Case("phrase-with-an-index", "invalid-value", {"report.yaml": """\
        report:
          phrases:
            en:
              columns:
                change: "{names[0]}"  # <-
        """}, "report.yaml", message="report.phrases.en.columns.change: {names[0]} is not"),
    Case("phrase-with-a-format-spec", "invalid-value", {"report.yaml": """\
        report:
          phrases:
            vi:
              motto: "{n:>999999999}"  # <-
        """}, "report.yaml", message="{n:>999999999} is not a placeholder"),
    Case("bad-period", "invalid-value", {"targets.yaml": """\
        targets:
          - unit: TT
            indicator: gtsx
            period: 2023-Q5  # <-
            at_least: 40000
        """}, "targets.yaml", message="is not a period"),
    Case("csv-target-bad-period", "invalid-value", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,40000,,\n"
                                            "TT,gtsx,2023-Q5,at_least,9000,,\n",
    }, "targets-2023.csv", line=3, message="is not a period"),
    Case("two-comparators", "invalid-value", {"targets.yaml": """\
        targets:
          - unit: TT  # <-
            indicator: gtsx
            period: 2023
            at_least: 40000
            growth: 12
        """}, "targets.yaml", message="give one target value"),
    Case("rollup-without-weight", "invalid-value", {"more.yaml": """\
        indicators:
          - code: thu-nhap-tb  # <-
            name: Thu nhập bình quân
            rollup: weighted_mean
        """}, "more.yaml", message="needs weight"),
    Case("dimension-values-without-dimension", "invalid-value", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            dimension_values: [DBSH, TN]  # <-
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
        """}, "sets.yaml", message="add e.g. 'dimension: region'"),
    Case("threshold-by-region-without-dimension", "invalid-value", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            criteria:
              - code: TC1  # <-
                name: Thu nhập
                indicator: thu-nhap-bq
                at_least: {DBSH: 70, default: 60}
        """}, "sets.yaml", message="to name its dimension"),
    Case("csv-comparator", "invalid-value", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at-least,40000,,\n",
    }, "targets-2023.csv", line=2, message="did you mean 'at_least'"),
    Case("rule-asks-too-many", "invalid-value", {"sets.yaml": """\
        criteria_sets:
          - code: ntm  # <-
            name: Nông thôn mới
            rule: {at_least: 3}
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
              - {code: TC2, name: Hộ nghèo, indicator: ho-ngheo, at_most: 1.5}
        """}, "sets.yaml", message="asks for 3 criteria but the set has 2"),
    # ------------------------------------------------------------------ duplicate-section
    Case("report-twice", "duplicate-section", {
        "a-report.yaml": """\
        report:
          title: Báo cáo năm
        """,
        "b-report.yaml": """\
        report:  # <-
          title: Báo cáo 6 tháng
        """}, "b-report.yaml", message="already given at"),
    # ------------------------------------------------------------------ duplicate-code
    Case("unit-code-twice", "duplicate-code", {"more.yaml": """\
        units:
          - {code: TT-YENMY, name: Yên Mỹ (bis), level: xa, parent: TT}  # <-
        """}, "more.yaml", message="already used at"),
    Case("criterion-code-twice", "duplicate-code", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
              - {code: TC1, name: Hộ nghèo, indicator: ho-ngheo, at_most: 1.5}  # <-
        """}, "sets.yaml", message="appears twice"),
    # ------------------------------------------------------------------ unknown-unit
    Case("target-unit", "unknown-unit", {"targets.yaml": """\
        targets:
          - indicator: gtsx
            unit: TT-YENMI  # <-
            period: 2023
            at_least: 100
        """}, "targets.yaml", message="did you mean 'TT-YENMY'"),
    Case("parent", "unknown-unit", {"more.yaml": """\
        units:
          - code: TT-NGOCHOI
            name: Ngọc Hồi
            level: xa
            parent: TTT  # <-
        """}, "more.yaml", message="parent 'TTT' is not defined"),
    Case("group-unit", "unknown-unit", {"groups.yaml": """\
        groups:
          - code: nvct-2023
            name: Chỉ tiêu nhiệm vụ chính trị năm 2023
            unit: T  # <-
            period: 2023
            targets:
              - {indicator: gtsx, at_least: 40000}
        """}, "groups.yaml"),
    Case("project-root", "unknown-unit", {"tieuchi.yaml": """\
        project:
          name: Huyện Thanh Trì năm 2023
          root: THANHTRI  # <-
        """}, "tieuchi.yaml"),
    Case("project-headers-unit", "unknown-unit", {"tieuchi.yaml": """\
        project:
          name: Huyện Thanh Trì năm 2023
          root: TT
          headers:
            TT-YENMY: {signer_name: Trần Văn B}
            TT-YENMI:  # <-
              place: Yên Mỹ
        """}, "tieuchi.yaml", message="did you mean 'TT-YENMY'"),
    Case("applies-to-unit", "unknown-unit", {"criteria/ntm.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            applies_to:
              units:
                - TT-YENMY
                - TT-DAIANGG  # <-
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
        """}, "criteria/ntm.yaml", message="did you mean 'TT-DAIANG'"),
    Case("observation-csv-unit", "unknown-unit", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n"
                                              "TT-YENMI,gtsx,2023,120,estimate\n",
    }, "observations-2023.csv", line=3, message="did you mean 'TT-YENMY'"),
    Case("target-csv-unit", "unknown-unit", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,40000,,\n"
                                            "TT-YENMI,gtsx,2023,at_least,100,,\n",
    }, "targets-2023.csv", line=3, message="did you mean 'TT-YENMY'"),
    Case("inline-observation-unit", "unknown-unit", {"data.yaml": """\
        observations:
          - {unit: TT-YENMI, indicator: gtsx, period: 2023, value: 120}  # <-
        """}, "data.yaml"),
    # ------------------------------------------------------------------ unknown-indicator
    Case("target-indicator", "unknown-indicator", {"targets.yaml": """\
        targets:
          - unit: TT
            indicator: gtxs  # <-
            period: 2023
            at_least: 40000
        """}, "targets.yaml", message="did you mean 'gtsx'"),
    Case("group-target-indicator", "unknown-indicator", {"groups.yaml": """\
        groups:
          - code: ktxh-2023
            name: Chỉ tiêu kinh tế - xã hội năm 2023
            unit: TT
            period: 2023
            targets:
              - {code: ktxh-gtsx, indicator: gtsx, growth: 12}
              - {code: ktxh-ho-ngheo, indicator: ho-ngeo, at_most: 0.2}  # <-
        """}, "groups.yaml", message="did you mean 'ho-ngheo'"),
    Case("condition-indicator", "unknown-indicator", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            criteria:
              - code: TC1
                name: Môi trường
                conditions:
                  - {indicator: ho-ngheo, at_most: 1.5}
                  - {indicator: nuoc-sach, at_least: 95}  # <-
        """}, "sets.yaml"),
    Case("component", "unknown-indicator", {"more.yaml": """\
        indicators:
          - code: thu-co-dinh
            name: Thu cố định ngân sách
            components:
              - gtsx
              - thu-lptb  # <-
        """}, "more.yaml", message="component 'thu-lptb'"),
    Case("observation-csv-indicator", "unknown-indicator", {
        "observations-2023.csv": OBS_HEADER + "TT,gtxs,2023,43799,estimate\n",
    }, "observations-2023.csv", line=2, message="did you mean 'gtsx'"),
    Case("target-csv-indicator", "unknown-indicator", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,40000,,\n"
                                            "TT,ho-ngeo,2023,at_most,0.2,,\n",
    }, "targets-2023.csv", line=3, message="did you mean 'ho-ngheo'"),
    # ------------------------------------------------------------------ unknown-level
    Case("unit-level", "unknown-level", {"more.yaml": """\
        units:
          - code: TT-VANDIEN
            name: Văn Điển
            level: thi-tran  # <-
            parent: TT
        """}, "more.yaml"),
    Case("applies-to-level", "unknown-level", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            applies_to: {level: xaa}  # <-
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq, at_least: 70}
        """}, "sets.yaml", message="did you mean 'xa'"),
    # ------------------------------------------------------------------ unknown-criteria-set
    Case("indicator-criteria-set", "unknown-criteria-set", {"more.yaml": """\
        indicators:
          - code: ntm-so-xa
            name: Số xã đạt chuẩn nông thôn mới
            rollup: count_passing
            criteria_set: ntm-nang-cao  # <-
        """}, "more.yaml"),
    Case("condition-set", "unknown-criteria-set", {"sets.yaml": """\
        criteria_sets:
          - code: ntm-kieu-mau
            name: Nông thôn mới kiểu mẫu
            criteria:
              - code: K1
                name: Đạt chuẩn nông thôn mới nâng cao
                set: ntm-nang-cao  # <-
        """}, "sets.yaml"),
    Case("report-criteria-set", "unknown-criteria-set", {"report.yaml": """\
        report:
          sections:
            - title: Xây dựng nông thôn mới
              items:
                - criteria_set: ntm-nang-cao  # <-
        """}, "report.yaml"),
    # ------------------------------------------------------------------ unknown-group
    Case("report-group", "unknown-group", {"report.yaml": """\
        groups:
          - code: nvct-2023
            name: Chỉ tiêu nhiệm vụ chính trị năm 2023
            unit: TT
            period: 2023
            targets:
              - {indicator: gtsx, at_least: 40000}
        report:
          sections:
            - title: Kết quả thực hiện các chỉ tiêu năm 2023
              items:
                - group: nvct-2032  # <-
        """}, "report.yaml", message="did you mean 'nvct-2023'"),
    Case("csv-target-group", "unknown-group", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,40000,,ktxh-2023\n",
    }, "targets-2023.csv", line=2, message="define it under 'groups:'"),
    # ------------------------------------------------------------------ unknown-basis
    Case("group-basis", "unknown-basis", {"groups.yaml": """\
        bases:
          - {code: du-toan-tinh-hdnd, vi: {name: dự toán tỉnh và HĐND xã giao}}
        groups:
          - code: thu-2023
            name: Thu ngân sách năm 2023
            unit: TT
            period: 2023
            basis: du-toan-tinh-hdn  # <-
            targets:
              - {indicator: gtsx, at_least: 40000}
        """}, "groups.yaml", message="did you mean 'du-toan-tinh-hdnd'"),
    Case("target-basis", "unknown-basis", {"targets.yaml": """\
        targets:
          - unit: TT
            indicator: gtsx
            period: 2023
            at_least: 40000
            basis: budjet  # <-
        """}, "targets.yaml", message="did you mean 'budget'"),
    # ------------------------------------------------------------------ unknown-target
    Case("report-target", "unknown-target", {"report.yaml": """\
        targets:
          - {code: tt-gtsx-2023, unit: TT, indicator: gtsx, period: 2023, growth: 12}
        report:
          sections:
            - title: Kết quả thực hiện các chỉ tiêu năm 2023
              items:
                - target: tt-gtsx-2032  # <-
        """}, "report.yaml", message="did you mean 'tt-gtsx-2023'"),
    Case("report-highlight", "unknown-target", {"report.yaml": """\
        groups:
          - code: ktxh-2023
            name: Chỉ tiêu kinh tế - xã hội năm 2023
            unit: TT
            period: 2023
            targets:
              - {code: ktxh-gtsx, indicator: gtsx, growth: 12}
        report:
          sections:
            - title: Kết quả thực hiện các chỉ tiêu năm 2023
              items:
                - group: ktxh-2023
                  highlights:
                    - ktxh-gtsx
                    - ktxh-thu-co-dinh  # <-
        """}, "report.yaml", message="target or indicator 'ktxh-thu-co-dinh'"),
    # ------------------------------------------------------------------ hierarchy-cycle
    Case("two-units", "hierarchy-cycle", {"more.yaml": """\
        units:
          - code: KV-A
            name: Khu vực A
            level: xa
            parent: KV-B  # <-
          - code: KV-B
            name: Khu vực B
            level: xa
            parent: KV-A
        """}, "more.yaml", message="KV-A → KV-B → KV-A"),
    Case("own-parent", "hierarchy-cycle", {"more.yaml": """\
        units:
          - {code: KV-A, name: Khu vực A, level: xa, parent: KV-A}  # <-
        """}, "more.yaml"),
    # ------------------------------------------------------------------ set-cycle
    Case("two-sets", "set-cycle", {"sets.yaml": """\
        criteria_sets:
          - code: a  # <-
            name: Bộ A
            criteria:
              - {code: A1, name: Đạt bộ B, set: b}
          - code: b
            name: Bộ B
            criteria:
              - {code: B1, name: Đạt bộ A, set: a}
        """}, "sets.yaml", message="a → b → a"),
    Case("through-an-indicator", "set-cycle", {"sets.yaml": """\
        indicators:
          - {code: so-xa-dat, name: Số xã đạt, rollup: count_passing, criteria_set: huyen-dat,
             time: last, frequency: year}
        criteria_sets:
          - code: huyen-dat  # <-
            name: Huyện đạt chuẩn
            criteria:
              - {code: H1, name: Số xã đạt chuẩn, indicator: so-xa-dat, at_least: 2}
        """}, "sets.yaml"),
    # ------------------------------------------------------------------ period-too-fine
    Case("quarterly-target-of-yearly-indicator", "period-too-fine", {"groups.yaml": """\
        groups:
          - code: ktxh-2023-q1
            name: Chỉ tiêu quý I/2023
            unit: TT
            period: 2023-Q1
            targets:
              - {indicator: gtsx, at_least: 9000}  # <-
        """}, "groups.yaml", message="collected by year"),
    Case("inline-observation-of-yearly-indicator", "period-too-fine", {"data.yaml": """\
        observations:
          - unit: TT
            indicator: gtsx
            period: 2023-Q1  # <-
            value: 9000
        """}, "data.yaml", message="collected by year"),
    Case("monthly-observation-of-yearly-indicator", "period-too-fine", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n"
                                              "TT,gtsx,2023-05,3500,estimate\n",
    }, "observations-2023.csv", line=3),
    # ------------------------------------------------------------------ threshold dimensions
    Case("misspelled-region", "unknown-dimension-value", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            dimension: region
            dimension_values: [TDMNPB, DBSH, BTB, DHNTB, TN, DNB, DBSCL]
            criteria:
              - {code: TC1, name: Thu nhập, indicator: thu-nhap-bq,  # <-
                 at_least: {DBHS: 70, default: 60}}
        """}, "sets.yaml", message="did you mean 'DBSH'"),
    Case("region-without-threshold", "missing-threshold", {"sets.yaml": """\
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            applies_to: {level: xa}
            dimension: region
            dimension_values: [DBSH, TN]
            criteria:
              - code: TC1
                name: Thu nhập
                conditions:
                  - indicator: thu-nhap-bq  # <-
                    at_least: {TN: 55}
        """}, "sets.yaml", message="unit 'TT-YENMY' has region 'DBSH'"),
    Case("unit-without-region", "missing-dimension", {"sets.yaml": """\
        units:
          - {code: TT-NGOCHOI, name: Ngọc Hồi, level: xa, parent: TT}
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            applies_to: {units: [TT-YENMY, TT-NGOCHOI]}
            dimension: region
            dimension_values: [DBSH, TN]
            criteria:
              - code: TC1  # <-
                name: Thu nhập
                indicator: thu-nhap-bq
                at_least: {DBSH: 70, TN: 55}
        """}, "sets.yaml", message="unit 'TT-NGOCHOI' has no attribute 'region'"),
    # ------------------------------------------------------------------ targets
    Case("target-without-unit", "missing-unit-or-period", {"targets.yaml": """\
        targets:
          - indicator: gtsx  # <-
            period: 2023
            at_least: 40000
        """}, "targets.yaml", message="has no unit"),
    Case("target-without-period", "missing-unit-or-period", {"targets.yaml": """\
        targets:
          - {indicator: gtsx, unit: TT, at_least: 40000}  # <-
        """}, "targets.yaml", message="has no period"),
    Case("same-unit-indicator-period", "duplicate-target", {"targets.yaml": """\
        targets:
          - {unit: TT, indicator: gtsx, period: 2023, at_least: 40000}
          - {unit: TT, indicator: gtsx, period: 2023, growth: 12}  # <-
        """}, "targets.yaml", message="target 'TT:gtsx:2023' is already defined"),
    Case("same-code-in-two-groups", "duplicate-target", {"groups.yaml": """\
        groups:
          - code: nvct-2023
            name: Chỉ tiêu nhiệm vụ chính trị năm 2023
            unit: TT
            period: 2023
            targets:
              - {code: gtsx-2023, indicator: gtsx, at_least: 40000}
          - code: ktxh-2023
            name: Chỉ tiêu kinh tế - xã hội năm 2023
            unit: TT
            period: 2023
            targets:
              - {code: gtsx-2023, indicator: gtsx, growth: 12}  # <-
        """}, "groups.yaml"),
    Case("unit-dissolved-before-period", "unit-not-valid", {"targets.yaml": """\
        units:
          - {code: TT-CU, name: Xã cũ, level: xa, parent: TT, valid_to: 2019-12-31,
             successors: [TT-YENMY]}
        targets:
          - {unit: TT-CU, indicator: gtsx, period: 2023, at_least: 100}  # <-
        """}, "targets.yaml", severity=Severity.WARNING, message="does not exist in 2023"),
    Case("split-weight-missing", "split-weights",
         _split("TT-YENMY, TT-DAIANG", "{TT-YENMY: 3000}  # <-"), "split.yaml",
         message="give none for TT-DAIANG; give one weight above 0 for each: split: {by: dân "
                 "số, source: …, weights: {TT-YENMY: …, TT-DAIANG: …}}"),
    Case("split-weight-zero", "split-weights",
         _split("TT-YENMY, TT-DAIANG", "{TT-YENMY: 3000, TT-DAIANG: 0}  # <-"), "split.yaml",
         message="are not above 0 for TT-DAIANG"),
    Case("split-weight-of-another-unit", "split-weights",
         _split("TT-YENMY, TT-DAIANG", "{TT-YENMY: 3, TT-DAIANG: 1, TT: 5}  # <-"),
         "split.yaml", message="name TT, not a successor"),
    Case("official-code-twice-at-once", "duplicate-official-code", {"gso.yaml": """\
        units:
          - {code: GL, name: Gia Lai, level: huyen, official_code: "52"}
          - {code: P52, name: Gia Lai, level: huyen, official_code: "52",  # <-
             valid_from: 2025-07-01}
        """}, "gso.yaml", message="gso.yaml:2) share the official code '52' and are both "
                                  "in force from 2025-07-01 on; one place has one code at a "
                                  "time: remove one of them, or end one's validity"),
    Case("split-of-one-successor", "split-one-successor", _split("TT-YENMY", "{TT-YENMY: 1}"),
         "split.yaml", line=7, message="has 1 successor(s)"),
    Case("split-undeclared", "split-undeclared",
         _split("TT-YENMY, TT-DAIANG", ""), "split.yaml", line=6, severity=Severity.WARNING,
         message="its figures are not carried to TT-YENMY, TT-DAIANG until you declare split "
                 "weights: split: {by: dân số, source: …, weights: {TT-YENMY: …, "
                 "TT-DAIANG: …}}"),
    Case("indicator-in-its-own-total", "component-cycle", {"more.yaml": """\
        indicators:
          - {code: r1, name: Lệ phí trước bạ}
          - {code: tong, name: Thu cố định, components: [r1, tong]}  # <-
        """}, "more.yaml", message="part of its own total"),
    Case("group-target-of-another-year", "target-period", {"groups.yaml": """\
        groups:
          - code: ktxh-2023
            name: Chỉ tiêu năm 2023
            unit: TT
            period: 2023
            targets:
              - {indicator: gtsx, period: 2024, growth: 12}  # <-
        """}, "groups.yaml", message="does not overlap"),
    Case("set-for-a-missing-region", "set-applies-to-nothing", {"sets.yaml": """\
        criteria_sets:
          - code: ntm-tn
            name: Xã nông thôn mới vùng Tây Nguyên
            applies_to: {level: xa, where: {region: TN}}  # <-
            criteria:
              - {code: c1, name: Diễn tập, indicator: dien-tap, "yes": true}
        """}, "sets.yaml", severity=Severity.WARNING, message="applies to no unit"),
    Case("set-of-another-time", "set-not-in-force", {"sets.yaml": """\
        project: {name: Thanh Trì 2024, root: TT, period: "2024"}
        criteria_sets:
          - code: ntm-2016
            name: Xã nông thôn mới giai đoạn 2016 - 2020
            effective_from: 2016-08-17  # <-
            effective_to: 2020-12-31
            applies_to: {level: xa}
            criteria:
              - {code: c1, name: Diễn tập, indicator: dien-tap, "yes": true}
        """}, "sets.yaml", severity=Severity.WARNING, message="not in the project's period"),
    Case("group-without-targets", "empty-group", {"groups.yaml": """\
        groups:
          - {code: ktxh-2024, name: Chỉ tiêu năm 2024, unit: TT, period: 2024}  # <-
        """}, "groups.yaml", severity=Severity.WARNING, message="has no target"),
    Case("observed-count-of-passing-units", "computed-indicator", {
        "sets.yaml": """\
        indicators:
          - {code: so-xa-dat, name: Số xã đạt, rollup: count_passing, criteria_set: xa-dat,
             of_level: xa, time: last, frequency: year}
        criteria_sets:
          - code: xa-dat
            name: Xã đạt chuẩn
            applies_to: {level: xa}
            criteria:
              - {code: c1, name: Diễn tập, indicator: dien-tap, "yes": true}
        """,
        "observations-2023.csv": OBS_HEADER + "TT,so-xa-dat,2023,2,official\n",
    }, "observations-2023.csv", line=2, severity=Severity.WARNING,
        message="is counted from criteria set"),
    Case("highlight-of-another-year", "highlight-not-stated", {"report.yaml": """\
        project: {name: Thanh Trì, root: TT, period: "2022"}
        groups:
          - code: ktxh-2023
            name: Chỉ tiêu năm 2023
            unit: TT
            period: 2023
            targets:
              - {code: ktxh-gtsx, indicator: gtsx, growth: 12}
        report:
          sections:
            - title: Kết quả
              items:
                - group: ktxh-2023
                  highlights:
                    - ktxh-gtsx  # <-
        """}, "report.yaml", severity=Severity.WARNING,
        message="target 'ktxh-gtsx' is for 2023 and no figure is within 2022"),
    Case("indicator-item-without-figures", "highlight-not-stated", {"report.yaml": """\
        project: {name: Thanh Trì, root: TT, period: "2022"}
        report:
          sections:
            - title: Kết quả
              items:
                - indicator: thu-nhap-bq  # <-
        """}, "report.yaml", severity=Severity.WARNING,
        message="no target of the period and no figure within it"),
    Case("share-of-an-indicator-that-is-no-ratio", "state-not-possible", {"report.yaml": """\
        project: {name: Thanh Trì, root: TT}
        report:
          sections:
            - title: Kết quả
              items:
                - {indicator: gtsx, state: fraction}  # <-
        """}, "report.yaml",
        message="'gtsx' cannot be stated as fraction: indicator 'gtsx' is not a ratio"),
    Case("nine-months-base-without-figures", "base-without-data", {"targets.yaml": """\
        indicators:
          - {code: ty-le, name: Tỷ lệ hộ nghèo đa chiều, unit: "%", type: percent,
             direction: lower, time: last, rollup: none}
        targets:
          - {unit: TT, indicator: ty-le, period: 2023-YTD09, reduction_pp: 4}  # <-
        observations:
          - {unit: TT, indicator: ty-le, period: "2022", value: 10}
        """}, "targets.yaml", severity=Severity.WARNING,
        message='2022-YTD09, which has no figure of \'ty-le\'; 2022 has: write baseline: "2022"'),
    Case("dataset-with-computed-indicator", "derived-in-dataset", {"datasets.yaml": """\
        indicators:
          - {code: thu-tong, name: Tổng thu, components: [gtsx], frequency: year}
        datasets:
          - code: bieu-1
            name: Biểu 1
            indicators:
              - gtsx
              - thu-tong  # <-
        """}, "datasets.yaml", message="not entered"),
    # ------------------------------------------------------------------ narrative files
    Case("narrative-unknown-heading", "unknown-heading", {"narrative/TT/2023.md": """\
        ## Tồn tại, hạn chế

        Còn chậm.

        ## Tồn tại và hạn chế  # <-

        Lặp lại.
        """}, "narrative/TT/2023.md", line=5, message="## Kiến nghị, đề xuất"),
    Case("narrative-heading-twice", "duplicate-heading", {"narrative/TT/2023.md": """\
        ## Kiến nghị, đề xuất

        Một.

        ## Kiến nghị, đề xuất
        """}, "narrative/TT/2023.md", line=5, message="already written at line 1"),
    Case("narrative-text-before-heading", "narrative-outside", {"narrative/TT/2023.md": """\
        # Thuyết minh

        Không thuộc đề mục nào.

        ## Nguyên nhân
        """}, "narrative/TT/2023.md", line=3, message="outside a section"),
    Case("narrative-not-a-period", "narrative-file", {"narrative/TT/nam-2023.md": "x\n"},
         "narrative/TT/nam-2023.md", message="narrative/{unit}/{period}.md"),
    Case("narrative-unknown-unit", "unknown-unit", {"narrative/TT-VANPHUC/2023.md": """\
        ## Tồn tại, hạn chế
        """}, "narrative/TT-VANPHUC/2023.md", line=1, message="'TT-VANPHUC'"),
    Case("narrative-unknown-target", "unknown-target", {
        "targets.yaml": "targets:\n  - {code: gtsx-2023, unit: TT, indicator: gtsx, "
                        "period: 2023, at_least: 40000}\n",
        "narrative/TT/2023.md": """\
        ## Nguyên nhân

        Chung.

        ### Nguyên nhân: gtsx-2032
        """}, "narrative/TT/2023.md", line=5, message="did you mean 'gtsx-2023'"),
    # ------------------------------------------------------------------ the domain's figure rules
    Case("percentage-of-150", "percent-range", {
        "observations-2023.csv": OBS_HEADER + "TT,ho-ngheo,2023,1.2,official\n"
                                              "TT-YENMY,ho-ngheo,2023,150,official\n",
    }, "observations-2023.csv", line=3, message="150 is not a percentage for ho-ngheo"),
    Case("inline-negative-percentage", "percent-range", {"data.yaml": """\
        observations:
          - unit: TT
            indicator: ho-ngheo
            period: 2023
            value: -1  # <-
        """}, "data.yaml", message="between 0 and 100"),
    Case("count-of-2.5", "count-value", {
        "more.yaml": """\
        indicators:
          - {code: so-truong, name: Số trường đạt chuẩn, type: count, frequency: year}
        """,
        "observations-2023.csv": OBS_HEADER + "TT,so-truong,2023,2.5,official\n",
    }, "observations-2023.csv", line=2, message="2.5 is not a count for so-truong"),
    Case("nan-observation", "invalid-value", {"data.yaml": """\
        observations:
          - unit: TT
            indicator: gtsx
            period: 2023
            value: .nan  # <-
        """}, "data.yaml", message="NaN is not a finite number"),
    Case("infinite-target", "invalid-value", {"targets.yaml": """\
        targets:
          - {unit: TT, indicator: gtsx, period: 2023, at_least: .inf}  # <-
        """}, "targets.yaml", message="value Infinity is not a finite number"),
    Case("nan-target-in-csv", "invalid-value", {
        "targets-2023.csv": TARGET_HEADER + "TT,gtsx,2023,at_least,nan,,\n",
    }, "targets-2023.csv", line=2, message="value NaN is not a finite number"),
    Case("yesno-target-of-one-half", "yesno-value", {"targets.yaml": """\
        targets:
          - {unit: TT, indicator: dien-tap, period: 2023, equal: 0.5}  # <-
        """}, "targets.yaml", message="0.5 is not a yes/no value for dien-tap"),
    Case("range-upside-down", "range-order", {"targets.yaml": """\
        targets:
          - {unit: TT, indicator: thu-nhap-bq, period: 2023, within: [80, 70]}  # <-
        """}, "targets.yaml", message="upper value 70 is below its lower value 80"),
    Case("yesno-indicator-with-number", "target-comparator", {"targets.yaml": """\
        targets:
          - {unit: TT, indicator: dien-tap, period: 2023, at_least: 1}  # <-
        """}, "targets.yaml", message="'yes: true'"),
    Case("number-indicator-with-yes", "target-comparator", {"targets.yaml": """\
        targets:
          - unit: TT  # <-
            indicator: gtsx
            period: 2023
            "yes": true
        """}, "targets.yaml", message="use at_least"),
    Case("yesno-indicator-with-growth", "target-comparator", {
        "targets-2023.csv": TARGET_HEADER + "TT,dien-tap,2023,growth,10,,\n",
    }, "targets-2023.csv", line=2),
    # ------------------------------------------------------------------ CSV
    Case("missing-column", "csv-header", {
        "observations-2023.csv": "unit,indicator,period,vintage\nTT,gtsx,2023,estimate\n",
    }, "observations-2023.csv", line=1, message="column 'value' is missing"),
    Case("unknown-column", "csv-header", {
        "observations-2023.csv": "unit,indicator,period,value,vintag\n"
                                 "TT,gtsx,2023,43799,estimate\n",
    }, "observations-2023.csv", line=1, message="did you mean 'vintage'"),
    Case("target-csv-missing-comparator", "csv-header", {
        "targets-2023.csv": "unit,indicator,period,value\nTT,gtsx,2023,40000\n",
    }, "targets-2023.csv", line=1, message="column 'comparator' is missing"),
    Case("file-name-says-nothing", "csv-header", {
        "so-lieu-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n",
    }, "so-lieu-2023.csv", message="rename it"),
    Case("decimal-comma", "csv-value", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n"
                                              'TT,thu-nhap-bq,2023,"72,5",estimate\n',
    }, "observations-2023.csv", line=3, message="'72,5' is not a number"),
    Case("empty-value", "csv-value", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,,estimate\n",
    }, "observations-2023.csv", line=2, message="the 'value' cell is empty"),
    Case("csv-bad-period", "csv-value", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n"
                                              "TT,gtsx,2023-13,3500,estimate\n",
    }, "observations-2023.csv", line=3, message="'2023-13' is not a period"),
    Case("csv-bad-vintage", "csv-value", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,uoc\n",
    }, "observations-2023.csv", line=2, message="vintage 'uoc' is not one of"),
    Case("csv-not-utf8", "csv-value", {}, "observations-2023.csv", raw={
        "observations-2023.csv": (
            "unit,indicator,period,value,source\nTT,gtsx,2023,43799,Thanh Trì\n"
        ).encode("latin-1"),
    }, message="UTF-8"),
    Case("csv-empty-file", "csv-value", {"observations-2023.csv": ""},
         "observations-2023.csv"),
    Case("yesno-word", "yesno-value", {
        "observations-2023.csv": OBS_HEADER + "TT,dien-tap,2023,có,estimate\n"
                                              "TT,dien-tap,2022,chắc chắn,official\n",
    }, "observations-2023.csv", line=3, message="write 1 or 0"),
    Case("yesno-two", "yesno-value", {
        "observations-2023.csv": OBS_HEADER + "TT,dien-tap,2023,2,estimate\n",
    }, "observations-2023.csv", line=2),
    Case("same-row-twice", "duplicate-observation", {
        "observations-2023.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n"
                                              "TT,gtsx,2022,38420,official\n"
                                              "TT,gtsx,2023,43800,estimate\n",
    }, "observations-2023.csv", line=4, message="TT gtsx 2023 (estimate) is given twice"),
]


def run(case: Case, tmp_path: Path) -> tuple[object, list[Problem], Path]:
    files = {"base.yaml": BASE, **case.files} if case.base else dict(case.files)
    root = write(tmp_path / "defs", files, case.raw)
    definitions, problems = check_definitions(root)
    return definitions, problems, root


def test_base_is_valid(tmp_path: Path) -> None:
    definitions, problems = check_definitions(write(tmp_path, {"base.yaml": BASE}))
    assert problems == []
    assert definitions is not None


@pytest.mark.parametrize("case", CASES, ids=[f"{c.code}:{c.id}" for c in CASES])
def test_problem(case: Case, tmp_path: Path) -> None:
    definitions, problems, root = run(case, tmp_path)
    found = [p for p in problems if p.code == case.code]
    assert found, f"no {case.code} problem; got:\n{explain(problems)}"
    here = [p for p in found if names(p, case.file, root)]
    assert here, f"{case.code} not reported in {case.file or 'the folder'}:\n{explain(found)}"
    line = case.expected_line()
    at = [p for p in here if p.line == line]
    assert at, f"{case.code} not reported on line {line}:\n{explain(here)}"
    assert any(p.severity is case.severity for p in at), explain(at)
    assert any(case.message in p.message for p in at), (
        f"no message with {case.message!r}:\n{explain(at)}"
    )
    if case.severity is Severity.ERROR:
        assert definitions is None, "definitions returned despite an error"
    else:
        assert definitions is not None, f"a warning must not stop loading:\n{explain(problems)}"
        assert all(p.severity is Severity.WARNING for p in problems), explain(problems)


@pytest.mark.parametrize("code", sorted(LOADER_CODES))
def test_every_code_has_a_case(code: str) -> None:
    assert code in {case.code for case in CASES}, f"no case in CASES triggers {code!r}"


def test_every_case_uses_a_known_code() -> None:
    assert {case.code for case in CASES} <= LOADER_CODES


def test_problem_prints_file_line_severity_code_message(tmp_path: Path) -> None:
    root = write(tmp_path, {"base.yaml": BASE, "targets.yaml": """\
        targets:
          - {unit: TT, indicator: gtxs, period: 2023, at_least: 40000}
        """})
    _, problems = check_definitions(root)
    (problem,) = problems
    assert re.fullmatch(
        r".*targets\.yaml:2: error unknown-indicator indicator 'gtxs' is not defined; "
        r"did you mean 'gtsx'\?", str(problem),
    ), str(problem)
    assert problem.as_dict() == {
        "code": "unknown-indicator", "severity": "error", "message": problem.message,
        "message_vi": problem.message, "place": f"{problem.file}:2", "file": problem.file,
        "line": 2, "field": None, "index": None, "status": 422,
    }


def test_a_value_quoted_in_a_message_is_cut_short(tmp_path: Path) -> None:
    """A huge value in the wrong place is quoted in a few words, not printed whole."""
    values = ", ".join(str(n) for n in range(200_000))
    root = write(tmp_path, {"base.yaml": BASE, "project.yaml": f"project: {{name: [{values}]}}\n"})
    _, problems = check_definitions(root)
    (problem,) = [p for p in problems if p.code == "wrong-type"]
    assert "[0, 1, 2, 3, 4, 5, ...] is not text" in problem.message
    assert len(problem.message) < 200


def test_no_message_is_longer_than_the_limit() -> None:
    """The one place messages are built cuts any message, in both languages."""
    long = Problem("invalid-value", "x" * 10**6, "y" * 10**6)
    assert len(long.message) == len(long.message_vi) == MAX_MESSAGE
    assert long.message.endswith("…") and long.message_vi.startswith("yyy")


def test_problem_rejects_an_undocumented_code() -> None:
    with pytest.raises(ValueError, match="undocumented problem code"):
        Problem("no-such-code", "message")


# ---------------------------------------------------------------------- all problems at once

BROKEN_UNITS = """\
units:
  - {code: TT-NGOCHOI, level: xa, parent: TT}
  - {code: TT-VANPHUC, name: Vạn Phúc, level: xa, parent: TT}
"""
BROKEN_INDICATORS = """\
indicators:
  - code: dn-moi
    name: Số doanh nghiệp thành lập mới
    decimals: không
"""
BROKEN_TARGETS = """\
groups:
  - code: ktxh-2023
    name: Chỉ tiêu kinh tế - xã hội năm 2023
    unit: TT
    period: 2023
    targets:
      - {code: ktxh-gtsx, indicator: gtsx, growth: 12}
      - {code: ktxh-ho-ngheo, indicator: ho-ngeo, at_most: 0.2}
targets:
  - {unit: TT-VANPUC, indicator: gtsx, period: 2023, at_least: 120}
"""
BROKEN_SETS = """\
criteria_sets:
  - code: ntm
    name: Nông thôn mới
    criteria:
      - code: TC1
        name: Thu nhập: bình quân
"""
BROKEN_OBSERVATIONS = OBS_HEADER + (
    "TT,gtsx,2023,43799,estimate\n"
    "TT,gtsx,2022,38.420,official\n"
    'TT-VANPHUC,thu-nhap-bq,2023,"72,5",estimate\n'
)


def test_every_problem_of_a_folder_is_reported_in_one_run(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "base.yaml": BASE,
        "units.yaml": BROKEN_UNITS,
        "indicators.yaml": BROKEN_INDICATORS,
        "targets/ktxh-2023.yaml": BROKEN_TARGETS,
        "criteria/ntm.yaml": BROKEN_SETS,
        "observations-2023.csv": BROKEN_OBSERVATIONS,
    })
    definitions, problems = check_definitions(root)
    assert definitions is None
    got = {(p.code, Path(p.file or "").name, p.line) for p in problems}
    expected = {
        ("missing-field", "units.yaml", 2),  # TT-NGOCHOI has no name
        ("wrong-type", "indicators.yaml", 4),  # decimals: không
        ("unknown-indicator", "ktxh-2023.yaml", 8),  # ho-ngeo
        ("unknown-unit", "ktxh-2023.yaml", 10),  # TT-VANPUC
        ("yaml-syntax", "ntm.yaml", 6),  # "Thu nhập: bình quân" needs quotes
        ("csv-value", "observations-2023.csv", 4),  # 72,5 has a decimal comma
    }
    assert expected <= got, explain(problems)
    assert all(p.file and p.line for p in problems), explain(problems)
    messages = {p.code: p.message for p in problems}
    assert "did you mean 'ho-ngheo'" in messages["unknown-indicator"]
    assert "did you mean 'TT-VANPHUC'" in messages["unknown-unit"]
    # problems come sorted by file and line, ready to print
    places = [(p.file or "", p.line or 0) for p in problems]
    assert places == sorted(places)


def test_a_misspelled_code_gets_no_suggestion_when_nothing_is_close(tmp_path: Path) -> None:
    root = write(tmp_path, {"base.yaml": BASE, "targets.yaml": """\
        targets:
          - {unit: TT, indicator: zzzz, period: 2023, at_least: 1}
        """})
    _, problems = check_definitions(root)
    (problem,) = problems
    assert problem.code == "unknown-indicator"
    assert "did you mean" not in problem.message


def test_many_bad_rows_are_capped_and_counted(tmp_path: Path) -> None:
    rows = "".join(f"TT,gtsx,{2000 + i},nhiều,official\n" for i in range(25))
    root = write(tmp_path, {"base.yaml": BASE, "observations.csv": OBS_HEADER + rows})
    _, problems = check_definitions(root)
    listed = [p for p in problems if p.code == "csv-value" and p.line is not None]
    assert [p.line for p in listed] == list(range(2, 22))
    (rest,) = [p for p in problems if p.line is None]
    assert rest.message == "… and 5 more rows like this"


# ---------------------------------------------------------------------- promises of the codes
# Each test below states what a code promises in a case the first loader missed.


def test_duplicate_observation_across_two_files(tmp_path: Path) -> None:
    """The same figure given in two CSV files is as ambiguous as twice in one file."""
    root = write(tmp_path, {
        "base.yaml": BASE,
        "observations-a.csv": OBS_HEADER + "TT,gtsx,2023,43799,estimate\n",
        "observations-b.csv": OBS_HEADER + "TT,gtsx,2023,43800,estimate\n",
    })
    definitions, problems = check_definitions(root)
    assert "duplicate-observation" in {p.code for p in problems}, explain(problems)
    assert definitions is None


def test_line_of_a_row_after_a_multiline_cell(tmp_path: Path) -> None:
    """A quoted cell may hold a line break; the row after it starts one file line later."""
    text = OBS_HEADER.replace("vintage", "vintage,source") + (
        'TT,gtsx,2023,43799,estimate,"Báo cáo số 12,\nngày 12/12/2023"\n'
        "TT,gtsx,2022,nhiều,official,\n"
    )
    root = write(tmp_path, {"base.yaml": BASE, "observations-2023.csv": text})
    _, problems = check_definitions(root)
    (problem,) = problems
    assert problem.code == "csv-value"
    assert problem.line == 4  # header 1, first row 2-3, second row 4


def test_yesno_value_of_an_inline_observation(tmp_path: Path) -> None:
    """The yes/no check holds for observations written in YAML as for CSV rows."""
    root = write(tmp_path, {"base.yaml": BASE, "data.yaml": """\
        observations:
          - {unit: TT, indicator: dien-tap, period: 2023, value: 2}
        """})
    definitions, problems = check_definitions(root)
    assert [(p.code, p.line) for p in problems] == [("yesno-value", 2)], explain(problems)
    assert definitions is None


def test_observation_for_a_unit_outside_its_validity(tmp_path: Path) -> None:
    """The catalogue says unit-not-valid covers "a target or observation"."""
    root = write(tmp_path, {
        "base.yaml": BASE,
        "units.yaml": """\
            units:
              - {code: TT-CU, name: Xã cũ, level: xa, parent: TT, valid_to: 2019-12-31}
            """,
        "observations-2023.csv": OBS_HEADER + "TT-CU,gtsx,2023,120,estimate\n",
    })
    _, problems = check_definitions(root)
    assert [(p.code, p.line, p.severity) for p in problems] == [
        ("unit-not-valid", 2, Severity.WARNING)
    ], explain(problems)


def test_a_baseline_answers_a_base_without_data(tmp_path: Path) -> None:
    """The fix base-without-data gives (baseline: "2022") silences it."""
    case = next(c for c in CASES if c.code == "base-without-data")
    files = {name: text.replace("reduction_pp: 4}", 'reduction_pp: 4, baseline: "2022"}')
             for name, text in case.files.items()}
    _, problems, _ = run(Case(case.id, case.code, files, case.file), tmp_path)
    assert not [p for p in problems if p.code == "base-without-data"], explain(problems)


def test_an_official_code_may_pass_from_one_unit_to_the_next(tmp_path: Path) -> None:
    """A legacy commune to 2025-06-30 and the new one from 2025-07-01 share a GSO code."""
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "gso.yaml").write_text(textwrap.dedent("""\
        units:
          - {code: L24073, name: Ia Sao, level: xa, official_code: "24073",
             valid_to: 2025-06-30, successors: [X24073]}
          - {code: X24073, name: Ia Sao, level: xa, official_code: "24073",
             valid_from: 2025-07-01}
        """), encoding="utf-8")
    _, problems = check_definitions(tmp_path)
    assert [p for p in problems if p.code == "duplicate-official-code"] == []
