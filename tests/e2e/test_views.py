"""What only a browser shows of the views: the trend page's server-drawn charts, the links
that download any table, and the unit tree on a phone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshot


def test_the_trend_chart_is_svg_and_a_table_downloads(
        server: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    login(page, server, "thanhtri")
    page.goto(f"{server}/units/TT/trend?period=2023&indicator=thu-nhap-bq")
    chart = page.locator("#trend-units svg[role=img]")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 100  # type: ignore[index]
    links = page.locator("p.export a")
    assert links.count() == 2 * page.locator("table").count() >= 4
    csv_link = page.locator("#trend-units-values").locator("xpath=../following-sibling::p[1]") \
        .get_by_text("CSV")
    with page.expect_download() as download:
        csv_link.click()
    rows = list(csv.reader(io.StringIO(
        open(download.value.path(), encoding="utf-8-sig").read())))  # noqa: SIM115
    assert rows[0][0] == "Đơn vị" and any(r[0] == "Xã Đông Mỹ" and r[1] == "72.5" for r in rows)
    screenshot(page, "trend-units.png")


def test_the_unit_tree_on_a_phone(server: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, server, "thanhtri", "/units/TT/tree?period=2023")
    expect(page.locator("li[data-unit=TT] > .node")).to_contain_text("Huyện Thanh Trì")
    expect(page.locator("li[data-unit=TT] > details > summary")).to_contain_text(
        "đơn vị trực thuộc")
    commune = page.locator("li[data-unit=TT-YENMY]")
    expect(commune).to_be_visible()  # the top unit's list is open
    expect(commune.locator(".badge")).to_contain_text("bộ tiêu chí đạt chuẩn")
    page.locator("li[data-unit=TT] > details > summary").click()
    expect(commune).to_be_hidden()  # and closes
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the tree widens the page to {width} px"
    screenshot(page, "tree-390.png")
