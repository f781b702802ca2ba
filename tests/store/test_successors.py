"""A unit's definitions bring the units it succeeded, with their figures: the web report of a
commune formed by a merger compares its year with its predecessors' (issue 10, B5)."""

from __future__ import annotations

import dataclasses

import polars as pl
from alembic import command
from sqlalchemy import select

from tests.conftest import ROOT
from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.engine import evaluate
from tieuchi.store import Store, database
from tieuchi.store.tables import UnitSuccessorRow

IA_SAO = ROOT / "examples" / "ia-sao-2025"


def _loaded(url: str, defs: Definitions | None = None) -> tuple[Store, Definitions]:
    defs = defs or load_definitions(IA_SAO)
    store = Store.open(url)
    store.load(defs, actor="test")
    return store, defs


def _units(defs: Definitions) -> set[str]:
    return {u.code for u in defs.units}


def test_a_unit_brings_the_units_it_succeeded_and_their_figures(database_url: str) -> None:
    store, _ = _loaded(database_url)
    defs = store.units.definitions("IS")
    # the two former communes, not their former district (Ayun Pa) nor the province
    assert _units(defs) == {"IS", "IS-CU", "IRTO"}
    observed = set(defs.observations.get_column("unit").unique().to_list())
    assert {"IS-CU", "IRTO"} <= observed
    # their targets and groups stay theirs: the unit's own only
    assert set(defs.targets.get_column("unit").unique().to_list()) == {"IS"}
    figure = evaluate(defs, "2025", units=["IS"]).figures.filter(
        (pl.col("unit") == "IS") & (pl.col("indicator") == "gtsx-cn")).row(0, named=True)
    assert figure["last_year"] == 280.5
    assert round(figure["change_vs_same_period"], 1) == 12.3


def test_the_units_succeeded_are_followed_back_and_kept_at_each_load(database_url: str) -> None:
    folder = load_definitions(IA_SAO)
    units = [*folder.units]
    # an older commune merged into Ia Sao (cũ) in an earlier reorganisation
    old = units[[u.code for u in units].index("IS-CU")].model_copy(update={
        "code": "IS-XUA", "name": "Ia Sao (xưa)", "successors": ("IS-CU",)})
    store, _ = _loaded(database_url, dataclasses.replace(folder, units=(*units, old)))
    assert "IS-XUA" in _units(store.units.definitions("IS"))
    assert _units(store.units.definitions("IS-CU")) == {"IS-CU", "IS-XUA"}
    # a reload without Ia Rtô's successor: Ia Rtô is no longer brought
    irto = [u.model_copy(update={"successors": ()}) if u.code == "IRTO" else u for u in units]
    store.load(dataclasses.replace(folder, units=(*irto, old)), actor="test")
    assert "IRTO" not in _units(store.units.definitions("IS"))


def test_the_migration_fills_the_successors_of_units_loaded_before(database_url: str) -> None:
    store, _ = _loaded(database_url)
    config = database.alembic_config(store.engine)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    database.upgrade(store.engine)
    with store.engine.connect() as connection:
        pairs = {(unit, successor) for unit, successor in connection.execute(
            select(UnitSuccessorRow.unit, UnitSuccessorRow.successor))}
    assert pairs == {("IS-CU", "IS"), ("IRTO", "IS")}


def test_a_split_unit_keeps_its_weights_in_the_store(database_url: str) -> None:
    """Xã Ba Vì (examples/ba-vi-2026) succeeded two whole communes and part of Minh Quang:
    its 2024 figure read back from the store is re-based as from the folder."""
    store, _ = _loaded(database_url, load_definitions(ROOT / "examples" / "ba-vi-2026"))
    defs = store.units.definitions("X09700")
    assert _units(defs) == {"X09700", "L09703", "L09712", "L09700"}
    target = evaluate(defs, "2026").target("ct-thu-nsnn")
    assert target is not None
    assert (round(target["base"], 6), target["baseline_origin"]) == (26.8, "carried")
