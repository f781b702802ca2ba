"""docs/exchange.md explains, for a file, every problem code of the catalogue's "files"
area, and names no code the catalogue lacks (the catalogue itself is docs/problems.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tieuchi.domain.problems import CATALOGUE

DOCS = Path(__file__).resolve().parents[2] / "docs" / "exchange.md"


def documented() -> set[str]:
    """The codes in the first cells of the tables of the section "Problem codes"."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### Problem codes"):text.index("### On the web")]
    return set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", section, re.MULTILINE))


@pytest.mark.parametrize("code", sorted(c for c, e in CATALOGUE.items() if e.area == "files"))
def test_every_file_problem_code_is_explained(code: str) -> None:
    assert code in documented(), (
        f"problem code {code!r} is not in docs/exchange.md; add a row '| `{code}` | …'")


def test_the_docs_name_no_code_that_does_not_exist() -> None:
    stale = documented() - set(CATALOGUE)
    assert not stale, f"docs/exchange.md documents codes that do not exist: {sorted(stale)}"
