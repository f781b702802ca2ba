"""Targets from a resolution's own table ("Nghị quyết … các chỉ tiêu chủ yếu"), docs/plan-import.md.

1. :func:`read_rows`: the first table of a ``.docx`` or an ``.xlsx`` whose header names the
   targets ("Chỉ tiêu") and their unit ("Đơn vị tính", "ĐVT") or plan ("Kế hoạch", "Mục
   tiêu", "Năm 2026"), row by row: its number ("1.", "a)", "-"), name, unit of measure and
   value as written, and the section it is under (a row with a name and no value). The file
   passes the guard of uploaded workbooks first (:mod:`tieuchi.io.xlsx_guard`: sizes, zip
   bombs, XML DTDs), a ``.docx`` being a zip of XML parts too.
2. :func:`read_value`: a value as written ("8 - 8,5", "từ 95 trở lên", "dưới 1,5", "giảm
   1-1,5", "tăng 10% so với năm 2025", "Đạt") as a :class:`Reading`; pure.
3. :func:`understand`: each row matched to an indicator (:func:`tieuchi.library.matching.
   match`) and, when both are known, the target it gives (:func:`target_fields`), or the
   problem that stops it, at its place.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter, quote_sheetname  # type: ignore[import-untyped]
from pydantic import ValidationError

from tieuchi.domain.base import fold
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import Direction, Indicator, ValueType
from tieuchi.domain.periods import YEARS
from tieuchi.domain.problems import Problem, ProblemError, Severity
from tieuchi.domain.targets import Target
from tieuchi.io.values import conversion
from tieuchi.io.xlsx_guard import MB, Limits, inspect
from tieuchi.library.matching import Match, match
from tieuchi.reports.formatting import number, parse_number

__all__ = ["Kind", "Reading", "Unsupported", "unsupported", "Row", "Understood", "Resolution",
           "read_rows", "read_value", "understand", "candidates", "target_fields",
           "read_resolution",
           "group_code", "group_document", "missing_indicators", "describe", "MAX_BYTES",
           "score_text", "guess_text"]

MAX_BYTES = 10 * MB  # a resolution's file, as uploaded
MAX_ROWS = 500  # rows of a target table
_LIMITS = Limits(rows=2_000, columns=30, cells=100_000, elements=500_000, parts=500)
_DOCX = "word/document.xml"


class Kind(StrEnum):
    """How a value reads."""

    AT_LEAST = "at_least"  # "từ 95 trở lên", "trên 95", "tối thiểu 95", "≥ 95"
    AT_MOST = "at_most"  # "dưới 1,5", "tối đa 1,5", "không quá 1,5", "≤ 1,5"
    WITHIN = "within"  # "8 - 8,5", "8 đến 8,5"
    PLAIN = "plain"  # "95", "khoảng 95", "còn 1,07": at least or at most, by the indicator
    GROWTH = "growth"  # "tăng 10%", "tăng 10% so với năm 2025"
    REDUCTION = "reduction"  # "giảm 1 - 1,5" (điểm % or %, by the unit)
    YES = "yes"  # "Đạt", "Hoàn thành"


@dataclass(frozen=True)
class Reading:
    """A value as understood: its kind, its number(s), the base year of a growth, and what
    the text says beyond the number, kept as the target's note ("khoảng", "so với dự toán
    năm 2019")."""

    kind: Kind
    low: float | None = None
    high: float | None = None
    baseline: str | None = None
    points: bool = False  # "điểm %": percentage points
    note: str | None = None


@dataclass(frozen=True)
class Row:
    """A row of a target table as written."""

    place: str  # "nq.docx, bảng 1, dòng 5" or "nq.xlsx, 'Chỉ tiêu'!B7"
    number: str
    name: str
    unit: str | None
    value: str | None
    section: str | None = None


@dataclass(frozen=True)
class Understood:
    """A row, what its value reads as, the indicator it matches, and the target fields that
    follow (``None`` with the problem when either is missing)."""

    row: Row
    reading: Reading | None
    match: Match
    code: str | None  # the indicator chosen (the match, or the user's choice)
    fields: dict[str, Any] | None
    problem: Problem | None = None
    chosen: bool = False  # the user named the indicator (--map)
    converted: str | None = None  # "43,5 nghìn tỷ đồng → 43.500 tỷ đồng"

    @property
    def ok(self) -> bool:
        return self.fields is not None


@dataclass(frozen=True)
class Resolution:
    """Every row of a resolution's target table, understood."""

    file: str
    rows: tuple[Understood, ...]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def matched(self) -> list[Understood]:
        return [r for r in self.rows if r.ok]

    @property
    def unmatched(self) -> list[Understood]:
        return [r for r in self.rows if not r.ok]

    @property
    def problems(self) -> list[Problem]:
        return [r.problem for r in self.rows if r.problem is not None]

    def targets(self, *, unit: str, period: str, issuer: str | None = None,
                document: str | None = None) -> list[Target]:
        """The targets of the rows understood, for ``unit`` and ``period``."""
        return [Target.model_validate({**r.fields, "unit": unit, "period": period,
                                       "issuer": issuer, "document": document})
                for r in self.matched if r.fields is not None]


# ---------------------------------------------------------------------- numbers and values

_NUMBER = r"\d[\d.]*(?:,\d+)?"  # read by reports.formatting.parse_number
_NUMBER_RE = re.compile(_NUMBER)
_RANGE = re.compile(rf"({_NUMBER})\s*%?\s*(?:-|–|—|đến|den|tới|toi)\s*({_NUMBER})")
_AT_LEAST = re.compile(r"tro len|toi thieu|it nhat|khong duoi|khong thap hon|tren|>=|≥|>"
                       r"|vuot")
_AT_MOST = re.compile(r"duoi|toi da|khong qua|khong vuot qua|khong cao hon|<=|≤|<")
_GROWTH = re.compile(r"\btang\b")
_REDUCTION = re.compile(r"\bgiam\b")
_YES = re.compile(r"^(dat|hoan thanh|co|dat chuan|hoan thanh ke hoach)$")
_ABOUT = re.compile(r"\bkhoang\b|\bxap xi\b")
_BASELINE = re.compile(r"so voi\s+(?:cung ky\s+)?(?:nam\s+)?(\d{4})\b")
_COMPARED = re.compile(r"so voi\s+.*$")
_ABSOLUTE_MORE = re.compile(r"\btang them\b|\bthem\b")
_VS_ESTIMATE = re.compile(r"\bso voi\b.*\bdu toan\b")


class Unsupported(StrEnum):
    """A value that states a target no imported target holds yet: said as such, the row
    left to be entered by hand."""

    ABSOLUTE_INCREASE = "absolute-increase"  # "tăng thêm 7 xã"
    VS_ESTIMATE = "vs-estimate"  # "tăng 74,55% so với dự toán năm 2019"


def unsupported(text: str, name: str = "") -> Unsupported | None:
    """Whether the value ``text`` of a row named ``name`` is a target the import does not
    hold yet: an absolute increase ("tăng thêm 7 xã", a name "… tăng thêm"), a change on
    the budget estimate ("so với dự toán …") rather than on last year's figure. Pure."""
    folded = fold(" ".join(str(text).split()))
    if not folded:
        return None
    if _ABSOLUTE_MORE.search(fold(name)) or _ABSOLUTE_MORE.search(folded):
        return Unsupported.ABSOLUTE_INCREASE
    if _VS_ESTIMATE.search(folded):
        return Unsupported.VS_ESTIMATE
    return None


def read_value(text: str, unit: str | None = None, name: str = "", *,
               relative: bool = True) -> Reading | None:
    """What the value ``text`` of a row (its unit of measure ``unit``, its name ``name``)
    reads as, or None when it cannot be read. ``relative=False`` for an indicator that is a
    change itself ("Tốc độ tăng …", "Mức giảm …"): "tăng 8%" is then its value. Pure."""
    raw = " ".join(str(text).split())
    folded = fold(raw)
    if not folded:
        return None
    if _YES.match(folded):
        return Reading(Kind.YES)
    named = fold(name)
    if unsupported(raw, name) is not None:
        return None  # "tăng thêm 7 xã", "so với dự toán": no target holds them yet
    notes = []
    baseline = None
    compared = _COMPARED.search(folded)
    if compared:
        year = _BASELINE.match(compared.group(0))
        if year and int(year.group(1)) in YEARS and year.end() == len(compared.group(0)):
            baseline = year.group(1)
        else:
            notes.append(raw[compared.start():].strip())  # "so với dự toán năm 2019"
        folded = folded[:compared.start()].strip()
    if _ABOUT.search(folded):
        notes.append("khoảng")
    numbers = _numbers(folded)
    if not numbers:
        return None
    low, high = numbers
    points = "diem" in folded or "diem" in fold(unit or "")
    note = "; ".join(notes) or None
    if relative and _GROWTH.search(folded) and not _REDUCTION.search(folded):
        return Reading(Kind.GROWTH, low, high, baseline, note=note)
    if relative and (_REDUCTION.search(folded) or re.search(r"\bgiam$", named)):
        return Reading(Kind.REDUCTION, low, high, baseline, points, note)
    if baseline:
        note = "; ".join([*notes, raw[compared.start():].strip()]) if compared else note
    if high is not None:
        return Reading(Kind.WITHIN, low, high, note=note)
    if _AT_LEAST.search(folded):
        return Reading(Kind.AT_LEAST, low, note=note)
    if _AT_MOST.search(folded):
        return Reading(Kind.AT_MOST, low, note=note)
    return Reading(Kind.PLAIN, low, note=note)


