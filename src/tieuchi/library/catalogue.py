"""The standard catalogue of socio-economic indicators that a new folder starts from: the
usual names, synonyms, units and rules of a provincial or commune plan's indicators
(``data/catalogue/indicators.yaml``, a normal ``indicators:`` definition file)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

from tieuchi.domain.indicators import Indicator

__all__ = ["catalogue", "catalogue_text", "catalogue_codes"]

_FILE = ("data", "catalogue", "indicators.yaml")


@cache
def catalogue_text() -> str:
    """The catalogue's YAML as shipped, comments included: the text a new folder copies."""
    return files("tieuchi.library").joinpath(*_FILE).read_text(encoding="utf-8")


@cache
def catalogue() -> tuple[Indicator, ...]:
    """The catalogue's indicators, in the file's order."""
    document = yaml.safe_load(catalogue_text())
    return tuple(Indicator.model_validate(item) for item in document["indicators"])


def catalogue_codes() -> frozenset[str]:
    """The catalogue's indicator codes."""
    return frozenset(i.code for i in catalogue())
