"""The read model: after any sequence of writes, every result it keeps equals a full
evaluation from scratch, on SQLite and PostgreSQL, whether it was patched (only what a write
reaches evaluated again) or computed in full; a result made stale by a write the read model
did not see is computed again on the next read, and never patched past it."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import fields

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.helpers import COMMUNE, COMMUNE_SET, DISTRICT, OTHER_COMMUNE
from tieuchi.app import SYSTEM, App
from tieuchi.app.readmodel import facts_of, pack, unpack
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.indicators import ValueType
from tieuchi.engine import Evaluation, evaluate
from tieuchi.engine.criteria import SetResults
from tieuchi.store import Entry, Store


def frames(ev: Evaluation) -> dict[str, pl.DataFrame]:
    return {"values": ev.values, "targets": ev.targets, "groups": ev.groups,
            **{f"sets.{f.name}": getattr(ev.sets, f.name) for f in fields(SetResults)}}


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame's rows in one order (the engine does not promise one for every frame)."""
    keys = [c for c, t in frame.schema.items() if not isinstance(t, pl.List | pl.Struct)]
    return frame.sort(keys, nulls_last=True) if keys else frame


def assert_same(found: Evaluation, expected: Evaluation) -> None:
    assert (found.period, found.as_of, found.units) == (
        expected.period, expected.as_of, expected.units)
    for name, frame in frames(expected).items():
        got = frames(found)[name]
        assert got.schema == frame.schema, name
        assert rows(got).equals(rows(frame)), name


def from_scratch(store: Store, unit: str, period: str) -> Evaluation:
    definitions = store.units.definitions(unit)
    return evaluate(definitions, period, units=[unit])


def kept(store: Store, unit: str, period: str) -> Evaluation:
    """The result as kept in the database, without any freshness check."""
    stored = store.results.stored(unit, period)
    assert stored is not None, (unit, period)
    return unpack(stored.payload, store.units.definitions(unit))


def test_a_result_packed_in_an_earlier_layout_is_not_read(thanh_tri_2023: Evaluation,
                                                         thanh_tri: Definitions) -> None:
    """A result kept before the targets had their assessment and precision columns is
    computed again, not read without them."""
    packed = zipfile.ZipFile(io.BytesIO(pack(thanh_tri_2023)))
    older = io.BytesIO()
    with zipfile.ZipFile(older, "w") as archive:
        for name in packed.namelist():
            data = packed.read(name)
            if name == "meta.json":
                meta = json.loads(data)
                del meta["format"]
                data = json.dumps(meta).encode()
            archive.writestr(name, data)
    assert unpack(older.getvalue(), thanh_tri) is None


def test_a_packed_evaluation_comes_back_whole(thanh_tri_2023: Evaluation,
                                              thanh_tri: Definitions) -> None:
    assert_same(unpack(pack(thanh_tri_2023), thanh_tri), thanh_tri_2023)


def _yesno(thanh_tri: Definitions) -> list[str]:
    [dataset] = [d for d in thanh_tri.datasets if d.code == COMMUNE_SET]
    return [i.code for i in thanh_tri.indicators
            if i.code in dataset.indicators and i.type is ValueType.YESNO]


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_after_any_writes_the_read_model_equals_a_full_evaluation(
        loaded_store: Store, thanh_tri: Definitions, data: st.DataObject) -> None:
    app = App(loaded_store)
    communes = [u.code for u in thanh_tri.units if u.parent == DISTRICT and u.level == "xa"]
    yesno = _yesno(thanh_tri)
    # What pages have read so far: the district and a commune, this year and the next.
    for unit, period in [(DISTRICT, "2023"), (COMMUNE, "2023"), (DISTRICT, "2024")]:
        app.results.evaluation(unit, period)
    steps = data.draw(st.lists(st.one_of(
        st.tuples(st.just("figures"), st.lists(st.tuples(
            st.sampled_from(communes), st.sampled_from(yesno),
            st.sampled_from(["2023", "2024"]), st.sampled_from([0.0, 1.0, None])),
            min_size=1, max_size=6)),
        st.tuples(st.just("target"), st.floats(min_value=0, max_value=100, width=32)),
        st.tuples(st.just("unseen"), st.tuples(st.sampled_from(communes),
                                               st.sampled_from(yesno),
                                               st.sampled_from([0.0, 1.0]))),
        st.tuples(st.just("read"), st.sampled_from([OTHER_COMMUNE, *communes[:3]]))),
        min_size=1, max_size=5), label="steps")
    targets = {t["key"]: t for t in loaded_store.targets.of([DISTRICT], "2023")
               if t["comparator"] == "at_least" and t["relative"] is None}
    key = sorted(targets)[0]
    for kind, what in steps:
        if kind == "figures":
            entries = {(u, i, p): v for u, i, p, v in what}
            app.write_figures(SYSTEM, [Entry(u, i, p, v) for (u, i, p), v in entries.items()])
        elif kind == "target":
            app.set_targets(SYSTEM, [{**targets[key], "value": float(what)}])
        elif kind == "unseen":  # written past the application: no refresh follows
            unit, indicator, value = what
            loaded_store.figures.write([Entry(unit, indicator, "2023", value)], actor="test")
        else:
            app.results.evaluation(what, "2023")
    for unit, period in loaded_store.results.kept_for([DISTRICT, *communes]):
        expected = from_scratch(loaded_store, unit, period)
        stored = loaded_store.results.stored(unit, period)
        assert stored is not None
        if stored.version >= loaded_store.results.unit_version(unit):  # kept as fresh: it must be
            assert_same(kept(loaded_store, unit, period), expected)
        assert_same(app.results.evaluation(unit, period), expected)
        # What the pages read: the result over the definitions without data, and its facts.
        light = loaded_store.units.definitions(unit, data=False)
        found = app.results.result(unit, period, light)
        assert_same(found.evaluation, expected)
        assert found.facts == facts_of(loaded_store.units.definitions(unit), unit)