def _numbers(folded: str) -> tuple[float, float | None] | None:
    """The value's number, or its two ends ("8 - 8,5"), written the Vietnamese way
    (:func:`~tieuchi.reports.formatting.parse_number`: "1.234,5"; "1.5" is neither 15 nor
    1,5); None when it has none, one badly written, or too many to tell which is the
    target."""
    try:
        found = _RANGE.search(folded)
        if found:
            low = parse_number(found.group(1), "vi")
            high = parse_number(found.group(2), "vi")
            return (low, high) if low <= high else (high, low)
        numbers = [m.group(0).rstrip(".") for m in _NUMBER_RE.finditer(folded)]
        if len(numbers) != 1:
            return None
        return parse_number(numbers[0], "vi"), None
    except ValueError:
        return None


# ---------------------------------------------------------------------- targets


def target_fields(reading: Reading, indicator: Indicator) -> dict[str, Any]:
    """The fields of a :class:`Target` of ``indicator`` that ``reading`` gives: a plain
    number is at least or at most by the indicator's direction; a reduction is in
    percentage points for a percentage ("giảm 1 điểm %", or "%" of a rate), else in per
    cent; a range of a growth or a reduction keeps its lower end (the least promised)."""
    fields: dict[str, Any] = {"indicator": indicator.code}
    if reading.note:
        fields["note"] = reading.note
    match reading.kind:
        case Kind.YES:
            fields["yes"] = True
        case Kind.AT_LEAST | Kind.AT_MOST:
            fields[reading.kind.value] = reading.low
        case Kind.WITHIN:
            fields["within"] = (reading.low, reading.high)
        case Kind.PLAIN:
            comparator = indicator.direction.comparator
            fields["at_most" if indicator.direction is Direction.LOWER else
                   "at_least" if comparator.value == "at_least" else "equal"] = reading.low
        case Kind.GROWTH:
            fields["growth"] = reading.low
        case Kind.REDUCTION:
            percent = reading.points or indicator.type is ValueType.PERCENT
            fields["reduction_pp" if percent else "reduction"] = reading.low
    if reading.baseline and reading.kind in (Kind.GROWTH, Kind.REDUCTION):
        fields["baseline"] = reading.baseline
    if reading.high is not None and reading.kind in (Kind.GROWTH, Kind.REDUCTION):
        low, high = _plain(reading.low), _plain(reading.high)
        fields["note"] = "; ".join(filter(None, [fields.get("note"), f"{low}–{high}"]))
    return fields


_SHOWN = {"at_least": "≥ {}", "at_most": "≤ {}", "equal": "= {}", "growth": "tăng ≥ {}%",
          "reduction": "giảm ≥ {}%", "reduction_pp": "giảm ≥ {} điểm %"}


def describe(fields: Mapping[str, Any]) -> str:
    """A target's fields in a few words, for the preview: "≥ 95", "8–8,5", "tăng ≥ 10%
    (so với 2025)", "Đạt"."""
    if fields.get("yes"):
        return "Đạt"
    if "within" in fields:
        low, high = fields["within"]
        return f"{_plain(low)}–{_plain(high)}"
    for key, shape in _SHOWN.items():
        if key in fields:
            text = shape.format(_plain(fields[key]))
            return text + (f" (so với {fields['baseline']})" if fields.get("baseline") else "")
    return ""


def _plain(value: float | None) -> str:
    return "" if value is None else number(value, "vi", 9)


