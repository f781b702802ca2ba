"""Who issues a unit's report: the People's Committee of the unit reported on.

A report belongs to its unit: the report of a commune is headed by the commune's People's
Committee, dated at the commune, signed on its behalf; that of a city by the city's. The
header is derived from the unit (its name and kind: xã, phường, thị trấn, huyện, quận,
tỉnh, thành phố, …) as Nghị định 30/2020/NĐ-CP writes a People's Committee's documents,
and every field can be written out in the definitions for one unit (``project.headers``,
and the project's own fields for its root unit), see docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import field_validator

from tieuchi.domain.base import Model
from tieuchi.domain.units import Level, Unit

__all__ = ["HeaderFields", "Issuer", "HEADER_FIELDS", "unit_kind", "place_name", "body_name",
           "issuer_of",
           "written", "NO_ISSUER"]

COMMITTEE = "Ủy ban nhân dân"
SYMBOL = "BC-UBND"  # a report (BC) of a People's Committee (UBND)
SIGNER_TITLE = ("TM. Ủy ban nhân dân", "Chủ tịch")
FILED = "Lưu: VT"  # the copy kept by the office ("văn thư")


class HeaderFields(Model):
    """The header of one unit's report as written in the definitions; a field not written
    (or null) is derived from the unit; ``recipients: []`` and ``signer_title: []`` write
    none."""

    author: str | None = None  # the issuing body: "Ủy ban nhân dân\n{kind} {name}"
    parent_body: str | None = None  # the body above the issuer, when it is written
    place: str | None = None  # for the date line: the unit's name without its kind
    number: str | None = None  # "15"; none: left blank, written when registered
    symbol: str | None = None  # "BC-UBND"
    recipients: tuple[str, ...] | None = None  # "Nơi nhận"; [] for none
    signer_title: tuple[str, ...] | None = None  # ("TM. Ủy ban nhân dân", "Chủ tịch")
    signer_name: str | None = None

    @field_validator("signer_title", "recipients", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        """One line may be written as a text instead of a list."""
        return (value,) if isinstance(value, str) else value


HEADER_FIELDS = frozenset(HeaderFields.model_fields)


@dataclass(frozen=True)
class Issuer:
    """The header and closing of a unit's report, every field decided."""

    author: str | None
    parent_body: str | None
    place: str | None
    number: str | None
    symbol: str | None
    recipients: tuple[str, ...]
    signer_title: tuple[str, ...]
    signer_name: str | None


NO_ISSUER = Issuer(None, None, None, None, None, (), (), None)


def unit_kind(unit: Unit, level: Level | None) -> str | None:
    """The unit's legal form in lower case ("xã", "thị trấn", "thành phố"): its kind, else
    its level's name; none for a planning area (a pseudo level) with no kind."""
    kind = unit.kind or (level.name if level is not None and not level.pseudo else None)
    return kind.lower() if kind else None


def place_name(unit: Unit, kind: str | None) -> str:
    """The unit's name without its kind: "Phường Hoàn Kiếm" → "Hoàn Kiếm"."""
    name = unit.name
    if kind and name.lower().startswith(kind + " "):
        return name[len(kind) + 1:].strip()
    return name


def body_name(unit: Unit, kind: str | None, sep: str = " ") -> str | None:
    """"Ủy ban nhân dân {kind} {name}": the People's Committee of the unit; ``sep`` where
    the name breaks in the header. None for a unit without a legal form (no committee)."""
    if kind is None:
        return None
    return f"{COMMITTEE}{sep}{kind} {place_name(unit, kind)}"


def _derived(unit: Unit, kind: str | None, parent: Unit | None,
             parent_kind: str | None) -> Issuer:
    body = body_name(unit, kind, "\n")
    if body is None:  # a planning area issues nothing: no header, no closing
        return NO_ISSUER
    above = body_name(parent, parent_kind) if parent is not None else None
    return Issuer(author=body, parent_body=None, place=place_name(unit, kind), number=None,
                  symbol=SYMBOL, recipients=tuple(r for r in (above, FILED) if r),
                  signer_title=SIGNER_TITLE, signer_name=None)


def issuer_of(unit: Unit, level: Level | None, parent: Unit | None,
              parent_level: Level | None, *overrides: HeaderFields) -> Issuer:
    """The header of ``unit``'s report: derived from the unit and its parent, then each
    override's written fields in turn.

    The derived header is that of the unit's People's Committee: its name ("Ủy ban nhân
    dân" over "{kind} {name}"), no managing body above it (Nghị định 30/2020 writes none for a
    People's Committee), the unit's name as the place, symbol BC-UBND, signed "TM. Ủy ban
    nhân dân / Chủ tịch", sent to the parent's People's Committee and filed ("Lưu: VT")."""
    parent_kind = unit_kind(parent, parent_level) if parent is not None else None
    return written(_derived(unit, unit_kind(unit, level), parent, parent_kind), *overrides)


def written(issuer: Issuer, *overrides: HeaderFields) -> Issuer:
    """``issuer`` with each override's written fields in turn."""
    for override in overrides:
        given = {k: v for k, v in override if v is not None}  # as stored: None unwritten
        issuer = Issuer(**{**issuer.__dict__, **given})
    return issuer
