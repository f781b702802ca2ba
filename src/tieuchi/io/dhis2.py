"""DHIS2 ``dataValueSets`` JSON in and out, through a YAML mapping of codes to UIDs.

DHIS2 knows units as organisation units and indicators as data elements, each by an
11-character UID; a data element may be split by a category option combo. The mapping file
says which is which (``docs/exchange.md``)::

    org_units:
      TT-YENMY: Jx5mYb3GmQe
    data_elements:
      ntmnc-01: aBcDeFgHiJ1
      thu-nhap-bq: {data_element: kLmNoPqRsT2, category_option_combo: uVwXyZaBcD3}
    vintages:                 # optional: a figure's vintage as an attribute option combo
      estimate: qRsTuVwXyZ4
      official: HllvX50cXC0

Periods convert both ways: 2023 ↔ ``2023``, 2023-H1 ↔ ``2023S1``, 2023-Q3 ↔ ``2023Q3``,
2023-05 ↔ ``202305``; year-to-date and multi-year periods have no DHIS2 counterpart. A code
without a counterpart is reported, never dropped silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
)

from tieuchi.definitions.yaml_lines import load_yaml, read_yaml
from tieuchi.domain.indicators import ValueType
from tieuchi.domain.periods import Period, PeriodError, PeriodKind
from tieuchi.domain.problems import Problem, ProblemError, Severity
from tieuchi.domain.status import Vintage
from tieuchi.io.figures import best, datasets_by_level, within
from tieuchi.io.plan import Plan, check, plan_observations
from tieuchi.store import Store

__all__ = ["DEFAULT_COMBO", "Mapping", "ElementMap", "load_mapping", "to_dhis2_period",
           "from_dhis2_period", "to_data_values", "from_data_values", "export_data_values",
           "read_data_values", "FIGURE_COLUMNS"]

DEFAULT_COMBO = "HllvX50cXC0"
"""The UID of DHIS2's default category option combo (and attribute option combo)."""

Uid = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]{10}$")]
FIGURE_COLUMNS = ("unit", "indicator", "period", "vintage", "value", "source")
_VALUE_KEYS = ("dataElement", "period", "orgUnit", "categoryOptionCombo",
               "attributeOptionCombo", "value", "comment", "storedBy", "lastUpdated")


class ElementMap(BaseModel):
    """A data element, with the category option combo the indicator is (when not the
    default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_element: Uid
    category_option_combo: Uid | None = None


class Mapping(BaseModel):
    """tieuchi codes ↔ DHIS2 UIDs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category_option_combo: Uid = DEFAULT_COMBO  # the default disaggregation
    attribute_option_combo: Uid = DEFAULT_COMBO  # used when ``vintages`` is empty
    data_set: Uid | None = None  # written as "dataSet" on export
    org_units: dict[str, Uid] = Field(default_factory=dict)
    data_elements: dict[str, Uid | ElementMap] = Field(default_factory=dict)
    vintages: dict[Vintage, Uid] = Field(default_factory=dict)
    _file: str = PrivateAttr(default="mapping")

    @property
    def file(self) -> str:
        """The mapping's file name: the place of the problems about missing codes."""
        return self._file

    def element(self, indicator: str) -> tuple[str, str] | None:
        """(dataElement, categoryOptionCombo) of an indicator."""
        found = self.data_elements.get(indicator)
        if found is None:
            return None
        if isinstance(found, str):
            return found, self.category_option_combo
        return found.data_element, found.category_option_combo or self.category_option_combo

    def duplicates(self) -> list[tuple[str, str]]:
        """(section, message) for each UID that two codes share: the way back is ambiguous."""
        found = []
        for section, pairs in (
                ("org_units", list(self.org_units.items())),
                ("data_elements", [(k, "/".join(self.element(k) or ())) for k in
                                   self.data_elements]),
                ("vintages", [(k.value, v) for k, v in self.vintages.items()])):
            owners: dict[str, str] = {}
            for code, uid in pairs:
                if uid in owners:
                    found.append((section, f"{code} and {owners[uid]} both map to {uid}"))
                owners[uid] = code
        return found


# ---------------------------------------------------------------------- the mapping file


