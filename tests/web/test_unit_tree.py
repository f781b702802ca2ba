"""The unit tree: the units a user may read, nested, each with its headline for the period
read off the read model."""

from __future__ import annotations

import re

from tests.web.conftest import Site
from tieuchi.web.pages.tree import Headline, headline


def test_the_tone_of_a_headline() -> None:
    assert headline(["met", "exceeded", "on_track"]).tone == "ok"
    assert headline(["met", "not_met", None]).tone == "bad"
    assert headline(["met", "behind"]).tone == "bad"
    assert headline(["met", "no_data"]) == Headline(ok=1, none=1)
    assert headline(["met", "no_data"]).tone == "none"  # missing figures are no failure
    assert headline([], [True, False]).tone == "info"  # sets are told, not coloured
    assert headline([], [True, False]) == Headline(sets_passed=1, sets_total=2)


def _units(html: str) -> list[str]:
    return re.findall(r'<li data-unit="([^"]+)">', html)


def _line(html: str, unit: str) -> str:
    start = html.index(f'<li data-unit="{unit}">')
    return html[start:html.index("</span>", start)]


def test_the_city_sees_its_whole_tree(site: Site) -> None:
    html = site.get("hn", "/units/HN/tree?period=2023")
    assert site.status == 200
    units = _units(html)
    assert units[:2] == ["HN", "TT"] and "TT-YENMY" in units and len(units) > 20
    district = _line(html, "TT")
    assert 'href="/units/TT?period=2023"' in district
    assert re.search(r'class="badge bad">48/52 chỉ tiêu đạt', district)
    assert 'class="badge info">3/3 bộ tiêu chí đạt chuẩn' in _line(html, "TT-YENMY")
    assert "<details open>" in html and html.count("<details") >= 2  # collapsible
    # no link inside a <summary>: a control inside a control (axe: nested-interactive)
    assert not re.search(r"<summary[^>]*>(?:(?!</summary>).)*<a ", html, re.S)


def test_a_district_sees_from_itself_down_in_english(site: Site) -> None:
    client, _ = site.user("thanhtri")
    client.cookies.set("lang", "en")
    try:
        html = site.get("thanhtri", "/units/TT/tree?period=2023")
    finally:
        client.cookies.set("lang", "vi")
    assert _units(html)[0] == "TT" and "HN" not in _units(html)
    assert "48/52 targets met" in html and "30 units below" in html


def test_a_commune_reads_only_its_own(site: Site) -> None:
    assert site.get("yenmy", "/units/TT-YENMY/tree?period=2023") and site.status == 200
    site.get("yenmy", "/units/TT/tree?period=2023")
    assert site.status == 403
