"""Generate tieuchi's vendored administrative units from the MIT package vietnamadminunits.

A maintainer runs it when the package publishes new data (docs/units.md):

    uv run --with vietnamadminunits==1.0.4 python scripts/admin_units.py

or, with the package installed elsewhere, ``--package-dir /path/to/vietnamadminunits``. It
reads only the package's data files (``data/dataset.db``, ``data/converter_2025.json``) and
its licence: it never imports the package (whose converter calls an online geocoder) and
never reads the network. It writes, under ``src/tieuchi/library/data/admin-units/``, sorted
CSV files (the same input and ``--generated`` date give the same bytes), ``SOURCE.json`` and
the package's MIT notice.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE = "vietnamadminunits"
URL = "https://github.com/tranngocminhhieu/vietnamadminunits"
IN_FORCE = "2025-07-01"
OUT = Path(__file__).resolve().parent.parent / "src/tieuchi/library/data/admin-units"

# The kinds as the source writes them, longest first (a full name starts with its kind).
KINDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Phường", "Huyện", "Quận", "Tỉnh",
         "Xã")

FILES: dict[str, tuple[str, ...]] = {
    "provinces.csv": ("code", "name", "kind"),
    "communes.csv": ("code", "name", "kind", "province", "area_km2"),
    "legacy_provinces.csv": ("code", "name", "kind", "province"),
    "legacy_districts.csv": ("code", "name", "kind", "legacy_province"),
    "legacy_communes.csv": ("code", "name", "kind", "district"),
    "succession.csv": ("legacy_level", "legacy", "commune", "share", "default"),
}


def split_kind(full: str, kind: str | None) -> tuple[str, str]:
    """("Gia Lai", "tỉnh") from "Tỉnh Gia Lai": the name without its kind, and the kind in
    lower case. The full name's own first words win over the source's type column (it has
    a few rows whose type was swapped with a neighbour's: "Phường Việt Hòa" typed "Xã")."""
    full = unicodedata.normalize("NFC", full)
    for word in KINDS:
        if full.startswith(word + " "):
            return full[len(word) + 1:].strip(), word.lower()
    return full.strip(), (kind or "").lower()


def read_source(db: sqlite3.Connection, converter: Mapping[str, Any]
                ) -> dict[str, list[tuple[str, ...]]]:
    """The rows of every output file, sorted, from the package's SQLite and converter."""
    provinces: dict[str, tuple[str, ...]] = {}
    communes: dict[str, tuple[str, ...]] = {}
    new_key: dict[tuple[str, str], str] = {}  # (province key, ward key) -> ward code
    province_key: dict[str, str] = {}  # province key -> code
    for (province, province_code, ward, ward_type, ward_code, area, p_key,
         w_key) in db.execute(
            "SELECT province, provinceCode, ward, wardType, wardCode, wardAreaKm2, "
            "provinceKey, wardKey FROM admin_units"):
        p_name, p_kind = split_kind(province, None)
        provinces[province_code] = (province_code, p_name, p_kind)
        name, kind = split_kind(ward, ward_type)
        communes[ward_code] = (ward_code, name, kind, province_code,
                               "" if area is None else f"{area:g}")
        new_key[p_key, w_key] = ward_code
        province_key[p_key] = province_code

    legacy_provinces: dict[str, list[str]] = {}
    districts: dict[str, tuple[str, ...]] = {}
    legacy_communes: dict[str, tuple[str, ...]] = {}
    legacy_key: dict[str, tuple[str, str]] = {}  # converter key -> (level, code)
    legacy_province_key: dict[str, str] = {}
    for (province, province_code, district, district_type, district_code, ward, ward_type,
         ward_code, p_key, d_key, w_key) in db.execute(
            "SELECT province, provinceCode, district, districtType, districtCode, ward, "
            "wardType, wardCode, provinceKey, districtKey, wardKey FROM admin_units_legacy"):
        p_name, p_kind = split_kind(province, None)
        legacy_provinces[province_code] = [province_code, p_name, p_kind, ""]
        legacy_province_key[p_key] = province_code
        d_name, d_kind = split_kind(district, district_type)
        districts[district_code] = (district_code, d_name, d_kind, province_code)
        if ward is None:  # an island district without communes ("Huyện Côn Đảo")
            legacy_key[f"{p_key}_{d_key}_"] = ("huyen", district_code)
            continue
        name, kind = split_kind(ward, ward_type)
        legacy_communes[ward_code] = (ward_code, name, kind, district_code)
        legacy_key[f"{p_key}_{d_key}_{w_key}"] = ("xa", ward_code)

    for new_p_key, old_keys in converter["DICT_PROVINCE"].items():
        for old in old_keys:
            legacy_provinces[legacy_province_key[old]][3] = province_key[new_p_key]

    succession: set[tuple[str, ...]] = set()
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, olds in wards.items():
            for old in olds:
                level, code = legacy_key[old]
                succession.add((level, code, new_key[p_key, w_key], "whole", ""))
    for p_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            level, code = legacy_key[old]
            for part in parts:
                succession.add((level, code, new_key[p_key, part["newWardKey"]], "part",
                                "1" if part["isDefaultNewWard"] else "0"))
    return {
        "provinces.csv": sorted(provinces.values()),
        "communes.csv": sorted(communes.values()),
        "legacy_provinces.csv": sorted(tuple(row) for row in legacy_provinces.values()),
        "legacy_districts.csv": sorted(districts.values()),
        "legacy_communes.csv": sorted(legacy_communes.values()),
        "succession.csv": sorted(succession),
    }


def check(tables: Mapping[str, Sequence[tuple[str, ...]]]) -> list[str]:
    """What does not add up: a legacy commune (or commune-less district) with no successor,
    or one both merged whole and split; a legacy province with no 2025 province."""
    found: list[str] = []
    shares: dict[tuple[str, str], set[str]] = {}
    for level, code, _, share, _ in tables["succession.csv"]:
        shares.setdefault((level, code), set()).add(share)
    for code, *_ in tables["legacy_communes.csv"]:
        if ("xa", code) not in shares:
            found.append(f"legacy commune {code} has no successor")
    found += [f"legacy {level} {code} is both merged whole and split"
              for (level, code), kinds in shares.items() if len(kinds) > 1]
    found += [f"legacy province {row[0]} has no 2025 province"
              for row in tables["legacy_provinces.csv"] if not row[3]]
    return found


def csv_text(header: Iterable[str], rows: Iterable[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def source_record(tables: Mapping[str, Sequence[tuple[str, ...]]], version: str,
                  generated: str) -> dict[str, Any]:
    return {
        "package": PACKAGE, "version": version, "licence": "MIT",
        "licence_file": "LICENSE-vietnamadminunits.txt", "url": URL,
        "pypi": f"https://pypi.org/project/{PACKAGE}/{version}/",
        "upstream_sources": ["https://danhmuchanhchinh.gso.gov.vn",
                             "https://sapnhap.bando.com.vn"],
        "data_date": IN_FORCE,
        "data_date_note": "the day the 2025 units took effect; the package dates none of "
                          "its data",
        "generated": generated,
        "generator": "scripts/admin_units.py",
        "rows": {name: len(rows) for name, rows in sorted(tables.items())},
    }


def package_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    spec = importlib.util.find_spec(PACKAGE)  # finds it without importing it
    if spec is None or spec.origin is None:
        sys.exit(f"{PACKAGE} is not installed: run with `uv run --with {PACKAGE}==1.0.4` "
                 "or give --package-dir")
    return Path(spec.origin).parent


def dist_info(pkg: Path) -> Path:
    found = sorted(pkg.parent.glob(f"{PACKAGE}-*.dist-info"))
    if not found:
        sys.exit(f"no {PACKAGE}-*.dist-info beside {pkg}: give the installed package's folder")
    return found[-1]


def version_of(info: Path) -> str:
    for line in (info / "METADATA").read_text(encoding="utf-8").splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    sys.exit(f"{info}/METADATA has no Version")


def generate(pkg: Path, out: Path, generated: str) -> dict[str, Any]:
    """Write every file under ``out`` from the package at ``pkg``; return SOURCE.json's
    record."""
    info = dist_info(pkg)
    db = sqlite3.connect(f"file:{pkg / 'data' / 'dataset.db'}?mode=ro", uri=True)
    try:
        converter = json.loads((pkg / "data" / "converter_2025.json").read_text("utf-8"))
        tables = read_source(db, converter)
    finally:
        db.close()
    problems = check(tables)
    if problems:
        sys.exit("the source does not add up:\n" + "\n".join(problems))
    out.mkdir(parents=True, exist_ok=True)
    for name, header in FILES.items():
        (out / name).write_text(csv_text(header, tables[name]), encoding="utf-8", newline="")
    licence = next(iter(sorted(info.glob("licenses/LICENSE*")) or sorted(info.glob("LICENSE*"))))
    (out / "LICENSE-vietnamadminunits.txt").write_text(
        f"The files of this folder are generated from {PACKAGE} {version_of(info)} "
        f"({URL}),\nwhose licence follows.\n\n" + licence.read_text("utf-8"),
        encoding="utf-8", newline="")
    record = source_record(tables, version_of(info), generated)
    (out / "SOURCE.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8", newline="")
    return record


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package-dir", type=Path,
                        help="the installed vietnamadminunits folder (default: the one "
                             "importable here)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument("--generated", default=datetime.now(UTC).date().isoformat(),
                        help="the generation date recorded in SOURCE.json (default: today)")
    args = parser.parse_args(argv)
    record = generate(package_dir(args.package_dir), args.out, args.generated)
    print(json.dumps(record["rows"], indent=2))


if __name__ == "__main__":
    main()
