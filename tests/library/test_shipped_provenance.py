"""Issue 12's Done-when: every shipped criterion shows its source and verified flag on the
web (the criteria matrix) and in the XLSX appendix. Each shipped set is put in a folder of
the units of its time and evaluated in a year it is in force; the checks are the ones the
reference example passes (tests/web/test_provenance.py, tests/reports/test_xlsx_provenance.py,
tests/domain/test_provenance.py), over every criterion of the set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.domain.test_provenance import check_provenance
from tests.library.test_criteria_library import AFTER_2025, BEFORE_2025, _with_set
from tests.reports.test_xlsx_provenance import check_xlsx_provenance
from tests.web.test_provenance import check_matrix_provenance
from tieuchi.library.criteria import IN_FORCE, ShippedSet, shipped_sets

# The 2026 folder with a city as well as a province: the standards of each apply to one.
WITH_CITY = AFTER_2025.replace(
    "  - {code: X1,", "  - {code: P2, name: Hai, level: tinh, kind: thành phố}\n  - {code: X1,")


def _folder(tmp_path: Path, shipped: ShippedSet) -> tuple[Path, str]:
    """The set in a folder of its time, and a year it is in force."""
    if shipped.status(date(2026, 6, 1)) == IN_FORCE:
        return _with_set(tmp_path, shipped.name, WITH_CITY), "2026"
    return _with_set(tmp_path, shipped.name, BEFORE_2025), "2024"


@pytest.mark.parametrize("shipped", shipped_sets(), ids=lambda s: s.name)
def test_every_shipped_criterion_shows_its_source_and_verified_flag(
        tmp_path: Path, shipped: ShippedSet) -> None:
    folder, period = _folder(tmp_path, shipped)
    total = sum(len(s.criteria) for s in shipped.sets)
    assert check_provenance(folder) == total
    assert check_matrix_provenance(folder, period) == total
    assert check_xlsx_provenance(folder, period) == total
    assert check_xlsx_provenance(folder, period, lang="en") == total
