"""Reading one value the way people write it in a spreadsheet cell.

Numbers are Vietnamese ("1.234,5"), text is normalised to Unicode NFC (a name typed on a Mac
may come in decomposed form, NFD), a value may carry its unit of measure ("12 tỷ đồng"), which
must be the indicator's, and a yes/no value is Đạt, Chưa đạt, 1 or 0.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time

from tieuchi.domain.indicators import Indicator, ValueType
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.reports.formatting import number, parse_number

__all__ = ["clean", "same_text", "read_value", "yesno_text", "goi_y", "conversion", "YES",
           "NO"]

YES, NO = "Đạt", "Chưa đạt"
_YES = {"đạt", "1"}
_NO = {"chưa đạt", "0"}
_WITH_UNIT = re.compile(r"^([+-]?\d[\d.,]*)\s*([^\d\s.,].*)$")
# Money is counted in these; a value in one of them converts to another.
_MONEY = {"đồng": 1.0, "nghìn đồng": 1e3, "ngàn đồng": 1e3, "triệu đồng": 1e6,
          "tỷ đồng": 1e9, "nghìn tỷ đồng": 1e12, "ngàn tỷ đồng": 1e12}


def clean(value: object) -> str:
    """A cell as text: NFC, spaces collapsed, trimmed; empty for None."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(text.split())


def same_text(a: object, b: object) -> bool:
    """Equal once normalised and case-folded: "Tỷ đồng" in NFD is "tỷ đồng"."""
    return clean(a).casefold() == clean(b).casefold()


def _cannot_read(code: str, message: str, message_vi: str) -> ProblemError:
    """Why a value cannot be read; the reader of the file gives the problem its place."""
    return ProblemError([Problem(code, message, message_vi)])


def goi_y(word: str, choices: Iterable[str]) -> str:
    """"; có phải là 'x' không?" for the closest choice (the Vietnamese of
    :func:`~tieuchi.domain.problems.suggest`), or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; có phải là '{close[0]}' không?" if close else ""


def yesno_text(value: float) -> str:
    return YES if value == 1 else NO


def read_value(raw: object, indicator: Indicator) -> float | None:
    """The number a cell holds for ``indicator`` (None when empty); raises
    :class:`~tieuchi.domain.problems.ProblemError` (one problem, without a place) when it
    cannot be read."""
    if isinstance(raw, (datetime, date, time)):
        raise _cannot_read(
            "not-a-number", f"Excel turned the value into a date or time ({raw}); format the "
            "cell as a number and type it again",
            f"Excel đã đổi giá trị thành ngày tháng ({raw}); định dạng ô là số rồi nhập lại")
    if indicator.type is ValueType.YESNO:
        return _yesno(raw)
    if isinstance(raw, bool):
        raise _cannot_read("not-a-number", f"{raw} is not a number", f"{raw} không phải là số")
    if isinstance(raw, (int, float)):
        return _finite(float(raw))
    text = clean(raw)
    if not text:
        return None
    found = _WITH_UNIT.match(text)
    if found:
        _check_measure(text, found.group(1), found.group(2), indicator)
        text = found.group(1)
    try:
        return _finite(parse_number(text, "vi"))
    except ValueError as error:
        raise _cannot_read(
            "not-a-number", f"\"{text}\" is not a number in the Vietnamese format: a dot "
            "groups thousands, a comma starts the decimals (1.234,5)", str(error)) from None


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise _cannot_read("not-a-number", "the value is not a finite number",
                          "giá trị không phải là số hữu hạn")
    return value


def _yesno(raw: object) -> float | None:
    if isinstance(raw, bool):
        return 1.0 if raw else 0.0
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return float(raw)
    text = clean(raw).casefold()
    if not text:
        return None
    if text in _YES:
        return 1.0
    if text in _NO:
        return 0.0
    shown = clean(raw)
    raise _cannot_read("yesno-value",
                      f"\"{shown}\" is not a yes/no value; write {YES}, {NO}, 1 or 0",
                      f"\"{shown}\" không phải giá trị đạt/chưa đạt; ghi {YES}, {NO}, 1 "
                      "hoặc 0")


def _check_measure(text: str, amount: str, given: str, indicator: Indicator) -> None:
    """A value written with a unit of measure must be in the indicator's unit."""
    measure = indicator.unit or ""
    if same_text(given, measure):
        return
    if not measure:
        raise _cannot_read(
            "unit-of-measure", f"\"{text}\": the indicator has no unit of measure; write the "
            "number only", f"\"{text}\": chỉ tiêu không có đơn vị tính; chỉ ghi số")
    hint_en = hint_vi = ""
    factor = conversion(given, measure)
    if factor is not None:
        try:
            converted = parse_number(amount, "vi") * factor
        except ValueError:
            pass
        else:
            shown = number(converted, "vi", 9)
            hint_vi = f" ({amount} {clean(given)} = {shown} {measure})"
            hint_en = f" ({amount} {clean(given)} = {number(converted, 'en', 9)} {measure})"
    raise _cannot_read(
        "unit-of-measure",
        f"\"{text}\" is in {clean(given)}, but the indicator is measured in {measure}; write "
        f"the number in {measure}{hint_en}, without the unit",
        f"\"{text}\" tính bằng {clean(given)}, nhưng chỉ tiêu tính bằng {measure}; ghi số "
        f"theo {measure}{hint_vi}, không ghi đơn vị")


def conversion(given: str, measure: str) -> float | None:
    """The factor from ``given`` to ``measure`` when both are units of money."""
    source = _MONEY.get(clean(given).casefold())
    target = _MONEY.get(clean(measure).casefold())
    return source / target if source and target else None
