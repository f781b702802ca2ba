"""Targets (chỉ tiêu) and the named groups they are counted in ("18/18 chỉ tiêu")."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from tieuchi.domain.base import CODE_PATTERN
from tieuchi.domain.bases import PLAN
from tieuchi.domain.comparisons import Comparison, PeriodCode
from tieuchi.domain.periods import Period
from tieuchi.domain.precision import Precise
from tieuchi.domain.statements import Compare, Excess

__all__ = ["Target", "TargetGroup", "Relative", "AllocationRule"]


class Relative(StrEnum):
    """A target set against a base figure instead of as a number."""

    GROWTH = "growth"  # tăng ≥ x% so với cùng kỳ
    REDUCTION = "reduction"  # giảm ≥ x% so với cùng kỳ
    REDUCTION_PP = "reduction_pp"  # giảm x điểm phần trăm
    SHARE_OF_BASELINE = "share_of_baseline"  # ≥ x% của mức cơ sở


_RELATIVES = tuple(r.value for r in Relative)


class AllocationRule(StrEnum):
    """How the targets a unit gives the units directly below it add up to its own
    ("phân bổ", :mod:`tieuchi.domain.allocation`)."""

    EXACTLY = "exactly"  # the parts add up to the target
    AT_LEAST = "at_least"  # to the target or more (districts usually give communes more)
    AT_MOST = "at_most"  # to the target or less (a ceiling shared out)

class Target(Comparison[float], Precise):
    """An indicator's target for a unit and a period.

    Unit, period, issuer, document and basis may be left out inside a group, which gives them.
    """

    indicator: str = Field(pattern=CODE_PATTERN)
    unit: str | None = None
    period: PeriodCode | None = None
    code: str | None = Field(default=None, pattern=CODE_PATTERN)
    name: str | None = None  # how the target reads in a report, when not the indicator's name
    growth: float | None = None
    reduction: float | None = None
    reduction_pp: float | None = None
    share_of_baseline: float | None = None
    baseline: PeriodCode | None = None  # default: the same period last year
    baseline_value: float | None = None
    basis: str | None = Field(default=None, pattern=CODE_PATTERN)  # a code of the bases
    issuer: str | None = None
    document: str | None = None
    note: str | None = None
    # the allocation rule (an AllocationRule's value; default by the comparator), checked
    # with the other target rules by tieuchi.domain.ruleset.target_problems
    allocation: str | None = None
    compare: Compare | None = None  # how the report compares it with the same period
    excess: Excess | None = None  # how the report states its excess over the target

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        relative = [r for r in _RELATIVES if getattr(self, r) is not None]
        absolute = self.comparator
        if len(relative) + (absolute is not None) > 1:
            given = relative + ([absolute.value] if absolute else [])
            raise ValueError(f"give one target value, not {len(given)} ({', '.join(given)})")
        if not relative and absolute is None:
            raise ValueError("the target has no value; add one of at_least, at_most, equal, "
                             "within, yes, growth, reduction, reduction_pp, share_of_baseline")
        if (self.baseline or self.baseline_value is not None) and not relative:
            raise ValueError("a baseline only goes with growth, reduction, reduction_pp or "
                             "share_of_baseline")
        return self

    @property
    def relative(self) -> Relative | None:
        for r in _RELATIVES:
            if getattr(self, r) is not None:
                return Relative(r)
        return None

    @property
    def key(self) -> str:
        """The target's identity: its code, or unit:indicator:period."""
        return self.code or f"{self.unit}:{self.indicator}:{self.period}"


class TargetGroup(Precise):
    """A named list of targets for one unit and period, counted together in a report."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    unit: str
    period: PeriodCode
    issuer: str | None = None
    document: str | None = None
    basis: str = Field(default=PLAN, pattern=CODE_PATTERN)
    compare: Compare | None = None  # its targets' default
    excess: Excess | None = None  # its targets' default
    targets: tuple[Target, ...] = ()

    def title(self, period: Period, lang: str = "vi") -> str:
        """The group's name in ``lang`` over the period evaluated: "Chỉ tiêu … {period}"
        → "Chỉ tiêu … năm 2022"."""
        return period.fill((self.name_en or self.name) if lang == "en" else self.name, lang)

    def resolved_targets(self) -> tuple[Target, ...]:
        """The group's targets with the group's unit, period, issuer, document and basis."""
        return tuple(
            t.model_copy(update={
                "unit": t.unit or self.unit,
                "period": t.period or self.period,
                "issuer": t.issuer or self.issuer,
                "document": t.document or self.document,
                "basis": t.basis or self.basis,
                "compare": t.compare or self.compare,
                "excess": t.excess or self.excess,
                "percent_decimals": (self.percent_decimals if t.percent_decimals is None
                                     else t.percent_decimals),
                "percent_fixed": self.percent_fixed if t.percent_fixed is None
                else t.percent_fixed,
            })
            for t in self.targets
        )
