"""Problems found in definitions: each is data with a stable code, a place and a fix.

The catalogue of codes is :data:`CODES`; ``docs/problems.md`` documents each one and a test
fails when a code is missing there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Problem", "Severity", "CODES", "DefinitionError", "suggest"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


CODES: dict[str, str] = {
    "no-definitions": "The folder holds no definition file.",
    "yaml-syntax": "A YAML file cannot be parsed.",
    "not-a-mapping": "A YAML file or section has the wrong shape.",
    "unknown-section": "A YAML file has a top-level key that is not a section.",
    "missing-field": "A required field is missing.",
    "unknown-field": "A field is not part of the definition.",
    "wrong-type": "A field's value has the wrong type.",
    "invalid-value": "A field's value is not allowed.",
    "duplicate-code": "Two definitions share a code.",
    "duplicate-section": "The project or the report outline is given in two places.",
    "unknown-unit": "A unit code is not defined.",
    "unknown-indicator": "An indicator code is not defined.",
    "unknown-level": "A level code is not defined.",
    "unknown-criteria-set": "A criteria set code is not defined.",
    "unknown-group": "A target group code is not defined.",
    "unknown-target": "A target key is not defined.",
    "hierarchy-cycle": "Units are their own ancestors.",
    "set-cycle": "Criteria sets depend on each other in a cycle.",
    "period-too-fine": "A period is finer than the indicator is collected for.",
    "unknown-dimension-value": "A threshold names a region or group the set does not declare.",
    "missing-threshold": "A unit's region or group has no threshold.",
    "missing-dimension": "A unit lacks the attribute a set's thresholds depend on.",
    "missing-unit-or-period": "A target outside a group gives no unit or no period.",
    "duplicate-target": "Two targets have the same key.",
    "unit-not-valid": "A target or observation is for a unit outside its validity dates.",
    "csv-header": "A CSV file lacks a required column or has an unknown one.",
    "csv-value": "A CSV cell cannot be read.",
    "yesno-value": "A yes/no indicator has a value (or a target) other than 1 or 0.",
    "percent-range": "A percentage is not between 0 and 100.",
    "count-value": "A count is not a whole number, 0 or more.",
    "range-order": "A range target's upper value is below its lower value.",
    "duplicate-observation": "Two observations share unit, indicator, period and vintage.",
    "target-comparator": "A target's comparator does not fit its indicator.",
    "empty-group": "A target group has no target.",
    "component-cycle": "Indicators are made of components that come back to themselves.",
    "target-period": "A target in a group is for a period outside the group's period.",
    "set-applies-to-nothing": "A criteria set is evaluated for no unit.",
    "computed-indicator": "A figure is given for an indicator the engine counts from a set.",
    "derived-in-dataset": "A data set lists an indicator the engine computes.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented problem code {self.code!r}")

    @property
    def place(self) -> str:
        if self.file is None:
            return "<definitions>"
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.place}: {self.severity.value} {self.code} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
        }


class DefinitionError(Exception):
    """Definitions with at least one error; ``problems`` holds all of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        errors = sum(p.severity is Severity.ERROR for p in self.problems)
        super().__init__(f"{errors} error(s) in the definitions")


def suggest(word: str, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
