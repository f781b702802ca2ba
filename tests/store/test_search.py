"""Finding units by name without diacritics, and the folding it rests on."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.store.helpers import COMMUNE, DISTRICT, OTHER_COMMUNE
from tieuchi.domain.base import fold
from tieuchi.store import Store

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợ"\
    "úùủũụứừửữựýỳỷỹỵ"


def _codes(store: Store, text: str, within: str | None = None) -> list[str]:
    return [u.code for u in store.units.search(text, within=within)]


def test_search_ignores_diacritics_and_case(reference_store: Store) -> None:
    assert DISTRICT in _codes(reference_store, "thanh tri")
    assert DISTRICT in _codes(reference_store, "Thanh Trì")
    assert DISTRICT in _codes(reference_store, "  THANH   TRI ")
    assert OTHER_COMMUNE in _codes(reference_store, "ĐẠI ÁNG")
    assert _codes(reference_store, "khong co don vi nay") == []


def test_search_within_a_subtree(reference_store: Store) -> None:
    found = _codes(reference_store, "dai ang", within=DISTRICT)
    assert OTHER_COMMUNE in found
    subtree = {u.code for u in reference_store.units.definitions(DISTRICT).units}
    assert set(found) <= subtree
    assert _codes(reference_store, "dai ang", within=COMMUNE) == []
    assert _codes(reference_store, "yen my", within=COMMUNE) == [COMMUNE]
    assert len(reference_store.units.search("a", limit=3)) == 3


def test_search_text_is_not_a_pattern(reference_store: Store) -> None:
    for text in ("%", "_", "d_i", "%ang"):
        assert _codes(reference_store, text) == [], text


def test_fold_examples() -> None:
    assert fold("Đại Áng") == "dai ang"
    assert fold("Thanh Trì") == "thanh tri"
    assert fold("  Yên   Mỹ ") == "yen my"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " -"))
def test_fold_removes_vietnamese_diacritics(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert set(folded) <= set("abcdefghijklmnopqrstuvwxyz -")
    assert folded == folded.strip() and "  " not in folded


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded and "Đ" not in folded