def load_mapping(path: Path) -> Mapping:
    """The mapping of a YAML file; raises :class:`ProblemError` with every problem at its
    line (``map.yaml:12``)."""
    file = path.name
    try:
        doc = load_yaml(read_yaml(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        place = f"{file}:{line + 1}" if line is not None else file
        raise ProblemError([Problem.located(place, "mapping", f"cannot read the mapping: {error}",
                                         f"không đọc được tệp ánh xạ: {error}")]) from None
    if not isinstance(doc, dict):
        raise ProblemError([Problem.located(file, "mapping", "the mapping is not a YAML mapping "
                                         "(org_units:, data_elements:)", "tệp ánh xạ phải là "
                                         "một mapping YAML (org_units:, data_elements:)")])
    try:
        mapping = Mapping.model_validate(doc)
    except ValidationError as error:
        raise ProblemError([_mapping_problem(file, doc, e) for e in error.errors()]) from None
    mapping._file = file
    duplicated = mapping.duplicates()
    if duplicated:
        raise ProblemError([Problem.located(
            f"{file}:{_line(doc, (section,))}", "mapping", f"{section}: {why}; each UID "
            "stands for one code", f"{section}: {why}; mỗi UID chỉ ứng với một mã")
            for section, why in duplicated])
    return mapping


def _line(doc: Any, loc: Sequence[Any]) -> int:
    """The line of the deepest key of ``loc`` that the YAML has."""
    line, node = getattr(doc, "line", 1), doc
    for key in loc:
        lines = getattr(node, "lines", None)
        if isinstance(lines, dict) and key in lines:
            line = lines[key]
            node = node[key]
        else:
            break
    return int(line or 1)


def _mapping_problem(file: str, doc: Any, error: Any) -> Problem:
    loc = [str(k) for k in error["loc"] if not str(k).startswith(("str", "ElementMap"))]
    where = ".".join(loc)
    message = str(error["msg"])
    if "pattern" in message:
        message = f"'{error.get('input')}' is not a DHIS2 UID (11 letters and digits, a " \
                  "letter first)"
    return Problem.located(f"{file}:{_line(doc, loc)}", "mapping", f"{where}: {message}",
                       f"{where}: {message}")


# ---------------------------------------------------------------------- periods

_FROM_DHIS2: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(\d{4})$"), "{0}"),
    (re.compile(r"^(\d{4})S([12])$"), "{0}-H{1}"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), "{0}-{1}"),
]


def to_dhis2_period(code: str) -> str | None:
    """2023 → "2023", 2023-H1 → "2023S1", 2023-Q3 → "2023Q3", 2023-05 → "202305"; None for
    periods DHIS2 has no type for (year to date, several years)."""
    period = Period.parse(code)
    year = period.year
    match period.kind:
        case PeriodKind.YEAR:
            return str(year)
        case PeriodKind.HALF:
            return f"{year}S{period.part}"
        case PeriodKind.QUARTER:
            return f"{year}Q{period.part}"
        case PeriodKind.MONTH:
            return f"{year}{period.part:02d}"
        case _:
            return None


def from_dhis2_period(text: str) -> str | None:
    """The tieuchi period of a DHIS2 period, or None for the types tieuchi has not (weeks,
    days, financial years, two-month periods)."""
    for pattern, template in _FROM_DHIS2:
        found = pattern.match(text.strip())
        if found:
            return Period.parse(template.format(*found.groups())).code
    return None


# ---------------------------------------------------------------------- frames ↔ values


def _number_text(value: pl.Expr) -> pl.Expr:
    whole = value.is_finite() & (value == value.round(0)) & (value.abs() < 1e15)
    return pl.when(whole).then(value.cast(pl.Int64).cast(pl.String)).otherwise(
        value.cast(pl.String))


def _code_frames(mapping: Mapping) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    units = pl.DataFrame({"unit": list(mapping.org_units),
                          "orgUnit": list(mapping.org_units.values())},
                         schema={"unit": pl.String, "orgUnit": pl.String})
    pairs = [(code, *(mapping.element(code) or ("", ""))) for code in mapping.data_elements]
    elements = pl.DataFrame(pairs, schema={"indicator": pl.String, "dataElement": pl.String,
                                           "categoryOptionCombo": pl.String}, orient="row")
    given = mapping.vintages or {v: mapping.attribute_option_combo for v in Vintage}
    vintages = pl.DataFrame({"vintage": [v.value for v in given],
                             "attributeOptionCombo": list(given.values())},
                            schema={"vintage": pl.String, "attributeOptionCombo": pl.String})
    return units, elements, vintages


