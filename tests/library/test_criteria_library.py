"""The shipped criteria sets (tieuchi.library.criteria) and `tieuchi criteria list|add`."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.definitions import check_definitions, load_definitions
from tieuchi.domain.problems import ProblemError
from tieuchi.engine.evaluate import evaluate
from tieuchi.io.criteria_sets import add_shipped_set
from tieuchi.library.criteria import HISTORY, IN_FORCE, files_for, resolve, set_file, shipped_sets

runner = CliRunner()

# A folder of the 2025 two-level units: one unit of each kind.
AFTER_2025 = """\
project: {name: Thử, root: P1, period: "2026"}
levels:
  - {code: tinh, name: Tỉnh, name_en: Province}
  - {code: xa, name: Xã, name_en: Commune}
units:
  - {code: P1, name: Một, level: tinh, kind: tỉnh}
  - {code: X1, name: Một, level: xa, parent: P1, kind: xã, valid_from: 2025-07-01%s}
  - {code: X2, name: Hai, level: xa, parent: P1, kind: phường, valid_from: 2025-07-01}
  - {code: X3, name: Ba, level: xa, parent: P1, kind: đặc khu, valid_from: 2025-07-01}
"""
# The same before 01/07/2025: districts, legacy communes and wards.
BEFORE_2025 = """\
project: {name: Thử, root: P1, period: "2024"}
levels:
  - {code: tinh, name: Tỉnh, name_en: Province}
  - {code: huyen, name: Huyện, name_en: District}
  - {code: xa, name: Xã, name_en: Commune}
units:
  - {code: P1, name: Một, level: tinh, kind: tỉnh}
  - {code: H1, name: Một, level: huyen, parent: P1, kind: huyện}
  - {code: H2, name: Hai, level: huyen, parent: P1, kind: thành phố}
  - {code: L1, name: Một, level: xa, parent: H1, kind: xã, attributes: {region: TN}}
  - {code: L2, name: Hai, level: xa, parent: H2, kind: phường, attributes: {thuoc: thanh-pho}}
  - {code: L3, name: Ba, level: xa, parent: H1, kind: thị trấn}
