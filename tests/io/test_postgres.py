"""The exchange round trips on PostgreSQL: what SQLite does in the other files of this folder
(CSV and DHIS2 export, then import into a store with the definitions only), identical."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import _new_database
from tests.io.conftest import figures
from tests.io.test_dhis2 import COMMUNE_SET, docs_mapping
from tieuchi.cli import app
from tieuchi.domain.bundle import Definitions
from tieuchi.store import Store

runner = CliRunner()


@pytest.fixture
def pg_pair(tmp_path: Path, thanh_tri: Definitions) -> Iterator[tuple[Store, Store]]:
    """The reference district, and its definitions without figures or targets, each in a
    PostgreSQL database of the test's own."""
    bare = replace(thanh_tri, observations=thanh_tri.observations.clear(),
                   targets=thanh_tri.targets.clear(), members=thanh_tri.members.clear(),
                   groups=())
    with _new_database("postgresql", tmp_path / "a") as full_url, \
            _new_database("postgresql", tmp_path / "b") as bare_url:
        full, empty = Store.open(full_url), Store.open(bare_url)
        full.load(thanh_tri, actor="test")
        empty.load(bare, actor="test")
        yield full, empty
        full.engine.dispose()
        empty.engine.dispose()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_dhis2_round_trip_on_postgresql(pg_pair: tuple[Store, Store], tmp_path: Path) -> None:
    store, empty = pg_pair
    mapping, out = docs_mapping(tmp_path), tmp_path / "dvs.json"
    exported = runner.invoke(app, ["dhis2", "export", "--unit", "TT", "--period", "2023",
                                   "--dataset", COMMUNE_SET, "--mapping", str(mapping),
                                   "-o", str(out), "--database-url", _url(store)])
    assert exported.exit_code == 0, exported.output
    count = len(json.loads(out.read_text(encoding="utf-8"))["dataValues"])
    imported = runner.invoke(app, ["dhis2", "import", str(out), "--mapping", str(mapping),
                                   "--database-url", _url(empty)])
    assert imported.exit_code == 0, imported.output
    held = figures(empty)
    assert held.height == count
    original = figures(store).join(held.select("unit", "indicator", "period", "vintage"),
                                   on=["unit", "indicator", "period", "vintage"])
    assert held.equals(original.select(held.columns))


def test_csv_round_trip_on_postgresql(pg_pair: tuple[Store, Store], tmp_path: Path) -> None:
    store, empty = pg_pair
    path = tmp_path / "observations.csv"
    exported = runner.invoke(app, ["export", "observations", "--unit", "TT", "--period",
                                   "2023", "-o", str(path), "--database-url", _url(store)])
    assert exported.exit_code == 0, exported.output
    imported = runner.invoke(app, ["import", str(path), "--database-url", _url(empty)])
    assert imported.exit_code == 0, imported.output
    assert figures(empty).equals(figures(store).filter(pl.col("period") == "2023"))
