"""The documentation keeps up with the code: every problem code and every definition field.

A problem code is documented when ``docs/problems.md`` has it in backticks as a heading
(``### `unknown-indicator` ``) or as the first cell of a table row
(``| `unknown-indicator` | …``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tieuchi.definitions import CODES, check_definitions
from tieuchi.definitions.loader import SECTIONS

DOCS = Path(__file__).resolve().parent.parent / "docs"
PROBLEMS = DOCS / "problems.md"
DEFINITIONS = DOCS / "definitions.md"


def documented_codes(text: str) -> set[str]:
    heading = re.compile(r"^#{1,6}\s+`([a-z0-9-]+)`\s*$", re.MULTILINE)
    row = re.compile(r"^\|\s*`([a-z0-9-]+)`\s*\|", re.MULTILINE)
    return set(heading.findall(text)) | set(row.findall(text))


@pytest.mark.parametrize("code", sorted(CODES))
def test_problem_code_is_documented(code: str) -> None:
    assert code in documented_codes(PROBLEMS.read_text(encoding="utf-8")), (
        f"problem code {code!r} is not documented in docs/problems.md; "
        f"add a heading '### `{code}`' with its meaning, an example and the fix"
    )


def test_problems_md_documents_no_code_that_does_not_exist() -> None:
    stale = documented_codes(PROBLEMS.read_text(encoding="utf-8")) - set(CODES)
    assert not stale, f"docs/problems.md documents codes that CODES lacks: {sorted(stale)}"


def test_each_code_has_its_own_section() -> None:
    text = PROBLEMS.read_text(encoding="utf-8")
    for code in CODES:
        headings = re.findall(rf"^#{{1,6}}\s+`{re.escape(code)}`\s*$", text, re.MULTILINE)
        assert len(headings) == 1, f"{code!r}: {len(headings)} headings in docs/problems.md"


def test_severity_is_stated_for_each_code() -> None:
    text = PROBLEMS.read_text(encoding="utf-8")
    sections = re.split(r"^#{1,6}\s+`([a-z0-9-]+)`\s*$", text, flags=re.MULTILINE)
    bodies = dict(zip(sections[1::2], sections[2::2], strict=True))
    for code in CODES:
        assert re.search(r"\*\*Severity:\*\* (error|warning)\.", bodies[code]), code


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for inner in _inner_models(info.annotation):
            _models(inner, seen)


def _inner_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _inner_models(arg)]


def _section_models() -> list[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    for model, _many in SECTIONS.values():
        _models(model, seen)
    return sorted(seen, key=lambda m: m.__name__)


def test_every_section_is_documented() -> None:
    text = DEFINITIONS.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert re.search(rf"^#+ .*`{section}`", text, re.MULTILINE), (
            f"section {section!r} has no heading in docs/definitions.md"
        )


@pytest.mark.parametrize("model", _section_models(), ids=lambda m: m.__name__)
def test_every_field_is_documented(model: type[BaseModel]) -> None:
    """Each field is the first cell of a table row: ``| `field` | type | default | …``."""
    text = DEFINITIONS.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\|\s*`([a-z_]+)`\s*\|", text, re.MULTILINE))
    missing = [name for name in model.model_fields if name not in rows]
    assert not missing, (
        f"fields of {model.__name__} not documented in docs/definitions.md: {missing}"
    )


def test_the_complete_example_of_definitions_md_loads(tmp_path: Path) -> None:
    text = DEFINITIONS.read_text(encoding="utf-8")
    example = text[text.index("## A complete small example"):]
    blocks = re.findall(r"```(yaml|csv)\n(.*?)```", example, re.DOTALL)
    assert [kind for kind, _ in blocks] == ["yaml", "csv"]
    (tmp_path / "xa-yen-my.yaml").write_text(blocks[0][1], encoding="utf-8")
    (tmp_path / "observations-2023.csv").write_text(blocks[1][1], encoding="utf-8")
    definitions, problems = check_definitions(tmp_path)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert definitions is not None
