"""docs/exchange.md documents every problem code an import or export reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tieuchi.io.problems import CODES, STORE_CODES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "exchange.md"


def documented() -> set[str]:
    """The codes in the first cells of the tables of the section "Problem codes"."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Problem codes"):text.index("### On the web")]
    return set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", section, re.MULTILINE))


@pytest.mark.parametrize("code", sorted(CODES | STORE_CODES))
def test_every_problem_code_is_documented(code: str) -> None:
    assert code in documented(), (
        f"problem code {code!r} is not in docs/exchange.md; add a row '| `{code}` | …'")


def test_the_docs_name_no_code_that_does_not_exist() -> None:
    stale = documented() - set(CODES) - set(STORE_CODES)
    assert not stale, f"docs/exchange.md documents codes that do not exist: {sorted(stale)}"
