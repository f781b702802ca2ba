"""Problems of a file being imported or exported: where, what, and how to fix it.

The place is the one a person looks at: ``Yên Mỹ!E9`` (sheet and cell of a workbook),
``observations.csv:7`` (file and line), ``dvs.json:dataValues[3]`` (a DHIS2 data value) or
``map.yaml:12``. Each problem has a stable code (:data:`CODES`, documented in
``docs/exchange.md``) and its message in English and Vietnamese. Problems refused by the
store keep the store's code and message, with the place of the entry they belong to.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tieuchi.definitions.problems import Severity

__all__ = ["CODES", "STORE_CODES", "FileProblem", "ExchangeError", "Severity"]

CODES: dict[str, str] = {
    # files
    "unreadable-file": "The file cannot be read as the kind of file it should be.",
    "too-large": "The file is larger than the import accepts.",
    # Excel workbooks
    "missing-metadata": "The workbook has no tieuchi metadata sheet: it was not made by "
                        "`tieuchi template`.",
    "bad-metadata": "A cell of the metadata sheet cannot be used.",
    "wrong-sheet": "A sheet is not one the template made, or a sheet of the template is "
                   "missing.",
    "wrong-header": "The header row of a sheet was changed.",
    "merged-cells": "Cells of the data area are merged.",
    "formula-not-computed": "A formula has no computed value saved with it.",
    "not-a-number": "A value is not a number.",
    "unit-of-measure": "A value or the Đơn vị tính column names another unit of measure "
                       "than the indicator's.",
    "yesno-value": "A yes/no value is not Đạt, Chưa đạt, 1 or 0.",
    "unknown-indicator": "An indicator code is not in the catalogue.",
    "not-in-dataset": "An indicator is not part of the template's data set.",
    "missing-indicator": "A row with a value names no indicator.",
    "name-mismatch": "A row's indicator name is not the name of its code.",
    "duplicate-row": "The same indicator is given twice on a sheet.",
    "changed-since-template": "A figure changed in the database after the template was made "
                              "(warning).",
    "note-not-stored": "Notes of the Ghi chú column are shown, not stored (warning).",
    # CSV files
    "csv-header": "A CSV file lacks a required column or has an unknown one.",
    "csv-value": "A CSV cell is empty or cannot be read.",
    "unknown-unit": "A unit code is not in the hierarchy.",
    "invalid-period": "A period code cannot be read.",
    "invalid-vintage": "A vintage is not plan, estimate, preliminary or official.",
    "duplicate-observation": "The same figure (unit, indicator, period, vintage) is given "
                             "twice.",
    "invalid-target": "A target row is not a valid target.",
    "duplicate-target": "Two target rows have the same key.",
    # DHIS2
    "mapping": "The DHIS2 mapping file is not valid.",
    "unmapped": "A code has no counterpart in the DHIS2 mapping.",
    "dhis2-period": "A period has no DHIS2 counterpart, or a DHIS2 period no tieuchi one.",
    "dhis2-value": "A DHIS2 data value cannot be read.",
    # options
    "invalid-option": "An option of the command or the page cannot be used.",
}

STORE_CODES: dict[str, str] = {
    "computed-indicator": "The indicator is computed by the engine, not entered.",
    "invalid-value": "The value is not a finite number.",
    "percent-range": "A percentage is not between 0 and 100.",
    "count-value": "A count is not a whole number, 0 or more.",
    "period-too-fine": "The indicator is not collected for so short a period.",
    "range-order": "A range target's upper value is below its lower value.",
    "target-kind": "A target gives both or neither of a comparator and a relative target.",
    "missing-value": "A target gives no value for its comparator or relative target.",
    "missing-value-high": "A range target gives no upper value.",
    "baseline-without-relative": "A target gives a baseline without a relative target.",
    "negative-tolerance": "A target's tolerance is below 0.",
    "target-comparator": "A target's comparator does not fit its indicator.",
    "locked": "The unit's data set for the period is locked.",
    "submitted": "The unit's data set for the period was submitted to the level above.",
    "approved": "The unit's data set for the period was approved.",
}
"""Codes of the problems ``store.figures.write`` refuses entries with (those not in
:data:`CODES` already); an import reports them with the place of the entry."""


@dataclass(frozen=True)
class FileProblem:
    """One problem: its place, a stable code, and the message in English and Vietnamese."""

    place: str
    code: str
    message: str
    message_vi: str
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if self.code not in CODES and self.code not in STORE_CODES:
            raise ValueError(f"undocumented problem code {self.code!r}")

    def text(self, lang: str = "vi") -> str:
        """``place: message`` in ``lang``."""
        return f"{self.place}: {self.message_vi if lang == 'vi' else self.message}"

    def __str__(self) -> str:
        return f"{self.place}: {self.severity.value} {self.code} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"place": self.place, "code": self.code, "severity": self.severity.value,
                "message": self.message, "message_vi": self.message_vi}


class ExchangeError(Exception):
    """A file that cannot be imported or exported; ``problems`` lists every reason."""

    def __init__(self, problems: Iterable[FileProblem]) -> None:
        self.problems: Sequence[FileProblem] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5]))
