"""Malformed and out-of-range input through HTTP (issue 9): a JSON body that is not Unicode
text, a period outside the years tieuchi reads, and a unit out of scope answered as a unit
that does not exist. Each is refused with the one error shape (docs/api.md) or the error page,
never a 500. The pure rules are tested where they live (tests/domain/test_periods.py,
:func:`test_not_unicode_finds_the_place`); the API fuzzing is tests/web/test_api_fuzz.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from tieuchi.store.tables import ObservationRow
from tieuchi.web.bodies import not_unicode

if TYPE_CHECKING:
    from tests.web.conftest import Site, WebApp

JSON = {"Content-Type": "application/json"}


def row(**changes: Any) -> dict[str, Any]:
    return {"unit": "TT-YENMY", "indicator": "thu-nhap-bq", "period": "2036", "value": 78.5,
            **changes}


# ---------------------------------------------------------------------- lone surrogates


def test_not_unicode_finds_the_place() -> None:
    assert not_unicode({"observations": [row(), row(source="Báo cáo 😀")]}) is None
    assert not_unicode({"observations": [row(), row(source="x\ud800")]}) == \
        ("observations", 1, "source")
    assert not_unicode({"a": {"b\udfff": 1}}) == ("a",)  # a key
    assert not_unicode(["\udc00"]) == (0,)
    assert not_unicode("\ud83d\ude00") == ()  # a pair decoded one by one is no text either


@pytest.mark.parametrize("body", [
    # An escape that JSON allows but that is no character (issue 9: a 500).
    b'{"observations": [{"unit": "TT-YENMY", "indicator": "thu-nhap-bq", "period": "2036",'
    b' "value": 1, "source": "B\\ud800o c\\u00e1o"}]}',
    # The same surrogate written as raw (CESU-8) bytes, which the JSON parser lets through.
    b'{"observations": [{"unit": "TT-YENMY", "indicator": "thu-nhap-bq", "period": "2036",'
    b' "value": 1, "source": "B\xed\xa0\x80o"}]}',
])
def test_a_lone_surrogate_is_refused_and_nothing_written(web: WebApp, body: bytes) -> None:
    before = web.store.audit.count()
    response = web.client("admin").post("/api/observations", content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json() == {"ok": False, "status": 422, "errors": [{
        "code": "invalid-request",
        "message": "the text holds a lone surrogate (such as \\ud800), which is not Unicode "
                   "text; send text as UTF-8 (or a surrogate pair)",
        "message_vi": "chuỗi chứa ký tự thay thế đơn lẻ (surrogate, ví dụ \\ud800), không "
                      "phải văn bản Unicode; hãy gửi văn bản dạng UTF-8 (hoặc cặp surrogate "
                      "đầy đủ)",
        "field": "body.observations.0.source", "index": None,
        "place": "body.observations.0.source"}]}
    assert web.store.audit.count() == before


@pytest.mark.parametrize(("path", "body"), [
    ("/api/workflow", b'{"unit": "TT-YENMY", "period": "2036", "dataset": "x\\udc00",'
                      b' "action": "submit"}'),
    ("/api/targets", b'{"targets": [{"key": "k\\ud800", "unit": "TT", "indicator": "dn-moi",'
                     b' "period": "2036", "comparator": "at_least", "value": 1}]}'),
])
def test_a_lone_surrogate_that_an_error_would_quote_is_refused(web: WebApp, path: str,
                                                               body: bytes) -> None:
    """A refusal quoting the text (unknown data set, a key) could not be written as UTF-8
    either: the body is refused before any route reads it."""
    response = web.client("admin").post(path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "invalid-request"


def test_a_surrogate_pair_is_text(web: WebApp) -> None:
    body = (b'{"observations": [{"unit": "TT-YENMY", "indicator": "thu-nhap-bq", '
            b'"period": "2036", "value": 78.5, "source": "B\\u00e1o c\\u00e1o \\ud83d\\ude00"}]}')
    response = web.client("admin").post("/api/observations", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    figures = web.client("admin").get("/api/observations", params={
        "unit": "TT-YENMY", "period": "2036"}).json()["observations"]
    assert figures[0]["source"] == "Báo cáo 😀"


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"observations": [', "Expecting value (character 18)"),
    (b'{"s": "\xff"}', "not UTF-8 text (character 7)"),  # was FastAPI's bare 400
    (b"[" * 100_000, "nested too deeply"),
])
def test_a_body_that_is_not_json_says_why(web: WebApp, body: bytes, reason: str) -> None:
    response = web.client("admin").post("/api/observations", content=body, headers=JSON)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["code"], error["field"]) == ("invalid-request", "body")
    assert error["message"] == f"the body is not valid JSON: {reason}"
    assert error["message_vi"].startswith("nội dung yêu cầu không phải JSON hợp lệ: ")


@pytest.mark.parametrize(("method", "path", "status", "vi"), [
    ("GET", "/api/nothing", 404, "không có trang hoặc địa chỉ này"),
    ("DELETE", "/api/units", 405, "địa chỉ này không nhận phương thức của yêu cầu"),
])
def test_the_frameworks_refusals_are_in_vietnamese_too(web: WebApp, method: str, path: str,
                                                      status: int, vi: str) -> None:
    response = web.client("admin").request(method, path)
    assert response.status_code == status
    assert response.json()["errors"][0]["message_vi"] == vi


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


# ---------------------------------------------------------------------- units out of scope


@pytest.mark.parametrize("url", ["/api/units/{unit}", "/api/targets?unit={unit}",
                                 "/api/evaluation?unit={unit}&period=2023",
                                 "/api/history?unit={unit}", "/api/units?parent={unit}"])
def test_a_unit_out_of_scope_is_answered_as_no_unit_in_the_api(web: WebApp, url: str) -> None:
    """Issue 9: an unknown unit was 404 and a real one out of scope 403, which told which
    codes exist. Now the two answers are the same, but for the code itself."""
    client = web.client("yenmy")
    real = client.get(url.format(unit="TT-DAIANG"))
    made_up = client.get(url.format(unit="TT-DAIANX"))
    assert real.status_code == made_up.status_code == 404
    assert real.json() == {"ok": False, "status": 404, "errors": [{
        "code": "not-found", "message": "there is no unit 'TT-DAIANG', or you may not see it",
        "message_vi": "không có đơn vị 'TT-DAIANG' hoặc bạn không có quyền xem",
        "field": "unit", "index": None, "place": "unit"}]}
    assert made_up.text == real.text.replace("TT-DAIANG", "TT-DAIANX")


def test_a_unit_out_of_scope_is_answered_as_no_unit_on_the_pages(site: Site) -> None:
    real = site.get("daiang", "/units/TT-YENMY/targets?period=2023")
    assert site.status == 404
    made_up = site.get("daiang", "/units/TT-YENMX/targets?period=2023")
    assert site.status == 404
    assert made_up == real.replace("TT-YENMY", "TT-YENMX")
    assert "Không có đơn vị 'TT-YENMY' hoặc bạn không có quyền xem." in real


def test_a_unit_one_may_read_but_not_write_is_still_forbidden(web: WebApp) -> None:
    """A viewer knows the unit: a write there is refused as such (403), not hidden."""
    response = web.client("viewer").post("/api/workflow", json={
        "unit": "TT-YENMY", "period": "2036", "dataset": "ntm-nang-cao", "action": "submit"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"
    page_client, csrf = web.login("viewer")
    page = page_client.post("/units/TT-YENMY/entry/ntm-nang-cao?period=2036",
                            data={"csrf_token": csrf, "v__ntmnc-04": "1"})
    assert page.status_code == 403
