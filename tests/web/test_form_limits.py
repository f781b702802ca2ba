"""The pages' free-text fields stop where the text rule does: each carries the rule's own
limit (``maxlength`` from :data:`~tieuchi.domain.ruleset.TEXT_LIMITS`), so a user cannot type
past what the server refuses. The server still checks (``text-too-long``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tieuchi.domain.ruleset import TEXT_LIMITS
from tieuchi.web.app import templates

TEMPLATES = Path(__file__).parents[2] / "src" / "tieuchi" / "web" / "templates"
FIELD_KIND = {"source": "source", "reason": "reason", "note": "note", "issuer": "issuer",
              "document": "document", "text": "comment", "narrative": "narrative"}
"""A form field's name → the kind of free text it holds."""


def _fields(text: str) -> list[tuple[str, str]]:
    """(name, the whole tag) of every text input and textarea."""
    tags = re.findall(r"<(?:input[^>]*type=\"text\"|textarea)[^>]*>", text)
    return [(re.search(r'name="([^"]+)"', tag).group(1), tag)  # type: ignore[union-attr]
            for tag in tags if 'name="' in tag]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_every_free_text_field_has_the_rules_limit(template: str) -> None:
    for name, tag in _fields((TEMPLATES / template).read_text(encoding="utf-8")):
        if name in FIELD_KIND:
            assert f'maxlength="{{{{ limits.{FIELD_KIND[name]} }}}}"' in tag, (template, tag)


def test_the_limits_rendered_are_the_rules() -> None:
    rendered = templates.env.from_string(
        '<input type="text" name="source" maxlength="{{ limits.source }}">').render()
    assert f'maxlength="{TEXT_LIMITS["source"]}"' in rendered
