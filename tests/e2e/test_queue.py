"""The work queue in a browser (issue 11, Done when): a commune submits → the district's
queue shows it at once → approve and lock from the queue → the commune's form is locked and
the queue empties for that row; a late unit is listed; the dashboard says what waits."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshot

ENTRY = "/units/TT-YENMY/entry/ntm-nang-cao?period=2023"
QUEUE = "/units/TT/queue?period=2023"
ROW = '#queue tr[data-form="TT-YENMY|ntm-nang-cao"]'


def test_submit_then_approve_and_lock_from_the_queue(
    server: str, new_page: Callable[[], Page]
) -> None:
    commune, district = new_page(), new_page()
    login(commune, server, "yenmy", ENTRY)
    commune.click("#wf-submit")
    expect(commune.locator("#state")).to_have_attribute("data-state", "submitted")

    # The district's dashboard says a form waits; its link opens the queue filtered.
    login(district, server, "thanhtri", "/units/TT?period=2023")
    expect(district.locator("#waiting-count")).to_have_text("1 biểu chờ phê duyệt")
    expect(district.locator("#late-count")).to_contain_text("đơn vị trễ hạn")
    district.click("#waiting-count")
    row = district.locator(ROW)
    expect(row).to_have_attribute("data-stage", "submitted")
    expect(row).to_contain_text("Yên Mỹ")
    screenshot(district, "queue.png")

    # A late unit is listed (the year's forms were due on 30/11/2023).
    expect(district.locator('#late tr[data-form="TT-DAIANG|ntm-nang-cao"]')).to_contain_text(
        "30/11/2023")

    # Approve and lock from the queue: the row leaves the list of what waits.
    row.locator("button", has_text="Phê duyệt và khóa").click()
    expect(district.locator("#message")).to_contain_text("1 biểu")
    expect(district.locator(ROW)).to_have_count(0)
    expect(district.locator("#queue-empty")).to_be_visible()

    # The commune's form is locked: its fields are disabled.
    commune.goto(server + ENTRY)
    expect(commune.locator("#state")).to_have_attribute("data-state", "locked")
    expect(commune.locator("#closed-note")).to_be_visible()
    expect(commune.locator("#v__thu-nhap-bq")).to_be_disabled()


def test_the_city_entry_tab_points_to_the_queue(
    server: str, new_page: Callable[[], Page]
) -> None:
    city = new_page()
    login(city, server, "hanoi", "/units/HN/entry?period=2023")
    city.click("#to-queue")
    expect(city).to_have_url(f"{server}/units/HN/queue?period=2023")
    expect(city.locator('#queue tr[data-form="TT-DAIANG|ntm-nang-cao"]')).to_be_visible()
