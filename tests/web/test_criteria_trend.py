"""The criteria pages (list, matrix, one cell) and the trend page, on the reference district."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tieuchi.definitions import load_definitions
from tieuchi.store import Store
from tieuchi.web import create_app

PASSWORD = "password123"
COMMUNES = ["TT-TANTRIEU", "TT-THANHLIET", "TT-TATHANHOAI", "TT-HUUHOA", "TT-TAMHIEP",
            "TT-TUHIEP", "TT-YENMY", "TT-VINHQUYNH", "TT-NGUHIEP", "TT-DUYENHA", "TT-NGOCHOI",
            "TT-VANPHUC", "TT-DAIANG", "TT-LIENNINH", "TT-DONGMY"]
UNMET_QUAN = ["Cân đối thu chi ngân sách", "Trường THPT đạt chuẩn quốc gia",
              "Tỷ lệ tuyến phố văn minh đô thị", "Công trình xanh"]
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The reference district in a SQLite store, loaded once for the module."""
    # Imported here: ``tests`` sorts as first or third party depending on whether
    # tests/web is a package, and this keeps the import order right either way.
    from tests.conftest import EXAMPLE

    folder = tmp_path_factory.mktemp("web")
    store = Store.open(f"sqlite:///{folder}/t.db")
    store.load(load_definitions(EXAMPLE), actor="test")
    store.users.add("admin", PASSWORD, role="admin", unit=None)
    store.users.add("yenmy", PASSWORD, role="entry", unit="TT-YENMY")
    yield store
    store.engine.dispose()


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the login form has no CSRF token"
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": found.group(1), "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


@pytest.fixture(scope="module")
def admin(app_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(app_store)) as client:
        _login(client, "admin")
        yield client


@pytest.fixture(scope="module")
def yenmy(app_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(app_store)) as client:
        _login(client, "yenmy")
        yield client


def _cells(html: str, unit: str) -> dict[str, str]:
    """criterion → status of the matrix cells of ``unit``."""
    return dict(re.findall(
        rf'<td class="cell [^"]*" data-unit="{unit}" data-criterion="([^"]+)" '
        r'data-status="([^"]*)"', html))


def _chosen(html: str) -> str:
    """The indicator selected in the trend page's select."""
    select = html[html.index('name="indicator"'):]
    found = re.search(r'<option value="([^"]+)"\s+selected>', select[:select.index("</select>")])
    assert found, "no indicator selected"
    return found.group(1)


def _chart(html: str, ident: str) -> str:
    """A chart of the page: the inline SVG inside its <figure id=…>."""
    found = re.search(rf'<figure id="{ident}"[^>]*>(<svg .*?</svg>)</figure>', html, re.DOTALL)
    assert found, f"no chart '{ident}' in the page"
    return found.group(1)


def _texts(svg: str) -> list[str]:
    """The text drawn in a chart (matplotlib writes it as SVG text, in the page's font)."""
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


# ---------------------------------------------------------------------- criteria


def test_list_shows_own_result_and_units_passing(admin: TestClient) -> None:
    response = admin.get("/units/TT/criteria?period=2023")
    assert response.status_code == 200
    html = response.text
    for code in ("thanh-lap-quan", "ntm-kieu-mau", "ntm-nang-cao", "diem-den-du-lich",
                 "phuong-13"):
        assert f'href="/units/TT/criteria/{code}?period=2023"' in html
    assert "Huyện Thanh Trì đạt 30/34 tiêu chí" in html
    assert "8/15 xã đạt chuẩn" in html
    assert "15/15 xã đạt chuẩn" in html
    assert "14/14 khu vực dự kiến thành lập phường đạt chuẩn" in html
    assert 'class="tabs"' in html  # the unit's header and tabs


def test_district_matrix_shows_30_of_34_and_the_four_unmet(admin: TestClient) -> None:
    response = admin.get("/units/TT/criteria/thanh-lap-quan?period=2023")
    assert response.status_code == 200
    html = response.text
    assert 'id="matrix"' in html
    assert "30/34" in html
    assert "Chưa đạt chuẩn" in html
    for name in UNMET_QUAN:
        assert name in html
    cells = _cells(html, "TT")
    assert len(cells) == 34
    assert sorted(c for c, s in cells.items() if s == "not_met") == ["Q04", "Q12", "Q31", "Q34"]
    assert all(s == "met" for c, s in cells.items() if c not in ("Q04", "Q12", "Q31", "Q34"))
    assert re.findall(r'<tr data-unit="([^"]+)">', html) == ["TT"]
    # short codes head the columns, the full names (and a threshold not verified) in titles
    assert ('<abbr title="Q04. Cân đối thu chi ngân sách — chưa đối chiếu">Q04</abbr>'
            in html)
    assert 'hx-get="/units/TT/criteria/thanh-lap-quan/Q04?period=2023"' in html
    assert 'hx-target="#detail"' in html


