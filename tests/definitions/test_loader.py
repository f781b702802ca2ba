"""The definition loader: the reference example, line-aware YAML, NFC text, CSV files.

Problems and their codes are tested in ``test_problems.py``; this file tests what a good
folder loads into.
"""

from __future__ import annotations

import textwrap
import unicodedata
from pathlib import Path

import polars as pl
import pytest

from tieuchi.definitions import check_definitions, load_definitions
from tieuchi.definitions.yaml_lines import LineDict, LineList, line_of, load_yaml
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import ProblemError, Severity

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "thanh-tri-2023"

CATALOGUE = """\
levels:
  - {code: huyen, name: Huyện}
  - {code: xa, name: Xã}
units:
  - {code: TT, name: Thanh Trì, level: huyen}
  - {code: TT-YENMY, name: Yên Mỹ, level: xa, parent: TT}
  - {code: TT-DAIANG, name: Đại Áng, level: xa, parent: TT}
indicators:
  - {code: gtsx, name: Tổng giá trị sản xuất, unit: tỷ đồng, frequency: year}
  - {code: ho-ngheo, name: Tỷ lệ hộ nghèo, type: percent, direction: lower, time: last,
     frequency: year}
  - {code: bhyt, name: Tỷ lệ dân số tham gia bảo hiểm y tế, type: percent, time: last,
     frequency: year}
  - {code: dien-tap, name: Tổ chức thành công diễn tập khu vực phòng thủ, type: yesno,
     time: last, rollup: none, frequency: year}
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def load(tmp_path: Path, files: dict[str, str]) -> Definitions:
    """Load ``files`` next to the catalogue; fail with every problem when there is one."""
    definitions, problems = check_definitions(write(tmp_path, {"base.yaml": CATALOGUE, **files}))
    assert problems == [], "\n".join(str(p) for p in problems)
    assert definitions is not None
    return definitions


# ---------------------------------------------------------------------- the reference example


def test_the_example_loads_without_errors() -> None:
    definitions, problems = check_definitions(EXAMPLE)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    assert errors == [], "\n".join(str(p) for p in errors)
    assert definitions is not None
    assert definitions.project.root == "TT"
    assert "TT" in definitions.unit_by_code
    assert definitions.targets.height > 0
    assert definitions.observations.height > 0
    assert definitions.criteria_sets


def test_the_example_reads_yaml_files_in_subfolders() -> None:
    """Every YAML file below the folder is read, including criteria/ and targets/."""
    definitions = load_definitions(EXAMPLE)
    written: set[str] = set()
    for file in sorted(EXAMPLE.rglob("*.yaml")):
        data = load_yaml(file.read_text(encoding="utf-8")) or {}
        written.update(item["code"] for item in data.get("criteria_sets", []))
    assert written
    assert written == set(definitions.set_by_code)


# ---------------------------------------------------------------------- line-aware YAML


def test_load_yaml_remembers_the_line_of_every_key_and_item() -> None:
    data = load_yaml(textwrap.dedent("""\
        # a comment
        units:
          - code: TT
            name: Thanh Trì

          - {code: TT-YENMY, name: Yên Mỹ}
        project:
          name: Huyện Thanh Trì
        """))
    assert isinstance(data, LineDict)
    assert data.lines == {"units": 2, "project": 7}
    units = data["units"]
    assert isinstance(units, LineList)
    assert units.lines == [3, 6]
    assert units[0].line == 3
    assert units[0].lines == {"code": 3, "name": 4}
    assert units[1].lines == {"code": 6, "name": 6}
    assert data["project"].line == 8


def test_line_of_follows_keys_and_indexes_to_the_deepest_one_found() -> None:
    data = load_yaml(textwrap.dedent("""\
        criteria_sets:
          - code: ntm
            criteria:
              - code: NC10
                at_least:
                  DBSH: 70
                  default: 60
        """))
    item = data["criteria_sets"][0]
    assert line_of(item, ("criteria", 0, "at_least", "DBSH"), 0) == 6
    assert line_of(item, ("criteria", 0, "at_least", "default"), 0) == 7
    assert line_of(item, ("criteria", 0), 0) == 4
    # a part the data lacks (an inline condition has no "conditions", a union branch name)
    # is skipped: the loc of an inline condition's threshold finds the threshold's line
    assert line_of(item, ("criteria", 0, "conditions", 0, "at_least", "float"), 0) == 5
    assert line_of(item, ("criteria", 0, "name"), 0) == 4
    assert line_of(item, ("criteria", 5, "code"), 0) == 3
    assert line_of(item, (), 0) == 2
    # data without lines (a CSV row, a plain dict): the default
    assert line_of({"a": 1}, ("a",), 42) == 42
    assert line_of(None, (), 7) == 7


def test_numeric_yaml_keys_become_strings() -> None:
    data = load_yaml("2023: năm\n1: nhóm 1\n1.5: x\nTT: y\n")
    assert list(data) == ["2023", "1", "1.5", "TT"]
    assert data.lines == {"2023": 1, "1": 2, "1.5": 3, "TT": 4}


def test_numeric_keys_work_as_thresholds_by_commune_group(tmp_path: Path) -> None:
    """``{1: 70, 2: 60}`` (nhóm xã 1, 2) matches units whose attribute is written 1 or "1"."""
    definitions = load(tmp_path, {"sets.yaml": """\
        units:
          - {code: TT-NGOCHOI, name: Ngọc Hồi, level: xa, parent: TT, attributes: {nhom: 1}}
          - {code: TT-VANPHUC, name: Vạn Phúc, level: xa, parent: TT, attributes: {nhom: "2"}}
        criteria_sets:
          - code: ntm
            name: Nông thôn mới
            applies_to: {units: [TT-NGOCHOI, TT-VANPHUC]}
            dimension: nhom
            dimension_values: [1, 2]
            criteria:
              - {code: TC1, name: Bảo hiểm y tế, indicator: bhyt, at_least: {1: 95, 2: 90}}
        """})
    cset = definitions.set_by_code["ntm"]
    assert cset.dimension_values == ("1", "2")
    assert cset.criteria[0].conditions[0].at_least == {"1": 95.0, "2": 90.0}
    assert definitions.unit_by_code["TT-NGOCHOI"].attributes == {"nhom": "1"}


def test_numeric_period_and_codes_become_strings(tmp_path: Path) -> None:
    definitions = load(tmp_path, {"targets.yaml": """\
        units:
          - {code: 2023, name: Đơn vị số, level: xa, parent: TT}
        indicators:
          - {code: thu-ns, name: Thu ngân sách, frequency: half}
        targets:
          - {unit: TT, indicator: gtsx, period: 2023, growth: 12}
          - {unit: TT, indicator: thu-ns, period: 2023-h1, at_least: 900}
        """})
    assert "2023" in definitions.unit_by_code
    assert sorted(definitions.targets.get_column("period").to_list()) == ["2023", "2023-H1"]


# ---------------------------------------------------------------------- Unicode NFC


def test_text_written_in_nfd_comes_out_nfc(tmp_path: Path) -> None:
    name, kind, key, value = (
        unicodedata.normalize("NFD", text) for text in ("Ngọc Hồi", "thị trấn", "vùng", "Đồng bằng")
    )
    assert name != "Ngọc Hồi"
    definitions = load(tmp_path, {"more.yaml": f"""\
        units:
          - {{code: TT-NGOCHOI, name: {name}, level: xa, parent: TT, kind: {kind},
             attributes: {{{key}: {value}}}}}
        """})
    unit = definitions.unit_by_code["TT-NGOCHOI"]
    assert unit.name == "Ngọc Hồi"
    assert unicodedata.is_normalized("NFC", unit.name)
    assert unit.kind == "thị trấn"
    assert unit.attributes == {"vùng": "Đồng bằng"}


def test_csv_text_written_in_nfd_comes_out_nfc(tmp_path: Path) -> None:
    source = unicodedata.normalize("NFD", "Ước thực hiện năm 2023")
    definitions = load(tmp_path, {
        "observations-2023.csv": f"unit,indicator,period,value,vintage,source\n"
                                 f"TT,gtsx,2023,43799,estimate,{source}\n",
    })
    assert definitions.observations.get_column("source").to_list() == ["Ước thực hiện năm 2023"]


# ---------------------------------------------------------------------- CSV observations


def test_yes_no_words_load_as_one_and_zero(tmp_path: Path) -> None:
    rows = {
        "TT": "có",
        "TT-YENMY": "không",
        "TT-DAIANG": "1",
    }
    text = "unit,indicator,period,value\n" + "".join(
        f"{unit},dien-tap,2023,{word}\n" for unit, word in rows.items()
    ) + "TT,dien-tap,2022,0\n"
    definitions = load(tmp_path, {"observations-2023.csv": text})
    got = {
        (row["unit"], row["period"]): row["value"]
        for row in definitions.observations.iter_rows(named=True)
    }
    assert got == {
        ("TT", "2023"): 1.0, ("TT-YENMY", "2023"): 0.0, ("TT-DAIANG", "2023"): 1.0,
        ("TT", "2022"): 0.0,
    }


@pytest.mark.parametrize(("word", "value"), [
    ("Có", 1.0), ("KHÔNG", 0.0), ("đạt", 1.0), ("Chưa đạt", 0.0), ("không đạt", 0.0),
    ("x", 1.0), ("yes", 1.0), ("no", 0.0), (unicodedata.normalize("NFD", "có"), 1.0),
])
def test_yes_no_words_ignore_case_and_normal_form(
    word: str, value: float, tmp_path: Path
) -> None:
    definitions = load(tmp_path, {
        "observations.csv": f"unit,indicator,period,value\nTT,dien-tap,2023,{word}\n",
    })
    assert definitions.observations.get_column("value").to_list() == [value]


def test_csv_observations_load_with_vintage_source_and_place(tmp_path: Path) -> None:
    definitions = load(tmp_path, {
        "observations-2023.csv": (
            "unit , indicator,period,value,vintage,source,note\n"
            "TT, gtsx ,2023,43799.5,estimate,Báo cáo 12/12/2023,ước\n"
            "TT,gtsx,2022,38420,,,\n"
        ),
    })
    frame = definitions.observations.sort("period")
    assert frame.select("unit", "indicator", "period", "vintage", "value").rows() == [
        ("TT", "gtsx", "2022", "official", 38420.0),
        ("TT", "gtsx", "2023", "estimate", 43799.5),
    ]
    assert frame.get_column("source").to_list() == [None, "Báo cáo 12/12/2023"]
    # the period's dates and the vintage's rank are joined for the engine
    assert frame.get_column("kind").to_list() == ["year", "year"]
    assert frame.get_column("vintage_rank").to_list() == [3, 1]


def test_inline_and_csv_observations_are_combined(tmp_path: Path) -> None:
    definitions = load(tmp_path, {
        "data.yaml": """\
            observations:
              - {unit: TT, indicator: bhyt, period: 2023, value: 94.1, vintage: estimate}
            """,
        "observations.csv": "unit,indicator,period,value\nTT,gtsx,2023,43799\n",
    })
    assert sorted(definitions.observations.get_column("indicator").to_list()) == ["bhyt", "gtsx"]


def test_csv_period_codes_are_normalised_like_yaml_ones(tmp_path: Path) -> None:
    """``2023-h1`` is accepted as a period, so it must come out as ``2023-H1`` everywhere."""
    definitions = load(tmp_path, {
        "base.yaml": CATALOGUE.replace("frequency: year}\n  - {code: ho-ngheo",
                                       "frequency: month}\n  - {code: ho-ngheo"),
        "observations.csv": "unit,indicator,period,value\nTT,gtsx,2023-h1,21000\n",
    })
    row = definitions.observations.row(0, named=True)
    assert row["period"] == "2023-H1"
    assert row["kind"] == "half"


def test_an_observations_file_with_only_a_header_loads(tmp_path: Path) -> None:
    """A template not filled in yet: no rows, no problem."""
    definitions = load(tmp_path, {"observations-2024.csv": "unit,indicator,period,value\n"})
    assert definitions.observations.height == 0


# ---------------------------------------------------------------------- CSV targets

GROUPS = """\
groups:
  - code: ktxh-2023
    name: Chỉ tiêu kinh tế - xã hội năm 2023
    unit: TT
    period: 2023
    issuer: HĐND huyện
    targets:
      - {code: ktxh-gtsx, indicator: gtsx, growth: 12}
  - code: thu-2023
    name: Chỉ tiêu thu ngân sách năm 2023
    unit: TT
    period: 2023
    basis: budget