def understand(rows: Sequence[Row], indicators: Sequence[Indicator],
               chosen: Mapping[int, str] | None = None) -> list[Understood]:
    """Each row matched to one of ``indicators`` (earlier ones win a tie: a folder's own,
    then the catalogue's), with the target it gives. ``chosen`` names the indicator of some
    rows (by their position from 1), overriding the match."""
    by_code = {i.code: i for i in indicators}
    chosen = chosen or {}
    found: list[Understood] = []
    for n, row in enumerate(rows, start=1):
        first = read_value(row.value or "", row.unit, row.name)
        relative = (first is not None and first.kind in (Kind.GROWTH, Kind.REDUCTION)) \
            or unsupported(row.value or "", row.name) is not None  # a change all the same
        matched = match(row.name, None if relative else row.unit, indicators,
                        yesno=first is not None and first.kind is Kind.YES)
        code = chosen.get(n) or matched.code
        indicator = by_code.get(code) if code else None
        if indicator is None:
            guesses, gan_nhat = (guess_text(matched, lang) for lang in ("en", "vi"))
            unmatched = Problem.located(
                row.place, "resolution-unmatched",
                f"'{row.name}' matches no indicator well enough (best: {guesses or 'none'}); "
                "name it with --map or leave the row out",
                f"'{row.name}' không khớp chỉ tiêu nào đủ chắc (gần nhất: "
                f"{gan_nhat or 'không'}); chọn chỉ tiêu bằng --map hoặc bỏ qua dòng này",
                Severity.WARNING)
            found.append(Understood(row, None, matched, None, None, unmatched))
            continue
        reading = read_value(row.value or "", row.unit, row.name,
                             relative=not _is_change(indicator))
        fields, problem, converted = _target(row, reading, indicator)
        earlier = next((u for u in found if u.ok and u.code == code), None)
        if fields is not None and earlier is not None:
            fields, problem = None, Problem.located(
                row.place, "duplicate-row",
                f"{code} is matched by an earlier row too ({earlier.row.place}); name this "
                "row's indicator with --map or leave it out",
                f"chỉ tiêu {code} đã khớp với một dòng trước ({earlier.row.place}); chọn chỉ "
                "tiêu của dòng này bằng --map hoặc bỏ qua", Severity.WARNING)
        found.append(Understood(row, reading, matched, code, fields, problem,
                                chosen=n in chosen, converted=converted))
    return found


def score_text(score: float, lang: str = "vi") -> str:
    """A match score as ``lang`` writes a number: "88,5" (vi), "88.5" (en)."""
    return number(score, lang, 1)


def guess_text(matched: Match, lang: str = "vi",
               names: Mapping[str, str] | None = None) -> str:
    """A row's best guesses with their scores: "thu-nsnn (77,8); …" (``names``: each
    code's name shown instead)."""
    return "; ".join(f"{(names or {}).get(g.code, g.code)} ({score_text(g.score, lang)})"
                     for g in matched.guesses)


def _is_change(indicator: Indicator) -> bool:
    """Whether the indicator is a change itself: "Tốc độ tăng trưởng …", "Mức giảm …"."""
    return bool(re.search(r"\b(tang|giam)\b", fold(indicator.name)))


