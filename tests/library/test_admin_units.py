"""tieuchi.library.admin_units: the vendored 2025 and legacy units, found by name or code, as a
definition folder's units; and scripts/admin_units.py, which generates them."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.domain.units import Unit
from tieuchi.library import admin_units as au

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src/tieuchi/library/data/admin-units"


def by_code(units: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {u["code"]: u for u in units}


def test_the_published_counts() -> None:
    data = au._data()
    assert len(data.provinces) == 34
    assert len(data.communes) == 3321
    assert Counter(c.kind for c in data.communes) == {"xã": 2621, "phường": 687,
                                                      "đặc khu": 13}
    assert len(data.legacy_provinces) == 63 and len(data.districts) == 696
    assert len(data.legacy_communes) == 10035
    assert {p.province for p in data.legacy_provinces} == {p.code for p in data.provinces}
    assert au.SOURCE["package"] == "vietnamadminunits" and au.SOURCE["version"] == "1.0.4"
    assert au.SOURCE["licence"] == "MIT" and au.SOURCE["rows"]["communes.csv"] == 3321
    assert "MIT License" in (DATA / au.SOURCE["licence_file"]).read_text("utf-8")


def test_gia_lai_has_135_communes_as_units_of_a_folder() -> None:
    units = au.units_for("Gia Lai")
    assert units[0] == {"code": "P52", "name": "Gia Lai", "level": "tinh", "kind": "tỉnh",
                        "official_code": "52"}
    communes = units[1:]
    assert len(communes) == 135
    assert Counter(u["kind"] for u in communes) == {"phường": 25, "xã": 110}
    assert all(u["parent"] == "P52" and u["level"] == "xa" and u["valid_from"] ==
               date(2025, 7, 1) and u["code"] == "X" + u["official_code"] for u in communes)
    assert "valid_to" not in units[0] and "valid_from" not in units[0]  # valid throughout
    for unit in units:  # each one a valid unit of the definitions
        Unit.model_validate(unit)


@pytest.mark.parametrize("name", ["Gia Lai", "gia lai", "GIA LAI", "Tỉnh Gia Lai",
                                  "tinh gia lai", "52", "P52"])
def test_a_province_by_name_without_accents_kind_or_by_code(name: str) -> None:
    assert au.find_province(name).code == "52"


def test_names_with_a_city_kind_and_communes_within_a_province() -> None:
    assert au.find_province("TP. Hồ Chí Minh").code == "79"
    assert au.find_province("thanh pho ha noi").code == "01"
    assert au.find_commune("xa ia sao", "gia lai").code == "24073"
    assert au.find_commune("24073").name == "Ia Sao"
    # Accents as written come first: "Tân Thành" is not "Tân Thạnh" of the same province.
    assert au.find_commune("Xã Tân Thành", "Tây Ninh").code == "25534"


def refusal(find: Callable[..., object], *args: object) -> Problem:
    """The one problem ``find(*args)`` is refused with."""
    with pytest.raises(ProblemError) as caught:
        find(*args)
    (problem,) = caught.value.problems
    return problem


def test_an_unknown_name_is_refused_with_the_closest_names_in_both_languages() -> None:
    problem = refusal(au.find_province, "Gia Lay")
    assert problem.code == "unknown-admin-unit"
    assert "'Gia Lay' is not a province" in problem.message
    assert "closest: Tỉnh Gia Lai (52)" in problem.message
    assert "không phải tỉnh/thành phố" in problem.message_vi
    assert "gần nhất: Tỉnh Gia Lai (52)" in problem.message_vi
    assert "Xã Ia Sao (24073)" in refusal(au.find_commune, "Ia Saoo", "Gia Lai").message


def test_a_name_several_units_share_lists_them_with_their_codes() -> None:
    problem = refusal(au.find_commune, "Tân Thành")
    assert problem.code == "ambiguous-admin-unit"
    assert "Xã Tân Thành (25534, Tây Ninh)" in problem.message
    district = refusal(au.find_district, "Kỳ Anh", "Hà Tĩnh")  # a huyện and a thị xã
    assert "Huyện Kỳ Anh (447), Thị xã Kỳ Anh (449)" in district.message
    assert au.find_district("Thị xã Kỳ Anh", "Hà Tĩnh").code == "449"


def test_a_commune_and_its_legacy_predecessors() -> None:
    units = by_code(au.units_for("Gia Lai", commune="Ia Sao", before_2025=True))
    assert set(units) == {"P52", "X24073", "T64", "H624", "L24070", "L24073"}
    assert units["L24070"]["successors"] == ["X24073"]
    assert units["L24073"]["successors"] == ["X24073"]
    assert units["L24070"]["parent"] == "H624" and units["H624"]["parent"] == "T64"
    assert units["H624"]["valid_to"] == date(2025, 6, 30)
    assert units["H624"]["kind"] == "thị xã" and units["H624"]["level"] == "huyen"
    assert au.units_for("Gia Lai", commune="Ia Sao") == [
        {k: v for k, v in units["P52"].items() if k != "valid_from"}, units["X24073"]]


def test_before_2025_a_district_belongs_to_its_legacy_province() -> None:
    units = by_code(au.units_for("Gia Lai", district="Tây Sơn"))
    assert units["H547"]["parent"] == "T52"  # Bình Định, not the 2025 Gia Lai
    assert units["T52"] == {"code": "T52", "name": "Bình Định", "level": "tinh",
                            "kind": "tỉnh", "official_code": "52",
                            "valid_to": date(2025, 6, 30), "successors": ["P52"]}
    assert units["P52"]["valid_from"] == date(2025, 7, 1)  # formed by the merger
    assert {u["parent"] for u in units.values() if u["level"] == "xa"
            and "valid_from" in u} == {"P52"}  # the 2025 communes stay under it
    province = by_code(au.units_for("Gia Lai", before_2025=True))
    assert {c for c in province if c.startswith("T")} == {"T52", "T64"}
    assert {u["parent"] for u in province.values() if u["level"] == "huyen"} == {"T52", "T64"}


def test_an_unchanged_province_stands_for_itself_before_2025() -> None:
    units = by_code(au.units_for("Hà Nội", district="Thanh Trì"))
    assert not [c for c in units if c.startswith("T")]
    assert units["H020"]["parent"] == "P01" and "valid_from" not in units["P01"]


def test_a_legacy_province_name_says_where_it_went() -> None:
    problem = refusal(au.find_province, "Bình Định")
    assert problem.code == "unknown-admin-unit"
    assert "Tỉnh Gia Lai (52)" in problem.message and "--before-2025" in problem.message
    assert "Tỉnh Gia Lai" in problem.message_vi
    assert au.find_district("Tây Sơn", "Gia Lai").legacy_province == "52"
    assert au.find_province("Gia Lai").code == "52"  # the 2025 name first
    assert "Tỉnh Gia Lai (52)" in refusal(au.find_province, "T52").message  # not P52 itself
    assert "Tỉnh Bình Định (52)" in refusal(au.find_province, "binh dinh").message


def test_a_commune_of_another_province_is_refused() -> None:
    ia_sao = au.find_commune("Ia Sao", "Gia Lai")
    assert refusal(au.units_for, "Hà Nội", ia_sao).code == "unknown-admin-unit"


def test_a_split_commune_lists_its_successors_in_the_output() -> None:
    province = by_code(au.units_for("Hải Phòng", before_2025=True))
    assert province["L10528"]["successors"] == ["X10532", "X10537"]  # split in two
    assert "split" not in province["L10528"]  # the source gives no shares
    # one commune's folder brings the other commune the split one went to, so that the split
    # is declared among both (with only X10532 it would read as merged whole into it)
    one = by_code(au.units_for("Hải Phòng", commune="10532", before_2025=True))
    assert one["L10528"]["successors"] == ["X10532", "X10537"]
    assert "X10537" in one and "valid_to" not in one["X10537"]
    text = au.units_file(list(province.values()), au.levels_for(True))
    assert "# split in the source among X10532, X10537" in text


def test_a_special_zone_is_an_island_and_so_was_its_district() -> None:
    units = by_code(au.units_for("Quảng Ngãi", commune="Lý Sơn", before_2025=True))
    assert units["X21548"]["kind"] == "đặc khu"
    assert units["X21548"]["attributes"] == {"dia_ban": "hai-dao"}
    assert units["H536"]["successors"] == ["X21548"]  # a district without communes
    assert "attributes" not in by_code(au.units_for("Gia Lai"))["X24073"]  # nothing invented


@pytest.mark.parametrize(("province", "district", "code"),
                         [("Gia Lai", "Ayun Pa", "H624"), ("Hà Nội", "Thanh Trì", "H020")])
def test_a_pre_2025_district_with_its_communes_and_what_they_became(
        province: str, district: str, code: str) -> None:
    units = by_code(au.units_for(province, district=district))
    legacy = [u for u in units.values() if u.get("parent") == code]
    assert legacy and all(u["valid_to"] == date(2025, 6, 30) for u in legacy)
    assert [u for u in units.values() if u["level"] == "huyen"] == [units[code]]
    for unit in legacy:  # every successor is in the folder
        assert unit["successors"] and set(unit["successors"]) <= set(units)
    news = {c for u in legacy for c in u["successors"]}
    assert news == {c for c, u in units.items() if c.startswith("X")}


def test_a_district_is_looked_up_in_the_provinces_that_went_into_the_province() -> None:
    assert au.find_district("Ayun Pa", "Gia Lai").legacy_province == "64"  # old Gia Lai
    assert au.find_district("An Nhơn", "Gia Lai").legacy_province == "52"  # old Bình Định
    assert refusal(au.find_district, "Thanh Trì", "Gia Lai").code == "unknown-admin-unit"


def test_levels() -> None:
    assert [lv["code"] for lv in au.levels_for()] == ["tinh", "xa"]
    assert [lv["code"] for lv in au.levels_for(True)] == ["tinh", "huyen", "xa"]
    back = au.units_for("Gia Lai", "Ia Sao", before_2025=True)
    assert [lv["code"] for lv in au.missing_levels({"tinh"}, back)] == ["huyen", "xa"]
    assert au.levels_of(back) == au.levels_for(True)
    assert au.goes_back(back) and not au.goes_back(au.units_for("Gia Lai", "Ia Sao"))
    assert au.goes_back(au.units_for("Gia Lai", district="Tây Sơn"))  # implied
    assert au.levels_for()[0] == {"code": "tinh", "name": "Tỉnh", "name_en": "Province"}


# ------------------------------------------------------------------ the generating script
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("admin_units_script",
                                                  ROOT / "scripts/admin_units.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def installed_package() -> Path | None:
    """The package to regenerate from: TIEUCHI_VAU_DIR, else the importable one."""
    given = os.environ.get("TIEUCHI_VAU_DIR")
    if given:
        return Path(given)
    spec = importlib.util.find_spec("vietnamadminunits")
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def fixture_package(root: Path) -> Path:
    """A tiny vietnamadminunits: one 2025 province of three communes (one typed as the
    source sometimes mistypes), two legacy provinces, a split commune and an island
    district without communes."""
    pkg = root / "vietnamadminunits"
    (pkg / "data").mkdir(parents=True)
    info = root / "vietnamadminunits-9.9.9.dist-info"
    (info / "licenses").mkdir(parents=True)
    (info / "METADATA").write_text("Name: vietnamadminunits\nVersion: 9.9.9\n", "utf-8")
    (info / "licenses" / "LICENSE").write_text("MIT License\n\nCopyright (c) test\n", "utf-8")
    db = sqlite3.connect(pkg / "data" / "dataset.db")
    db.execute("CREATE TABLE admin_units (province, provinceCode, ward, wardType, wardCode, "
               "wardAreaKm2, provinceKey, wardKey)")
    db.executemany("INSERT INTO admin_units VALUES (?,?,?,?,?,?,?,?)", [
        ("Tỉnh A", "90", "Xã Bê", "Xã", "00100", 12.5, "tinha", "xabe"),
        ("Tỉnh A", "90", "Phường Cê", "Xã", "00101", None, "tinha", "phuongce"),
        ("Tỉnh A", "90", "Đặc khu Dê", "Đặc khu", "00102", 3.0, "tinha", "dackhude")])
    db.execute("CREATE TABLE admin_units_legacy (province, provinceCode, district, "
               "districtType, districtCode, ward, wardType, wardCode, provinceKey, "
               "districtKey, wardKey)")
    db.executemany("INSERT INTO admin_units_legacy VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
        ("Tỉnh A", "90", "Huyện Ép", "Huyện", "900", "Xã Hát", "Xã", "09000", "tinha",
         "huyenep", "xahat"),
        ("Tỉnh A", "90", "Huyện Ép", "Huyện", "900", "Thị trấn Y", "Thị trấn", "09001",
         "tinha", "huyenep", "thitrany"),
        ("Tỉnh E", "91", "Huyện Gờ", "Huyện", "901", None, None, None, "tinhe",
         "huyengo", None)])
    db.commit()
    db.close()
    converter = {
        "DICT_PROVINCE": {"tinha": ["tinha", "tinhe"]},
        "DICT_PROVINCE_WARD_NO_DIVIDED": {"tinha": {
            "xabe": ["tinha_huyenep_xahat"], "dackhude": ["tinhe_huyengo_"]}},
        "DICT_PROVINCE_WARD_DIVIDED": {"tinha": {"tinha_huyenep_thitrany": [
            {"newWardKey": "xabe", "isDefaultNewWard": True},
            {"newWardKey": "phuongce", "isDefaultNewWard": False}]}},
    }
    (pkg / "data" / "converter_2025.json").write_text(json.dumps(converter), "utf-8")
    return pkg


def test_the_script_on_a_fixture_package(tmp_path: Path) -> None:
    gen = script()
    assert gen.split_kind("Phường Cê", "Xã") == ("Cê", "phường")  # the name wins
    assert gen.split_kind("Thành phố Hà Nội", None) == ("Hà Nội", "thành phố")
    pkg = fixture_package(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    record = gen.generate(pkg, first, "2030-01-02")
    gen.generate(pkg, second, "2030-01-02")
    for file in sorted(first.iterdir()):  # deterministic: the same bytes
        assert file.read_bytes() == (second / file.name).read_bytes(), file.name
    assert record["version"] == "9.9.9" and record["generated"] == "2030-01-02"
    assert record["rows"]["communes.csv"] == 3
    read = {f.name: f.read_text("utf-8").splitlines() for f in first.glob("*.csv")}
    assert read["communes.csv"] == ["code,name,kind,province,area_km2",
                                    "00100,Bê,xã,90,12.5", "00101,Cê,phường,90,",
                                    "00102,Dê,đặc khu,90,3"]
    assert read["legacy_provinces.csv"][1:] == ["90,A,tỉnh,90", "91,E,tỉnh,90"]
    assert read["succession.csv"][1:] == ["huyen,901,00102,whole,", "xa,09000,00100,whole,",
                                          "xa,09001,00100,part,1", "xa,09001,00101,part,0"]
    assert "Copyright (c) test" in (first / "LICENSE-vietnamadminunits.txt").read_text()
    source = json.loads((first / "SOURCE.json").read_text("utf-8"))
    assert source["package"] == "vietnamadminunits" and source["licence"] == "MIT"


def test_the_script_refuses_a_legacy_commune_without_successor(tmp_path: Path) -> None:
    gen = script()
    pkg = fixture_package(tmp_path)
    converter = json.loads((pkg / "data" / "converter_2025.json").read_text("utf-8"))
    converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["tinha"]["xabe"] = []
    (pkg / "data" / "converter_2025.json").write_text(json.dumps(converter), "utf-8")
    with pytest.raises(SystemExit, match="legacy commune 09000 has no successor"):
        gen.generate(pkg, tmp_path / "out", "2030-01-02")


def test_regenerating_gives_the_vendored_bytes(tmp_path: Path) -> None:
    """With the package at hand (TIEUCHI_VAU_DIR or importable), the vendored files are
    exactly what the script makes of it; without it, the script's own determinism is
    checked on a fixture package instead (never skipped)."""
    gen = script()
    pkg = installed_package()
    if pkg is None:
        pkg = fixture_package(tmp_path / "fixture")
        expected = tmp_path / "expected"
        gen.generate(pkg, expected, "2030-01-02")
        generated = "2030-01-02"
    else:
        expected = DATA
        generated = au.SOURCE["generated"]
    out = tmp_path / "out"
    gen.generate(pkg, out, generated)
    names = sorted(f.name for f in expected.iterdir())
    assert names == sorted(f.name for f in out.iterdir())
    for name in names:
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


def test_the_header_says_which_units_the_file_holds() -> None:
    now = au.units_file(au.units_for("Gia Lai", "Ia Sao"))
    back = au.units_file(au.units_for("Gia Lai", "Ia Sao", before_2025=True))
    assert "# units in force from 2025-07-01," in now
    assert "units in force from" not in back
    assert "# units until 2025-06-30 and from 2025-07-01 (which became which)" in back
    assert "T province, H district and L commune until 2025-06-30" in back


def test_a_commune_before_2025_is_named_with_what_it_became() -> None:
    """Thị trấn Phú Phong (huyện Tây Sơn, Bình Định) went into xã Tây Sơn: asked for by its
    old name, the refusal says so and how to have it (its 2025 commune, --before-2025)."""
    with pytest.raises(ProblemError) as refused:
        au.find_commune("Phú Phong", "Gia Lai")
    (problem,) = refused.value.problems
    assert problem.code == "unknown-admin-unit"
    assert "Thị trấn Phú Phong (huyện Tây Sơn) became Xã Tây Sơn (X21808)" in problem.message
    assert "Thị trấn Phú Phong (huyện Tây Sơn) nay thuộc Xã Tây Sơn (X21808)" \
        in problem.message_vi
    assert au.find_commune("Ia Sao", "Gia Lai").code == "24073"  # a 2025 name first
