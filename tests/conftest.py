"""Shared fixtures: the reference district, evaluated once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieuchi.definitions import load_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.engine import Evaluation, evaluate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "thanh-tri-2023"


@pytest.fixture(scope="session")
def thanh_tri() -> Definitions:
    return load_definitions(EXAMPLE)


@pytest.fixture(scope="session")
def thanh_tri_2023(thanh_tri: Definitions) -> Evaluation:
    return evaluate(thanh_tri, "2023")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--snapshot-update", action="store_true",
                     help="rewrite tests/snapshots/ from the current outputs")
