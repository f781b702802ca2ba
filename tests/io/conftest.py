"""Fixtures of the import and export tests: a SQLite store of the reference district per test
(copied from one made once per session), helpers to fill in a template as a user would, and
the web application over such a store with a user of each role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.engine import make_url

from tests.conftest import Templates, copy_sqlite
from tieuchi.domain.bundle import Definitions
from tieuchi.io.excel_template import build_workbook, plan_template
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app

PASSWORD = "password123"
USERS = {"admin": ("admin", None), "thanhtri": ("officer", "TT"), "viewer": ("viewer", "TT"),
         "yenmy": ("entry", "TT-YENMY"), "daiang": ("entry", "TT-DAIANG")}
FIGURE_KEYS = ["unit", "indicator", "period", "vintage"]
_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


@pytest.fixture(scope="session")
def district_db(templates: Templates) -> Path:
    """The reference district and the users, in a SQLite file made once (a copy of the
    session's template)."""
    url = templates.copy("sqlite", "loaded")
    path = Path(str(make_url(url).database))
    store = Store.open(url, upgrade=False)
    for username, (role, unit) in USERS.items():
        store.users.add(username, PASSWORD, role=role, unit=unit)
    store.engine.dispose()
    return path


@pytest.fixture(scope="session")
def bare_db(tmp_path_factory: pytest.TempPathFactory, thanh_tri: Definitions) -> Path:
    """The reference district's definitions without any figure or target, made once."""
    bare = replace(thanh_tri, observations=thanh_tri.observations.clear(),
                   targets=thanh_tri.targets.clear(), members=thanh_tri.members.clear(),
                   groups=())
    path = tmp_path_factory.mktemp("io-bare") / "t.db"
    store = Store.open(f"sqlite:///{path}")
    store.load(bare, actor="test")
    store.engine.dispose()
    return path


def _opened(template: Path, target: Path) -> Store:
    copy_sqlite(template, target)
    return Store.open(f"sqlite:///{target}", upgrade=False)


@pytest.fixture
def store(district_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A store of the test's own holding the reference district."""
    opened = _opened(district_db, tmp_path / "t.db")
    yield opened
    opened.engine.dispose()


@pytest.fixture
def empty_store(bare_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A store of the test's own with the district's definitions, no figure, no target."""
    opened = _opened(bare_db, tmp_path / "empty.db")
    yield opened
    opened.engine.dispose()


def figures(store: Store) -> pl.DataFrame:
    """Every figure held, sorted: to compare a store before and after."""
    return (store.units.definitions().observations
            .select(*FIGURE_KEYS, "value", "source").sort(FIGURE_KEYS))


def changed_keys(before: pl.DataFrame, after: pl.DataFrame) -> set[tuple[str, ...]]:
    """The (unit, indicator, period, vintage) whose value or source differ."""
    joined = before.join(after, on=FIGURE_KEYS, how="full", coalesce=True, suffix="_new")
    differ = joined.filter(
        ~pl.col("value").eq_missing(pl.col("value_new"))
        | ~pl.col("source").eq_missing(pl.col("source_new")))
    return {tuple(r) for r in differ.select(FIGURE_KEYS).iter_rows()}


def open_template(store: Store, folder: Path, units: list[str],
                  dataset: str = "ntm-nang-cao", period: str = "2023",
                  all_units: bool = False) -> Workbook:
    """The template as a user opens it: written to a file, then opened with openpyxl."""
    path = folder / "template.xlsx"
    build_workbook(plan_template(store, units, period=period, dataset=dataset,
                                 all_units=all_units)).save(path)
    return load_workbook(path)


def save(book: Workbook, folder: Path, name: str = "filled.xlsx") -> Path:
    """The workbook saved as the user saves it."""
    path = folder / name
    book.save(path)
    return path


Edit = Callable[[Workbook], None]


# ---------------------------------------------------------------------- the web


class Browser:
    """A signed-in user of the web application, sending the session's CSRF token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client, self.token = client, token

    def get(self, url: str) -> tuple[int, str]:
        response = self.client.get(url)
        return response.status_code, response.text

    def post(self, url: str, data: dict[str, str],
             files: dict[str, tuple[str, bytes, str]] | None = None) -> tuple[int, str]:
        response = self.client.post(url, data={"csrf_token": self.token, **data},
                                    files=files)
        return response.status_code, response.text


@pytest.fixture
def browse(store: Store) -> Callable[[str], Browser]:
    """``browse("yenmy")``: the user signed in through the login form."""
    app = create_app(store, Settings(_env_file=None, secret_key="tests-only"))

    def sign_in(username: str) -> Browser:
        client = TestClient(app)
        page = client.get("/login")
        found = _CSRF.search(page.text)
        assert found, "no CSRF field on the login page"
        response = client.post("/login", data={
            "username": username, "password": PASSWORD, "csrf_token": found.group(1),
            "next": "/"}, follow_redirects=False)
        assert response.status_code == 303, response.text
        home = client.get("/")
        token = _CSRF.search(home.text)
        assert token, "no CSRF field on the home page"
        return Browser(client, token.group(1))

    return sign_in
