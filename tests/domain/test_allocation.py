"""Allocation rules (domain/allocation.py): a target's parts add up to it exactly, to at
least it or to at most it, as the target declares, else as its comparator says ("≥ 700" is
allocated at least 700 in all: 750 given to the communes was refused). Pure functions, then
the same rule through the application, the store and the loader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.store.helpers import DISTRICT, admin_user, officer_user
from tieuchi.app import App
from tieuchi.definitions import check_definitions
from tieuchi.domain.allocation import DEFAULT_RULES, allocation_rule, holds, rule_problem
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.problems import ProblemError
from tieuchi.domain.targets import AllocationRule
from tieuchi.reports.formatting import number
from tieuchi.store import Store

COUNT = Indicator.model_validate({"code": "dn-moi", "name": "Doanh nghiệp thành lập mới",
                                  "type": "count", "unit": "doanh nghiệp"})


def shown(value: float, lang: str) -> str:
    return number(value, lang, 0)


def target(comparator: str, value: float, allocation: str | None = None) -> dict[str, Any]:
    return {"comparator": comparator, "value": value, "allocation": allocation}


def test_the_default_rule_follows_the_comparator() -> None:
    assert DEFAULT_RULES == {"at_least": AllocationRule.AT_LEAST,
                             "at_most": AllocationRule.AT_MOST,
                             "equal": AllocationRule.EXACTLY}
    assert allocation_rule(target("at_least", 700)) is AllocationRule.AT_LEAST
    assert allocation_rule(target("at_least", 700, "exactly")) is AllocationRule.EXACTLY
    assert allocation_rule(target("equal", 15)) is AllocationRule.EXACTLY


@pytest.mark.parametrize(("rule", "total", "kept"), [
    (AllocationRule.AT_LEAST, 750, True), (AllocationRule.AT_LEAST, 700, True),
    (AllocationRule.AT_LEAST, 699, False), (AllocationRule.AT_MOST, 650, True),
    (AllocationRule.AT_MOST, 701, False), (AllocationRule.EXACTLY, 700, True),
    (AllocationRule.EXACTLY, 750, False), (AllocationRule.EXACTLY, 699.6, True),
])
def test_each_rule_bounds_the_total(rule: AllocationRule, total: float, kept: bool) -> None:
    parts = {"A": total - 100, "B": 100.0}
    assert holds(rule, 700, parts, 0) is kept


def test_the_problem_says_the_rule_in_both_languages() -> None:
    assert rule_problem(target("at_least", 700), {"A": 750.0}, COUNT, shown) is None
    low = rule_problem(target("at_least", 700), {"A": 690.0}, COUNT, shown)
    assert low is not None and low.code == "allocation-mismatch"
    assert low.message_vi == ("Tổng phân bổ 690 thấp hơn chỉ tiêu cấp trên 700: tổng giao "
                              "cho cấp dưới phải từ 700 trở lên")
    assert "at least 700" in low.message
    high = rule_problem(target("at_most", 700), {"A": 750.0}, COUNT, shown)
    assert high is not None and "không được vượt quá 700" in high.message_vi
    exact = rule_problem(target("at_least", 700, "exactly"), {"A": 750.0}, COUNT, shown)
    assert exact is not None and "khác chỉ tiêu cấp trên 700" in exact.message_vi


def test_750_given_against_at_least_700_is_saved(loaded_store: Store) -> None:
    """The issue's case, through the application: a district gives its communes more."""
    app = App(loaded_store)
    officer = officer_user(loaded_store)
    below = sorted(u.code for u in loaded_store.units.children(DISTRICT) if u.level == "xa")
    parts = {code: 750 / len(below) for code in below}
    assert app.allocate(officer, DISTRICT, "ktxh-dn-moi", parts) == len(below)
    # declared exactly, the same parts are refused
    [held] = [t for t in loaded_store.targets.of([DISTRICT]) if t["key"] == "ktxh-dn-moi"]
    loaded_store.targets.save([{**held, "allocation": "exactly"}],
                              actor=admin_user(loaded_store).username)
    with pytest.raises(ProblemError) as raised:
        app.allocate(officer, DISTRICT, "ktxh-dn-moi", parts)
    assert [p.code for p in raised.value.problems] == ["allocation-mismatch"]


CATALOGUE = """\
levels:
  - {code: huyen, name: Huyện}
  - {code: xa, name: Xã}
units:
  - {code: H, name: Huyện H, level: huyen}
  - {code: X1, name: Xã 1, level: xa, parent: H}
indicators:
  - {code: so, name: Số, type: count}
targets:
"""
TARGETS = ["{code: a, indicator: so, unit: H, period: '2023', at_least: 7, allocation: mostly}",
           "{code: b, indicator: so, unit: H, period: '2023', growth: 5, allocation: at_least}",
           "{code: c, indicator: so, unit: H, period: '2023', at_least: 7, allocation: at_most}"]


def test_the_loader_and_the_store_refuse_the_same_allocation_rules(
        loaded_store: Store, tmp_path: Path) -> None:
    """One check (domain.ruleset.target_problems): a rule that is none of exactly, at_least,
    at_most, or given to a target that is not split (a growth), is refused by ``tieuchi
    load`` and by ``store.targets.save`` alike; a rule that differs from the comparator's
    default is allowed."""
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(
        CATALOGUE + "".join(f"  - {row}\n" for row in TARGETS), encoding="utf-8")
    _, problems = check_definitions(folder)
    loader = sorted((p.line, p.code) for p in problems)
    assert [code for _, code in loader] == ["allocation-rule", "allocation-rule"]
    [held] = [t for t in loaded_store.targets.of([DISTRICT]) if t["key"] == "ktxh-dn-moi"]
    docs = [{**held, "key": "a", "allocation": "mostly"},
            {**held, "key": "b", "comparator": None, "relative": "growth",
             "relative_value": 5.0, "allocation": "at_least"},
            {**held, "key": "c", "allocation": "at_most"}]
    found = loaded_store.targets.check(docs)
    assert sorted((p.index, p.code) for p in found) == [(0, "allocation-rule"),
                                                        (1, "allocation-rule")]
