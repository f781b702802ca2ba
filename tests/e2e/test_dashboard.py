"""The district's dashboard in a browser shows the article's figures."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshot


def test_district_dashboard_states_the_article_figures(
    server: str, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    login(page, server, "thanhtri")
    expect(page).to_have_url(re.compile(r"/units/TT$"))
    cards = page.locator("[data-group]")
    expect(page.locator("[data-group=nvct-2023] .big")).to_have_text("18/18")
    expect(page.locator("[data-group=ktxh-2023] .big")).to_have_text("20/20")
    expect(page.locator("[data-group=thu-co-dinh-2023] .big")).to_have_text("7/10")
    assert cards.count() >= 3
    expect(page.locator("[data-key=ktxh-thu-co-dinh]")).to_contain_text("100,2%")
    expect(page.locator("[data-key=ktxh-thu-co-dinh]")).to_contain_text("+5,5%")
    expect(page.locator("[data-key=ktxh-gtsx]")).to_contain_text("+14%")
    expect(page.locator("[data-set=ntm-nang-cao] .big")).to_have_text("15/15")
    expect(page.locator("[data-set=phuong-13] .big")).to_have_text("14/14")
    quan = page.locator("[data-set=thanh-lap-quan]")
    expect(quan.locator(".big")).to_have_text("30/34")
    for name in ("Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
                 "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh"):
        expect(quan).to_contain_text(name)
    screenshot(page, "dashboard.png")


def test_targets_table_filters_and_drills_down(server: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    login(page, server, "thanhtri", "/units/TT/targets?group=thu-co-dinh-2023")
    rows = page.locator("#targets tbody tr")
    expect(rows).to_have_count(10)
    page.select_option("select[name=status]", "not_met")
    page.click("form.filters button")
    expect(rows).to_have_count(3)
    screenshot(page, "targets.png")
    page.goto(f"{server}/units/TT/targets/tp-ntm-kieu-mau-2021-2025")
    expect(page.locator("h2").first).to_contain_text("nông thôn mới kiểu mẫu")
    children = page.locator("#children tbody tr")
    expect(children).to_have_count(15)  # the communes the set applies to
    expect(children.locator(".badge.bad")).to_have_count(7)  # 8/15 pass: the 7 others first
    expect(children.first.locator(".badge")).to_have_class("badge bad")
    screenshot(page, "drill-down.png")


def test_search_without_diacritics(server: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    login(page, server, "quantri")
    page.fill("header input[type=search]", "dai ang")
    expect(page.locator("#search-results")).to_contain_text("Đại Áng")
    page.click("#search-results a >> nth=0")
    expect(page.locator("h1")).to_contain_text("Đại Áng")