def _unmapped(frame: pl.DataFrame, column: str, key: str, section: str, place: str,
              severity: Severity) -> list[Problem]:
    counts = frame.filter(pl.col(column).is_null()).group_by(key, maintain_order=True).len()
    return [Problem.located(place, "unmapped", f"{key} '{code}' ({n} value(s)) has no counterpart "
                        f"in {section} of the mapping; add it", f"mã '{code}' ({n} giá trị) "
                        f"không có trong mục {section} của tệp ánh xạ; bổ sung mã này",
                        severity) for code, n in counts.iter_rows()]


def to_data_values(frame: pl.DataFrame, mapping: Mapping, yesno: set[str], *,
                   skip_unmapped: bool = False) -> tuple[list[dict[str, Any]],
                                                         list[Problem]]:
    """Figures (unit, indicator, period, vintage, value, source[, changed_by, changed_at])
    as DHIS2 data values; problems for every code, vintage or period without a counterpart
    (warnings, and those figures left out, with ``skip_unmapped``)."""
    units, elements, vintages = _code_frames(mapping)
    periods = {p: to_dhis2_period(p) for p in frame.get_column("period").unique().to_list()}
    joined = (frame.join(units, on="unit", how="left", maintain_order="left")
              .join(elements, on="indicator", how="left", maintain_order="left")
              .join(vintages, on="vintage", how="left", maintain_order="left")
              .with_columns(pl.col("period").replace_strict(periods, return_dtype=pl.String)
                            .alias("dhis2_period")))
    severity = Severity.WARNING if skip_unmapped else Severity.ERROR
    place = mapping.file
    problems = (_unmapped(joined, "orgUnit", "unit", "org_units", place, severity)
                + _unmapped(joined, "dataElement", "indicator", "data_elements", place,
                            severity)
                + _unmapped(joined, "attributeOptionCombo", "vintage", "vintages", place,
                            severity))
    problems += [Problem.located(place, "dhis2-period", f"period {p} has no DHIS2 period type "
                             "(year to date and multi-year periods have none); export its "
                             "months, quarters or years", f"kỳ {p} không có loại kỳ tương "
                             "ứng trong DHIS2 (lũy kế, nhiều năm); xuất theo tháng, quý hoặc "
                             "năm", severity) for p, d in periods.items() if d is None]
    complete = joined.drop_nulls(["orgUnit", "dataElement", "attributeOptionCombo",
                                  "dhis2_period"])
    value = pl.col("value")
    text = (pl.when(pl.col("indicator").is_in(sorted(yesno)) & value.is_in([0.0, 1.0]))
            .then(pl.when(value == 1).then(pl.lit("true")).otherwise(pl.lit("false")))
            .otherwise(_number_text(value)))
    out = complete.select(
        "dataElement", pl.col("dhis2_period").alias("period"), "orgUnit",
        "categoryOptionCombo", "attributeOptionCombo", text.alias("value"),
        pl.col("source").alias("comment"),
        *(pl.col(c).alias(k) for c, k in (("changed_by", "storedBy"),
                                          ("changed_at", "lastUpdated"))
          if c in frame.columns))
    values = [{k: v for k, v in row.items() if v is not None}
              for row in out.iter_rows(named=True)]
    return values, problems


def from_data_values(document: Any, mapping: Mapping, yesno: set[str], *, file: str,
                     vintage: str = Vintage.OFFICIAL.value,
                     skip_unmapped: bool = False) -> tuple[pl.DataFrame, list[Problem]]:
    """The figures of a ``dataValueSets`` document (columns ``place`` and
    :data:`FIGURE_COLUMNS`), with every problem at its data value
    (``file.json:dataValues[3]``). Without ``vintages`` in the mapping, every figure gets
    ``vintage``."""
    rows, problems = _value_rows(document, file)
    frame = pl.DataFrame(rows, schema={"place": pl.String, **dict.fromkeys(_VALUE_KEYS,
                                                                            pl.String)})
    frame = frame.with_columns(pl.col("categoryOptionCombo").fill_null(
        mapping.category_option_combo), pl.col("attributeOptionCombo").fill_null(
        mapping.attribute_option_combo))
    units, elements, vintages = _code_frames(mapping)
    if not mapping.vintages:
        vintages = pl.DataFrame({"vintage": [vintage],
                                 "attributeOptionCombo": [mapping.attribute_option_combo]})
    joined = (frame.join(units, on="orgUnit", how="left", maintain_order="left")
              .join(elements, on=["dataElement", "categoryOptionCombo"], how="left",
                    maintain_order="left")
              .join(vintages, on="attributeOptionCombo", how="left", maintain_order="left"))
    severity = Severity.WARNING if skip_unmapped else Severity.ERROR
    problems += _unmapped_values(joined, severity)
    joined = _periods_in(joined, problems)
    joined = _values_in(joined, yesno, problems)
    figures = joined.drop_nulls(["unit", "indicator", "vintage", "tieuchi_period", "number"])
    figures = figures.select("place", "unit", "indicator",
                             pl.col("tieuchi_period").alias("period"), "vintage",
                             pl.col("number").alias("value"), pl.col("comment").alias("source"))
    twice = figures.filter(pl.struct("unit", "indicator", "period", "vintage").is_duplicated())
    problems += [Problem.located(r["place"], "duplicate-observation", f"{r['unit']} "
                             f"{r['indicator']} {r['period']} ({r['vintage']}) is given twice",
                             f"{r['unit']} {r['indicator']} {r['period']} ({r['vintage']}) có "
                             "hai giá trị") for r in twice.iter_rows(named=True)]
    return figures, sorted(problems, key=_order)