def _target(row: Row, reading: Reading | None, indicator: Indicator,
            ) -> tuple[dict[str, Any] | None, Problem | None, str | None]:
    """The target fields of a row read as ``reading`` for ``indicator``, or the problem;
    and the value's conversion to the indicator's unit, if any ("43,5 nghìn tỷ đồng →
    43.500 tỷ đồng", also the target's note)."""
    held = unsupported(row.value or "", row.name) if reading is None else None
    if held is not None:
        return None, Problem.located(row.place, "resolution-value", *_UNSUPPORTED[held](
            row.value or ""), Severity.WARNING), None
    if reading is None:
        return None, Problem.located(
            row.place, "resolution-value",
            f"the value '{row.value or ''}' cannot be read as a target (a number, a range "
            "'8 - 8,5', 'từ 95 trở lên', 'dưới 1,5', 'tăng 10%', 'giảm 1 điểm %' or "
            "'Đạt'); enter this target by hand",
            f"không đọc được giá trị '{row.value or ''}' thành chỉ tiêu (một số, một "
            "khoảng '8 - 8,5', 'từ 95 trở lên', 'dưới 1,5', 'tăng 10%', 'giảm 1 điểm %' "
            "hoặc 'Đạt'); nhập chỉ tiêu này bằng tay", Severity.WARNING), None
    converted = None
    if reading.kind not in (Kind.GROWTH, Kind.REDUCTION, Kind.YES):
        factor = _factor(row.unit, indicator.unit)
        if factor is None:
            return None, Problem.located(
                row.place, "unit-of-measure",
                f"the row is in '{row.unit}', the indicator {indicator.code} in "
                f"'{indicator.unit or ''}'; convert the value and enter this target by hand",
                f"dòng tính bằng '{row.unit}', chỉ tiêu {indicator.code} tính bằng "
                f"'{indicator.unit or ''}'; đổi giá trị rồi nhập chỉ tiêu này bằng tay",
                Severity.WARNING), None
        if factor != 1:
            converted = f"{_plain(reading.low)} {row.unit} → " \
                f"{_plain(_times(reading.low, factor))} {indicator.unit}"
            reading = replace(reading, low=_times(reading.low, factor),
                              high=_times(reading.high, factor),
                              note="; ".join(filter(None, [reading.note, converted])))
    fields = target_fields(reading, indicator)
    try:
        Target.model_validate({**fields, "unit": "x", "period": "2000"})
    except ValidationError as error:
        why = "; ".join(str(e["msg"]) for e in error.errors())
        return None, Problem.located(row.place, "resolution-value",
                                     f"not a valid target: {why}",
                                     f"chỉ tiêu không hợp lệ: {why}", Severity.WARNING), None
    return fields, None, converted


_UNSUPPORTED = {
    Unsupported.ABSOLUTE_INCREASE: lambda value: (
        f"'{value}' is an absolute increase (\"tăng thêm 7 xã\": 7 more than now), which an "
        "imported target does not hold yet; enter this target by hand, as the number to "
        "reach",
        f"'{value}' là mức tăng thêm tuyệt đối (\"tăng thêm 7 xã\": thêm 7 so với hiện "
        "nay), chưa nhập được từ nghị quyết; nhập chỉ tiêu này bằng tay, là số cần đạt"),
    Unsupported.VS_ESTIMATE: lambda value: (
        f"'{value}' is a change on the budget estimate ('so với dự toán'), not on last "
        "year's figure, which an imported target does not hold; enter this target by hand "
        "(the estimate and the change give the amount)",
        f"'{value}' là mức tăng so với dự toán, không phải so với số thực hiện năm trước, "
        "chưa nhập được từ nghị quyết; nhập chỉ tiêu này bằng tay (từ số dự toán và mức "
        "tăng)"),
}
"""What a row whose value is :class:`Unsupported` is told (en, vi), by its value."""


def _times(number: float | None, factor: float) -> float | None:
    return None if number is None else round(number * factor, 9)


def _unit_words(unit: str) -> str:
    """A unit of measure folded, spelling variants alike ("bác sỹ", "bác sĩ")."""
    return re.sub(r"y\b", "i", fold(unit).replace(" ", ""))


def _factor(given: str | None, measure: str | None) -> float | None:
    """What a row's value in ``given`` is multiplied by to be in the indicator's unit
    ``measure``: 1 when they are the same, or one of them is not given, or the row leaves
    out some of the indicator's "/…" ("bác sĩ" of "bác sĩ/vạn dân", "triệu đồng/năm" of
    "triệu đồng/người/năm"); the factor between two money units; None when they differ."""
    if not given or not measure:
        return 1.0
    row, own = _unit_words(given), _unit_words(measure)
    parts, own_parts = row.split("/"), own.split("/")
    if (parts[0] == own_parts[0] and set(parts) <= set(own_parts)) or \
            ("%" in row and "%" in own):
        return 1.0
    return conversion(given, measure)


def candidates(definitions: Definitions,
               catalogue: Sequence[Indicator] = ()) -> list[Indicator]:
    """The indicators a resolution's rows are matched against: the folder's own, then
    those of ``catalogue`` it lacks; without the yes/no indicators that only criteria sets'
    conditions use ("Đạt tiêu chí Quy hoạch"): a criterion met is evaluated, never set by
    a resolution. A measure a criterion also uses (the income per head) stays, as does one
    a target of the folder uses."""
    targeted = set(definitions.targets.get_column("indicator").to_list()) \
        if "indicator" in definitions.targets.columns else set()
    conditioned = {c.indicator for cset in definitions.criteria_sets
                   for criterion in cset.criteria for c in criterion.conditions
                   if c.indicator} - targeted
    have = {i.code for i in definitions.indicators}
    return [*(i for i in definitions.indicators
              if i.code not in conditioned or i.type is not ValueType.YESNO),
            *(i for i in catalogue if i.code not in have)]


