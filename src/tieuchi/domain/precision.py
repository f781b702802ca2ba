"""How precisely a report writes a target's percentages (% of the target, change on the
same period, ratio to it): ``percent_decimals`` and ``percent_fixed``.

Both may be written on the project, the report outline, a target group, a target (and a
report highlight); the nearest wins: highlight/target > group > report > project > the
default, :data:`DEFAULT_PERCENT_DECIMALS`. The engine resolves them once per target into
its frame (columns ``percent_decimals`` and ``percent_fixed``), so every output writes a
target's percentages alike.
"""

from __future__ import annotations

from typing import NamedTuple

from pydantic import Field

from tieuchi.domain.base import Model

__all__ = ["Precise", "Precision", "DEFAULT_PERCENT_DECIMALS", "nearest_precision"]

DEFAULT_PERCENT_DECIMALS = 2
"""Officials write "86,47%": two decimals, trailing zeros dropped ("15%", "0,2%")."""


class Precise(Model):
    """The precision fields a definition may carry; None: as the level above."""

    percent_decimals: int | None = Field(default=None, ge=0, le=6)
    percent_fixed: bool | None = None  # keep trailing zeros: "5,0%"


class Precision(NamedTuple):
    decimals: int
    fixed: bool


def nearest_precision(*levels: Precise | None) -> Precision:
    """The precision of the nearest level that gives one, field by field (``levels`` from
    the nearest to the farthest); the default when none does."""
    decimals = next((lv.percent_decimals for lv in levels
                     if lv is not None and lv.percent_decimals is not None),
                    DEFAULT_PERCENT_DECIMALS)
    fixed = next((lv.percent_fixed for lv in levels
                  if lv is not None and lv.percent_fixed is not None), False)
    return Precision(decimals, fixed)
