"""The drill-down of a target: the units below, worst first, and the target's own history."""

from __future__ import annotations

import html
import re

from tests.web.conftest import WebApp


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def test_count_of_passing_units_lists_the_failing_units_first(web: WebApp) -> None:
    client, _ = web.login("thanhtri")
    page = client.get("/units/TT/targets/tp-ntm-kieu-mau-2021-2025")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="(ok|bad|none)" data-unit="([^"]+)"', page.text)
    assert len(rows) == 15  # the communes the set applies to
    classes = [c for c, _ in rows]
    assert classes == ["bad"] * 7 + ["ok"] * 8  # 8/15 pass; the others come first


def test_a_target_shows_who_set_it(web: WebApp) -> None:
    client, _ = web.login("thanhtri")
    text = _text(client.get("/units/TT/targets/ktxh-thu-co-dinh").text)
    assert "Lịch sử giao chỉ tiêu" in text
    assert "– → ≥ 856" in text and "test" in text  # loaded by the fixture's actor


def test_the_drill_down_is_refused_outside_the_scope(web: WebApp) -> None:
    client, _ = web.login("yenmy")
    assert client.get("/units/TT/targets/ktxh-thu-co-dinh").status_code == 403


def test_the_targets_list_filters_by_status_and_ignores_an_unknown_word(web: WebApp) -> None:
    client, _ = web.login("thanhtri")
    rows = re.compile(r'<tr data-key="[^"]+" class="(ok|bad|none)"')
    achieved = client.get("/units/TT/targets?period=2023&status=achieved")
    missed = client.get("/units/TT/targets?period=2023&status=not_met")
    unknown = client.get("/units/TT/targets?period=2023&status=bogus")
    assert achieved.status_code == missed.status_code == unknown.status_code == 200
    assert set(rows.findall(achieved.text)) == {"ok"}
    assert set(rows.findall(missed.text)) <= {"bad"}
    assert rows.findall(unknown.text) == []
