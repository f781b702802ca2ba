"""A criterion's provenance: the document, where in it, the address read and whether it was
read in the legal text; a set's count of criteria so verified."""

from __future__ import annotations

from pathlib import Path

import pytest

from tieuchi.definitions import load_definitions
from tieuchi.domain.base import LegalSource
from tieuchi.domain.criteria import CriteriaSet, Criterion, Provenance

EXAMPLE = Path(__file__).parents[2] / "examples" / "thanh-tri-2023"
DOCUMENT = "Quyết định số 318/QĐ-TTg"
URL = "https://example.vn/qd-318"


def _set(*criteria: dict[str, object], verified: bool = False) -> CriteriaSet:
    return CriteriaSet.model_validate({
        "code": "ntm", "name": "Nông thôn mới", "verified": verified,
        "source": {"document": DOCUMENT, "url": URL}, "criteria": list(criteria)})


def _criterion(code: str, **fields: object) -> dict[str, object]:
    return {"code": code, "name": f"Tiêu chí {code}", "indicator": "x", "at_least": 1,
            **fields}


def test_a_criterion_is_verified_only_if_it_says_so() -> None:
    cset = _set(_criterion("A", verified=True, citation="Phụ lục I, tiêu chí 1",
                           source="https://luat.vn/a"),
                _criterion("B"), verified=True)
    a, b = cset.criteria
    assert a.provenance(cset) == Provenance(DOCUMENT, "Phụ lục I, tiêu chí 1",
                                            "https://luat.vn/a", True)
    assert a.provenance(cset).basis == f"{DOCUMENT}, Phụ lục I, tiêu chí 1"
    # the set saying it is verified does not make a criterion that does not say so verified
    assert b.provenance(cset) == Provenance(DOCUMENT, None, URL, False)
    assert b.provenance(cset).basis == DOCUMENT
    assert cset.unverified_criteria() == (b,)
    assert (cset.verified_count(), len(cset.criteria)) == (1, 2)
    assert not cset.fully_verified


def test_a_threshold_inherits_its_criterion_unless_it_says_otherwise() -> None:
    cset = _set({"code": "A", "name": "Môi trường", "verified": True,
                 "citation": "tiêu chí 17", "conditions": [
                     {"indicator": "x", "at_least": 55, "verified": False,
                      "citation": "tiêu chí 17, chỉ tiêu 17.1"},
                     {"indicator": "y", "at_least": 1}]})
    (a,) = cset.criteria
    first, second = a.conditions
    assert first.provenance(a, cset) == Provenance(DOCUMENT, "tiêu chí 17, chỉ tiêu 17.1",
                                                   URL, False)
    assert second.provenance(a, cset) == Provenance(DOCUMENT, "tiêu chí 17", URL, True)
    # one threshold not read in the text: the criterion is not verified as a whole
    assert not a.provenance(cset).verified
    assert cset.unverified_criteria() == (a,)


def test_without_a_source_nothing_is_invented() -> None:
    cset = CriteriaSet.model_validate({"code": "s", "name": "S", "criteria": [
        _criterion("A", verified=True)]})
    assert cset.criteria[0].provenance(cset) == Provenance(None, None, None, True)
    assert cset.criteria[0].provenance(cset).basis == ""
    assert cset.fully_verified


def test_a_reference_that_is_not_an_address_is_not_a_link() -> None:
    cset = _set(_criterion("A", source="Công văn số 12/BNN"))
    assert cset.criteria[0].provenance(cset).link is None
    assert _set(_criterion("A")).criteria[0].provenance(_set(_criterion("A"))).link == URL


def all_provenance(folder: Path) -> list[tuple[CriteriaSet, Criterion, Provenance]]:
    """Every criterion of every set of the definitions in ``folder`` with its provenance
    (for the shipped library sets too: call it with their folder)."""
    defs = load_definitions(folder)
    return [(cset, c, c.provenance(cset)) for cset in defs.criteria_sets for c in cset.criteria]


def check_provenance(folder: Path) -> int:
    """Every criterion has a document (its set's) and says whether it was verified; one
    verified has the address where it was read. The number of criteria checked."""
    found = all_provenance(folder)
    for cset, criterion, p in found:
        where = f"{cset.code}/{criterion.code}"
        assert p.document, f"{where}: no document"
        if p.verified:
            assert p.url, f"{where}: verified but where it was read is not said"
    return len(found)


def test_every_criterion_of_the_example() -> None:
    assert check_provenance(EXAMPLE) == 1 + 4 + 19 + 13 + 34
    found = all_provenance(EXAMPLE)
    verified = {f"{s.code}/{c.code}" for s, c, p in found if p.verified}
    assert verified == {"thanh-lap-quan/Q01", "thanh-lap-quan/Q02", "phuong-13/P01",
                        "phuong-13/P02", "ntm-kieu-mau/K1", "ntm-kieu-mau/K3",
                        "ntm-kieu-mau/K4"}


@pytest.mark.parametrize("source", [None, LegalSource(document="NQ 1")])
def test_counts_are_of_criteria(source: LegalSource | None) -> None:
    cset = _set(_criterion("A", verified=True), _criterion("B", verified=True))
    cset = cset.model_copy(update={"source": source})
    assert (cset.verified_count(), cset.fully_verified) == (2, True)