def read_resolution(data: bytes, file: str, indicators: Sequence[Indicator],
                    chosen: Mapping[int, str] | None = None) -> Resolution:
    """The target table of the resolution ``data`` (a ``.docx`` or ``.xlsx`` named
    ``file``), every row understood against ``indicators``."""
    rows = read_rows(data, file)
    return Resolution(file, tuple(understand(rows, indicators, chosen)))


def group_code(text: str) -> str:
    """A target group's code from a document's number or a file's name: "Nghị quyết số
    11/NQ-HĐND" → "nghi-quyet-so-11-nq-hdnd"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60].strip("-") or "nghi-quyet"


def missing_indicators(resolution: Resolution, candidates: Sequence[Indicator],
                       have: set[str]) -> list[Indicator]:
    """The indicators of ``candidates`` that the rows understood need and a folder holding
    ``have`` lacks: those matched, and those they are computed from (numerator,
    denominator, weight, components), in the candidates' order."""
    by_code = {i.code: i for i in candidates}
    wanted = [r.code for r in resolution.matched if r.code]
    needed: set[str] = set()
    while wanted:
        code = wanted.pop()
        if code in needed or code in have or code not in by_code:
            continue
        needed.add(code)
        indicator = by_code[code]
        wanted += [c for c in (indicator.numerator, indicator.denominator, indicator.weight,
                               *indicator.components) if c]
    return [i for i in candidates if i.code in needed]


def _said(part: str, wording: str) -> bool:
    """Whether a note's part ("khoảng", "1–1,5") is already in a row's wording ("Khoảng
    24,96", "Giảm 1 - 1,5"): accents, case, spaces and dashes aside."""
    def bare(text: str) -> str:
        return re.sub(r"[\s\-–—]+", "", fold(text))
    return bare(part) in bare(wording)


def group_document(resolution: Resolution, *, unit: str, period: str, name: str,
                   issuer: str | None, document: str | None,
                   indicators: Sequence[Indicator] = (),
                   code: str | None = None) -> dict[str, Any]:
    """A definition file's content (``groups:`` with one group of the rows understood, its
    code ``code`` or one from the document or name, and ``indicators:`` for
    ``indicators``, those matched that the folder lacks), ready for YAML. Each target keeps
    its row's place and wording as its note."""
    targets = []
    for understood in resolution.matched:
        fields = dict(understood.fields or {})
        wording = f"{understood.row.name}: {understood.row.value}"
        said = [part for part in (fields.get("note") or "").split("; ")
                if part and not _said(part, wording)]
        fields["note"] = "; ".join([wording, *said])
        if "within" in fields:
            fields["within"] = list(fields["within"])
        targets.append(fields)
    group: dict[str, Any] = {"code": code or group_code(document or name), "name": name,
                             "unit": unit, "period": period}
    group.update({k: v for k, v in (("issuer", issuer), ("document", document)) if v})
    group["targets"] = targets
    content: dict[str, Any] = {"groups": [group]}
    if indicators:
        content["indicators"] = [i.model_dump(mode="json", exclude_unset=True)
                                 for i in indicators]
    return content


# ---------------------------------------------------------------------- the tables

_NAME = re.compile(r"^(chi tieu|noi dung|ten chi tieu|danh muc|cac chi tieu)")
_UNIT = re.compile(r"^(don vi tinh|don vi|dvt)\b")
_PLAN = re.compile(r"ke hoach|muc tieu|nghi quyet|chi tieu nam|nam \d{4}|giai doan|"
                   r"phan dau|^\d{4}$")
_SEQ = re.compile(r"^(tt|stt|so tt|so thu tu)$")
_NOT_PLAN = re.compile(r"ghi chu|thuc hien|\buoc\b|so sanh|so voi")  # notes, estimates
_NUMBERED = re.compile(r"^\s*((?:[IVX]+|\d+(?:\.\d+)*|[a-zđ])[.)]|[-+–•*])\s+", re.IGNORECASE)


@dataclass(frozen=True)
class _Columns:
    name: int
    value: int
    unit: int | None
    seq: int | None


