"""Figures written through the store come back unchanged, on both backends."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.helpers import COMMUNE_SET, DISTRICT
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import ValueType
from tieuchi.store import Entry, Store


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_written_yes_no_figures_come_back(loaded_store: Store, thanh_tri: Definitions,
                                          data: st.DataObject) -> None:
    # The store is shared by the examples: each checks what it wrote over what was there.
    communes = [u.code for u in thanh_tri.units if u.parent == DISTRICT and u.level == "xa"]
    [dataset] = [d for d in thanh_tri.datasets if d.code == COMMUNE_SET]
    yesno = [i.code for i in thanh_tri.indicators
             if i.code in dataset.indicators and i.type is ValueType.YESNO]
    period = data.draw(st.sampled_from(["2023", "2024"]), label="period")
    figures = data.draw(st.dictionaries(
        st.tuples(st.sampled_from(communes), st.sampled_from(yesno)),
        st.sampled_from([0.0, 1.0, None]), min_size=1, max_size=25), label="figures")

    loaded_store.figures.write([Entry(unit, indicator, period, value)
                                for (unit, indicator), value in figures.items()],
                               actor="hypothesis")

    observations = loaded_store.units.definitions(DISTRICT).observations.filter(
        pl.col("period") == period, pl.col("vintage") == "official")
    held = {(r["unit"], r["indicator"]): r["value"]
            for r in observations.iter_rows(named=True)}
    for key, value in figures.items():
        assert held.get(key) == value, key
