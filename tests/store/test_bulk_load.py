"""Loading in bulk: COPY on PostgreSQL, executemany on SQLite, exact both ways; a load's
audit kept compactly (one batch per load) and still read figure by figure; all or nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select

from tests.store.helpers import COMMUNE, YESNO
from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.store import Entry, Store, audit
from tieuchi.store.tables import AuditBatchRow, AuditRow, ObservationRow

YEAR = "2023"
# Values and sources that a text transfer could bend: the shortest float forms, quotes,
# commas, line breaks, an empty text (not a null), Vietnamese in NFC.
TRICKY = [
    (0.1 + 0.2, 'a "quoted", text'),
    (1e-300, "line\nbreak"),
    (123456789.123456789, ""),
    (-0.0, "Hà Nội, tháng 12"),
    (2.5e15, None),
]


def _rows(store: Store, table: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def _tricky(defs: Definitions) -> Definitions:
    """The reference district with its first figures' values and sources made tricky."""
    obs = defs.observations.with_row_index("i")
    values = pl.DataFrame({"i": range(len(TRICKY)), "v": [v for v, _ in TRICKY],
                           "s": [s for _, s in TRICKY]},
                          schema={"i": pl.UInt32, "v": pl.Float64, "s": pl.String})
    obs = obs.join(values, on="i", how="left").with_columns(
        value=pl.when(pl.col("v").is_not_null()).then("v").otherwise("value"),
        source=pl.when(pl.col("i") < len(TRICKY)).then("s").otherwise("source"),
    ).drop("i", "v", "s")
    return replace(defs, observations=obs)


def test_figures_come_back_exactly(store: Store, thanh_tri: Definitions) -> None:
    defs = _tricky(thanh_tri)
    store.load(defs, actor="test")
    columns = ["unit", "indicator", "period", "vintage", "value", "source", "recorded_at"]
    back = store.units.definitions().observations.select(columns).sort(columns[:4])
    assert back.equals(defs.observations.select(columns).sort(columns[:4]))
    # The same figures again are the same: nothing changes, nothing is audited.
    audits = store.audit.count()
    assert store.load(defs, actor="test").total == 0
    assert store.audit.count() == audits


def test_a_load_is_audited_as_one_batch(store: Store, thanh_tri: Definitions) -> None:
    store.load(thanh_tri, actor="test", reason="first load")
    assert _rows(store, AuditRow) == 0  # no row per figure
    assert _rows(store, AuditBatchRow) == 1
    assert store.audit.count() == thanh_tri.targets.height + thanh_tri.observations.height
    store.load(thanh_tri, actor="test")
    assert _rows(store, AuditBatchRow) == 1  # nothing changed, nothing audited
    # Each figure is stamped with its load's time and author, stored as a single write
    # stores them (compared in SQL: on SQLite, the same text).
    with store.session() as s:
        stamped = s.scalar(select(func.count()).select_from(ObservationRow).join(
            AuditBatchRow, (ObservationRow.changed_at == AuditBatchRow.at)
            & (ObservationRow.changed_by == AuditBatchRow.actor)))
    assert stamped == thanh_tri.observations.height


def test_every_figure_of_a_load_has_its_history(
    store: Store, thanh_tri: Definitions, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Parts of 7 changes: a unit's figures and single keys fall across several parts.
    monkeypatch.setattr(audit, "_AUDIT_PART", 7)
    store.load(thanh_tri, actor="loader", reason="đầu kỳ")
    own = thanh_tri.observations.filter(unit=COMMUNE)
    assert own.height > 7
    entries = store.audit.history("observation", COMMUNE)
    assert len(entries) == own.height
    assert {e.key for e in entries} == {
        f"{r['unit']}|{r['indicator']}|{r['period']}|{r['vintage']}"
        for r in own.iter_rows(named=True)}
    for r in own.iter_rows(named=True):
        [entry] = store.audit.history("observation", f"{COMMUNE}|{r['indicator']}|{r['period']}")
        assert (entry.action, entry.actor, entry.reason, entry.unit) == (
            "add", "loader", "đầu kỳ", COMMUNE)
        assert entry.old is None
        assert entry.new == {"value": r["value"], "source": r["source"]}
        assert entry.at.tzinfo is not None
    # A prefix is whole codes only: no other unit's figures, no partial code.
    assert store.audit.history("observation", COMMUNE[:-1]) == []
    target = thanh_tri.targets.row(0, named=True)
    [added] = store.audit.history("target", target["key"])
    assert added.new == target and added.unit == target["unit"]


def test_history_merges_loads_and_single_writes_newest_first(
    store: Store, thanh_tri: Definitions,
) -> None:
    key = f"{COMMUNE}|{YESNO}|{YEAR}"
    [held] = thanh_tri.observations.filter(
        unit=COMMUNE, indicator=YESNO, period=YEAR).get_column("value")
    store.load(thanh_tri, actor="first")
    store.figures.write([Entry(COMMUNE, YESNO, YEAR, 1 - held)], actor="entry", reason="form")
    store.load(thanh_tri, actor="second", reason="back to the file")
    later, written, first = store.audit.history("observation", key)
    assert (later.actor, later.action, later.reason) == ("second", "change", "back to the file")
    assert later.old is not None and later.new is not None
    assert (later.old["value"], later.new["value"]) == (1 - held, held)
    assert (written.actor, written.action, written.reason) == ("entry", "change", "form")
    assert (first.actor, first.action) == ("first", "add")
    assert later.at >= written.at >= first.at
    assert store.audit.count() == thanh_tri.targets.height + thanh_tri.observations.height + 2


def test_a_load_failing_in_the_middle_writes_nothing(
    store: Store, thanh_tri: Definitions, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*_: object) -> None:
        raise RuntimeError("disk full")

    # The audit comes last: by then the targets and figures are written in bulk.
    monkeypatch.setattr(audit.Audit, "record_batch", fail)
    with pytest.raises(RuntimeError):
        store.load(thanh_tri, actor="test")
    assert not store.units.has_definitions()
    assert store.units.definitions().observations.height == 0
    assert store.units.definitions().targets.height == 0
    assert store.audit.count() == 0


def test_a_failed_reload_keeps_what_was_held(
    loaded_store: Store, thanh_tri: Definitions, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = loaded_store.units.definitions()
    audits = loaded_store.audit.count()
    changed = replace(thanh_tri, observations=thanh_tri.observations.with_columns(
        value=pl.col("value") + 1), targets=thanh_tri.targets.with_columns(
        value=pl.col("value") * 2))

    def fail(*_: object) -> None:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(audit.Audit, "record_batch", fail)
    with pytest.raises(RuntimeError):
        loaded_store.load(changed, actor="test")
    after = loaded_store.units.definitions()
    assert after.targets.equals(before.targets)
    assert after.observations.equals(before.observations)
    assert loaded_store.audit.count() == audits


def test_a_folders_own_bases_are_kept(store: Store) -> None:
    """The bases a folder declares come back with its definitions, and a load without
    them drops them."""
    folder = Path(__file__).parents[1] / "reports" / "bases.yaml"
    defs = load_definitions(folder)
    store.load(defs, actor="test")
    kept = store.units.definitions()
    assert kept.bases == defs.bases
    assert kept.basis("du-toan-tinh-hdnd").vi.name == "dự toán tỉnh và HĐND xã giao"
    store.load(replace(defs, bases=()), actor="test")
    assert store.units.definitions().bases == ()