def _header(cells: Sequence[str], below: Sequence[str] = ()) -> _Columns | None:
    """The columns a header row names; ``below``: the sub-header under it (a header on two
    rows, "Kế hoạch năm 2026" merged over "Chỉ tiêu | Ghi chú"), each column then named by
    both. The value column is the last plan column that is not a note or an estimate."""
    own = [fold(below[i]) if i < len(below) and below[i] else fold(c)
           for i, c in enumerate(cells)]
    folded = [fold(c) if not own[i] or own[i] == fold(c) else f"{fold(c)} {own[i]}"
              for i, c in enumerate(cells)]
    name = next((i for i, c in enumerate(folded) if _NAME.match(c)), None)
    unit = next((i for i, c in enumerate(folded) if _UNIT.match(c)), None)
    values = [i for i, c in enumerate(folded)
              if i not in (name, unit) and _PLAN.search(c) and not _SEQ.match(c)
              and not _NOT_PLAN.search(own[i])]
    if name is None or (unit is None and not values):
        return None
    preferred = [i for i in values if re.search(r"ke hoach|muc tieu|nghi quyet", folded[i])]
    if not (preferred or values):
        return None
    value = (preferred or values)[-1]
    seq = next((i for i, c in enumerate(folded) if _SEQ.match(c)), None)
    return _Columns(name, value, unit, seq)


def read_rows(data: bytes, file: str) -> list[Row]:
    """The rows of the first target table of ``data`` (``.docx`` or ``.xlsx``); raises
    :class:`ProblemError` (``too-large``, ``unsafe-xml``, ``unreadable-file``,
    ``resolution-table``)."""
    name = PurePath(file).name
    if len(data) > MAX_BYTES:
        raise ProblemError([Problem.located(
            name, "too-large", f"the file is larger than {MAX_BYTES // MB} MB",
            f"tệp lớn hơn {MAX_BYTES // MB} MB")])
    kind = _kind(data, name)
    try:
        inspect(data, name, _LIMITS)  # sizes, zip bombs, DTDs: before anything is parsed
    except ProblemError as error:
        raise ProblemError([_as_resolution(p) for p in error.problems]) from None
    tables = _docx_tables(data, name) if kind == "docx" else _xlsx_tables(data, name)
    for places, cells in tables:
        rows = _table_rows(places, cells)
        if rows is not None:
            return rows
    raise ProblemError([Problem.located(
        name, "resolution-table",
        "no table of targets found: the table needs a header row with 'Chỉ tiêu' and 'Đơn vị "
        "tính' (or 'ĐVT') or 'Kế hoạch'/'Mục tiêu'/'Năm …'; add one and import again",
        "không tìm thấy bảng chỉ tiêu: bảng cần một dòng tiêu đề có cột 'Chỉ tiêu' và cột "
        "'Đơn vị tính' (hoặc 'ĐVT') hay 'Kế hoạch'/'Mục tiêu'/'Năm …'; thêm dòng tiêu đề "
        "rồi nhập lại")])


_GUARD_WORDS = {
    "too-large": ("the file unpacks to more than a resolution's document does, or holds more "
                  "rows or cells than the import reads; save the target table alone as .docx "
                  "or .xlsx and import it again",
                  "tệp khi giải nén lớn hơn, hoặc có nhiều dòng, ô hơn mức phần mềm đọc cho một "
                  "nghị quyết; lưu riêng bảng chỉ tiêu thành .docx hoặc .xlsx rồi nhập lại"),
    "unsafe-xml": ("the file contains an XML DTD/entity declaration, which is not read; open it "
                   "in Word or Excel, save it again and import it",
                   "tệp chứa khai báo DTD/thực thể XML, phần mềm không đọc; mở tệp bằng Word "
                   "hoặc Excel, lưu lại rồi nhập lại"),
}


def _as_resolution(problem: Problem) -> Problem:
    """A refusal of the upload guard, in the words of a resolution's import (the guard's are
    an Excel template's)."""
    words = _GUARD_WORDS.get(problem.code)
    if words is None:
        return problem
    return replace(problem, message=words[0], message_vi=words[1])


def _kind(data: bytes, name: str) -> str:
    unreadable = ProblemError([Problem.located(
        name, "unreadable-file", "the file is not a Word document (.docx) or an Excel "
        "workbook (.xlsx); save the resolution as .docx or .xlsx and import it again",
        "tệp không phải văn bản Word (.docx) hay bảng tính Excel (.xlsx); lưu nghị quyết "
        "dưới dạng .docx hoặc .xlsx rồi nhập lại")])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise unreadable from None
    if _DOCX in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    raise unreadable


