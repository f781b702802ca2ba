"""The project file: what the definitions are about and how their report is laid out."""

from __future__ import annotations

import string
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from tieuchi.domain.base import CODE_PATTERN, Model
from tieuchi.domain.comparisons import PeriodCode
from tieuchi.domain.issuer import HEADER_FIELDS, Body, HeaderFields
from tieuchi.domain.precision import Precise
from tieuchi.domain.statements import Compare, Excess, State

__all__ = ["Project", "Highlight", "ReportItem", "ReportSection", "ReportOutline", "UnitOutline",
           "phrase_placeholders"]


class Project(Precise):
    name: str
    root: str | None = None  # the unit reports are about by default
    period: PeriodCode | None = None  # the period evaluated by default
    as_of: date | None = None  # the evaluation date ("số liệu đến ngày"); default today
    author: str | None = None  # the issuing body: "UBND xã A" (a line break allowed)
    place: str | None = None  # for the report's date line: "A"
    description: str | None = None
    source: str | None = None
    # Which body of each unit issues its report (committee, council, party; default the
    # People's Committee): every unit's, unless ``headers`` names another for one unit.
    body: Body | None = None
    # The header and closing of the report as an official document (Nghị định 30/2020/NĐ-CP)
    parent_body: str | None = None  # the body above the issuer: "UBND thành phố Hà Nội"
    number: str | None = None  # the document's number ("Số: 15/…"); none: left blank
    symbol: str | None = None  # "BC-UBND": the kind of document and the issuer's initials
    recipients: tuple[str, ...] = ()  # "Nơi nhận": "Thường trực Huyện ủy", "Lưu: VT"
    signer_title: tuple[str, ...] = ()  # ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    signer_name: str | None = None
    # The header of other units' reports, by unit code: the fields written replace those
    # derived from the unit (tieuchi.domain.issuer); the fields above are the root unit's.
    headers: dict[str, HeaderFields] = Field(default_factory=dict)

    @field_validator("signer_title", "recipients", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        """One line may be written as a text instead of a list."""
        return (value,) if isinstance(value, str) else value

    def header_overrides(self, unit: str, root: str | None = None) -> tuple[HeaderFields, ...]:
        """What the definitions write of ``unit``'s header: the project's ``body`` (every
        unit's), the project's own fields for the root unit (those given; ``root``: the unit
        reported by default when the project names none), then ``headers[unit]``."""
        own = {k for k in HEADER_FIELDS - {"body"} if getattr(self, k) not in (None, ())}
        every = (HeaderFields(body=self.body),) if self.body is not None else ()
        written = (HeaderFields(**{k: getattr(self, k) for k in own}),) if (
            unit == (self.root or root) and own) else ()
        return every + written + ((self.headers[unit],) if unit in self.headers else ())


class Stated(Precise):
    """How a highlight or a report item states its figures (None: as the level above):
    the comparison with the same period, the excess over a target, the precision of its
    percentages, the count behind the figure (:class:`~tieuchi.domain.statements.State`),
    its subject words and the digits its counts are written with at least ("09 đơn vị":
    ``min_digits: 2``)."""

    compare: Compare | None = None
    excess: Excess | None = None
    year_named: bool | None = None  # part of a year: "so với cùng kỳ năm 2023"
    state: State | None = None
    name: str | None = None
    min_digits: int | None = Field(default=None, ge=1, le=4)


class Highlight(Stated):
    """A figure stated after a report item: a target (by key), or an indicator (by code:
    the unit's target for it in the period, else its figure and its comparison with the
    same period last year), with how to state it. Written as a text, it is a target key or
    an indicator code: ``ktxh-gtsx``, ``gtsx``."""

    target: str | None = None  # a target key (or an indicator code, as a text is)
    indicator: str | None = Field(default=None, pattern=CODE_PATTERN)
    unit: str | None = None  # whose figure: default the item's unit, else the report's

    @model_validator(mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return {"target": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one(self) -> Highlight:
        if (self.target is None) == (self.indicator is None):
            raise ValueError("a highlight names one of target or indicator")
        return self

    @property
    def key(self) -> str:
        """The target key or indicator code named."""
        return self.target or self.indicator or ""


class ReportItem(Stated):
    """One paragraph of the report: a group, a single target, a criteria set or the figure
    of one indicator; the options say how its figures are stated (a highlight's own win)."""

    group: str | None = Field(default=None, pattern=CODE_PATTERN)
    target: str | None = None  # a target key (its code, or unit:indicator:period)
    criteria_set: str | None = Field(default=None, pattern=CODE_PATTERN)
    indicator: str | None = Field(default=None, pattern=CODE_PATTERN)
    highlights: tuple[Highlight, ...] = ()  # figures stated after a group or a set
    unit: str | None = None  # whose result: default the project's root

    @model_validator(mode="after")
    def _one(self) -> ReportItem:
        given = [k for k in ITEM_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a report item names one of group, target, criteria_set or "
                             "indicator")
        return self

    @property
    def highlight_keys(self) -> list[str]:
        """The target keys and indicator codes of the highlights."""
        return [h.key for h in self.highlights]


ITEM_KINDS = ("group", "target", "criteria_set", "indicator")
"""What a report item may name, one of them."""


class ReportSection(Model):
    title: str
    title_en: str | None = None
    items: tuple[ReportItem, ...]


Phrases = dict[str, str | dict[str, str]]


def phrase_placeholders(template: str) -> set[str]:
    """The names in a phrase's braces: "{n}/{total}" → {"n", "total"}.

    A placeholder is a name alone: attribute or index access (``{n.__class__}``,
    ``{names[0]}``), a conversion (``{n!r}``), a format spec (``{pct:>99}``) or a number
    (``{0}``, ``{}``) would let a phrase reach into the values it is given, and raise
    :class:`ValueError`, as does a brace that is not closed."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:  # "{" without "}"
        raise ValueError(f"{exc}; write a brace as {{{{ or }}}}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise ValueError(f"{{{shown[:40]}}} is not a placeholder: write a name alone in "
                             "braces, such as {n}, with no '.', '[', '!' or ':'")
        names.add(name)
    return names


class UnitOutline(Model):
    """The outline of the reports on one unit, or on the units of one level
    (``report.outlines``): its title (default the report's) and sections."""

    title: str | None = None
    title_en: str | None = None
    sections: tuple[ReportSection, ...] = ()


class ReportOutline(Precise):
    title: str | None = None
    title_en: str | None = None
    sections: tuple[ReportSection, ...] = ()
    # The outline of the reports on a unit, or on the units of a level, by unit or level
    # code, in place of ``sections`` (see tieuchi.domain.outline).
    outlines: dict[str, UnitOutline] = Field(default_factory=dict)
    # An organisation's own wording of the report, by language: phrase → template
    # (the phrases and their placeholders are listed in docs/reports.md).
    phrases: dict[Literal["vi", "en"], Phrases] = Field(default_factory=dict)
    # How figures are stated unless a group, target, item or highlight says otherwise
    compare: Compare | None = None  # default: change
    excess: Excess | None = None  # default: "đạt 102,6% kế hoạch"