def test_kieu_mau_matrix_lists_the_15_communes_8_passing(admin: TestClient) -> None:
    html = admin.get("/units/TT/criteria/ntm-kieu-mau?period=2023").text
    assert re.findall(r'<tr data-unit="([^"]+)">', html) == COMMUNES
    results = re.findall(r'<td class="result-col (ok|bad|none)">', html)
    assert results.count("ok") == 8 and results.count("bad") == 7
    assert "8/15 xã đạt chuẩn" in html
    assert _cells(html, "TT-DONGMY") == {"K1": "met", "K2": "not_met", "K3": "not_met",
                                         "K4": "met"}
    for commune in COMMUNES:
        assert len(_cells(html, commune)) == 4


def test_planning_areas_matrix(admin: TestClient) -> None:
    html = admin.get("/units/TT/criteria/phuong-13?period=2023").text
    rows = re.findall(r'<tr data-unit="([^"]+)">', html)
    assert len(rows) == 14 and all(r.startswith("KV-") for r in rows)
    assert "14/14 khu vực dự kiến thành lập phường đạt chuẩn" in html


def test_set_not_in_effect_for_the_period(admin: TestClient) -> None:
    response = admin.get("/units/TT/criteria/thanh-lap-quan?period=2022")
    assert response.status_code == 200
    assert "Bộ tiêu chí không có hiệu lực trong năm 2022." in response.text
    assert 'id="matrix"' not in response.text


def test_no_data_cells(admin: TestClient) -> None:
    html = admin.get("/units/TT/criteria/ntm-kieu-mau?period=2022").text
    cells = _cells(html, "TT-YENMY")
    assert cells == {"K1": "no_data", "K2": "no_data", "K3": "no_data", "K4": "no_data"}
    assert "Chưa có số liệu (15)" in html


