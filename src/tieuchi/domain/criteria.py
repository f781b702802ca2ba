"""Criteria sets (bộ tiêu chí): criteria made of conditions, and the rule that makes a pass.

A condition compares one indicator of the unit with a threshold, which may depend on an
attribute of the unit (its region, its commune group), or asks that the unit passes another
set. A criterion passes when all its conditions pass, or at least ``k`` of them. The set passes
by its rule: all criteria, at least ``k``, at least a share, the mandatory ones plus ``k`` of
the rest, or a total score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator

from tieuchi.domain.base import CODE_PATTERN, LegalSource, Model
from tieuchi.domain.comparisons import COMPARATOR_FIELDS, Comparison
from tieuchi.domain.units import Unit

__all__ = [
    "Provenance",
    "address",
    "Threshold",
    "Condition",
    "Criterion",
    "CriteriaSet",
    "SetRule",
    "RuleKind",
    "AppliesTo",
]

Threshold = float | dict[str, float]
"""A number, or numbers keyed by the value of the set's dimension (``default`` for the rest)."""


@dataclass(frozen=True)
class Provenance:
    """Where a criterion, or one threshold of it, is written and whether it was read there:
    the set's document, the place in it (``citation``), the address it was read at (the
    criterion's ``source``, else the set's ``url``) and ``verified``. Only a verified one may
    be presented as official; the web, the report and the XLSX mark the others."""

    document: str | None
    citation: str | None
    url: str | None
    verified: bool

    @property
    def basis(self) -> str:
        """"Quyết định số 318/QĐ-TTg, Phụ lục I, tiêu chí 2": the document and the place."""
        return ", ".join(x for x in (self.document, self.citation) if x)

    @property
    def link(self) -> str | None:
        """The address, when it is one (a ``source`` may be a reference in words)."""
        return address(self.url)


def address(text: str | None) -> str | None:
    """``text`` when it is a web address (http, https) to link to, else None."""
    return text if text and text.startswith(("http://", "https://")) else None


def _provenance(cset: CriteriaSet, citation: str | None, source: str | None,
                verified: bool) -> Provenance:
    legal = cset.source
    return Provenance(legal.document if legal else None, citation,
                      source or (legal.url if legal else None), verified)


class Condition(Comparison[Threshold]):
    """One check: ``indicator`` against a threshold, or ``set``: the unit passes that set."""

    indicator: str | None = Field(default=None, pattern=CODE_PATTERN)
    set: str | None = Field(default=None, pattern=CODE_PATTERN)
    label: str | None = None
    # where the threshold is written ("Phụ lục I, mục 2.1") and whether it was read in that
    # text; None: as its criterion
    citation: str | None = None
    verified: bool | None = None

    @model_validator(mode="after")
    def _what(self) -> Condition:
        if (self.indicator is None) == (self.set is None):
            raise ValueError("a condition names either an indicator or a set, not both or neither")
        if self.indicator is not None and self.comparator is None:
            raise ValueError(
                "the condition has no threshold; add one of " + ", ".join(COMPARATOR_FIELDS)
            )
        if self.set is not None and self.comparator is not None:
            raise ValueError("a condition on a set passes when the unit passes it; "
                             "remove the threshold")
        return self

    def provenance(self, criterion: Criterion, cset: CriteriaSet) -> Provenance:
        """The threshold's provenance: its own citation and ``verified``, else its
        criterion's."""
        verified = criterion.verified if self.verified is None else self.verified
        return _provenance(cset, self.citation or criterion.citation, criterion.source,
                           verified)


