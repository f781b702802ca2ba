"""Administrative units and the levels of the hierarchy they sit in."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tieuchi.domain.base import CODE_PATTERN, Model

__all__ = ["Level", "Unit", "Split"]


class Level(Model):
    """A level of the hierarchy: ``huyen`` "huyện", ``xa`` "xã", ``kvdk`` "khu vực dự kiến"."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str | None = None
    pseudo: bool = False  # a planning area, not a legal unit ("khu vực dự kiến thành lập phường")


class Split(Model):
    """How a unit split among several successors shares its figures out: each successor's
    declared weight (its population or area from the split unit), ``by`` what, and the
    ``source`` of the weights ("Đề án sắp xếp ĐVHC cấp xã, 2025")."""

    by: str  # "dân số", "diện tích"
    source: str
    weights: dict[str, float]


class Unit(Model):
    """A unit of the hierarchy, valid over a span of dates, with its successors after a merger."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    level: str
    parent: str | None = None
    kind: str | None = None  # the legal form within its level: "xã", "phường", "thị trấn"
    name_en: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    valid_from: date | None = None
    valid_to: date | None = None
    successors: tuple[str, ...] = ()
    split: Split | None = None  # with two or more successors: how its figures are shared out
    official_code: str | None = None  # the GSO code of the unit, when it has one

    def valid_on(self, start: date, end: date) -> bool:
        """Whether the unit exists at some time between ``start`` and ``end``."""
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )
