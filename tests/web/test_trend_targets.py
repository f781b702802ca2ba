"""The trend page's target line and plan band, from targets assigned through the API."""

from __future__ import annotations

import re

from tests.web.conftest import Site
from tieuchi.reports.charts import BAND

RANGE = {"key": "views-yenmy-thu-nhap", "unit": "TT-YENMY", "indicator": "thu-nhap-bq",
         "period": "2023", "comparator": "within", "value": 78, "value_high": 85}
LINE = {"key": "views-vanphuc-thu-nhap", "unit": "TT-VANPHUC", "indicator": "thu-nhap-bq",
        "period": "2023", "comparator": "at_least", "value": 80}


def _chart(html: str, ident: str) -> str:
    found = re.search(rf'<figure id="{ident}"[^>]*>(<svg .*?</svg>)</figure>', html, re.DOTALL)
    assert found, ident
    return found.group(1)


def test_a_range_target_is_a_band_and_a_target_a_mark(site: Site) -> None:
    client = site.web.client("thanhtri")
    response = client.post("/api/targets", json={"targets": [RANGE, LINE]})
    assert response.status_code == 200, response.text

    commune = site.get("thanhtri", "/units/TT-YENMY/trend?period=2023&indicator=thu-nhap-bq")
    line = _chart(commune, "trend-chart")
    assert BAND in line  # the plan band over 2023
    assert "Kế hoạch (trong khoảng)" in line
    assert re.search(r"<td class=\"num\">78 – 85 triệu đồng/người/năm</td>", commune)

    district = site.get("thanhtri", "/units/TT/trend?period=2023&indicator=thu-nhap-bq")
    bars = _chart(district, "trend-units")
    assert BAND in bars and "Chỉ tiêu được giao" in bars  # the band, the mark's legend
    assert "Chỉ tiêu được giao (trong khoảng)" in bars
    rows = district[district.index('id="trend-units-values"'):]
    van_phuc = rows[rows.index("Xã Vạn Phúc"):]
    assert 'class="badge bad"' in van_phuc[:van_phuc.index("</tr>")]  # 76,5 < 80