Table = tuple[list[list[str]], list[list[str]]]  # places and texts, row by row


def _docx_tables(data: bytes, name: str) -> list[Table]:
    import docx  # python-docx, imported once the guard passed

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 — python-docx raises many kinds on a damaged file
        raise ProblemError([Problem.located(
            name, "unreadable-file", "the Word document is damaged; open it in Word, save it "
            "and import it again", "văn bản Word bị hỏng; mở bằng Word, lưu lại rồi nhập "
            "lại")]) from None
    tables: list[Table] = []
    for t, table in enumerate(document.tables, start=1):
        places, texts = [], []
        for r, row in enumerate(table.rows[:MAX_ROWS], start=1):
            cells = [" ".join(c.text.split()) for c in row.cells]
            texts.append(cells)
            places.append([f"{name}, bảng {t}, dòng {r}"] * len(cells))
        tables.append((places, texts))
    return tables


def _xlsx_tables(data: bytes, name: str) -> list[Table]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables: list[Table] = []
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()
            places, texts = [], []
            for r, row in enumerate(sheet.iter_rows(max_col=_LIMITS.columns,
                                                    values_only=True), start=1):
                if r > MAX_ROWS:
                    break
                texts.append(["" if v is None else " ".join(str(v).split()) for v in row])
                places.append([f"{name}, {quote_sheetname(sheet.title)}!"
                               f"{get_column_letter(c)}{r}" for c in range(1, len(row) + 1)])
            tables.append((places, texts))
    finally:
        book.close()
    return tables


def _table_rows(places: list[list[str]], texts: list[list[str]]) -> list[Row] | None:
    """The target rows of a table, from its header row on; None when no row of its first
    ten is a header."""
    for h, cells in enumerate(texts[:10]):
        below = texts[h + 1] if h + 1 < len(texts) else []
        columns = _header(_spread(cells, below), below) if _sub_header(below, cells) \
            else None
        if columns is not None:
            return _rows_under(places[h + 2:], texts[h + 2:], columns)
        columns = _header(cells)
        if columns is not None:
            return _rows_under(places[h + 1:], texts[h + 1:], columns)
    return None


def _sub_header(cells: Sequence[str], header: Sequence[str]) -> bool:
    """Whether ``cells`` are the second row of the header row ``header``: no target's name
    (the cell under the header's "Chỉ tiêu" empty, or that one merged down), and some cell
    of their own that is not a column number ("Chỉ tiêu | Ghi chú", "Năm 2025 | Năm
    2026")."""
    name = next((i for i, c in enumerate(header) if _NAME.match(fold(c))), None)
    if name is None or _cell(list(cells), name) not in ("", header[name]):
        return False
    return any(c and (i >= len(header) or c != header[i])
               and not re.fullmatch(r"\(?\d+\)?", c) for i, c in enumerate(cells))


def _spread(header: Sequence[str], below: Sequence[str]) -> list[str]:
    """A header row with a cell merged across columns written in each of them (a workbook
    keeps its text in the first only): an empty cell over a sub-header's cell takes the
    text on its left."""
    spread: list[str] = []
    for i in range(max(len(header), len(below))):
        text = header[i] if i < len(header) else ""
        if not text and i < len(below) and below[i] and spread:
            text = spread[-1]
        spread.append(text)
    return spread


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _rows_under(places: list[list[str]], texts: list[list[str]],
                columns: _Columns) -> list[Row]:
    rows: list[Row] = []
    section: str | None = None
    for row_places, cells in zip(places, texts, strict=True):
        name, value = _cell(cells, columns.name), _cell(cells, columns.value)
        unit, seq = _cell(cells, columns.unit), _cell(cells, columns.seq)
        if value == name:  # a merged section row repeats its text across the row
            value = ""
        if unit == name:
            unit = ""
        numbered = _NUMBERED.match(name)
        if numbered:
            seq, name = seq or numbered.group(1), name[numbered.end():]
        name = name.strip()
        if not name or re.fullmatch(r"\(?\d+\)?", fold(name)):  # a row of column numbers
            continue
        if not value and not unit:
            section = name
            continue
        place = row_places[columns.name] if columns.name < len(row_places) else row_places[0]
        rows.append(Row(place, seq, name, unit or None, value or None, section))
    return rows