def test_cell_fragment_shows_value_threshold_and_source(admin: TestClient) -> None:
    response = admin.get("/units/TT-DONGMY/criteria/ntm-kieu-mau/K2?period=2023",
                         headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "<body" not in html
    assert 'data-detail-unit="TT-DONGMY" data-detail-criterion="K2"' in html
    assert "Thu nhập bình quân đầu người" in html
    assert "72,5 triệu đồng/người/năm" in html
    assert "≥" in html and "77 triệu đồng/người/năm" in html
    assert "Kết quả thẩm định xã đạt chuẩn NTM nâng cao (minh họa)" in html
    assert "Chưa đạt" in html


def test_cell_figures_in_vietnamese_format(admin: TestClient) -> None:
    html = admin.get("/units/TT/criteria/thanh-lap-quan/Q01?period=2023", headers=HTMX).text
    assert "301.200 người" in html
    assert "150.000 người" in html
    assert "Rà soát tiêu chuẩn thành lập quận, 12/2023 (minh họa)" in html
    yes_no = admin.get("/units/TT/criteria/thanh-lap-quan/Q04?period=2023", headers=HTMX).text
    assert "Không" in yes_no and "Chưa đạt" in yes_no


def test_cell_without_htmx_is_a_full_page(admin: TestClient) -> None:
    response = admin.get("/units/TT-DONGMY/criteria/ntm-kieu-mau/K2?period=2023")
    assert response.status_code == 200
    assert response.text.lstrip().lower().startswith("<!doctype html")
    assert 'class="tabs"' in response.text
    assert "72,5 triệu đồng/người/năm" in response.text


def test_criterion_on_another_set_links_to_it(admin: TestClient) -> None:
    html = admin.get("/units/TT-YENMY/criteria/ntm-kieu-mau/K1?period=2023",
                     headers=HTMX).text
    assert "Bộ tiêu chí quốc gia về xã nông thôn mới nâng cao" in html
    assert 'href="/units/TT-YENMY/criteria/ntm-nang-cao?period=2023"' in html


def test_unknown_set_criterion_or_unit(admin: TestClient) -> None:
    assert admin.get("/units/TT/criteria/no-such-set").status_code == 404
    assert admin.get("/units/TT/criteria/thanh-lap-quan/Q99").status_code == 404
    assert admin.get("/units/NOPE/criteria").status_code in (403, 404)
    # a set that concerns neither the commune nor anything below it
    assert admin.get("/units/TT-YENMY/criteria/thanh-lap-quan").status_code == 404


def test_entry_user_is_kept_to_its_commune(yenmy: TestClient) -> None:
    assert yenmy.get("/units/TT/criteria/thanh-lap-quan?period=2023").status_code == 403
    assert yenmy.get("/units/TT/criteria?period=2023").status_code == 403
    refused = yenmy.get("/units/TT-DONGMY/criteria/ntm-kieu-mau/K2?period=2023", headers=HTMX)
    assert refused.status_code == 404  # a unit out of scope is not told from no unit
    assert "72,5" not in refused.text
    assert yenmy.get("/units/TT/trend?period=2023").status_code == 403
    own = yenmy.get("/units/TT-YENMY/criteria/ntm-kieu-mau?period=2023")
    assert own.status_code == 200
    assert re.findall(r'<tr data-unit="([^"]+)">', own.text) == ["TT-YENMY"]
    assert "Xã Yên Mỹ đạt 4/4 tiêu chí" in own.text
    cell = yenmy.get("/units/TT-YENMY/criteria/ntm-kieu-mau/K2?period=2023", headers=HTMX)
    assert cell.status_code == 200


def test_english_wording(admin: TestClient) -> None:
    admin.cookies.set("lang", "en")
    try:
        html = admin.get("/units/TT/criteria/thanh-lap-quan?period=2023").text
        cell = admin.get("/units/TT/criteria/thanh-lap-quan/Q01?period=2023",
                         headers=HTMX).text
    finally:
        admin.cookies.set("lang", "vi")
    assert "Not passed" in html and "Chưa đạt chuẩn" not in html
    assert "301,200 people" in cell


# ---------------------------------------------------------------------- trend


def test_trend_of_gross_output_over_two_years(admin: TestClient) -> None:
    html = admin.get("/units/TT/trend?period=2023&indicator=gtsx").text
    assert "<script" not in html[html.index('class="filters trend-pick"'):]  # drawn on the server
    assert "plotly" not in html and "cdn" not in html.lower()
    chart = _chart(html, "trend-chart")
    assert chart.startswith('<svg role="img"') and 'viewBox="' in chart
    assert "<title" in chart and ">Tổng giá trị sản xuất trên địa bàn qua các năm</title>" in chart
    assert ">2022: 38.420 tỷ đồng; 2023: 43.799 tỷ đồng</desc>" in chart
    texts = _texts(chart)
    assert {"2022", "2023", "38.420", "43.799", "Thực hiện", "Kế hoạch"} <= set(texts)
    assert "38.420 tỷ đồng" in html and "43.799 tỷ đồng" in html  # the table beside it
    assert "font-family: inherit" in chart and "DejaVu" not in chart


def test_trend_defaults_to_the_first_key_target(admin: TestClient) -> None:
    html = admin.get("/units/TT/trend?period=2023").text
    assert _chosen(html) == "gtsx"
    assert {"2022", "2023"} <= set(_texts(_chart(html, "trend-chart")))


def test_trend_bars_of_the_units_below(admin: TestClient) -> None:
    html = admin.get("/units/TT/trend?period=2023&indicator=thu-nhap-bq").text
    chart = _chart(html, "trend-units")
    texts = _texts(chart)
    names = [t for t in texts if t.startswith("Xã ")]
    assert len(names) == 15 and "Xã Đông Mỹ" in names
    assert names[0] == "Xã Tân Triều" and names[-1] == "Xã Đông Mỹ"  # largest on top
    assert "72,5" in texts
    table = html[html.index('id="trend-units-values"'):]
    assert table.index("Xã Tân Triều") < table.index("Xã Đông Mỹ")
    assert "72,5 triệu đồng/người/năm" in table


def test_trend_of_a_commune_has_no_units_below(admin: TestClient) -> None:
    html = admin.get("/units/TT-YENMY/trend?period=2023").text
    assert _chosen(html) == "thu-nhap-bq"  # a number, not a yes/no
    assert "80,1" in _texts(_chart(html, "trend-chart"))
    assert 'id="trend-units"' not in html and "đơn vị trực thuộc" not in html


def test_trend_unknown_indicator(admin: TestClient) -> None:
    """A sentence in the user's language, never the framework's English."""
    response = admin.get("/units/TT/trend?indicator=no-such-thing")
    assert response.status_code == 404
    assert "Không có chỉ tiêu “no-such-thing”." in response.text
    assert "does not exist" not in response.text


def test_plotly_is_gone(admin: TestClient) -> None:
    assert admin.get("/static-plotly/plotly.min.js").status_code == 404
