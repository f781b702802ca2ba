"""The history page of a unit's figures (pages/history.py): without an indicator it lists
every change of the unit for the period (it answered "422 / query.indicator: Field
required"), filterable by indicator; times in Việt Nam time as 07/12/2026 08:57, never ISO;
each figure's note and vintage named; English in English. Tried on two units and two
periods."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tieuchi.app import App, System
from tieuchi.store import Entry

if TYPE_CHECKING:
    from tests.web.conftest import Site


def _rows(page: str) -> list[str]:
    table = re.search(r'<table class="data" id="history">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert table, page[-2000:]
    return [re.sub(r"\s+", " ", r) for r in re.findall(r"<tr>.*?</tr>", table.group(1), re.S)]


def _write(site: Site) -> None:
    app = App(site.store)
    app.write_figures(System("nhap-lieu"), [
        Entry("TT-YENMY", "ngheo-da-chieu", "2023", 0.21, "estimate",
              note="Số ước, chờ rà soát cuối năm"),
        Entry("TT-DAIANG", "thu-nhap-bq", "2022", 70.5, note="Theo điều tra hộ"),
    ], reason="Cập nhật số liệu")


def test_the_history_of_a_unit_needs_no_indicator(own_site: Site) -> None:
    _write(own_site)
    page = own_site.get("thanhtri", "/units/TT-YENMY/history?period=2023")
    assert own_site.status == 200, page[:500]
    rows = _rows(page)
    newest = rows[0]
    assert "nhap-lieu" in newest and "Số ước, chờ rà soát cuối năm" in newest
    assert "Ước thực hiện" in newest and "estimate" not in newest
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", newest)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", page)  # no ISO time
    assert "Tất cả chỉ tiêu" in page and '<select id="history-indicator" name="indicator">' \
        in page
    # every indicator of the unit changed in the period, one link each to its own history
    assert len({r for r in rows if "history?indicator=" in r}) == len(rows) > 1
    assert "/units/TT-YENMY/history?indicator=ngheo-da-chieu&period=2023" in newest
    # the README's address: no period either
    own_site.get("thanhtri", "/units/TT-YENMY/history")
    assert own_site.status == 200


def test_another_unit_and_period_and_the_filter(own_site: Site) -> None:
    _write(own_site)
    page = own_site.get("thanhtri", "/units/TT-DAIANG/history?period=2022")
    assert own_site.status == 200
    rows = _rows(page)
    assert len(rows) == 1 and "Theo điều tra hộ" in rows[0] and "Chính thức" in rows[0]
    assert "Số ước" not in page  # another unit's, another period's
    one = own_site.get("thanhtri", "/units/TT-YENMY/history?indicator=ngheo-da-chieu"
                       "&period=2023")
    assert own_site.status == 200
    assert '<option value="ngheo-da-chieu" selected>' in one
    assert len(_rows(one)) < len(_rows(own_site.get("thanhtri",
                                                    "/units/TT-YENMY/history?period=2023")))
    missing = own_site.get("thanhtri", "/units/TT-YENMY/history?indicator=khong-co")
    assert own_site.status == 404 and "Chỉ tiêu khong-co không có trong danh mục." in missing


def test_the_history_in_english(own_site: Site) -> None:
    _write(own_site)
    client, _token = own_site.user("thanhtri")
    client.cookies.set("lang", "en")
    page = own_site.get("thanhtri", "/units/TT-YENMY/history?period=2023")
    assert own_site.status == 200
    for english in ("Change history", "All indicators", "When", "Who", "Vintage", "Note",
                    "Estimate", "Added"):
        assert english in page, english
    for vietnamese in ("Lịch sử thay đổi", "Tất cả chỉ tiêu", "Thời gian", "Ước thực hiện",
                       "Loại số liệu", "Ghi chú"):
        assert vietnamese not in page, vietnamese
    assert re.search(r"<td class=\"nowrap\">\d\d/\d\d/\d{4} \d\d:\d\d</td>|"
                     r"<td class=\"nowrap\">\d{4}-\d\d-\d\d \d\d:\d\d</td>", page)
