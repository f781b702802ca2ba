"""Which indicator a row of a plan's table names ("Tốc độ tăng trưởng kinh tế (GRDP)" →
``grdp-tang-truong``), by name, accents folded.

Each indicator is known by its name, its short name and its synonyms. A row's name is
scored against each of them, folded (:func:`tieuchi.domain.base.fold`) and without the words
every target repeats ("đạt", "phấn đấu", the year): the mean of rapidfuzz's token-set ratio
(the same words, in any order, one side may have more) and its ratio of the whole (so that a
short name inside a long row does not score 100 by itself), each name scoring its best. The
unit of measure then vetoes a candidate whose unit is of another kind (a percentage against
an amount of money), or a row whose value is "Đạt" a candidate that is not yes/no: its score
drops by :data:`UNIT_PENALTY`. A value that is a change ("tăng 10%") says nothing of the
indicator's unit: its row is matched without one. The best candidate at
:data:`THRESHOLD` or above is the match; below, the row is unmatched and the best three are
guesses. Candidates given first (a folder's own indicators, before the standard catalogue)
win a tie.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from tieuchi.domain.base import fold
from tieuchi.domain.indicators import Indicator, ValueType

__all__ = ["THRESHOLD", "UNIT_PENALTY", "Candidate", "Match", "match", "unit_kind",
           "comparable"]

THRESHOLD = 80.0  # a score at or above it is a match
UNIT_PENALTY = 35.0  # taken from a candidate whose unit is of another kind than the row's
GUESSES = 3

# Words that say how a target is worded, not what it measures (folded).
_NOISE = re.compile(
    r"\b(trong do|phan dau|dat|dat tu|muc|nam \d{4}|giai doan \d{4}\s*-\s*\d{4}|chi tieu|ke hoach|"
    r"binh quan hang nam|tren dia ban tinh|tren dia ban|toan tinh|cua tinh)\b")
_PUNCT = re.compile(r"[^\w%/]+")

# A unit of measure's kind: the units of one kind can be told apart only by a number.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("percent", ("%", "phan tram", "diem %", "diem phan tram")),
    ("money", ("dong", "usd", "do la")),
    ("area", ("ha", "km2", "m2", "hecta")),
    ("mass", ("tan", "kg")),
)


@dataclass(frozen=True)
class Candidate:
    """An indicator and how well a row's name fits it (0–100)."""

    code: str
    name: str
    unit: str | None
    score: float


@dataclass(frozen=True)
class Match:
    """A row's best candidate when it reaches :data:`THRESHOLD` (else ``None``), and the best
    candidates in order (the guesses shown for an unmatched row)."""

    best: Candidate | None
    guesses: tuple[Candidate, ...]

    @property
    def code(self) -> str | None:
        return self.best.code if self.best else None


def _clean(text: str) -> str:
    folded = fold(text)
    folded = _NOISE.sub(" ", folded)
    return " ".join(_PUNCT.sub(" ", folded).split())


def unit_kind(unit: str | None) -> str | None:
    """The kind of a unit of measure ("percent", "money", "area", "mass"), or None when it
    is a count of things or not given."""
    if not unit:
        return None
    folded = fold(unit)
    for kind, marks in _KINDS:
        for mark in marks:
            if mark == "%" and "%" in folded:
                return kind
            if re.search(rf"(?<!\w){re.escape(mark)}(?!\w)", folded):
                return kind
    return None


def comparable(row_unit: str | None, indicator_unit: str | None) -> bool:
    """Whether a row's unit can be the indicator's: same kind, or either one unknown."""
    row, indicator = unit_kind(row_unit), unit_kind(indicator_unit)
    if row is None or indicator is None:
        return True
    return row == indicator


def _names(indicator: Indicator) -> list[str]:
    names = [indicator.name, *(indicator.short_name or "",), *indicator.synonyms]
    return [n for n in (_clean(n) for n in names) if n]


def _score(row: str, names: Iterable[str]) -> float:
    best = 0.0
    for name in names:
        score = (fuzz.token_set_ratio(row, name) + fuzz.ratio(row, name)) / 2
        best = max(best, score)
    return best


def match(name: str, unit: str | None, indicators: Sequence[Indicator], *,
          yesno: bool = False) -> Match:
    """The indicator among ``indicators`` that the row ``name`` (unit of measure ``unit``)
    names, with the best guesses; earlier indicators win a tie. ``yesno``: the row's value
    is "Đạt"/"Hoàn thành", which only a yes/no indicator takes (the others lose
    :data:`UNIT_PENALTY`)."""
    row = _clean(name)
    scored: list[tuple[float, int, Candidate]] = []
    seen: set[str] = set()
    for order, indicator in enumerate(indicators):
        if indicator.code in seen:
            continue
        seen.add(indicator.code)
        score = _score(row, _names(indicator)) if row else 0.0
        if not comparable(unit, indicator.unit) or (
                yesno and indicator.type is not ValueType.YESNO):
            score = max(score - UNIT_PENALTY, 0.0)
        scored.append((score, order, Candidate(indicator.code, indicator.name, indicator.unit,
                                               round(score, 1))))
    scored.sort(key=lambda s: (-s[0], s[1]))
    guesses = tuple(c for _, _, c in scored[:GUESSES])
    best = guesses[0] if guesses and guesses[0].score >= THRESHOLD else None
    return Match(best, guesses)
