"""The audit keys of figures and workflow steps: made and read in one place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tieuchi.store import AuditEntry
from tieuchi.store.audit import audit_key


def test_a_key_and_its_prefixes() -> None:
    assert audit_key("observation", unit="TT", indicator="gtsx", period="2023",
                     vintage="official") == "TT|gtsx|2023|official"
    assert audit_key("observation", unit="TT", indicator="gtsx") == "TT|gtsx"
    assert audit_key("workflow", unit="TT", period="2023", dataset="ktxh") == "TT|2023|ktxh"


def test_a_part_without_the_parts_before_it_is_refused() -> None:
    with pytest.raises(ValueError, match="period"):
        audit_key("observation", unit="TT", period="2023")


@pytest.mark.parametrize(("entity", "key", "parts"), [
    ("observation", "TT|gtsx|2023|official",
     {"unit": "TT", "indicator": "gtsx", "period": "2023", "vintage": "official"}),
    ("workflow", "TT|2023|ktxh", {"unit": "TT", "period": "2023", "dataset": "ktxh"}),
    ("target", "ktxh-dn-moi", {"key": "ktxh-dn-moi"}),
])
def test_an_entry_reads_its_key_back(entity: str, key: str, parts: dict[str, str]) -> None:
    entry = AuditEntry(datetime(2024, 1, 1, tzinfo=UTC), "test", "change", entity, key, "TT",
                       None, None, None)
    assert entry.parts == parts