def test_a_write_the_read_model_did_not_see_makes_its_result_stale(loaded_store: Store) -> None:
    app = App(loaded_store)
    before = app.results.evaluation(DISTRICT, "2023")
    version = loaded_store.results.stored(DISTRICT, "2023")
    assert version is not None
    # Written past the application (as a killed process would leave it): no refresh.
    loaded_store.figures.write([Entry(COMMUNE, "ntmnc-04", "2023", 0)], actor="test")
    assert loaded_store.results.unit_version(DISTRICT) > version.version
    # not above the write:
    assert loaded_store.results.unit_version(OTHER_COMMUNE) <= version.version
    after = app.results.evaluation(DISTRICT, "2023")
    assert not after.sets.summaries.equals(before.sets.summaries)
    assert_same(after, from_scratch(loaded_store, DISTRICT, "2023"))
    stored = loaded_store.results.stored(DISTRICT, "2023")
    assert stored is not None and stored.version == loaded_store.results.unit_version(DISTRICT)


def test_a_write_refreshes_the_results_above_it_only(loaded_store: Store) -> None:
    app = App(loaded_store)
    for unit in (DISTRICT, COMMUNE, OTHER_COMMUNE):
        app.results.evaluation(unit, "2023")
    other = loaded_store.results.stored(OTHER_COMMUNE, "2023")
    app.write_figures(SYSTEM, [Entry(COMMUNE, "ntmnc-04", "2023", 0)])
    for unit in (DISTRICT, COMMUNE):
        stored = loaded_store.results.stored(unit, "2023")
        assert stored is not None and stored.version == loaded_store.results.unit_version(unit)
        assert_same(kept(loaded_store, unit, "2023"), from_scratch(loaded_store, unit, "2023"))
    assert loaded_store.results.stored(OTHER_COMMUNE, "2023") == other  # not computed again


def test_a_write_patches_the_results_above_it_from_its_indicators_alone(
        loaded_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    app = App(loaded_store)
    for unit in (DISTRICT, COMMUNE):
        app.results.evaluation(unit, "2023")
    read = loaded_store.units.definitions

    def light_only(root: str | None = None, *, data: bool = True) -> Definitions:
        assert not data, "the refresh read every figure"
        return read(root, data=data)

    monkeypatch.setattr(loaded_store.units, "definitions", light_only)
    assert app.write_figures(SYSTEM, [Entry(COMMUNE, "ntmnc-04", "2023", 0)]) == 1
    monkeypatch.setattr(loaded_store.units, "definitions", read)
    for unit in (DISTRICT, COMMUNE):
        stored = loaded_store.results.stored(unit, "2023")
        assert stored is not None and stored.version == loaded_store.results.unit_version(unit)
        assert_same(kept(loaded_store, unit, "2023"), from_scratch(loaded_store, unit, "2023"))


def test_a_result_that_missed_a_write_is_computed_in_full_not_patched(
        loaded_store: Store) -> None:
    app = App(loaded_store)
    app.results.evaluation(DISTRICT, "2023")
    loaded_store.figures.write([Entry(COMMUNE, "ntmnc-04", "2023", 0)], actor="test")  # unseen
    app.write_figures(SYSTEM, [Entry(OTHER_COMMUNE, "ntmnc-05", "2023", 0)])
    assert_same(kept(loaded_store, DISTRICT, "2023"),
                from_scratch(loaded_store, DISTRICT, "2023"))
