"""Who issues a unit's report: a body of the unit reported on.

A report belongs to its unit: the report of a commune is headed by the commune's body, dated
at the commune, signed on its behalf; that of a city by the city's. The body is one of three
(:class:`Body`): the People's Committee (Ủy ban nhân dân, the default), the People's Council
(Hội đồng nhân dân), both laid out as Nghị định 30/2020/NĐ-CP writes a State body's documents,
or the unit's Party committee (Đảng ủy, Huyện ủy, Tỉnh ủy, …), laid out as the Party's
guidance on its documents (Hướng dẫn 36-HD/VPTW, 2018) writes them. The header is derived
from the unit (its name and kind: xã, phường, thị trấn, huyện, quận, tỉnh, thành phố, …) and
the body, in the report's language, and every field can be written out in the definitions for
one unit (``project.headers``, and the project's own fields for its root unit), see
docs/reports.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import field_validator

from tieuchi.domain.base import Model
from tieuchi.domain.periods import Period
from tieuchi.domain.units import Level, Unit

__all__ = ["Body", "HeaderFields", "Issuer", "HEADER_FIELDS", "unit_kind", "titled", "titled_name",
           "place_name", "body_name", "issuer_of", "written", "NO_ISSUER", "is_dated",
           "DATED_MONTHS"]


class Body(StrEnum):
    """Which body of the unit issues its report."""

    COMMITTEE = "committee"  # Ủy ban nhân dân (UBND)
    COUNCIL = "council"  # Hội đồng nhân dân (HĐND)
    PARTY = "party"  # the unit's Party committee (Đảng ủy, Huyện ủy, Tỉnh ủy, …)


COMMITTEE = "Ủy ban nhân dân"
SYMBOL = "BC-UBND"  # a report (BC) of a People's Committee (UBND)
SIGNER_TITLE = ("TM. Ủy ban nhân dân", "Chủ tịch")
FILED = "Lưu: VT"  # the copy kept by the office ("văn thư")

# The State bodies (Nghị định 30/2020): name, symbol, signer; by language.
_STATE = {
    (Body.COMMITTEE, "vi"): (COMMITTEE, SYMBOL, SIGNER_TITLE),
    (Body.COUNCIL, "vi"): ("Hội đồng nhân dân", "BC-HĐND", ("TM. Hội đồng nhân dân", "Chủ tịch")),
    (Body.COMMITTEE, "en"): ("People's Committee", SYMBOL,
                             ("On behalf of the People's Committee", "Chairman")),
    (Body.COUNCIL, "en"): ("People's Council", "BC-HĐND",
                           ("On behalf of the People's Council", "Chairman")),
}
_FILED = {"vi": FILED, "en": "Archived: Office"}

# The Party committee of a unit of each kind, as the Party names it ("Huyện ủy {name}"),
# and the initials of its symbol ("BC/HU"); any other kind: "Đảng ủy {kind} {name}", "ĐU".
_PARTY_COMMITTEE = {"tỉnh": ("Tỉnh ủy", "TU"), "thành phố": ("Thành ủy", "TU"),
                    "huyện": ("Huyện ủy", "HU"), "quận": ("Quận ủy", "QU"),
                    "thị xã": ("Thị ủy", "TU")}
_PARTY_DEFAULT = ("Đảng ủy", "ĐU")
_PARTY_SIGNER = {"vi": ("T/M Ban Thường vụ", "Bí thư"),
                 "en": ("On behalf of the Standing Committee", "Secretary")}

# The English names of the kinds of units (the Vietnamese kind is kept when not listed).
KIND_EN = {"xã": "commune", "phường": "ward", "thị trấn": "township", "huyện": "district",
           "quận": "urban district", "thị xã": "town", "thành phố": "city",
           "tỉnh": "province", "đặc khu": "special zone"}

# A report is dated on its evaluation date when that date falls within the period reported
# or this many months after its end; a report on a period long past is left undated.
DATED_MONTHS = 3


class HeaderFields(Model):
    """The header of one unit's report as written in the definitions; a field not written
    (or null) is derived from the unit; ``recipients: []`` and ``signer_title: []`` write
    none."""

    body: Body | None = None  # which body issues it: committee (default), council, party
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
    body: Body = Body.COMMITTEE

    @property
    def party(self) -> bool:
        """Whether a Party committee issues it: its own title, no national motto."""
        return self.body is Body.PARTY


NO_ISSUER = Issuer(None, None, None, None, None, (), (), None)


def unit_kind(unit: Unit, level: Level | None) -> str | None:
    """The unit's legal form in lower case ("xã", "thị trấn", "thành phố"): its kind, else
    its level's name; none for a planning area (a pseudo level) with no kind."""
    kind = unit.kind or (level.name if level is not None and not level.pseudo else None)
    return kind.lower() if kind else None


def titled(kind: str | None, name: str) -> str:
    """"Tỉnh Gia Lai": a name with its kind before it, as units are officially named, unless
    it already has it."""
    prefix = kind.lower() if kind else None
    if prefix and not name.lower().startswith(prefix):
        return f"{prefix[:1].upper()}{prefix[1:]} {name}"
    return name


def titled_name(unit: Unit, level: Level | None = None) -> str:
    """"Xã A": the unit's name with its kind or level before it, unless it already has it."""
    return titled(unit_kind(unit, level), unit.name)


def place_name(unit: Unit, kind: str | None) -> str:
    """The unit's name without its kind: "Phường Hoàn Kiếm" → "Hoàn Kiếm"."""
    name = unit.name
    if kind and name.lower().startswith(kind + " "):
        return name[len(kind) + 1:].strip()
    return name