def _order(problem: Problem) -> int:
    """Problems in the order of their data values."""
    found = re.search(r"\[(\d+)\]$", problem.place)
    return int(found.group(1)) if found else -1


def _value_rows(document: Any, file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The data values with the top-level defaults (period, orgUnit, attributeOptionCombo)
    applied, each with its place."""
    values = document.get("dataValues") if isinstance(document, dict) else None
    if not isinstance(values, list):
        raise ProblemError([Problem.located(file, "unreadable-file", "not DHIS2 dataValueSets "
                                         "JSON: no \"dataValues\" list",
                                         "không phải tệp dataValueSets của DHIS2: không có "
                                         "danh sách \"dataValues\"")])
    defaults = {k: document.get(k) for k in ("period", "orgUnit", "attributeOptionCombo")}
    rows, problems = [], []
    for index, value in enumerate(values):
        place = f"{file}:dataValues[{index}]"
        if not isinstance(value, dict):
            problems.append(Problem.located(place, "dhis2-value", "a data value is an object",
                                        "mỗi giá trị phải là một đối tượng JSON"))
            continue
        row = {k: value.get(k, defaults.get(k)) for k in _VALUE_KEYS}
        rows.append({"place": place, **{k: None if v is None else str(v)
                                        for k, v in row.items()}})
    return rows, problems


def _unmapped_values(joined: pl.DataFrame, severity: Severity) -> list[Problem]:
    problems = []
    checks = (("unit", "orgUnit", "org_units", "orgUnit"),
              ("indicator", "dataElement", "data_elements", "dataElement"),
              ("vintage", "attributeOptionCombo", "vintages", "attributeOptionCombo"))
    for column, uid, section, label in checks:
        missing = joined.filter(pl.col(column).is_null() & pl.col(uid).is_not_null())
        for row in missing.iter_rows(named=True):
            extra = f"/{row['categoryOptionCombo']}" if label == "dataElement" else ""
            problems.append(Problem.located(
                row["place"], "unmapped", f"{label} {row[uid]}{extra} is not in {section} of "
                "the mapping", f"{label} {row[uid]}{extra} không có trong mục {section} của "
                "tệp ánh xạ", severity))
        for row in joined.filter(pl.col(uid).is_null()).iter_rows(named=True):
            problems.append(Problem.located(row["place"], "dhis2-value", f"{label} is missing",
                                        f"thiếu {label}"))
    return problems


def _periods_in(joined: pl.DataFrame, problems: list[Problem]) -> pl.DataFrame:
    codes = {p: from_dhis2_period(p) for p in joined.get_column("period").drop_nulls()
             .unique().to_list()}
    joined = joined.with_columns(pl.col("period").replace_strict(
        codes, default=None, return_dtype=pl.String).alias("tieuchi_period"))
    for row in joined.filter(pl.col("tieuchi_period").is_null()).iter_rows(named=True):
        problems.append(Problem.located(
            row["place"], "dhis2-period", f"period '{row['period']}' is not a DHIS2 year "
            "(2023), six-month (2023S1), quarter (2023Q3) or month (202305)",
            f"kỳ '{row['period']}' không phải năm (2023), 6 tháng (2023S1), quý (2023Q3) "
            "hoặc tháng (202305) theo cách viết của DHIS2"))
    return joined


def _values_in(joined: pl.DataFrame, yesno: set[str],
               problems: list[Problem]) -> pl.DataFrame:
    lowered = pl.col("value").str.to_lowercase().str.strip_chars()
    number = (pl.when(pl.col("indicator").is_in(sorted(yesno)))
              .then(pl.when(lowered.is_in(["true", "1"])).then(1.0)
                    .when(lowered.is_in(["false", "0"])).then(0.0))
              .otherwise(lowered.cast(pl.Float64, strict=False)))
    joined = joined.with_columns(number.alias("number"))
    joined = joined.with_columns(pl.when(pl.col("number").is_finite()).then(pl.col("number"))
                                 .alias("number"))
    bad = joined.filter(pl.col("number").is_null() & pl.col("indicator").is_not_null())
    for row in bad.iter_rows(named=True):
        problems.append(Problem.located(
            row["place"], "dhis2-value", f"value '{row['value']}' of {row['indicator']} is not "
            "a number (or true/false for a yes/no indicator)", f"giá trị '{row['value']}' của "
            f"{row['indicator']} không phải là số (hoặc true/false với chỉ tiêu đạt/chưa đạt)"))
    return joined


# ---------------------------------------------------------------------- with the store


def _yesno(store: Store) -> set[str]:
    return {i.code for i in store.units.indicators() if i.type is ValueType.YESNO}


@dataclass(frozen=True)
class Export:
    document: dict[str, Any]
    warnings: tuple[Problem, ...]

    @property
    def count(self) -> int:
        return len(self.document["dataValues"])


def export_data_values(store: Store, mapping: Mapping, *, unit: str, period: str,
                       dataset: str | None = None, skip_unmapped: bool = False) -> Export:
    """The figures of ``unit`` and the units below it, for the periods within ``period``
    (of the indicators of ``dataset`` only, when given), as a ``dataValueSets`` document.
    Without ``vintages`` in the mapping, only the most final vintage of each figure is
    exported. Raises :class:`ProblemError` for unmapped codes unless ``skip_unmapped``."""
    units = store.units.under(unit)
    if not units:
        raise ProblemError([Problem.located("--unit", "invalid-option", f"'{unit}' is not a unit",
                                         f"đơn vị '{unit}' không có trong danh mục")])
    try:
        chosen = Period.parse(period)
    except PeriodError as error:
        raise ProblemError([Problem.located("--period", "invalid-option", str(error),
                                         f"'{period}' không phải kỳ báo cáo hợp lệ")]) from None
    frame = within(store.figures.held([u.code for u in units]), chosen)
    if dataset is not None:
        frame = frame.filter(pl.col("indicator").is_in(_dataset_indicators(store, units,
                                                                           dataset)))
    if not mapping.vintages:
        frame = best(frame)
    values, problems = to_data_values(frame, mapping, _yesno(store),
                                      skip_unmapped=skip_unmapped)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise ProblemError(errors)
    document: dict[str, Any] = {"dataValues": values}
    if mapping.data_set:
        document = {"dataSet": mapping.data_set, **document}
    return Export(document, tuple(problems))


def _dataset_indicators(store: Store, units: Sequence[Any], code: str) -> list[str]:
    for sets in datasets_by_level(store, units).values():
        for ds in sets:
            if ds.code == code:
                return list(ds.indicators)
    raise ProblemError([Problem.located("--dataset", "invalid-option", f"no unit reports the "
                                     f"data set '{code}'", f"không đơn vị nào báo cáo biểu "
                                     f"'{code}'")])


def read_data_values(store: Store, data: bytes | Path, mapping: Mapping, *,
                     name: str | None = None, vintage: str = Vintage.OFFICIAL.value,
                     skip_unmapped: bool = False) -> Plan:
    """The changes a ``dataValueSets`` file makes; raises :class:`ProblemError` with every
    problem at its data value."""
    file = name or (data.name if isinstance(data, Path) else "dataValueSets.json")
    raw = data.read_bytes() if isinstance(data, Path) else data
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line = getattr(error, "lineno", None)
        raise ProblemError([Problem.located(f"{file}:{line}" if line else file, "unreadable-file",
                                         f"not JSON: {error}", f"không phải JSON: {error}")]
                            ) from None
    figures, problems = from_data_values(document, mapping, _yesno(store), file=file,
                                         vintage=vintage, skip_unmapped=skip_unmapped)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise ProblemError(errors)
    plan = plan_observations(store, figures, file)
    refused = check(store, plan)
    if refused:
        raise ProblemError(refused)
    return Plan(plan.file, plan.frame, tuple(problems))
