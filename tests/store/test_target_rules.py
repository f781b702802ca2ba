"""Targets go through the domain's rules and the workflow's locks, on both backends: what
``store.targets.save`` and ``tieuchi load`` (``Store.load``) refuse, and that a reopen makes
a locked period's targets writable again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
import pytest

from tests.store.helpers import DISTRICT, admin_user
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Entry, Store, User

DATASET = "kinh-te-xa-hoi"  # the district's socio-economic data set: dn-moi, ho-ngheo, …
KEY = "ktxh-dn-moi"  # the district's 2023 target for new enterprises (a count), in DATASET
OTHER_KEY = "tp-ntm-kieu-mau-2021-2025"  # a multi-year target, outside the 2023 lock


def _target(store: Store, key: str) -> dict[str, Any]:
    [doc] = [d for d in store.targets.of([DISTRICT]) if d["key"] == key]
    return doc


def _lock(store: Store, admin: User, until: str = "lock", period: str = "2023") -> None:
    for action in ("submit", "approve", "lock"):
        store.workflow.transition(DISTRICT, period, DATASET, action, actor=admin.username)
        if action == until:
            return


def _codes(raised: pytest.ExceptionInfo[ProblemError]) -> list[tuple[int | None, str, str]]:
    return [(p.index, p.field, p.code) for p in raised.value.problems]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")],
                         ids=["nan", "inf", "-inf"])
def test_save_targets_refuses_numbers_that_are_not_finite(loaded_store: Store,
                                                          bad: float) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    for field in ("value", "tolerance"):
        with pytest.raises(ProblemError) as raised:
            loaded_store.targets.save([{**held, field: bad}], actor=admin.username)
        assert _codes(raised) == [(0, field, "invalid-value")]
        assert raised.value.problems[0].message_vi
    assert _target(loaded_store, KEY) == held


def test_save_targets_refuses_what_the_domain_refuses(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    base = {**held, "key": "moi"}
    batch = [
        {**base, "key": "a", "comparator": "within", "value": 9.0, "value_high": 3.0},
        {**base, "key": "b", "baseline": "2022"},
        {**base, "key": "c", "comparator": None},
        {**base, "key": "d", "unit": "NO-SUCH-UNIT"},
        {**base, "key": "e", "indicator": "dien-tap-kvpt", "comparator": "equal",
         "value": 0.5},
        {**base, "key": "f", "period": "2023-Q1"},
        {**base, "key": "g", "basis": "ke-hoach-tinh"},  # no such basis in the catalogue
    ]
    with pytest.raises(ProblemError) as raised:
        loaded_store.targets.save(batch, actor=admin.username)
    assert _codes(raised) == [
        (0, "value_high", "range-order"), (1, "baseline", "baseline-without-relative"),
        (2, "comparator", "target-kind"), (3, "unit", "unknown-unit"),
        (4, "value", "yesno-value"), (5, "period", "period-too-fine"),
        (6, "basis", "unknown-basis")]
    assert tuple(loaded_store.targets.check(batch)) == raised.value.problems
    assert all(k not in {d["key"] for d in loaded_store.targets.of([DISTRICT])}
               for k in "abcdefg")


def test_save_targets_stores_canonical_periods(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    assert loaded_store.targets.save([{**held, "key": "q", "period": "2024-ytd12"}],
                                     actor=admin.username) == 1
    assert _target(loaded_store, "q")["period"] == "2024"


@pytest.mark.parametrize("state", ["submit", "approve", "lock"])
def test_a_closed_data_set_covers_the_units_targets(loaded_store: Store, state: str) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    _lock(loaded_store, admin, until=state)
    changed = {**held, "value": held["value"] + 1}
    with pytest.raises(ProblemError) as raised:
        loaded_store.targets.save([changed], actor=admin.username)
    code = {"submit": "submitted", "approve": "approved", "lock": "locked"}[state]
    assert _codes(raised) == [(0, "value", code)]
    assert _target(loaded_store, KEY) == held
    # Saving the target as it is changes nothing, so nothing is refused.
    assert loaded_store.targets.save([held], actor=admin.username) == 0
    # A new target for the locked year is refused too; one for another year is not.
    with pytest.raises(ProblemError):
        loaded_store.targets.save([{**held, "key": "new-2023"}], actor=admin.username)
    assert loaded_store.targets.save([{**held, "key": "new-2024", "period": "2024"}],
                                     actor=admin.username) == 1
    # A target longer than the locked period is not inside it.
    other = _target(loaded_store, OTHER_KEY)
    assert loaded_store.targets.save([{**other, "value": other["value"] + 1}],
                                     actor=admin.username) == 1


def test_a_lock_message_says_an_administrator_must_reopen(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    _lock(loaded_store, admin)
    with pytest.raises(ProblemError) as raised:
        loaded_store.targets.save([{**held, "value": 1.0}], actor=admin.username)
    [problem] = raised.value.problems
    assert "an administrator must reopen it" in problem.message
    assert "cần quản trị mở khóa" in problem.message_vi


def test_after_a_reopen_the_targets_are_writable_again(loaded_store: Store) -> None:
    admin = admin_user(loaded_store)
    held = _target(loaded_store, KEY)
    _lock(loaded_store, admin)
    loaded_store.workflow.transition(DISTRICT, "2023", DATASET, "reopen", actor=admin.username,
                                     reason="sửa chỉ tiêu theo nghị quyết điều chỉnh")
    assert loaded_store.targets.save([{**held, "value": 710.0}], actor=admin.username,
                                     reason="nghị quyết điều chỉnh") == 1
    assert _target(loaded_store, KEY)["value"] == 710.0


def _with_target_value(defs: Definitions, key: str, value: float) -> Definitions:
    targets = defs.targets.with_columns(
        pl.when(pl.col("key") == key).then(value).otherwise(pl.col("value")).alias("value"))
    return replace(defs, targets=targets)


def test_load_refuses_a_target_change_in_a_locked_period(loaded_store: Store,
                                                         thanh_tri: Definitions) -> None:
    admin = admin_user(loaded_store)
    _lock(loaded_store, admin)
    audits = loaded_store.audit.count()
    changed = _with_target_value(thanh_tri, KEY, 701.0)
    with pytest.raises(ProblemError) as raised:
        loaded_store.load(changed, actor="cli")
    assert [p.code for p in raised.value.problems] == ["locked"]
    assert _target(loaded_store, KEY)["value"] == 700.0
    assert loaded_store.audit.count() == audits
    # The same folder again changes nothing, so a lock does not stop it.
    assert loaded_store.load(thanh_tri, actor="cli").total == 0

    loaded_store.workflow.transition(DISTRICT, "2023", DATASET, "reopen", actor=admin.username,
                                     reason="điều chỉnh")
    assert loaded_store.load(changed, actor="cli").changed == {"targets": 1}
    assert _target(loaded_store, KEY)["value"] == 701.0


def test_a_lock_covers_the_default_data_set(store: Store, thanh_tri: Definitions) -> None:
    """A folder that defines no data set gets one with every indicator entered; locking it
    covers figures and targets alike."""
    store.load(replace(thanh_tri, datasets=()), actor="test")
    admin = admin_user(store)
    [dataset] = store.units.datasets_for(DISTRICT)
    for action in ("submit", "approve", "lock"):
        store.workflow.transition(DISTRICT, "2023", dataset.code, action, actor=admin.username)
    with pytest.raises(ProblemError) as raised:
        store.figures.write([Entry(DISTRICT, "dn-moi", "2023", 701)], actor=admin)
    assert [p.code for p in raised.value.problems] == ["locked"]
    held = _target(store, KEY)
    with pytest.raises(ProblemError) as raised:
        store.targets.save([{**held, "value": 1.0}], actor=admin.username)
    assert [p.code for p in raised.value.problems] == ["locked"]
