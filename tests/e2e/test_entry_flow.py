"""A commune's officer enters a figure, the district sees it at once; submit, approve, lock;
a locked period refuses edits; another commune's data is out of reach."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshot

ENTRY = "/units/TT-YENMY/entry/ntm-nang-cao?period=2023"


def test_commune_entry_rolls_up_then_is_approved_and_locked(
    server: str, new_page: Callable[[], Page]
) -> None:
    commune, district = new_page(), new_page()
    login(district, server, "thanhtri", "/units/TT")
    expect(district.locator("[data-set=ntm-nang-cao] .big")).to_have_text("15/15")
    expect(district.locator("[data-key=nvct-ntm-nang-cao]")).to_contain_text("100")

    # The commune's officer records that the electricity criterion is no longer met.
    login(commune, server, "yenmy", ENTRY)
    commune.select_option("#v__ntmnc-04", "0")
    commune.fill("#entry-form input[name=reason]", "Phúc tra tiêu chí Điện")
    commune.click("#save")
    expect(commune.locator("#message")).to_be_visible()
    screenshot(commune, "entry.png")

    # The district's dashboard shows the roll-up and the set's status on the next load.
    district.reload()
    card = district.locator("[data-set=ntm-nang-cao]")
    expect(card.locator(".big")).to_have_text("14/15")
    # 14/15 against the target on the count (≥ 80%): still met, so not the failure red
    expect(card).to_have_class("card ok")
    expect(card).to_contain_text("Yên Mỹ")
    expect(district.locator("[data-key=nvct-ntm-nang-cao]")).to_contain_text("93,3")

    # The value's history says who changed it, from what to what, and why.
    commune.goto(f"{server}/units/TT-YENMY/history?indicator=ntmnc-04&period=2023")
    history = commune.locator("#history")
    expect(history).to_contain_text("Phúc tra tiêu chí Điện")
    expect(history).to_contain_text("yenmy")
    screenshot(commune, "history.png")

    # Submit (commune) → approve and lock (district, the level above).
    commune.goto(server + ENTRY)
    commune.click("#wf-submit")
    expect(commune.locator("#state")).to_have_attribute("data-state", "submitted")
    district.goto(server + ENTRY)
    district.click("#wf-approve")
    expect(district.locator("#state")).to_have_attribute("data-state", "approved")
    district.click("#wf-lock")
    expect(district.locator("#state")).to_have_attribute("data-state", "locked")

    # Locked: the form is disabled, and a forced post is refused with a clear message.
    commune.goto(server + ENTRY)
    expect(commune.locator("#closed-note")).to_be_visible()
    expect(commune.locator("#v__ntmnc-04")).to_be_disabled()
    screenshot(commune, "locked.png")
    commune.evaluate("document.querySelectorAll('#entry-form [disabled]')"
                     ".forEach(e => e.removeAttribute('disabled'))")
    commune.select_option("#v__ntmnc-04", "1")
    commune.click("#save")
    expect(commune.locator("body")).to_contain_text("khóa")
    district.goto(f"{server}/units/TT")
    expect(district.locator("[data-set=ntm-nang-cao] .big")).to_have_text("14/15")


def test_commune_officer_cannot_reach_another_commune(
    server: str, new_page: Callable[[], Page]
) -> None:
    page = new_page()
    login(page, server, "yenmy")
    # Another commune is not found, as a unit that does not exist; her district is refused.
    for path, status in (("/units/TT-DAIANG", 404),
                         ("/units/TT-DAIANG/entry/ntm-nang-cao?period=2023", 404),
                         ("/units/TT", 403)):
        response = page.goto(server + path)
        assert response is not None and response.status == status
        expect(page.locator("body")).to_contain_text("không có quyền")


def test_criteria_matrix_and_trend_pages(server: str, new_page: Callable[[], Page]) -> None:
    page = new_page()
    login(page, server, "thanhtri", "/units/TT/criteria/thanh-lap-quan?period=2023")
    expect(page.locator("#matrix")).to_contain_text("30/34")
    page.click("#matrix [data-criterion=Q04][data-unit=TT]")
    expect(page.locator("#detail")).to_contain_text("Tự cân đối")
    screenshot(page, "criteria-matrix.png")
    page.goto(f"{server}/units/TT/criteria/ntm-kieu-mau?period=2023")
    screenshot(page, "criteria-communes.png")
    page.goto(f"{server}/units/TT/trend?period=2023&indicator=gtsx")
    expect(page.locator("#trend-chart svg[role=img]")).to_be_visible()  # drawn on the server
    screenshot(page, "trend.png")
    page.select_option("#indicator", "thu-nhap-bq")
    assert "indicator=gtsx" in page.url  # a choice alone never reloads the page (WCAG 3.2.2)
    page.locator("form.trend-pick button[type=submit]").click()
    page.wait_for_url("**indicator=thu-nhap-bq**")
    expect(page.locator("#trend-units svg[role=img]")).to_be_visible()
    page.goto(f"{server}/api/docs")  # Swagger UI from the package, under the same policy
    expect(page.locator(".swagger-ui .info")).to_contain_text("tieuchi")
