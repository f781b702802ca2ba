"""The reading pages: one legend (a tone per meaning, read off tieuchi.domain.status), figures
with their units, nothing raw (codes, markup in titles, signs in prose), in both languages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from tests.web.conftest import Site

STATIC = Path(__file__).parents[2] / "src" / "tieuchi" / "web" / "static"


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(page)).split())


def _tones(page: str, kind: str) -> dict[str, str]:
    return dict((code, tone) for tone, code in re.findall(
        rf'data-tone="(\w+)" data-{kind}="([^"]+)"', page))


def _title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page, flags=re.S)
    assert found
    return found.group(1)


def _english(site: Site, user: str, url: str) -> str:
    client, _ = site.user(user)
    client.cookies.set("lang", "en")
    try:
        return client.get(url).text
    finally:
        client.cookies.set("lang", "vi")


def test_a_count_of_units_is_coloured_by_its_target(site: Site) -> None:
    """8/15 model communes against "≥ 5" is met (green); 2/15 tourist places, that nothing
    asks for, is informational (neutral); a set a unit fails is red."""
    page = site.get("thanhtri", "/units/TT?period=2023")
    sets = _tones(page, "set")
    assert sets["ntm-kieu-mau"] == "ok"
    assert sets["diem-den-du-lich"] == "info"
    assert sets["thanh-lap-quan"] == "bad"
    assert _tones(page, "group")["thu-co-dinh-2023"] == "bad"
    assert 'class="legend' in page  # the legend says what each tone means


def test_a_year_without_data_is_grey_not_a_red_zero(site: Site) -> None:
    page = site.get("thanhtri", "/units/TT?period=2022")
    assert set(_tones(page, "set").values()) == {"none"}
    assert "0/15" not in _text(page)
    assert "Chưa có số liệu" in _text(page)
    criteria = site.get("thanhtri", "/units/TT/criteria?period=2022")
    assert 'class="card bad"' not in criteria and "0/15" not in _text(criteria)
    assert "15 xã chưa có số liệu" in _text(criteria)


def test_the_city_counts_are_informational(site: Site) -> None:
    page = site.get("hn", "/units/HN?period=2023")
    assert set(_tones(page, "set").values()) <= {"info", "none"}


def test_figures_show_their_units(site: Site) -> None:
    text = _text(site.get("thanhtri", "/units/TT?period=2023"))
    for figure in ("857,7 tỷ đồng", "43.799 tỷ đồng", "≥ 856 tỷ đồng", "≥ 80%", "8 xã"):
        assert figure in text, figure
    drill = _text(site.get("thanhtri", "/units/TT/targets/ktxh-thu-co-dinh?period=2023"))
    assert "857,7 tỷ đồng" in drill


def test_a_ceilings_percent_is_what_the_report_says(site: Site) -> None:
    """"Tỷ lệ hộ nghèo ≤ 0,2 → 0,09 → 45% Vượt" on the web, "–" in the report: one
    computation (the report's share_text) for both."""
    page = site.get("thanhtri", "/units/TT/targets?period=2023")
    row = re.search(r'<tr data-key="ktxh-ho-ngheo".*?</tr>', page, flags=re.S)
    assert row
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
    assert cells[1:4] == ["≤ 0,2%", "0,09%", "–"]
    report = _text(site.get("thanhtri", "/units/TT/report?period=2023"))
    assert re.search(r"Tỷ lệ hộ nghèo % ≤ 0,2 0,09 – ", report)


def test_a_count_names_its_set_not_its_code(site: Site) -> None:
    text = _text(site.get("thanhtri", "/units/TT/targets/tp-ntm-kieu-mau-2021-2025?period=2023"))
    assert "bộ tiêu chí ntm-kieu-mau" not in text
    assert "Kết quả đánh giá theo Xã nông thôn mới kiểu mẫu" in text
    trace = _text(site.get("thanhtri", "/units/TT/trace?indicator=ntm-km-so-xa&period=2023"))
    assert "ntm-kieu-mau" not in trace


def test_titles_are_plain_text(site: Site) -> None:
    """The drill-down's tab title held a table of the target's history (raw markup)."""
    page = site.get("thanhtri", "/units/TT/targets/ktxh-thu-co-dinh?period=2023")
    title = _title(page)
    assert "<" not in title and "&lt;" not in title
    assert title.startswith("Thu cố định ngân sách trên địa bàn · ")
    english = _english(site, "thanhtri", "/units/TT/targets/thu-dn-fdi-2023?period=2023")
    assert "&lt;" not in _title(english) and "<" not in _title(english)


def test_periods_and_times_are_written_as_people_write_them(site: Site) -> None:
    client, _ = site.user("thanhtri")
    trace = client.get("/units/TT/trace?indicator=thu-co-dinh&period=2023",
                       headers={"HX-Request": "true"}).text
    text = _text(trace)
    assert "năm 2023 · ước thực hiện" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)  # never an ISO time


def test_english_names_come_from_the_definitions_or_are_marked(site: Site) -> None:
    page = _english(site, "thanhtri", "/units/TT?period=2023")
    text = _text(page)
    assert "Fixed budget revenue (excluding land-use fees)" in text  # an English name
    # a target without an English name is shown in Vietnamese, marked "vi"
    assert re.search(r'<span lang="vi" class="vi-only">Lệ phí trước bạ<abbr', page)
    assert "Model new-rural communes" in text  # a set's English name
    assert "Chưa đạt" not in text and "đạt và vượt" not in text


def test_primary_buttons_are_not_the_failure_red() -> None:
    css = (STATIC / "app.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([\w-]+):\s*([^;]+);", css))
    assert colours["brand"] != colours["bad"] and colours["none"] != colours["bad"]
    assert re.search(r"button\.primary\s*\{[^}]*var\(--brand\)", css)
    assert "/* status legend (tones)" in css


@pytest.mark.parametrize("url", ["/units/TT-YENMY?period=2023", "/units/TT-YENMY?period=2022",
                                 "/units/TT-YENMY/criteria?period=2023"])
def test_a_commune_reads_its_own_pages(site: Site, url: str) -> None:
    page = site.get("yenmy", url)
    assert site.status == 200
    assert not re.search(r'data-tone="bad"[^>]*>\s*<div class="big">0/', page)


def test_a_wrong_address_answers_in_the_users_language(site: Site) -> None:
    """Was "target 'nope' of unit TT is not evaluated for 2023", in English on every page."""
    text = _text(site.get("thanhtri", "/units/TT/targets/nope?period=2023"))
    assert site.status == 404
    assert "Huyện Thanh Trì không có chỉ tiêu “nope” trong năm 2023." in text
    english = _text(_english(site, "thanhtri", "/units/TT/criteria/nope?period=2023"))
    assert "There is no criteria set “nope”." in english
    assert "Không có báo cáo dạng “.txt”" in _text(site.get("thanhtri", "/units/TT/report.txt"))