class Criterion(Model):
    """A criterion (tiêu chí, tiêu chuẩn). A single condition may be written inline."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    group: str | None = None
    conditions: tuple[Condition, ...]
    at_least: int | None = Field(default=None, ge=1)  # conditions needed; default all
    mandatory: bool = False
    score: float | None = None
    verified: bool = False  # read in the legal text itself, not in a summary
    source: str | None = None  # where it was read: an address
    citation: str | None = None  # where in the set's document: "Điều 1, Phụ lục I, tiêu chí 2"
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _inline_condition(cls, data: Any) -> Any:
        if isinstance(data, dict) and "conditions" not in data:
            moved = {k: data[k] for k in ("indicator", "set", "tolerance", *COMPARATOR_FIELDS)
                     if k in data}
            if moved:
                rest = {k: v for k, v in data.items() if k not in moved}
                return {**rest, "conditions": [moved]}
        return data

    @model_validator(mode="after")
    def _enough_conditions(self) -> Criterion:
        if not self.conditions:
            raise ValueError("the criterion has no condition")
        if self.at_least is not None and self.at_least > len(self.conditions):
            raise ValueError(
                f"at_least {self.at_least} but only {len(self.conditions)} conditions"
            )
        return self

    def provenance(self, cset: CriteriaSet) -> Provenance:
        """The criterion's provenance in its set ``cset``. Verified only if it says so and
        none of its thresholds says it was not."""
        verified = self.verified and all(c.verified is not False for c in self.conditions)
        return _provenance(cset, self.citation, self.source, verified)


class RuleKind(StrEnum):
    ALL = "all"
    AT_LEAST = "at_least"  # at least k criteria
    AT_LEAST_SHARE = "at_least_share"  # at least p% of the criteria
    MANDATORY_PLUS = "mandatory_plus"  # all mandatory criteria and k of the others
    SCORE_AT_LEAST = "score_at_least"  # total score of met criteria ≥ s


class SetRule(Model):
    """``all``, or one of ``{at_least: k}``, ``{at_least_share: p}``, ``{mandatory_plus: k}``,
    ``{score_at_least: s}``."""

    kind: RuleKind = RuleKind.ALL
    value: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"kind": data}
        if isinstance(data, dict) and "kind" not in data and len(data) == 1:
            ((kind, value),) = data.items()
            return {"kind": kind, "value": value}
        return data

    @model_validator(mode="after")
    def _value_given(self) -> SetRule:
        if (self.kind is RuleKind.ALL) != (self.value is None):
            raise ValueError("write 'all' alone, or one of at_least: k, at_least_share: p, "
                             "mandatory_plus: k, score_at_least: s")
        return self


class AppliesTo(Model):
    """Which units a set is evaluated for: a level, a list of units, kinds, attribute filters."""

    level: str | None = None
    units: tuple[str, ...] = ()
    # only units of these kinds ("xã", "phường"): a level holds several legal forms
    kinds: tuple[str, ...] = ()
    where: dict[str, str] = Field(default_factory=dict)

    def covers(self, unit: Unit) -> bool:
        """Whether the set is evaluated for ``unit`` (the engine selects the same units, in
        columns: :func:`tieuchi.engine.criteria.applied_units`)."""
        chosen = unit.code in self.units if self.units else self.level in (None, unit.level)
        return chosen and (not self.kinds or unit.kind in self.kinds) and all(
            unit.attributes.get(k) == v for k, v in self.where.items())


class CriteriaSet(Model):
    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    short_name: str | None = None  # in report sentences: "nông thôn mới nâng cao"
    phrase: str | None = None  # "được công nhận là điểm đến du lịch"; default "đạt <name>"
    phrase_en: str | None = None
    # What a unit that does not pass is said to be ("chưa đưa vào sử dụng"); default the
    # phrase denied: "chưa" before it, in place of a leading "đã"
    phrase_not: str | None = None
    phrase_not_en: str | None = None
    term: str = "tiêu chí"  # what its criteria are called: "tiêu chí", "tiêu chuẩn"
    term_en: str = "criteria"
    source: LegalSource | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    dimension: str | None = None  # the unit attribute thresholds depend on: "region"
    dimension_values: tuple[str, ...] = ()
    rule: SetRule = Field(default_factory=SetRule)
    criteria: tuple[Criterion, ...]
    verified: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _rule_fits(self) -> CriteriaSet:
        n = len(self.criteria)
        if self.rule.kind in (RuleKind.AT_LEAST, RuleKind.MANDATORY_PLUS) and (
            self.rule.value is not None and self.rule.value > n
        ):
            raise ValueError(f"the rule asks for {self.rule.value:g} criteria but the set has {n}")
        return self

    def unverified_criteria(self) -> tuple[Criterion, ...]:
        """The criteria not read in the legal text (:meth:`Criterion.provenance`): their
        thresholds are for reference only. The set's own ``verified`` does not verify them."""
        return tuple(c for c in self.criteria if not c.provenance(self).verified)

    def verified_count(self) -> int:
        """How many criteria were read in the legal text: "x/y tiêu chí đã đối chiếu"."""
        return len(self.criteria) - len(self.unverified_criteria())

    @property
    def fully_verified(self) -> bool:
        """Every criterion read in the legal text: the set may be presented as official."""
        return not self.unverified_criteria()

    def by_dimension(self) -> tuple[Criterion, ...]:
        """The criteria with a threshold that differs by the set's ``dimension`` (numbers
        keyed by its values): only these need the attribute on each unit."""
        return tuple(c for c in self.criteria if any(
            isinstance(t, dict) for cond in c.conditions for t in cond.threshold))

    def is_effective(self, start: date, end: date) -> bool:
        return (self.effective_from is None or self.effective_from <= end) and (
            self.effective_to is None or self.effective_to >= start
        )
