"""The layout's markup, as the server sends it (the browser's view of it is in
tests/e2e/test_layout.py): a skip link to <main>, the landmarks, the active tab marked for
screen readers, a period picker that waits for its button (WCAG 3.2.2), every table in a box
that scrolls on its own (spec §3)."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import Site

UNIT_PAGES = ["", "/targets", "/criteria", "/trend", "/report", "/entry", "/import",
              "/manage-targets", "/drafts"]
TABLE = re.compile(r"<table\b")
WRAPPED = re.compile(r'<div class="(?:table-wrap|matrix-scroll)"[^>]*>\s*<table\b')


@pytest.mark.parametrize("tab", UNIT_PAGES)
def test_a_unit_page_has_landmarks_a_skip_link_and_its_tab_marked(site: Site, tab: str) -> None:
    page = site.get("thanhtri", f"/units/TT{tab}?period=2023")
    assert site.status == 200
    assert re.search(r'<a class="skip" href="#main">Bỏ qua, đến nội dung chính</a>', page)
    assert '<main id="main" tabindex="-1">' in page
    for landmark in ("<header", "<nav", "<footer", 'role="search"'):
        assert landmark in page
    current = re.findall(r'<a href="(/units/TT[^"?]*)\?period=2023" class="on" '
                         r'aria-current="page">', page)
    assert current == [f"/units/TT{tab}"]
    assert page.count('aria-current="page"') == 2  # the tab and the breadcrumb's last place
    assert len(TABLE.findall(page)) == len(WRAPPED.findall(page)), "a table outside a box"


def test_the_period_picker_waits_for_its_button(site: Site) -> None:
    page = site.get("thanhtri", "/units/TT?period=2023")
    form = re.search(r'<form method="get" class="period">(.*?)</form>', page, re.S)
    assert form
    assert "data-autosubmit" not in form.group(1)
    assert re.search(r'<label for="period-pick">Kỳ</label>\s*<select name="period" '
                     r'id="period-pick">', form.group(1))
    assert '<button type="submit">Xem</button>' in form.group(1)


def test_the_account_page_and_the_login_page_label_every_field(site: Site) -> None:
    page = site.get("thanhtri", "/account")
    assert '<div class="table-wrap">' in page or "Bạn chưa có mã truy cập nào." in page
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", page)
    for field in fields:
        if 'type="hidden"' in field or 'type="search"' in field:
            continue
        assert re.search(r"<label>[^<]*" + re.escape(field), page), field
    login_page = site.web.anonymous().get("/login").text
    assert login_page.count("<label>") == 2 and '<a class="skip"' in login_page