"""


def test_target_csv_loads_into_targets_and_members(tmp_path: Path) -> None:
    definitions = load(tmp_path, {
        "groups.yaml": GROUPS,
        "targets-2023.csv": (
            "unit,indicator,period,comparator,value,value_high,code,basis,group\n"
            "TT,bhyt,2023,at_least,93.5,,ktxh-bhyt,,ktxh-2023\n"
            "TT,ho-ngheo,2023,within,0.1,0.3,ktxh-ho-ngheo,,ktxh-2023\n"
            "TT,dien-tap,2023,yes,,,dien-tap-2023,,\n"
            "TT-YENMY,gtsx,2023,growth,10,,,budget,thu-2023\n"
        ),
    })
    targets = {row["key"]: row for row in definitions.targets.iter_rows(named=True)}
    assert set(targets) == {
        "ktxh-gtsx", "ktxh-bhyt", "ktxh-ho-ngheo", "dien-tap-2023", "TT-YENMY:gtsx:2023",
    }
    assert (targets["ktxh-bhyt"]["comparator"], targets["ktxh-bhyt"]["value"]) == (
        "at_least", 93.5)
    ho_ngheo = targets["ktxh-ho-ngheo"]
    assert (ho_ngheo["comparator"], ho_ngheo["value"], ho_ngheo["value_high"]) == (
        "within", 0.1, 0.3)
    assert targets["dien-tap-2023"]["comparator"] == "yes"
    growth = targets["TT-YENMY:gtsx:2023"]
    assert (growth["comparator"], growth["relative"], growth["relative_value"]) == (
        None, "growth", 10.0)
    assert growth["basis"] == "budget"
    assert targets["ktxh-bhyt"]["basis"] == "plan"
    # the group's YAML targets come first, then the CSV rows in file order
    members = definitions.members.sort("group", "position")
    assert members.rows() == [
        ("ktxh-2023", "ktxh-gtsx", 0),
        ("ktxh-2023", "ktxh-bhyt", 1),
        ("ktxh-2023", "ktxh-ho-ngheo", 2),
        ("thu-2023", "TT-YENMY:gtsx:2023", 0),
    ]
    assert definitions.members.schema == pl.Schema(
        {"group": pl.String, "key": pl.String, "position": pl.Int32}
    )


def test_target_csv_without_group_column(tmp_path: Path) -> None:
    definitions = load(tmp_path, {
        "targets.csv": "unit,indicator,period,comparator,value\nTT,gtsx,2023,at_least,40000\n",
    })
    assert definitions.targets.select("key", "value").rows() == [("TT:gtsx:2023", 40000.0)]
    assert definitions.members.height == 0


def test_target_csv_with_only_a_header_loads(tmp_path: Path) -> None:
    definitions = load(tmp_path, {"targets.csv": "unit,indicator,period,comparator,value\n"})
    assert definitions.targets.height == 0


# ---------------------------------------------------------------------- all or nothing


def test_one_bad_csv_row_means_no_definitions(tmp_path: Path) -> None:
    good = "".join(f"TT,gtsx,{year},{40000 + year},official\n" for year in range(2015, 2023))
    root = write(tmp_path, {
        "base.yaml": CATALOGUE,
        "observations-2015-2022.csv": "unit,indicator,period,value,vintage\n" + good,
        "observations-2023.csv": "unit,indicator,period,value,vintage\n"
                                 "TT,gtsx,2023,43799,estimate\n"
                                 "TT,bhyt,2023,\"93,8\",estimate\n",
    })
    definitions, problems = check_definitions(root)
    assert definitions is None
    assert [(p.code, Path(p.file or "").name, p.line) for p in problems] == [
        ("csv-value", "observations-2023.csv", 3),
    ]
    with pytest.raises(ProblemError) as caught:
        load_definitions(root)
    assert caught.value.problems == tuple(problems)
    assert str(caught.value) == str(problems[0])


def test_one_bad_target_row_means_no_definitions(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "base.yaml": CATALOGUE,
        "targets.csv": "unit,indicator,period,comparator,value\n"
                       "TT,gtsx,2023,at_least,40000\n"
                       "TT,bhyt,2023,at_least,nhiều\n",
    })
    definitions, problems = check_definitions(root)
    assert definitions is None
    assert [(p.code, p.line) for p in problems] == [("wrong-type", 3)]


def test_warnings_do_not_stop_loading(tmp_path: Path) -> None:
    root = write(tmp_path, {"base.yaml": CATALOGUE, "targets.yaml": """\
        units:
          - {code: TT-CU, name: Xã cũ, level: xa, parent: TT, valid_to: 2019-12-31}
        targets:
          - {unit: TT-CU, indicator: gtsx, period: 2023, at_least: 100}
        """})
    definitions = load_definitions(root)
    _, problems = check_definitions(root)
    assert [p.code for p in problems] == ["unit-not-valid"]
    assert definitions.targets.height == 1


def test_a_single_file_can_be_loaded(tmp_path: Path) -> None:
    root = write(tmp_path, {"base.yaml": CATALOGUE})
    definitions = load_definitions(root / "base.yaml")
    assert len(definitions.units) == 3


def test_hidden_folders_and_other_files_are_ignored(tmp_path: Path) -> None:
    definitions = load(tmp_path, {
        ".git/config.yaml": "not: [a definition",
        "README.md": "# Thanh Trì",
        "notes.txt": "ghi chú",
    })
    assert len(definitions.indicators) == 4