"""


def _folder(root: Path, text: str, attributes: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "tieuchi.yaml").write_text(text % attributes if "%s" in text else text, "utf-8")
    return root


def _with_set(root: Path, name: str, text: str) -> Path:
    _folder(root, text)
    (root / "criteria").mkdir()
    (root / "criteria" / f"{name}.yaml").write_text(set_file(name), "utf-8")
    return root


@pytest.mark.parametrize("shipped", shipped_sets(), ids=lambda s: s.name)
def test_every_shipped_set_loads_alone_with_the_units_of_its_time(
        tmp_path: Path, shipped) -> None:  # type: ignore[no-untyped-def]
    folder = _with_set(tmp_path, shipped.name,
                       AFTER_2025 if shipped.status(date(2026, 6, 1)) == IN_FORCE
                       else BEFORE_2025)
    definitions, problems = check_definitions(folder)
    assert definitions is not None, [str(p) for p in problems]
    assert {s.code for s in shipped.sets} <= {s.code for s in definitions.criteria_sets}


def test_the_library_lists_every_file_and_only_those() -> None:
    folder = resources.files("tieuchi.library") / "data" / "criteria"
    files = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    assert files == sorted([f"{s.name}.yaml" for s in shipped_sets()] + ["index.yaml"])


def test_every_criterion_has_a_citation_and_a_source_and_no_verified_one_lacks_an_address(
) -> None:
    for shipped in shipped_sets():
        for cset in shipped.sets:
            assert cset.source is not None and cset.source.url, cset.code
            assert cset.effective_from is not None, cset.code
            for criterion in cset.criteria:
                where = f"{cset.code} {criterion.code}"
                assert criterion.citation, where
                assert criterion.source and criterion.source.startswith("https://"), where
            # a set is verified only if every criterion is
            assert not cset.verified or all(c.verified for c in cset.criteria), cset.code


def test_nothing_read_only_in_the_news_is_verified() -> None:
    """Only VBHN 19 Điều 8 (phường: population, area) was read in a full legal text."""
    verified = {(cset.code, c.code) for s in shipped_sets() for cset in s.sets
                for c in cset.criteria if c.verified}
    assert verified == {("dvhc-2016-phuong", "P01"), ("dvhc-2016-phuong", "P02")}
    by_name = {s.name: s for s in shipped_sets()}
    assert (by_name["dvhc-do-thi-2016-2022"].verified,
            by_name["dvhc-do-thi-2016-2022"].criteria) == (2, 17)
    assert by_name["ntm-xa-2026-2030"].verified == 0


def test_the_2026_2030_set_has_the_10_criteria_of_qd_51_by_commune_group() -> None:
    """The 47 indicators of Phụ lục I were not read: one yes/no condition per criterion."""
    shipped = next(s for s in shipped_sets() if s.name == "ntm-xa-2026-2030")
    (cset,) = shipped.sets
    assert [c.citation for c in cset.criteria] == [f"Phụ lục I, tiêu chí {i}"
                                                   for i in range(1, 11)]
    assert cset.criteria[5].name == "Giảm nghèo và an sinh xã hội"
    assert (cset.dimension, cset.dimension_values) == ("nhom", ("N1", "N2", "N3"))
    assert (cset.effective_from, cset.effective_to) == (date(2026, 2, 15), date(2030, 12, 31))
    assert cset.source is not None and cset.source.document == "Quyết định số 51/2025/QĐ-TTg"
    assert all(c.conditions[0].comparator is not None and c.conditions[0].yes
               for c in cset.criteria)
    assert (shipped.status(date(2026, 3, 1)), shipped.status(date(2031, 1, 1))) == (
        IN_FORCE, HISTORY)


def test_it_applies_to_communes_only_and_starts_without_figures(tmp_path: Path) -> None:
    folder = _with_set(tmp_path, "ntm-xa-2026-2030", AFTER_2025)
    results = evaluate(load_definitions(folder), "2026").sets.sets
    assert results["unit"].to_list() == ["X1"]  # not the ward nor the special zone
    assert results["passed"].to_list() == [None]  # chưa có số liệu
    assert results["met"].to_list() == [0]


def test_thresholds_follow_the_units_attribute(tmp_path: Path) -> None:
    """NQ 112/2025: a commune needs 16.000 people, a mountain commune 5.000, an island one
    2.500; without the attribute, the general threshold."""
    root = _with_set(tmp_path, "dvhc-2026", AFTER_2025)
    text = (root / "tieuchi.yaml").read_text("utf-8").replace(
        "valid_from: 2025-07-01}\n  - {code: X2", "valid_from: 2025-07-01}\n"
        "  - {code: X4, name: Bốn, level: xa, parent: P1, kind: xã, "
        "attributes: {dia_ban: mien-nui}}\n"
        "  - {code: X5, name: Năm, level: xa, parent: P1, kind: xã, "
        "attributes: {dia_ban: hai-dao}}\n  - {code: X2", 1)
    (root / "tieuchi.yaml").write_text(text, "utf-8")
    (root / "observations.csv").write_text(
        "unit,indicator,period,value\nX1,dan-so,2026,6000\nX4,dan-so,2026,6000\n"
        "X5,dan-so,2026,6000\n", "utf-8")
    conditions = evaluate(load_definitions(root), "2026").sets.conditions.filter(
        criterion="X01").sort("unit")
    assert conditions["unit"].to_list() == ["X1", "X4", "X5"]
    assert conditions["threshold"].to_list() == [16000, 5000, 2500]
    assert conditions["passed"].to_list() == [False, True, True]


def test_a_unit_without_a_required_attribute_is_named_with_the_fix(tmp_path: Path) -> None:
    """The 2016 ward population depends on what the ward belonged to, with no default."""
    root = _with_set(tmp_path, "dvhc-do-thi-2016-2022",
                     BEFORE_2025.replace(", attributes: {thuoc: thanh-pho}", ""))
    definitions, problems = check_definitions(root)
    assert definitions is None
    (missing,) = [p for p in problems if p.code == "missing-dimension"]
    assert "'L2'" in missing.message and "attributes: {thuoc: …}" in missing.message


def test_files_for_leaves_out_the_indicators_the_folder_has() -> None:
    text = files_for("dvhc-2026", {"dan-so", "dien-tich-tu-nhien"})
    codes = {i["code"] for i in yaml.safe_load(text)["indicators"]}
    assert "dan-so" not in codes and "dien-tich-tu-nhien" not in codes
    assert "ty-le-do-thi-hoa" in codes
    assert text.startswith(set_file("dvhc-2026")[:200])  # comments kept
    every = {f"ntm-2026-tc{i:02d}" for i in range(1, 11)}
    assert "indicators" not in yaml.safe_load(files_for("ntm-xa-2026-2030", every))


def test_names_are_found_without_accents_and_a_miss_lists_the_closest() -> None:
    assert resolve("NTM XÃ 2026-2030") == "ntm-xa-2026-2030"
    assert resolve("dvhc-2026.yaml") == "dvhc-2026"
    with pytest.raises(ProblemError) as caught:
        set_file("ntm-xa-2026")
    (p,) = caught.value.problems
    assert p.code == "unknown-shipped-set"
    assert "did you mean 'ntm-xa-2026-2030'" in p.message
    assert "các bộ có sẵn: ntm-xa-2026-2030, dvhc-2026" in p.message_vi


def test_criteria_list_shows_each_set_with_its_document_and_verified_count() -> None:
    result = runner.invoke(app, ["criteria", "list", "--lang", "en"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if "ntm-xa-2026-2030" in x)
    assert "Quyết định số 51/2025/QĐ-TTg" in line and "15/02/2026 – 31/12/2030" in line
    assert "0/10" in line
    assert "2/17" in next(x for x in result.output.splitlines() if "dvhc-do-thi" in x)


def test_criteria_add_writes_the_set_keeps_the_folders_indicators_and_says_what_to_fill(
        tmp_path: Path) -> None:
    root = _folder(tmp_path / "f", AFTER_2025)
    (root / "indicators.yaml").write_text(
        "indicators:\n  - {code: dan-so, name: Dân số trung bình, unit: người, type: count, "
        "time: last, rollup: sum, frequency: year, decimals: 0}\n", "utf-8")
    result = runner.invoke(app, ["criteria", "add", "dvhc 2026", str(root)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    written = root / "criteria" / "dvhc-2026.yaml"
    codes = {i["code"] for i in yaml.safe_load(written.read_text("utf-8"))["indicators"]}
    assert "dan-so" not in codes and "dien-tich-tu-nhien" in codes
    assert "giữ định nghĩa sẵn có của thư mục cho: dan-so" in result.output
    assert "dvhc-2026-xa: ghi thuộc tính 'dia_ban' (mien-nui, hai-dao) cho 1 đơn vị" \
        in result.output
    assert "set-applies-to-nothing" in result.output  # no centrally-run city here
    assert load_definitions(root).indicator_by_code["dan-so"].name == "Dân số trung bình"
    again = runner.invoke(app, ["criteria", "add", "dvhc-2026", str(root)])
    assert again.exit_code == 1 and "shipped-set-exists" in again.output
    assert runner.invoke(app, ["criteria", "add", "dvhc-2026", str(root), "--force"]
                         ).exit_code == 0


def test_criteria_add_says_the_group_is_to_set(tmp_path: Path) -> None:
    root = _folder(tmp_path / "f", AFTER_2025)
    added = add_shipped_set(root, "ntm-xa-2026-2030")
    assert added.sets == ("ntm-xa-2026-2030",)
    assert added.to_fill[0] == (
        "ntm-xa-2026-2030: set the attribute 'nhom' (N1, N2, N3) of 1 unit(s) (no threshold "
        "depends on it yet): X1",
        "ntm-xa-2026-2030: ghi thuộc tính 'nhom' (N1, N2, N3) cho 1 đơn vị (chưa có mức đạt "
        "nào theo thuộc tính này): X1")
    assert any("not verified" in en for en, _ in added.to_fill)


def test_criteria_add_undoes_a_set_that_makes_the_folder_invalid(tmp_path: Path) -> None:
    """The 2016 standards need the district level: nothing is left behind."""
    root = _folder(tmp_path / "f", AFTER_2025)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = runner.invoke(app, ["criteria", "add", "dvhc-do-thi-2016-2022", str(root)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 1
    assert "unknown-level level 'huyen' is not defined" in result.output
    assert "shipped-set-invalid" in result.output and "nothing was written" in result.output
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    # replacing an existing file: the old one is put back
    (root / "criteria").mkdir()
    (root / "criteria" / "dvhc-do-thi-2016-2022.yaml").write_text("# mine\n", "utf-8")
    with pytest.raises(ProblemError):
        add_shipped_set(root, "dvhc-do-thi-2016-2022", force=True)
    assert (root / "criteria" / "dvhc-do-thi-2016-2022.yaml").read_text("utf-8") == "# mine\n"


def test_criteria_add_refuses_an_unknown_name_and_an_invalid_folder(tmp_path: Path) -> None:
    root = _folder(tmp_path / "f", AFTER_2025)
    result = runner.invoke(app, ["criteria", "add", "ntm-2026", str(root)])
    assert result.exit_code == 1 and "unknown-shipped-set" in result.output
    (root / "bad.yaml").write_text("units:\n  - {code: X9, name: Chín, level: huyen}\n",
                                   "utf-8")
    with pytest.raises(ProblemError) as caught:
        add_shipped_set(root, "ntm-xa-2026-2030")
    assert {p.code for p in caught.value.problems} == {"unknown-level"}
    assert not (root / "criteria").exists()


def test_an_indicator_also_in_the_catalogue_is_defined_as_the_catalogue_does() -> None:
    """Runs once the standard catalogue (tieuchi.library.catalogue) is merged."""
    catalogue = pytest.importorskip("tieuchi.library.catalogue")
    standard = {i.code: i for i in catalogue.catalogue()}
    shared = 0
    for shipped in shipped_sets():
        data = yaml.safe_load(set_file(shipped.name))
        for item in data.get("indicators") or ():
            if item["code"] in standard:
                shared += 1
                assert standard[item["code"]].model_dump() == type(
                    standard[item["code"]]).model_validate(item).model_dump(), item["code"]
    assert shared >= 4  # dan-so, dien-tich-tu-nhien, dan-so-thanh-thi, ty-le-do-thi-hoa
