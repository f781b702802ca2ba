"""The period picker of the unit pages: every period with figures or targets (years, 9
months, 6 months, quarters, months), labelled as a report writes them, in one order."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, login
from tieuchi.definitions import load_definitions
from tieuchi.domain.periods import Period
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web import create_app
from tieuchi.web.views import picker_order

EXAMPLES = Path(__file__).parents[2] / "examples"


def _ordered(*codes: str) -> list[str]:
    return [p.code for p in sorted((Period.parse(c) for c in codes), key=picker_order)]


def test_the_newest_year_first_then_its_parts_from_the_widest() -> None:
    assert _ordered("2023", "2024-Q1", "2024-03", "2024-YTD09", "2024", "2024-H1",
                    "2024-Q3", "2023-Q4", "2024-09") == [
        "2024", "2024-YTD09", "2024-H1", "2024-Q3", "2024-Q1", "2024-09", "2024-03",
        "2023", "2023-Q4"]


def _options(html: str) -> list[tuple[str, str]]:
    form = html[html.index('<form method="get" class="period">'):]
    form = form[:form.index("</select>")]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', form)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Nghệ An's 9 months, with figures of its own for a quarter and for a month."""
    folder = tmp_path_factory.mktemp("na") / "nghe-an"
    shutil.copytree(EXAMPLES / "nghe-an-2024-9-thang", folder)
    (folder / "observations-parts.csv").write_text(
        "unit,indicator,period,value,vintage,source\n"
        "NA,so-xa-ntm,2024-Q2,318,official,\n"
        "NA,so-xa-ntm,2024-08,319,official,\n", encoding="utf-8")
    store = Store.open(f"sqlite:///{folder.parent}/t.db")
    store.load(load_definitions(folder), actor="test")
    store.users.add("admin", PASSWORD, role="admin", unit=None)
    with TestClient(create_app(store, Settings(_env_file=None, secret_key="t"))) as client:
        login(client, "admin")
        yield client
    store.engine.dispose()


def test_nine_months_a_quarter_and_a_month_are_offered_with_their_labels(
        province: TestClient) -> None:
    options = _options(province.get("/units/NA?period=2024-YTD09").text)
    codes = [c for c, _ in options]
    assert codes == _ordered(*codes)
    labels = dict(options)
    assert labels["2024-YTD09"] == "9 tháng năm 2024"
    assert labels["2024-Q2"] == "quý II/2024"
    assert labels["2024-08"] == "tháng 8/2024"
    assert labels["2023-YTD09"] == "9 tháng năm 2023"  # the same period last year
    assert codes.index("2024-YTD09") < codes.index("2024-Q2") < codes.index("2024-08")


def test_the_labels_follow_the_language(province: TestClient) -> None:
    province.cookies.set("lang", "en")
    try:
        labels = dict(_options(province.get("/units/NA/trend?period=2024-Q2").text))
    finally:
        province.cookies.set("lang", "vi")
    assert labels["2024-Q2"] == "Q2 2024"
    assert labels["2024-YTD09"] == "Jan–Sep 2024"


@pytest.mark.parametrize("page", ["/units/NA/trend", "/units/NA/tree", "/units/NA/targets"])
@pytest.mark.parametrize("period", ["2024-YTD09", "2024-Q2", "2024-08"])
def test_the_pages_of_a_part_of_a_year(province: TestClient, page: str, period: str) -> None:
    response = province.get(f"{page}?period={period}")
    assert response.status_code == 200, response.text
    assert f'<option value="{period}" selected>' in response.text
