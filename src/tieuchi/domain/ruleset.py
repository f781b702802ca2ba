"""The domain's rules, each written once and used by the loader, the store, the importers
and the API alike.

- a figure's value against its indicator (:func:`figure_problems`): finite and less than
  10^15 in absolute value (:data:`MAGNITUDE`); a yes/no figure is 1 or 0; within the
  indicator's range (:func:`value_range`: its ``min`` and ``max``, else 0 to 100 for a
  percentage, 0 or more for any other number); a count is a whole number;
- free text (:func:`text_problems`, :func:`checked_text`): at most :data:`TEXT_LIMITS`
  characters for its kind, no control character (line breaks only in the multi-line kinds
  :data:`MULTILINE`), in Unicode NFC (:func:`normal_text`);
- a period allowed for an indicator (:func:`too_fine`): not finer than its frequency;
- a target's values (:func:`target_problems`): finite numbers less than 10^15 in absolute
  value, the threshold and baseline within the indicator's range; its text fields as
  free text; a comparator or a relative
  target, not both; a yes/no target 1 or 0; a range whose upper value is not below its
  lower one; a baseline only with a relative target; a comparator that fits the indicator;
- yes/no truth (:func:`is_yes`, :func:`yes`): a yes/no value counts as yes from 0.5;
- the best vintage (:func:`best_vintage`): the most final vintage, then the latest recorded.

Checks over many rows are column-wise (Polars). Each problem is a row with a stable ``code``,
the ``index`` of the row it belongs to and its ``field``; :data:`~tieuchi.domain.problems.CATALOGUE`
holds the English and Vietnamese template of every code, and :func:`problem_of` makes the
:class:`~tieuchi.domain.problems.Problem` of a problem row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, problem
from tieuchi.domain.status import Comparator, Vintage
from tieuchi.domain.targets import AllocationRule, Relative

__all__ = [
    "CONTROL", "CONTROL_COLUMN", "MAGNITUDE", "MULTILINE", "PROBLEM_SCHEMA", "TARGET_NUMBERS",
    "TARGET_TEXTS", "TEXT_LIMITS", "VINTAGE_RANK", "YES_FROM",
    "best_vintage", "canonical_periods", "checked_text", "figure_problems", "is_yes",
    "normal_targets", "normal_text", "number_problems", "problem_of", "range_problems",
    "target_problems", "text_problem", "text_problems", "too_fine", "value_range", "yes",
]

YES_FROM = 0.5
"""A yes/no value counts as yes from this value on (1 is yes, 0 is no)."""

VINTAGE_RANK: dict[str, int] = {v.value: v.rank for v in Vintage}
"""How final each vintage is: a higher rank replaces a lower one."""

TARGET_NUMBERS = ("value", "value_high", "relative_value", "baseline_value", "tolerance")
"""The numeric fields of a target row (``TARGET_SCHEMA``)."""

TARGET_TEXTS = ("key", "issuer", "document", "name")
"""The free-text fields of a target row (``TARGET_SCHEMA``), each its own kind of text."""

MAGNITUDE = 1e15
"""Every value and target is less than this in absolute value (a budget in đồng stays far
below it; 1e308 does not)."""

TEXT_LIMITS: dict[str, int] = {
    "source": 500, "note": 2000, "reason": 2000, "comment": 4000, "key": 200,
    "name": 300, "issuer": 300, "document": 500, "title": 300, "full_name": 200,
    "token": 100, "narrative": 20000,
}
"""The most characters each kind of free text holds: a figure's source and note, the reason
of a change (kept in the audit log), a draft's comment, a target's key, name, issuer and
document, a draft's title, a user's full name, an API token's name, a part of a report's
narrative (:mod:`tieuchi.domain.narrative`). docs/api.md lists them."""

MULTILINE = frozenset({"note", "reason", "comment", "narrative"})
"""The kinds of text that may hold line breaks and tabs."""

_CONTROL_LINE = r"\x00-\x1f\x7f-\x9f"
_CONTROL_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_SURROGATES = r"\ud800-\udfff"
CONTROL = re.compile(f"[{_CONTROL_TEXT}{_SURROGATES}]")
"""Control characters no text keeps (C0 but tab and line breaks, DEL, C1) and lone
surrogates: the cell writers of the exports remove them from text stored before the rule."""
CONTROL_COLUMN = f"[{_CONTROL_TEXT}]"
""":data:`CONTROL` for a Polars regular expression (a Polars string holds no surrogate)."""

_TEXT_LABELS = {
    "source": ("the source", "nguồn số liệu"), "note": ("the note", "ghi chú"),
    "reason": ("the reason", "lý do"), "comment": ("the comment", "nội dung góp ý"),
    "key": ("the key", "mã chỉ tiêu giao"), "name": ("the name", "tên"),
    "issuer": ("the issuer", "cơ quan giao"), "document": ("the document", "văn bản giao"),
    "title": ("the title", "tiêu đề"), "full_name": ("the full name", "họ và tên"),
    "token": ("the token's name", "tên mã truy cập"),
    "narrative": ("the text", "nội dung"),
}

PROBLEM_SCHEMA: dict[str, Any] = {"index": pl.Int64, "field": pl.String, "code": pl.String}

_KIND_VI = {"month": "tháng", "quarter": "quý", "half": "nửa năm", "ytd": "lũy kế",
            "year": "năm", "multi_year": "giai đoạn nhiều năm"}
_TYPE_VI = {"number": "số", "percent": "tỷ lệ phần trăm", "yesno": "có/không",
            "count": "số lượng"}

_FIX = {
    "yesno": ("its target is 'yes: true' (comparator yes, value 1)",
              "chỉ tiêu có/không giao bằng 'yes: true' (so sánh yes, giá trị 1)"),
    "other": ("'yes' is for yes/no indicators — use at_least, at_most, equal or within",
              "'yes' chỉ dùng cho chỉ tiêu có/không — dùng at_least, at_most, equal hoặc "
              "within"),
}


# ---------------------------------------------------------------------- truth and vintage


def is_yes(value: float) -> bool:
    """Whether a yes/no value counts as yes."""
    return value >= YES_FROM


def yes(value: pl.Expr) -> pl.Expr:
    """:func:`is_yes`, column-wise."""
    return value >= YES_FROM


def best_vintage(frame: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """One row per ``key``: the most final vintage (``vintage_rank``), then the latest
    recorded (``recorded_at``; a figure without a date comes after a dated one)."""
    order = [c for c in ("vintage_rank", "recorded_at") if c in frame.columns]
    return frame.sort(order, descending=True, nulls_last=True).unique(list(key), keep="first")


# ---------------------------------------------------------------------- messages


def problem_of(row: Mapping[str, Any]) -> Problem:
    """The :class:`~tieuchi.domain.problems.Problem` of a problem row (the checked row's
    columns with the problem's ``code``, ``field`` and ``index``): its message is the
    catalogue's template for the code, filled from the row."""
    return problem(row["code"], row, field=row.get("field"), index=row.get("index"))


# ---------------------------------------------------------------------- periods


def canonical_periods(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The codes of ``column`` in their one written form (:meth:`Period.canonical`), each
    distinct code read once."""
    codes = frame.get_column(column).drop_nulls().unique().to_list()
    return pl.col(column).replace({c: Period.canonical(c) for c in codes})


def too_fine(period: Period, indicator: Indicator) -> bool:
    """Whether ``period`` is finer than ``indicator`` is collected for."""
    return period.kind.granularity < indicator.frequency.granularity


def _period_problems(frame: pl.DataFrame, column: str,
                     indicators: Mapping[str, Indicator] | None) -> pl.DataFrame:
    """``invalid-period`` for unreadable codes of ``column``; ``period-too-fine`` for those
    finer than their indicator (when ``indicators`` are given)."""
    codes = frame.get_column(column).drop_nulls().unique().to_list()
    parsed: dict[str, Period | None] = {}
    for code in codes:
        try:
            parsed[code] = Period.parse(code)
        except PeriodError:
            parsed[code] = None
    bad = [c for c, p in parsed.items() if p is None]
    found = [frame.filter(pl.col(column).is_in(bad)).with_columns(
        pl.lit("invalid-period").alias("code"), pl.col(column).alias("period"))]
    if indicators and column == "period":
        grain = {c: p.kind.granularity for c, p in parsed.items() if p is not None}
        finest = {c: i.frequency.granularity for c, i in indicators.items()}
        frequency = {c: i.frequency.value for c, i in indicators.items()}
        found.append(frame.filter(
            pl.col("period").replace_strict(grain, default=None, return_dtype=pl.Int64)
            < pl.col("indicator").replace_strict(finest, default=None, return_dtype=pl.Int64)
        ).with_columns(pl.lit("period-too-fine").alias("code"),
                       pl.col("indicator").replace_strict(frequency, default=None)
                       .alias("frequency")).with_columns(
            pl.col("frequency").replace_strict(_KIND_VI).alias("frequency_vi")))
    return _stack(found, column)


def _stack(frames: Sequence[pl.DataFrame], field: str) -> pl.DataFrame:
    frames = [f.with_columns(pl.lit(field).alias("field")) for f in frames if f.height]
    return pl.concat(frames, how="diagonal_relaxed") if frames else _none()


def _none() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def _indexed(frame: pl.DataFrame) -> pl.DataFrame:
    return frame if "index" in frame.columns else frame.with_row_index("index").with_columns(
        pl.col("index").cast(pl.Int64))


def _types(indicators: Mapping[str, Indicator]) -> pl.Expr:
    return pl.col("indicator").replace_strict(
        {c: i.type.value for c, i in indicators.items()}, default=None, return_dtype=pl.String)


def _finish(found: Sequence[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in found if f.height]
    if not frames:
        return _none()
    return pl.concat(frames, how="diagonal_relaxed").sort("index", "field", maintain_order=True)


# ---------------------------------------------------------------------- free text


def normal_text(value: str | None) -> str | None:
    """Text as it is kept: Unicode NFC (a name typed on a Mac is decomposed), Windows line
    breaks as "\\n", trimmed; None for nothing but spaces."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    return text or None


def _text_kind(field: str, kind: str | None) -> str:
    found = kind or field
    if found not in TEXT_LIMITS:
        raise ValueError(f"no text limit for {found!r}")
    return found


def _text_details(kind: str, field: str, text: str, bad: str | None) -> dict[str, Any]:
    label, label_vi = _TEXT_LABELS[kind]
    return {"field": field, "label": label, "label_vi": label_vi, "limit": TEXT_LIMITS[kind],
            "length": len(text), "character": f"U+{ord(bad):04X}" if bad else ""}


def text_problem(kind: str, value: str | None, *, field: str | None = None,
                 index: int | None = None) -> Problem | None:
    """The problem of one text of ``kind`` (a key of :data:`TEXT_LIMITS`), given as
    ``field`` of a request (default: the kind): ``control-character`` (a lone surrogate
    too), or ``text-too-long``; None when it is fine."""
    kind = _text_kind(field or kind, kind)
    if value is None:
        return None
    allowed = _CONTROL_TEXT if kind in MULTILINE else _CONTROL_LINE
    bad = re.search(f"[{allowed}{_SURROGATES}]", value)
    code = ("control-character" if bad else
            "text-too-long" if len(value) > TEXT_LIMITS[kind] else None)
    if code is None:
        return None
    details = _text_details(kind, field or kind, value, bad.group() if bad else None)
    return problem(code, details, field=field or kind, index=index)


def checked_text(kind: str, value: str | None, *, field: str | None = None) -> str | None:
    """``value`` as it is kept (:func:`normal_text`), once :func:`text_problem` finds
    nothing wrong with it; else raises :class:`ProblemError`. Its length is counted in
    composed characters (NFC): a name typed decomposed, as a Mac does, is not three times
    longer."""
    composed = None if value is None else unicodedata.normalize("NFC", value)
    found = text_problem(kind, composed, field=field)
    if found is not None:
        raise ProblemError([found])
    return normal_text(composed)


def text_problems(frame: pl.DataFrame, columns: Mapping[str, str] | Sequence[str],
                  ) -> pl.DataFrame:
    """:func:`text_problem`, column-wise: the problems of the text ``columns`` of ``frame``
    (a sequence of column names, each its own kind, or a mapping of column to kind); absent
    columns are skipped. One row per problem, with ``field`` and ``code``."""
    kinds = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    frame = _indexed(frame)
    found = []
    for column, kind in kinds.items():
        if column not in frame.columns:
            continue
        kind = _text_kind(column, kind)
        text = pl.col(column)
        allowed = _CONTROL_TEXT if kind in MULTILINE else _CONTROL_LINE
        bad = text.str.extract(f"([{allowed}])", 1)
        rows = frame.with_columns(bad.alias("_bad"), text.str.len_chars().alias("length"),
                                  ).filter(pl.col("_bad").is_not_null()
                                           | (pl.col("length") > TEXT_LIMITS[kind]))
        if not rows.height:
            continue
        label, label_vi = _TEXT_LABELS[kind]
        characters = {c: f"U+{ord(c):04X}" for c in rows.get_column("_bad").drop_nulls()
                      .unique().to_list()}
        found.append(rows.with_columns(
            pl.when(pl.col("_bad").is_not_null()).then(pl.lit("control-character"))
            .otherwise(pl.lit("text-too-long")).alias("code"),
            pl.col("_bad").replace_strict(characters, default="").alias("character"),
            pl.lit(label).alias("label"), pl.lit(label_vi).alias("label_vi"),
            pl.lit(TEXT_LIMITS[kind]).alias("limit"), pl.lit(column).alias("field"),
        ).drop("_bad"))
    return _finish(found)


# ---------------------------------------------------------------------- ranges


def value_range(indicator: Indicator) -> tuple[float | None, float | None]:
    """The lowest and highest value of ``indicator`` (None: no bound): its ``min`` and
    ``max`` when it declares them, else 0 to 1 for yes/no, 0 to 100 for a percentage, 0 or
    more for a count or another number (negatives only where the indicator declares them:
    a change, a balance)."""
    low = indicator.min if indicator.min is not None else 0.0
    high = indicator.max if indicator.max is not None else {
        ValueType.PERCENT: 100.0, ValueType.YESNO: 1.0}.get(indicator.type)
    return low, high


def _range_text(low: float | None, high: float | None) -> tuple[str, str]:
    def shown(x: float) -> str:
        return f"{x:g}"

    if low is not None and high is not None:
        return f"from {shown(low)} to {shown(high)}", f"từ {shown(low)} đến {shown(high)}"
    if low is not None:
        return f"{shown(low)} or more", f"từ {shown(low)} trở lên"
    if high is not None:
        return f"at most {shown(high)}", f"không quá {shown(high)}"
    return "any number", "số bất kỳ"


_RANGE_FIX = {
    "declared": ("check the value, or the indicator's min and max in its definition",
                 "kiểm tra lại số liệu, hoặc min, max trong định nghĩa chỉ tiêu"),
    "default": ("if it can be below 0 (a change, a balance), declare 'min' on the indicator",
                "nếu chỉ tiêu có thể âm (mức tăng giảm, số dư), khai báo 'min' cho chỉ tiêu"),
}


def range_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator],
                   columns: Sequence[str] = ("value",)) -> pl.DataFrame:
    """The numbers of ``columns`` (values in the unit of the row's ``indicator``) outside
    its :func:`value_range`: ``percent-range`` for a percentage without declared bounds,
    ``count-value`` for a count below 0 without them, ``value-range`` otherwise (with the
    range and the fix). Null, non-finite and too large numbers and yes/no indicators are
    left to their own checks. One row per problem, with ``field`` and ``code``."""
    frame = _indexed(frame)
    bounds = {c: value_range(i) for c, i in indicators.items()
              if i.type is not ValueType.YESNO}
    if not bounds:
        return _none()
    declared = {c for c, i in indicators.items() if i.min is not None or i.max is not None}
    texts = {c: _range_text(*b) for c, b in bounds.items()}
    code_of = {c: "value-range" if c in declared else {
        ValueType.PERCENT: "percent-range", ValueType.COUNT: "count-value"}.get(
        indicators[c].type, "value-range") for c in bounds}
    fix = {c: _RANGE_FIX["declared" if c in declared else "default"] for c in bounds}
    indicator = pl.col("indicator")

    def of(mapping: Mapping[str, Any], dtype: Any) -> pl.Expr:
        return indicator.replace_strict(mapping, default=None, return_dtype=dtype)

    low = of({c: b[0] for c, b in bounds.items()}, pl.Float64)
    high = of({c: b[1] for c, b in bounds.items()}, pl.Float64)
    found = []
    for column in columns:
        value = pl.col(column)
        outside = value.is_finite() & (value.abs() < MAGNITUDE) & (
            (value < low).fill_null(False) | (value > high).fill_null(False))
        found.append(_stack([frame.filter(outside).with_columns(
            of(code_of, pl.String).alias("code"), value.alias("value"),
            of({c: t[0] for c, t in texts.items()}, pl.String).alias("range"),
            of({c: t[1] for c, t in texts.items()}, pl.String).alias("range_vi"),
            of({c: f[0] for c, f in fix.items()}, pl.String).alias("fix"),
            of({c: f[1] for c, f in fix.items()}, pl.String).alias("fix_vi"))], column))
    return _finish(found)


