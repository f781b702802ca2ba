"""Data exchange: Excel entry templates and their import, CSV, DHIS2 ``dataValueSets``
(docs/exchange.md).

Every import reads and checks a whole file into a :class:`Plan` (the figures it changes, each
with its place: sheet and cell, file and line) or raises :class:`ProblemError` with every
:class:`~tieuchi.domain.problems.Problem`; :func:`apply` writes a plan with one
``store.figures.write``.
"""

from tieuchi.io.csv_exchange import (
    TargetPlan,
    apply_targets,
    observations_frame,
    read_csv,
    targets_frame,
    write_csv,
)
from tieuchi.io.dhis2 import Mapping, export_data_values, load_mapping, read_data_values
from tieuchi.io.excel_import import read_workbook, refresh
from tieuchi.io.excel_template import Template, build_workbook, plan_template, workbook_bytes
from tieuchi.io.plan import Change, Plan, apply, check

__all__ = [
    "Plan", "Change", "apply", "check",
    "Template", "plan_template", "build_workbook", "workbook_bytes", "read_workbook",
    "refresh", "read_csv", "observations_frame", "targets_frame", "write_csv", "TargetPlan",
    "apply_targets", "Mapping", "load_mapping", "export_data_values", "read_data_values",
]