def _kind_en(kind: str, level: Level | None) -> str:
    """The kind in English: "commune"; else the level's English name; else as written."""
    if kind in KIND_EN:
        return KIND_EN[kind]
    if level is not None and level.name_en:
        return level.name_en.lower()
    return kind


def body_name(unit: Unit, kind: str | None, sep: str = " ", body: Body = Body.COMMITTEE,
              lang: str = "vi", level: Level | None = None) -> str | None:
    """The name of the unit's ``body`` in ``lang``: "Ủy ban nhân dân {kind} {name}",
    "Hội đồng nhân dân …", "Đảng ủy xã A", "Huyện ủy B"; in English "People's Committee of
    A commune"; ``sep`` where the name breaks in the header. None for a unit without a legal
    form (no such body)."""
    if kind is None:
        return None
    place = place_name(unit, kind)
    if body is Body.PARTY:
        committee, _ = _PARTY_COMMITTEE.get(kind, _PARTY_DEFAULT)
        if lang == "en":
            return f"Party Committee of {place} {_kind_en(kind, level)}"
        # on one line: "ĐẢNG ỦY XÃ {NAME}", "HUYỆN ỦY {NAME}"
        return f"{committee} {place}" if kind in _PARTY_COMMITTEE else (
            f"{committee} {kind} {place}")
    name = _STATE[body, "en" if lang == "en" else "vi"][0]
    if lang == "en":
        return f"{name}{sep}of {place} {_kind_en(kind, level)}"
    return f"{name}{sep}{kind} {place}"


def _party_organisation(unit: Unit, kind: str, lang: str, level: Level | None) -> str:
    """The Party organisation of a unit, written above its committee: "Đảng bộ tỉnh A"."""
    place = place_name(unit, kind)
    if lang == "en":
        return f"Party Organisation of {place} {_kind_en(kind, level)}"
    return f"Đảng bộ {kind} {place}"


def _derived(unit: Unit, level: Level | None, parent: Unit | None,
             parent_level: Level | None, body: Body, lang: str) -> Issuer:
    kind = unit_kind(unit, level)
    parent_kind = unit_kind(parent, parent_level) if parent is not None else None
    author = body_name(unit, kind, "\n", body, lang, level)
    if author is None or kind is None:  # a planning area issues nothing: no header
        return NO_ISSUER
    above = (body_name(parent, parent_kind, " ", body, lang, parent_level)
             if parent is not None else None)
    if body is Body.PARTY:
        committee, initials = _PARTY_COMMITTEE.get(kind, _PARTY_DEFAULT)
        organisation = (_party_organisation(parent, parent_kind, lang, parent_level)
                        if parent is not None and parent_kind else None)
        office = (f"Lưu Văn phòng {committee}" if lang == "vi"
                  else "Archived: Office of the Party Committee")
        standing = (f"Ban Thường vụ {above}" if lang == "vi" else f"Standing Committee, {above}"
                    ) if above else None
        return Issuer(author=author, parent_body=organisation, place=place_name(unit, kind),
                      number=None, symbol=f"BC/{initials}",
                      recipients=tuple(r for r in (standing, office) if r),
                      signer_title=_PARTY_SIGNER["en" if lang == "en" else "vi"],
                      signer_name=None, body=body)
    _, symbol, signer = _STATE[body, "en" if lang == "en" else "vi"]
    return Issuer(author=author, parent_body=None, place=place_name(unit, kind), number=None,
                  symbol=symbol, recipients=tuple(r for r in (above, _FILED.get(lang, FILED))
                                                  if r),
                  signer_title=signer, signer_name=None, body=body)


def issuer_of(unit: Unit, level: Level | None, parent: Unit | None,
              parent_level: Level | None, *overrides: HeaderFields,
              lang: str = "vi") -> Issuer:
    """The header of ``unit``'s report in ``lang``: derived from the unit, its parent and the
    body the overrides name (the last one written; default the People's Committee), then each
    override's written fields in turn.

    The People's Committee's (and Council's) header: its name ("Ủy ban nhân dân" over
    "{kind} {name}"), no managing body above it (Nghị định 30/2020 writes none for them), the
    unit's name as the place, symbol BC-UBND (BC-HĐND), signed "TM. Ủy ban nhân dân / Chủ
    tịch", sent to the parent's body of the same kind and filed ("Lưu: VT").

    The Party committee's: the parent's Party organisation ("Đảng bộ tỉnh A") over the
    committee ("Đảng ủy xã B", "Huyện ủy C"), symbol BC/ĐU (BC/HU, BC/TU, …), signed "T/M Ban
    Thường vụ / Bí thư", sent to the parent committee's standing committee and filed
    ("Lưu Văn phòng Đảng ủy")."""
    body = next((o.body for o in reversed(overrides) if o.body is not None), Body.COMMITTEE)
    return written(_derived(unit, level, parent, parent_level, body, lang), *overrides)


def written(issuer: Issuer, *overrides: HeaderFields) -> Issuer:
    """``issuer`` with each override's written fields in turn."""
    for override in overrides:
        given = {k: v for k, v in override if v is not None}  # as stored: None unwritten
        issuer = replace(issuer, **given)
    return issuer


def is_dated(period: Period, as_of: date) -> bool:
    """Whether a report on ``period`` evaluated on ``as_of`` carries that date: when it falls
    within the period or the :data:`DATED_MONTHS` after its end. Otherwise the report is on a
    period long past (or not begun): the signer writes its day and month."""
    end = period.end
    months = (as_of.year - end.year) * 12 + as_of.month - end.month
    return period.start <= as_of and (as_of <= end or months <= DATED_MONTHS)
