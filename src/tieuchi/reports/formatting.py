"""Numbers, dates and lists the way Vietnamese (and English) official documents write them."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

if TYPE_CHECKING:
    from tieuchi.domain.indicators import Indicator

__all__ = ["number", "percent", "measured", "measure_of", "parse_number", "join_names",
           "long_date", "short_date", "lower_first", "LOCALES", "NumberError",
           "number_ranges"]

LOCALES = {"vi": "vi_VN", "en": "en_US"}


def number(value: float | None, lang: str = "vi", decimals: int = 1,
           fixed: bool = False) -> str:
    """1.234,5 in Vietnamese, 1,234.5 in English, rounded half up to ``decimals`` places as
    a statistics office rounds the number as written (0,085 → 0,09; 87,25 → 87,3: not to
    the even digit, nor by the float's binary tail); trailing zeros dropped (14, not 14,0)
    unless ``fixed`` (2.418,50)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * decimals if decimals else "")
    written = Decimal(repr(float(value))) if math.isfinite(value) else Decimal(value)
    rounded = written.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) \
        if written.is_finite() else written
    text = format_decimal(rounded, format=pattern, locale=LOCALES[lang])
    return text[1:] if text.startswith("-") and not _NONZERO.search(text) else text


_NONZERO = re.compile("[1-9]")


def count(value: float, lang: str = "vi", min_digits: int | None = None) -> str:
    """A count as a whole number, with zeros before it up to ``min_digits`` digits, as
    official texts write a count under ten: "09 đơn vị" (``min_digits`` 2)."""
    text = number(value, lang, 0)
    return text.zfill(min_digits) if min_digits and text.isdigit() else text


def percent(value: float | None, lang: str = "vi", decimals: int = 1,
            fixed: bool = False) -> str:
    """5,5% in Vietnamese, 5.5% in English (:func:`number`'s decimals)."""
    return "–" if value is None else number(value, lang, decimals, fixed) + "%"


def measure_of(indicator: Indicator | None, lang: str = "vi") -> str:
    """What follows a number of ``indicator``: "%" glued to it, " tỷ đồng" after a space
    (its English unit in English, where given); "" without a unit of measure."""
    if indicator is None or not indicator.unit:
        return ""
    unit = (indicator.unit_en or indicator.unit) if lang == "en" else indicator.unit
    return unit if unit == "%" else f" {unit}"


def measured(value: float | None, indicator: Indicator | None, lang: str = "vi",
             decimals: int | None = None) -> str:
    """A figure with its unit of measure, at its indicator's declared decimals: "857,7 tỷ
    đồng", "43.799 người", "80%", "2.418,50 tấn" (``decimals`` overrides them); "–" for
    no figure."""
    if value is None:
        return "–"
    places = decimals if decimals is not None else (indicator.decimals if indicator else 1)
    fixed = bool(indicator and indicator.decimals_fixed and decimals is None)
    return number(value, lang, places, fixed) + measure_of(indicator, lang)


_NUMBER_TEXT = re.compile(r"[+-]?[0-9.,]+")


class NumberError(ValueError):
    """Why a text is not a number, with its message in the language asked for and, for a
    page that words it in its own language, what went wrong: ``kind`` (``empty``,
    ``not-a-number``, ``badly-written``, ``too-large``) and the numbers it may have meant
    (``options``, written the way the text was)."""

    def __init__(self, message: str, kind: str, text: str,
                 options: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.kind, self.text, self.options = kind, text, tuple(options)


def parse_number(text: str, lang: str = "vi") -> float:
    """A number typed the way ``lang`` writes it: "1.234,5" → 1234.5 and "5,5" → 5.5 in
    Vietnamese (a dot groups thousands, a comma starts the decimals), "1,234.5" in English.

    Raises :class:`ValueError`, with a message in ``lang``, for anything else: empty text,
    letters, or separators in the wrong places ("1.5" in Vietnamese is neither 15 nor 1,5).
    """
    vi = lang == "vi"
    given = text.strip()
    example = "1.234,5" if vi else "1,234.5"
    if not given:
        raise NumberError("chưa nhập số" if vi else "no number given", "empty", given)
    if not _NUMBER_TEXT.fullmatch(given):
        raise NumberError(f"\"{given}\" không phải là số (viết như {example})" if vi else
                          f"\"{given}\" is not a number (write it like {example})",
                          "not-a-number", given)
    try:
        value = parse_decimal(given, locale=LOCALES.get(lang, LOCALES["vi"]), strict=True)
    except NumberFormatError as error:
        suggested = getattr(error, "suggestions", None) or []
        options = (" hoặc " if vi else " or ").join(suggested)
        if vi:
            message = (f"\"{given}\" viết chưa đúng: dấu chấm phân cách hàng nghìn, dấu phẩy "
                       f"trước phần thập phân (ví dụ {example})")
            hint = f"; có phải là {options}?" if options else ""
        else:
            message = (f"\"{given}\" is badly written: a comma groups thousands, a dot starts "
                       f"the decimals (e.g. {example})")
            hint = f"; did you mean {options}?" if options else ""
        raise NumberError(message + hint, "badly-written", given, suggested) from None
    except InvalidOperation:  # more digits than Babel's check of the grouping can round
        value = None
    result = float(value) if value is not None else math.inf
    if not math.isfinite(result):
        raise NumberError(f"\"{given}\" quá lớn" if vi else f"\"{given}\" is too large",
                          "too-large", given)
    return result


def join_names(names: Sequence[str], lang: str = "vi", sep: str = ", ") -> str:
    """"A, B và C" (Vietnamese) or "A, B and C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    last = " và " if lang == "vi" else " and "
    return sep.join(names[:-1]) + last + names[-1]


def number_ranges(numbers: Sequence[int], lang: str = "vi") -> str:
    """"2, 5 và 7–9": the numbers in order, a run of three or more as a range."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    items = [x for r in runs for x in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else map(str, r))]
    return join_names(items, lang)


def long_date(day: date, lang: str = "vi") -> str:
    """"ngày 08 tháng 3 năm 2023": a zero before days under 10 and months 1 and 2, as
    Nghị định 30/2020/NĐ-CP writes the date line of an official document."""
    if lang == "vi":
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        return f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return day.strftime("%d %B %Y").lstrip("0")


def short_date(day: date, lang: str = "vi") -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if lang == "vi" else day.isoformat()


def lower_first(text: str) -> str:
    """"Chỉ tiêu nhiệm vụ …" → "chỉ tiêu nhiệm vụ …" inside a sentence (keeps acronyms)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
