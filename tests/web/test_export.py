"""Every table of every page as CSV or XLSX, by one route (web/pages/export.py) and the links
static/app.js puts under each table."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.web.conftest import Site
from tieuchi.web.pages.export import Cell, cell_value, read_tables


@pytest.mark.parametrize(("text", "lang", "value", "shown"), [
    ("43.799 tỷ đồng", "vi", 43799.0, '#,##0 "tỷ đồng"'),
    ("87,25%", "vi", 0.8725, "0.00%"),
    ("+14,0%", "vi", 0.14, "0.0%"),
    ("857,7", "vi", 857.7, "#,##0.0"),
    ("1,234.5 VND billion", "en", 1234.5, '#,##0.0 "VND billion"'),
    ("≥ 80", "vi", "≥ 80", None),
    ("48/52", "vi", "48/52", None),
    ("1.5", "vi", "1.5", None),  # neither 15 nor 1,5: text, as typed
    ("Xã Yên Mỹ", "vi", "Xã Yên Mỹ", None),
    ("–", "vi", None, None),
])
def test_a_cell_is_a_number_where_the_page_shows_one(text: str, lang: str, value: object,
                                                     shown: str | None) -> None:
    found, number_format = cell_value(Cell(text), lang)
    assert found == pytest.approx(value) if isinstance(value, float) else found == value
    assert number_format == shown


def test_headers_stay_text_and_data_value_is_exact() -> None:
    assert cell_value(Cell("2023", header=True), "vi") == ("2023", None)
    assert cell_value(Cell("87,2%", value="87.25"), "vi") == (87.25, None)


def test_tables_are_read_in_page_order_with_their_ids() -> None:
    html = ("<title>Chỉ tiêu · tieuchi</title><table id='a'><tr><th>Tên</th><th colspan=2>Số"
            "</th></tr><tr><td>A<br>B</td><td><input value='5,5'></td><td>x<svg><text>no"
            "</text></svg></td></tr></table><script>var t='<table>'</script><table><tr>"
            "<td>1</td></tr></table>")
    first, second = read_tables(html)
    assert (first.ident, second.ident, first.title) == ("a", "1", "Chỉ tiêu · tieuchi")
    assert [c.text for c in first.rows[0]] == ["Tên", "Số", ""]
    assert [c.text for c in first.rows[1]] == ["A B", "5,5", "x"]


def _export(site: Site, user: str, page: str, table: str, fmt: str) -> bytes:
    client, _ = site.user(user)
    response = client.get("/export", params={"page": page, "table": table, "format": fmt})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def test_the_targets_table_as_xlsx_and_csv(site: Site) -> None:
    page = "/units/TT/targets?period=2023"
    html = site.get("thanhtri", page)
    assert '<script src="/static/app.js" defer></script>' in html and "<table" in html
    book = load_workbook(io.BytesIO(_export(site, "thanhtri", page, "0", "xlsx")))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Chỉ tiêu" and rows[0][3] == "Thực hiện"  # the page's headers
    gross = next(r for r in rows if r[1] == "Tổng giá trị sản xuất trên địa bàn")
    assert gross[3] == 43799 and isinstance(gross[3], float | int)
    cell = next(c for c in sheet[rows.index(gross) + 1] if c.value == 43799)
    assert cell.number_format.startswith("#,##0")  # shown as on the page, grouped
    assert sheet.freeze_panes == "A2"
    text = _export(site, "thanhtri", page, "0", "csv")
    assert text.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0][1] == "Chỉ tiêu"
    assert any(r[1] == "Tổng giá trị sản xuất trên địa bàn" and r[3] == "43799" for r in lines)


def test_the_trend_table_by_its_id_in_english(site: Site) -> None:
    client, _ = site.user("thanhtri")
    client.cookies.set("lang", "en")
    try:
        data = _export(site, "thanhtri", "/units/TT/trend?period=2023&indicator=gtsx",
                       "trend-values", "xlsx")
    finally:
        client.cookies.set("lang", "vi")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Year", "2022", "2023")
    assert rows[1] == ("Actual", 38420, 43799)


def test_a_page_the_user_may_not_read_exports_nothing(site: Site) -> None:
    client, _ = site.user("yenmy")
    response = client.get("/export", params={"page": "/units/TT/targets?period=2023",
                                             "table": "0", "format": "csv"})
    assert response.status_code == 403
    for page, table in (("https://example.com/x", "0"), ("//evil/x", "0"),
                        ("/export?page=/", "0"), ("/units/TT-YENMY?period=2023", "99")):
        response = client.get("/export", params={"page": page, "table": table})
        assert response.status_code == 404, page
