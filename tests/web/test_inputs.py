"""Malformed and out-of-range input through HTTP (issue 9): a period outside the years
tieuchi reads is refused with the one error shape (docs/api.md) or the error page, never a
500. The pure rules are tested where they live (tests/domain/test_periods.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from tieuchi.store.tables import ObservationRow

if TYPE_CHECKING:
    from tests.web.conftest import Site, WebApp

JSON = {"Content-Type": "application/json"}


def row(**changes: Any) -> dict[str, Any]:
    return {"unit": "TT-YENMY", "indicator": "thu-nhap-bq", "period": "2036", "value": 78.5,
            **changes}


# ---------------------------------------------------------------------- years


@pytest.mark.parametrize("url", [
    "/api/evaluation?unit=TT&period=1000",
    "/api/targets?unit=TT&period=9999",
    "/api/observations?unit=TT&period=1899",
    "/api/workflow?unit=TT&period=2201",
    "/api/evaluation?unit=TT&period=1000-2023",
])
def test_a_year_outside_the_years_is_an_invalid_period_in_the_api(web: WebApp,
                                                                  url: str) -> None:
    """Issue 9: period=1000 was a 500 (its last year, 999, was no period)."""
    response = web.client("admin").get(url)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["code"], error["field"]) == ("invalid-period", "period")
    assert "with years from 1900 to 2200" in error["message"]
    assert "năm từ 1900 đến 2200" in error["message_vi"]


def test_a_figure_for_a_year_outside_is_not_written(web: WebApp) -> None:
    before = web.store.audit.count()
    response = web.client("admin").post("/api/observations", json={
        "observations": [row(period="2036"), row(period="1000")]})
    assert response.status_code == 422
    assert [(e["code"], e["index"]) for e in response.json()["errors"]] == \
        [("invalid-period", 1)]
    assert web.store.audit.count() == before


@pytest.mark.parametrize("url", ["/units/TT?period=1000", "/units/TT/targets?period=1000",
                                 "/units/TT-YENMY/entry/ntm-nang-cao?period=1000",
                                 "/units/TT/report?period=2201"])
def test_a_year_outside_the_years_is_refused_on_the_pages(site: Site, url: str) -> None:
    page = site.get("admin", url)
    assert site.status == 422
    assert "không phải kỳ báo cáo hợp lệ" in page and "năm từ 1900 đến 2200" in page


def test_a_figure_stored_for_year_1000_breaks_no_evaluation(fresh_web: WebApp) -> None:
    """A database may hold figures written before the years were bounded: they are left out
    of every evaluation (no period holds them), which goes on."""
    with fresh_web.store.session() as session:
        session.add(ObservationRow(unit="TT-YENMY", indicator="thu-nhap-bq", period="1000",
                                   vintage="official", value=1.0, source=None,
                                   changed_at=datetime.now(UTC), changed_by="old"))
    client = fresh_web.client("admin")
    for unit in ("TT", "TT-YENMY"):
        response = client.get("/api/evaluation", params={"unit": unit, "period": "2023"})
        assert response.status_code == 200, response.text