def number_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator],
                    columns: Sequence[str] = ("value",)) -> pl.DataFrame:
    """The numbers of ``columns`` (in the unit of the row's ``indicator``) that no value of
    it can be: ``invalid-value`` when not finite, ``value-too-large`` from :data:`MAGNITUDE`,
    else outside its range (:func:`range_problems`)."""
    frame = _indexed(frame)
    return _finish([_invalid_problems(frame, columns), _magnitude_problems(frame, columns),
                    range_problems(frame, indicators, columns)])


def _invalid_problems(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``invalid-value`` for the numbers of ``columns`` that are NaN or infinite."""
    return _finish([_stack([frame.filter(~pl.col(c).is_finite()).with_columns(
        pl.lit("invalid-value").alias("code"), pl.col(c).alias("value"))], c)
        for c in columns])


def _magnitude_problems(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``value-too-large`` for finite numbers of ``columns`` of :data:`MAGNITUDE` or more."""
    return _finish([_stack([frame.filter(
        pl.col(c).is_finite() & (pl.col(c).abs() >= MAGNITUDE)).with_columns(
        pl.lit("value-too-large").alias("code"), pl.col(c).alias("value"))], c)
        for c in columns])


# ---------------------------------------------------------------------- figures


def figure_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """The problems of figures: ``frame`` has ``indicator``, ``period`` and ``value``
    columns (an ``index`` is added unless it has one); figures of indicators not in
    ``indicators`` are left to the check that reports unknown codes, a null value (a
    deletion) passes; the ``source`` and ``note`` columns, when there are, are free text.
    One row per problem: the figure's columns with ``field`` and ``code``.
    """
    frame = _indexed(frame)
    value, kind = pl.col("value"), _types(indicators)
    code = (
        pl.when(value.is_null()).then(None)
        .when(~value.is_finite()).then(pl.lit("invalid-value"))
        .when((kind == ValueType.YESNO.value) & ~value.is_in([0.0, 1.0]))
        .then(pl.lit("yesno-value"))
        .when((kind == ValueType.COUNT.value) & (value != value.floor())
              & (value.abs() < MAGNITUDE))
        .then(pl.lit("count-value"))
    )
    values = frame.with_columns(code.alias("code")).filter(pl.col("code").is_not_null())
    ranged = range_problems(frame.filter(~pl.col("index").is_in(values.get_column("index")
                                                                 .implode())), indicators)
    return _finish([_stack([values], "value"), ranged, _magnitude_problems(frame, ["value"]),
                    _period_problems(frame, "period", indicators),
                    text_problems(frame, ("source", "note"))])


# ---------------------------------------------------------------------- targets


def normal_targets(frame: pl.DataFrame) -> pl.DataFrame:
    """Target rows (``TARGET_SCHEMA``) in their one form: canonical period codes, text as
    :func:`normal_text` keeps it, a ``yes`` target without a value asks for yes (1), no
    tolerance is 0."""
    frame = frame.with_columns(canonical_periods(frame, c) for c in ("period", "baseline"))
    return frame.with_columns(
        *(pl.col(c).str.replace_all("\r\n", "\n").str.normalize("NFC").str.strip_chars()
          .replace("", None) for c in TARGET_TEXTS),
        pl.when((pl.col("comparator") == Comparator.YES.value) & pl.col("value").is_null())
        .then(1.0).otherwise(pl.col("value")).alias("value"),
        pl.col("tolerance").fill_null(0.0),
    )


def target_problems(frame: pl.DataFrame,
                    indicators: Mapping[str, Indicator] | None = None) -> pl.DataFrame:
    """The problems of target rows (``TARGET_SCHEMA``, after :func:`normal_targets`); with
    ``indicators``, also whether each target fits its indicator (comparator and period) and
    its threshold and baseline are within the indicator's range. One row per problem: the
    target's columns with ``field``, ``code`` and the ``index`` of its row."""
    frame = _indexed(frame)
    found = [_invalid_problems(frame, TARGET_NUMBERS), _magnitude_problems(frame, TARGET_NUMBERS),
             text_problems(frame, TARGET_TEXTS)]
    frame = frame.filter(pl.all_horizontal(
        (pl.col(c).is_finite() & (pl.col(c).abs() < MAGNITUDE)).fill_null(True)
        for c in TARGET_NUMBERS))
    found += [_kind_problems(frame), _period_problems(frame, "period", indicators),
              _period_problems(frame, "baseline", None)]
    if indicators:
        found += [_fit_problems(frame, indicators),
                  range_problems(frame.filter(pl.col("relative").is_null()), indicators,
                                 ("value", "value_high")),
                  range_problems(frame, indicators, ("baseline_value",))]
    return _finish(found)


def _bad_allocation() -> pl.Expr:
    """A target's allocation rule that is none of :class:`AllocationRule`, or given to a
    target that cannot be split among the units below (a relative target, a range, a yes)."""
    rule = pl.col("allocation")
    splittable = pl.col("relative").is_null() & pl.col("comparator").is_in(
        [Comparator.AT_LEAST.value, Comparator.AT_MOST.value, Comparator.EQUAL.value])
    return (rule.is_not_null() & (~rule.is_in([r.value for r in AllocationRule])
                                  | ~splittable.fill_null(False)))


def _kind_problems(frame: pl.DataFrame) -> pl.DataFrame:
    comparator, relative = pl.col("comparator"), pl.col("relative")
    value, high = pl.col("value"), pl.col("value_high")
    known = (comparator.is_in([c.value for c in Comparator]).fill_null(False)
             ^ relative.is_in([r.value for r in Relative]).fill_null(False))
    unknown = (comparator.is_not_null() & ~comparator.is_in([c.value for c in Comparator])) | (
        relative.is_not_null() & ~relative.is_in([r.value for r in Relative]))
    kind = frame.filter(~known | unknown)
    frame = frame.filter(known & ~unknown)
    within = comparator == Comparator.WITHIN.value
    yesno = comparator == Comparator.YES.value
    checks = [
        ("comparator", [kind.with_columns(pl.lit("target-kind").alias("code"))]),
        ("value", [
            frame.filter(comparator.is_not_null() & value.is_null()).with_columns(
                pl.lit("missing-value").alias("code")),
            frame.filter(yesno & ~value.is_in([0.0, 1.0])).with_columns(
                pl.lit("yesno-value").alias("code")),
        ]),
        ("value_high", [
            frame.filter(within & high.is_null()).with_columns(
                pl.lit("missing-value-high").alias("code")),
            frame.filter(within & (high < value)).with_columns(
                pl.lit("range-order").alias("code")),
        ]),
        ("relative_value", [
            frame.filter(relative.is_not_null() & pl.col("relative_value").is_null())
            .with_columns(pl.lit("missing-value").alias("code"))]),
        ("baseline", [
            frame.filter(relative.is_null() & (pl.col("baseline").is_not_null()
                                               | pl.col("baseline_value").is_not_null()))
            .with_columns(pl.lit("baseline-without-relative").alias("code"))]),
        ("tolerance", [frame.filter(pl.col("tolerance") < 0).with_columns(
            pl.lit("negative-tolerance").alias("code"))]),
        ("allocation", [frame.filter(_bad_allocation()).with_columns(
            pl.lit("allocation-rule").alias("code"))] if "allocation" in frame.columns else []),
    ]
    return pl.concat([_stack(found, field) for field, found in checks],
                     how="diagonal_relaxed")


def _fit_problems(frame: pl.DataFrame, indicators: Mapping[str, Indicator]) -> pl.DataFrame:
    """A yes/no indicator's target is ``yes`` (or ``equal``) with 1 or 0; ``yes`` is for
    yes/no indicators only."""
    kind, comparator = _types(indicators), pl.col("comparator")
    yesno = kind == ValueType.YESNO.value
    answer = comparator.is_in([Comparator.YES.value, Comparator.EQUAL.value]).fill_null(False)
    wrong = frame.with_columns(kind.alias("type")).filter(
        (yesno & (~answer | pl.col("relative").is_not_null()))
        | (~yesno & kind.is_not_null() & (comparator == Comparator.YES.value)))
    fixes = {"yesno": _FIX["yesno"], **{t.value: _FIX["other"] for t in ValueType
                                        if t is not ValueType.YESNO}}
    wrong = wrong.with_columns(
        pl.col("type").replace_strict({k: v[0] for k, v in fixes.items()}).alias("fix"),
        pl.col("type").replace_strict({k: v[1] for k, v in fixes.items()}).alias("fix_vi"),
        pl.col("type").replace_strict(_TYPE_VI).alias("type_vi"),
        pl.col("type").str.replace("yesno", "yes/no").alias("type_en"),
        pl.lit("target-comparator").alias("code"))
    values = frame.filter(yesno & (comparator == Comparator.EQUAL.value)
                          & ~pl.col("value").is_in([0.0, 1.0])).with_columns(
        pl.lit("yesno-value").alias("code"))
    return pl.concat([_stack([wrong], "comparator"), _stack([values], "value")],
                     how="diagonal_relaxed")
