"""The dashboard served from the worker's rendered copy (tieuchi.web.rendered): never older
than the data it reads, never another user's page, never another session's CSRF token."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.web.test_entry import FORM, card
from tieuchi.web.rendered import CSRF_SLOT, RenderedPages

if TYPE_CHECKING:
    from tests.web.conftest import Site

DASHBOARD = "/units/TT?period=2023"
_TOKENS = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def pages(site: Site) -> RenderedPages:
    kept: RenderedPages = site.web.app.state.pages
    return kept


def test_a_kept_page_changes_after_a_write(own_site: Site) -> None:
    before = own_site.get("thanhtri", DASHBOARD)
    assert own_site.get("thanhtri", DASHBOARD) == before  # served again, the same
    assert len(pages(own_site)) >= 1
    assert card(before, "set", "ntm-nang-cao") == "15/15"
    own_site.post("yenmy", FORM + "?period=2023",
                  {"v__ntmnc-04": "0", "vintage": "official", "reason": "Phúc tra lại"})
    assert own_site.status == 200
    after = own_site.get("thanhtri", DASHBOARD)
    assert card(after, "set", "ntm-nang-cao") == "14/15"


def test_a_kept_page_changes_with_the_workflow(own_site: Site) -> None:
    before = own_site.get("yenmy", "/units/TT-YENMY?period=2023")
    assert "Đã gửi" not in before
    own_site.post("yenmy", FORM + "/workflow?period=2023", {"action": "submit"})
    assert own_site.status == 200
    after = own_site.get("yenmy", "/units/TT-YENMY?period=2023")
    assert after != before and "Đã gửi" in after


def test_the_same_page_differs_between_roles(site: Site) -> None:
    officer = site.get("thanhtri", DASHBOARD)
    viewer = site.get("viewer", DASHBOARD)
    assert site.status == 200
    assert '/units/TT/import' in officer and '/units/TT/import' not in viewer
    assert site.get("viewer", DASHBOARD) == viewer  # kept, and still the viewer's
    assert '/units/TT/import' in site.get("thanhtri", DASHBOARD)


def test_each_session_gets_its_own_csrf_token(site: Site) -> None:
    first, first_token = site.user("thanhtri")
    second, second_token = site.web.login("thanhtri")  # a second session of the same user
    assert first_token != second_token
    for client, token in ((first, first_token), (second, second_token)):
        page = client.get(DASHBOARD).text
        assert CSRF_SLOT not in page
        assert set(_TOKENS.findall(page)) == {token}
        assert f'"X-CSRF-Token": "{token}"' in page.replace("&#34;", '"')
