"""The documentation keeps up with the code: every problem code and every definition field.

``docs/problems.md`` holds the whole problem catalogue as one table, generated from
:data:`~tieuchi.domain.problems.CATALOGUE` (``pytest --snapshot-update`` rewrites it), and a
section for each code a definition folder can give (``### `unknown-indicator` ``) with its
severity, an example and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tieuchi.definitions import check_definitions
from tieuchi.definitions.loader import SECTIONS
from tieuchi.domain.problems import CATALOGUE

DOCS = Path(__file__).resolve().parent.parent / "docs"
PROBLEMS = DOCS / "problems.md"
DEFINITIONS = DOCS / "definitions.md"
BEGIN = ("<!-- The catalogue: generated from tieuchi.domain.problems.CATALOGUE; "
         "`uv run pytest tests/test_docs.py --snapshot-update` rewrites it. -->")
END = "<!-- end of the catalogue -->"


def catalogue_table() -> str:
    """The catalogue as the table of docs/problems.md, by area in the catalogue's order."""
    lines = [BEGIN]
    areas = list(dict.fromkeys(entry.area for entry in CATALOGUE.values()))
    for area in areas:
        lines += ["", f"**{area.capitalize()}**", "", "| Code | HTTP | Meaning |",
                  "|---|---|---|"]
        lines += [f"| `{code}` | {entry.status} | {entry.summary} |"
                  for code, entry in CATALOGUE.items() if entry.area == area]
    return "\n".join([*lines, "", END])


def test_the_catalogue_table_is_the_catalogue(request: pytest.FixtureRequest) -> None:
    text = PROBLEMS.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, "docs/problems.md lacks the catalogue's markers"
    start, end = text.index(BEGIN), text.index(END) + len(END)
    table = catalogue_table()
    if request.config.getoption("--snapshot-update"):
        PROBLEMS.write_text(text[:start] + table + text[end:], encoding="utf-8")
        return
    assert text[start:end] == table, ("docs/problems.md's catalogue differs from "
                                      "CATALOGUE; run pytest tests/test_docs.py "
                                      "--snapshot-update and review the diff")


def sections(text: str) -> dict[str, list[str]]:
    parts = re.split(r"^#{1,6}\s+`([a-z0-9-]+)`\s*$", text, flags=re.MULTILINE)
    found: dict[str, list[str]] = {}
    for code, body in zip(parts[1::2], parts[2::2], strict=True):
        found.setdefault(code, []).append(body)
    return found


def test_sections_are_of_catalogued_codes_one_each_with_a_severity() -> None:
    found = sections(PROBLEMS.read_text(encoding="utf-8"))
    assert set(found) <= set(CATALOGUE), sorted(set(found) - set(CATALOGUE))
    for code, bodies in found.items():
        assert len(bodies) == 1, f"{code!r}: {len(bodies)} sections in docs/problems.md"
        assert re.search(r"\*\*Severity:\*\* (error|warning)\.", bodies[0]), code


@pytest.mark.parametrize("code", sorted(c for c, e in CATALOGUE.items()
                                        if e.area == "definitions"))
def test_each_definition_code_has_its_section(code: str) -> None:
    assert code in sections(PROBLEMS.read_text(encoding="utf-8")), (
        f"problem code {code!r} has no section in docs/problems.md; add a heading "
        f"'### `{code}`' with its meaning, an example and the fix")


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


def test_every_test_docs_security_md_names_exists() -> None:
    """docs/security.md proves each defence by a test it names (``tests/…py::test_…``, or
    ``::test_…`` for another test of the file named before it): each must be there."""
    root = DOCS.parent
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    named, missing = 0, []
    for cell in re.split(r"\|", text):
        file: Path | None = None
        for path, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?(?:\[[^\]`]*\])?`", cell):
            if path:
                file = root / path
                if not file.exists():
                    missing.append(path)
                    continue
            if name and file is not None:
                named += 1
                if not re.search(rf"^(async )?def {name}\(", file.read_text(encoding="utf-8"),
                                 re.M):
                    missing.append(f"{file.relative_to(root)}::{name}")
    assert named > 40
    assert missing == []
