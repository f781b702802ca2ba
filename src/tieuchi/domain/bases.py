"""Bases: what a target is measured against, and how a report names it.

A target's ``basis`` is the code of a basis of the catalogue: the built-in ones below
(shipped as data) and those a definition folder declares under ``bases:`` (a declared code
replaces the built-in one of the same code). Each carries its phrases in Vietnamese (and,
optionally, English): "đạt 89,81% **kế hoạch**", "đạt và vượt **dự toán giao**", "vượt **kế
hoạch**", the appendix's column heads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from tieuchi.domain.base import CODE_PATTERN, Model

__all__ = ["Basis", "BasisWords", "BUILT_IN_BASES", "PLAN", "basis_catalogue"]

PLAN = "plan"
"""The basis of a target or group that names none."""


class BasisWords(Model):
    """A basis's phrases in one language."""

    name: str  # "kế hoạch": "đạt 89,81% kế hoạch"
    goal: str | None = None  # "đạt và vượt {goal}"; default: name
    short: str | None = None  # "vượt {short}", "chưa đạt {short}", the chart; default: name
    column: str | None = None  # the appendix's column of the target; default: Short
    percent_column: str | None = None  # the column of the % of it; default: "% short"

    @property
    def goal_text(self) -> str:
        return self.goal or self.name

    @property
    def short_text(self) -> str:
        return self.short or self.name

    @property
    def column_text(self) -> str:
        text = self.column or self.short_text
        return text[:1].upper() + text[1:]

    @property
    def percent_column_text(self) -> str:
        return self.percent_column or f"% {self.short_text}"


class Basis(Model):
    """One basis of the catalogue."""

    code: str = Field(pattern=CODE_PATTERN)
    vi: BasisWords
    en: BasisWords | None = None
    # "percent": "đạt 100,2% dự toán giao"; "quota" adds the count: "đạt 100% chỉ tiêu được
    # giao (208/208 công dân)"
    form: Literal["percent", "quota"] = "percent"

    def words(self, lang: str) -> BasisWords:
        """The phrases in ``lang``; Vietnamese when the basis has none in English."""
        return (self.en or self.vi) if lang == "en" else self.vi


BUILT_IN_BASES: tuple[Basis, ...] = tuple(Basis.model_validate(b) for b in (
    {"code": "plan",
     "vi": {"name": "kế hoạch", "column": "Kế hoạch", "percent_column": "% KH"},
     "en": {"name": "of plan", "goal": "the plan", "short": "the plan", "column": "Plan",
            "percent_column": "% of plan"}},
    {"code": "budget",
     "vi": {"name": "dự toán giao", "short": "dự toán", "column": "Dự toán",
            "percent_column": "% dự toán"},
     "en": {"name": "of the budget estimate", "goal": "the budget estimate",
            "short": "the budget estimate", "column": "Budget estimate",
            "percent_column": "% of estimate"}},
    {"code": "quota", "form": "quota",
     "vi": {"name": "chỉ tiêu được giao", "short": "chỉ tiêu", "column": "Chỉ tiêu giao",
            "percent_column": "% chỉ tiêu"},
     "en": {"name": "of the assigned quota", "goal": "the assigned quota",
            "short": "the quota", "column": "Quota", "percent_column": "% of quota"}},
    {"code": "resolution",
     "vi": {"name": "chỉ tiêu Nghị quyết", "column": "Chỉ tiêu Nghị quyết",
            "percent_column": "% NQ"},
     "en": {"name": "of the resolution's target", "goal": "the resolution's targets",
            "short": "the resolution's target", "column": "Resolution",
            "percent_column": "% of resolution"}},
))


def basis_catalogue(declared: Iterable[Basis] = ()) -> dict[str, Basis]:
    """The bases by code: the built-in ones, replaced or added to by ``declared``."""
    return {b.code: b for b in (*BUILT_IN_BASES, *declared)}
