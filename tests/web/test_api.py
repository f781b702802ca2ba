"""The REST API: each endpoint with an API token, the article's figures through
/api/evaluation, all-or-nothing bulk writes, the workflow, the one error shape, sessions with
CSRF, and the OpenAPI document.

Tests that change shared data (a workflow step, a figure of 2023) use ``fresh_web``; the
others read ``web`` or write a period or a target key only they use.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from tests.web.conftest import WebApp

COMMUNE = "TT-YENMY"
OTHER = "TT-DAIANG"
YESNO = "ntmnc-01"  # a yes/no criterion of the data set communes report
PERCENT = "nuoc-sach-tap-trung"  # a percentage communes report
COMMUNE_SET = "ntm-nang-cao"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is True
    return body


def assert_error(response: httpx.Response, status: int, code: str | None = None,
                 ) -> list[dict[str, Any]]:
    """The one error shape, exactly: ok false, the errors, the status repeated."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "errors", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["errors"], list) and body["errors"]
    for error in body["errors"]:
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
        assert isinstance(error.get("message_vi", ""), str)
    if code is not None:
        assert code in [e["code"] for e in body["errors"]], body
    errors: list[dict[str, Any]] = body["errors"]
    return errors


def figure(client: TestClient, unit: str, indicator: str, period: str) -> float | None:
    body = ok(client.get("/api/observations", params={
        "unit": unit, "period": period, "indicator": indicator}))
    found = [o["value"] for o in body["observations"] if o["indicator"] == indicator]
    return found[0] if found else None


# ---------------------------------------------------------------------- units


def test_units_default_to_the_users_own_unit(web: WebApp) -> None:
    assert [u["code"] for u in ok(web.client("thanhtri").get("/api/units"))["units"]] == ["TT"]
    assert [u["code"] for u in ok(web.client("yenmy").get("/api/units"))["units"]] == [COMMUNE]
    # An administrator has no unit: the top of the hierarchy.
    assert [u["code"] for u in ok(web.client("admin").get("/api/units"))["units"]] == ["HN"]


def test_units_under_a_parent(web: WebApp) -> None:
    units = ok(web.client("thanhtri").get("/api/units", params={"parent": "TT"}))["units"]
    kinds = [(u["level"], u["kind"]) for u in units]
    # 15 communes and the township Văn Điển (level xa), 14 proposed ward areas (kvdk).
    assert (kinds.count(("xa", "xã")), kinds.count(("xa", "thị trấn"))) == (15, 1)
    assert [u["level"] for u in units].count("kvdk") == 14
    yen_my = next(u for u in units if u["code"] == COMMUNE)
    assert yen_my == {"code": COMMUNE, "name": "Yên Mỹ", "name_en": None, "level": "xa",
                      "kind": "xã", "parent": "TT", "official_code": "00661",
                      "valid_from": None, "valid_to": None}
    assert ok(web.client("yenmy").get("/api/units", params={"parent": COMMUNE}))["units"] == []


def test_unit_with_its_path(web: WebApp) -> None:
    body = ok(web.client("yenmy").get(f"/api/units/{COMMUNE}"))
    assert body["unit"]["name"] == "Yên Mỹ"
    assert [p["code"] for p in body["path"]] == ["HN", "TT", COMMUNE]
    assert [p["name"] for p in body["path"]] == ["Hà Nội", "Thanh Trì", "Yên Mỹ"]


def test_search_ignores_diacritics_and_keeps_to_the_scope(web: WebApp) -> None:
    found = ok(web.client("thanhtri").get("/api/units/search", params={"q": "dai ang"}))
    assert found["units"][0]["code"] == OTHER
    assert found["units"][0]["name"] == "Đại Áng"
    assert [p["code"] for p in found["units"][0]["path"]] == ["HN", "TT", OTHER]
    assert ok(web.client("admin").get("/api/units/search", params={"q": "THANH TRI"})
              )["units"][0]["code"] == "TT"
    # An entry officer finds their own commune and nothing else.
    assert ok(web.client("yenmy").get("/api/units/search", params={"q": "dai ang"})
              )["units"] == []
    assert [u["code"] for u in ok(web.client("yenmy").get(
        "/api/units/search", params={"q": "yen my"}))["units"]] == [COMMUNE]
    assert_error(web.client("yenmy").get("/api/units/search", params={"q": ""}), 422,
                 "invalid-request")


# ---------------------------------------------------------------------- indicators


def test_indicators(web: WebApp) -> None:
    indicators = {i["code"]: i for i in ok(web.client("viewer").get("/api/indicators"))[
        "indicators"]}
    assert indicators["gtsx"]["unit"] == "tỷ đồng"
    assert indicators["gtsx"]["computed"] is False
    assert indicators[YESNO]["type"] == "yesno"
    assert indicators["ntm-nc-ty-le"]["computed"] is True


# ---------------------------------------------------------------------- targets


def test_targets_of_a_unit(web: WebApp) -> None:
    body = ok(web.client("viewer").get("/api/targets", params={"unit": "TT", "period": "2023"}))
    targets = {t["key"]: t for t in body["targets"]}
    revenue = targets["ktxh-thu-co-dinh"]
    assert (revenue["indicator"], revenue["comparator"], revenue["value"], revenue["basis"]) \
        == ("thu-co-dinh", "at_least", 856.0, "budget")
    assert targets["ktxh-gtsx"]["relative"] == "growth"
    assert targets["ktxh-gtsx"]["relative_value"] == 12.0
    assert ok(web.client("yenmy").get("/api/targets", params={"unit": COMMUNE, "period": "2023"})
              )["targets"] == []


def test_post_targets_adds_then_changes(web: WebApp) -> None:
    client = web.client("thanhtri")
    target = {"key": "api-test-yenmy-2024", "unit": COMMUNE, "indicator": PERCENT,
              "period": "2024", "comparator": "at_least", "value": 95,
              "issuer": "UBND huyện Thanh Trì"}
    assert ok(client.post("/api/targets", json={"targets": [target]}))["changed"] == 1
    assert ok(client.post("/api/targets", json={"targets": [target]}))["changed"] == 0
    target["value"] = 97
    assert ok(client.post("/api/targets", json={"targets": [target], "reason": "điều chỉnh"})
              )["changed"] == 1
    saved = ok(client.get("/api/targets", params={"unit": COMMUNE, "period": "2024"}))["targets"]
    assert [(t["key"], t["value"], t["basis"], t["tolerance"]) for t in saved] == [
        ("api-test-yenmy-2024", 97.0, "plan", 0.0)]
    # How the report states it travels with the target, and comes back as written.
    target.update(percent_decimals=1, percent_fixed=True, compare="ratio", excess="percent")
    assert ok(client.post("/api/targets", json={"targets": [target]}))["changed"] == 1
    [saved_one] = ok(client.get("/api/targets", params={"unit": COMMUNE, "period": "2024"})
                     )["targets"]
    assert (saved_one["percent_decimals"], saved_one["percent_fixed"], saved_one["compare"],
            saved_one["excess"]) == (1, True, "ratio", "percent")
    # The entry officer reads the commune's target and may not set it.
    assert len(ok(web.client("yenmy").get("/api/targets", params={
        "unit": COMMUNE, "period": "2024-YTD12"}))["targets"]) == 1  # 2024-YTD12 is 2024
    assert_error(web.client("yenmy").post("/api/targets", json={"targets": [target]}), 403,
                 "forbidden")


def test_post_targets_is_all_or_nothing(web: WebApp) -> None:
    client = web.client("thanhtri")
    good = {"key": "api-test-daiang-2024", "unit": OTHER, "indicator": PERCENT,
            "period": "2024", "comparator": "at_least", "value": 90}
    bad = {**good, "key": "api-test-daiang-2024-b", "indicator": "no-such-indicator"}
    errors = assert_error(client.post("/api/targets", json={"targets": [good, bad]}), 422,
                          "unknown-indicator")
    assert [(e["index"], e["field"]) for e in errors] == [(1, "indicator")]
    assert ok(client.get("/api/targets", params={"unit": OTHER, "period": "2024"})
              )["targets"] == []


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"unit": "XX"}, "unit", "unknown-unit"),
    ({"period": "2024-Q5"}, "period", "invalid-period"),
    ({"value": None}, "value", "missing-value"),
    ({"relative": "growth", "relative_value": 5}, "comparator", "target-kind"),
    ({"comparator": "within"}, "value_high", "missing-value-high"),
    ({"comparator": "within", "value_high": 10}, "value_high", "range-order"),
    ({"baseline": "2023"}, "baseline", "baseline-without-relative"),
    ({"tolerance": -1}, "tolerance", "negative-tolerance"),
    ({"period": "2024-05"}, "period", "period-too-fine"),
    ({"key": "ktxh-gtsx"}, "unit", "key-in-use"),
    ({"key": "ktxh-gtsx", "unit": "TT"}, "indicator", "key-in-use"),
    ({"key": "ktxh-gtsx", "unit": "TT", "indicator": "gtsx"}, "period", "key-in-use"),
], ids=["unit", "period", "value", "two-kinds", "range", "range-order", "baseline",
        "tolerance", "period-too-fine", "key-of-another-unit",
        "key-of-another-indicator", "key-of-another-period"])
def test_post_targets_reports_the_bad_field(web: WebApp, change: dict[str, Any], field: str,
                                            code: str) -> None:
    target = {"key": "api-test-bad", "unit": COMMUNE, "indicator": PERCENT, "period": "2024",
              "comparator": "at_least", "value": 90, **change}
    status = 409 if code == "key-in-use" else 422  # the catalogue's status of the code
    errors = assert_error(web.client("admin").post("/api/targets", json={"targets": [target]}),
                          status, code)
    assert (errors[0]["index"], errors[0]["field"]) == (0, field)
    assert errors[0]["place"] == f"[0].{field}"


@pytest.mark.parametrize("field", ["value", "value_high", "relative_value",
                                   "baseline_value", "tolerance"])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_post_targets_refuses_numbers_that_are_not_finite(web: WebApp, field: str,
                                                          number: str) -> None:
    """JSON has no NaN nor Infinity, but Python's parser (and so FastAPI's) reads the
    literals NaN, Infinity and -Infinity, and 1e999 as Infinity; pydantic takes them as
    floats. The domain's target rule refuses them, field by field."""
    relative = field in ("relative_value", "baseline_value")
    target = {"key": "api-test-nan", "unit": COMMUNE, "indicator": PERCENT, "period": "2024",
              **({"relative": "growth", "relative_value": 5} if relative else
                 {"comparator": "within", "value": 90, "value_high": 95})}
    body = json.dumps({"targets": [target]})[:-3] + f', "{field}": {number}}}]}}'
    response = web.client("admin").post("/api/targets", content=body,
                                        headers={"content-type": "application/json"})
    errors = assert_error(response, 422, "invalid-value")
    assert [(e["index"], e["field"]) for e in errors] == [(0, field)]
    assert "api-test-nan" not in {t["key"] for t in ok(web.client("admin").get(
        "/api/targets", params={"unit": COMMUNE, "period": "2024"}))["targets"]}


def test_post_targets_in_a_locked_period_is_refused_until_a_reopen(fresh_web: WebApp) -> None:
    admin = fresh_web.client("admin")
    held = {t["key"]: t for t in ok(admin.get("/api/targets", params={
        "unit": "TT", "period": "2023"}))["targets"]}["ktxh-dn-moi"]
    for action in ("submit", "approve", "lock"):
        ok(admin.post("/api/workflow", json={"unit": "TT", "period": "2023",
                                             "dataset": "kinh-te-xa-hoi", "action": action}))
    changed = {**held, "value": held["value"] + 1}
    errors = assert_error(admin.post("/api/targets", json={"targets": [changed]}), 409,
                          "locked")
    assert "reopen" in errors[0]["message"]
    ok(admin.post("/api/workflow", json={"unit": "TT", "period": "2023",
                                         "dataset": "kinh-te-xa-hoi", "action": "reopen",
                                         "reason": "điều chỉnh chỉ tiêu"}))
    assert ok(admin.post("/api/targets", json={"targets": [changed]}))["changed"] == 1


def test_a_target_key_of_a_unit_outside_the_scope_cannot_be_taken_over(
        fresh_web: WebApp) -> None:
    target = {"key": "hn-target", "unit": "HN", "indicator": "gtsx", "period": "2024",
              "relative": "growth", "relative_value": 8}
    assert ok(fresh_web.client("admin").post("/api/targets", json={"targets": [target]})
              )["changed"] == 1
    # Thanh Trì's officer may set Thanh Trì's targets, but not rewrite Hà Nội's under its key.
    takeover = {**target, "unit": "TT", "relative_value": 1}
    assert_error(fresh_web.client("thanhtri").post("/api/targets", json={"targets": [takeover]}),
                 403, "forbidden")
    held = ok(fresh_web.client("admin").get("/api/targets", params={"unit": "HN"}))["targets"]
    assert [(t["key"], t["unit"], t["relative_value"]) for t in held] == [("hn-target", "HN", 8)]


# ---------------------------------------------------------------------- observations


def test_observations_of_a_unit(web: WebApp) -> None:
    body = ok(web.client("yenmy").get("/api/observations",
                                      params={"unit": COMMUNE, "period": "2023"}))
    assert body["period"] == "2023"
    figures = {o["indicator"]: o for o in body["observations"]}
    assert figures[YESNO]["value"] == 1.0
    assert figures[YESNO]["vintage"] == "official"
    assert figures[YESNO]["changed_by"] == "test"
    one = ok(web.client("yenmy").get("/api/observations", params={
        "unit": COMMUNE, "indicator": [YESNO, "ntmnc-02"]}))  # default period: the project's
    assert (one["period"], [o["indicator"] for o in one["observations"]]) == (
        "2023", [YESNO, "ntmnc-02"])


def test_post_observations_writes_audits_and_deletes(web: WebApp) -> None:
    client = web.client("yenmy")
    rows = [{"unit": COMMUNE, "indicator": PERCENT, "period": "2025", "value": 98.5,
             "source": "UBND xã"},
            {"unit": COMMUNE, "indicator": YESNO, "period": "2025", "value": 1}]
    body = ok(client.post("/api/observations", json={"observations": rows,
                                                     "reason": "số liệu năm 2025"}))
    assert body == {"ok": True, "changed": 2}
    assert figure(client, COMMUNE, PERCENT, "2025") == 98.5
    assert ok(client.post("/api/observations", json={"observations": rows}))["changed"] == 0

    history = ok(client.get("/api/history", params={
        "unit": COMMUNE, "indicator": PERCENT, "period": "2025"}))["entries"]
    assert [(h["actor"], h["action"], h["new"]["value"], h["reason"]) for h in history] == [
        ("yenmy", "add", 98.5, "số liệu năm 2025")]

    deleted = [{"unit": COMMUNE, "indicator": PERCENT, "period": "2025", "value": None}]
    assert ok(client.post("/api/observations", json={"observations": deleted}))["changed"] == 1
    assert figure(client, COMMUNE, PERCENT, "2025") is None
    history = ok(client.get("/api/history", params={
        "unit": COMMUNE, "indicator": PERCENT, "period": "2025"}))["entries"]
    assert [h["action"] for h in history] == ["delete", "add"]  # newest first


def test_a_bulk_post_with_one_bad_row_writes_nothing(web: WebApp) -> None:
    client = web.client("thanhtri")
    before = web.store.audit.count()
    rows = [{"unit": COMMUNE, "indicator": YESNO, "period": "2026", "value": 1},
            {"unit": OTHER, "indicator": YESNO, "period": "2026", "value": 0},
            {"unit": OTHER, "indicator": PERCENT, "period": "2026", "value": 130}]
    errors = assert_error(client.post("/api/observations", json={"observations": rows}), 422,
                          "percent-range")
    assert [(e["index"], e["field"]) for e in errors] == [(2, "value")]
    assert errors[0]["message_vi"] == ("130 không phải tỷ lệ phần trăm của chỉ tiêu "
                                       f"{PERCENT}; tỷ lệ phần trăm phải từ 0 đến 100")
    assert figure(client, COMMUNE, YESNO, "2026") is None
    assert figure(client, OTHER, YESNO, "2026") is None
    assert web.store.audit.count() == before


def test_bulk_post_reports_every_bad_row(web: WebApp) -> None:
    rows = [{"unit": "XX", "indicator": YESNO, "period": "2026", "value": 1},
            {"unit": COMMUNE, "indicator": YESNO, "period": "2026", "value": 2},
            {"unit": COMMUNE, "indicator": "ntm-nc-ty-le", "period": "2026", "value": 50},
            {"unit": COMMUNE, "indicator": PERCENT, "period": "2026-13", "value": 50}]
    errors = assert_error(web.client("admin").post("/api/observations",
                                                   json={"observations": rows}), 422)
    assert [(e["index"], e["field"], e["code"]) for e in errors] == [
        (0, "unit", "unknown-unit"), (1, "value", "yesno-value"),
        (2, "indicator", "computed-indicator"), (3, "period", "invalid-period")]


def test_a_value_that_is_not_a_number_is_refused(web: WebApp) -> None:
    rows = [{"unit": COMMUNE, "indicator": PERCENT, "period": "2026", "value": "12"}]
    errors = assert_error(web.client("yenmy").post("/api/observations",
                                                   json={"observations": rows}), 422,
                          "invalid-request")
    assert errors[0]["field"] == "body.observations.0.value"


def test_writing_to_a_locked_data_set_is_409(fresh_web: WebApp) -> None:
    officer = fresh_web.client("thanhtri")
    step = {"unit": COMMUNE, "period": "2023", "dataset": COMMUNE_SET}
    for action in ("submit", "approve", "lock"):
        ok(officer.post("/api/workflow", json={**step, "action": action}))
    before = fresh_web.store.audit.count()
    rows = [{"unit": COMMUNE, "indicator": YESNO, "period": "2023", "value": 0}]
    errors = assert_error(officer.post("/api/observations", json={"observations": rows}), 409,
                          "locked")
    assert (errors[0]["index"], errors[0]["field"]) == (0, "value")
    assert fresh_web.store.audit.count() == before
    assert figure(officer, COMMUNE, YESNO, "2023") == 1.0


# ---------------------------------------------------------------------- evaluation


def test_evaluation_of_thanh_tri_2023_holds_the_articles_figures(web: WebApp) -> None:
    body = ok(web.client("viewer").get("/api/evaluation", params={"unit": "TT",
                                                                  "period": "2023"}))
    assert (body["period"], body["as_of"], body["units"][0]) == ("2023", "2023-12-12", "TT")
    groups = {g["code"]: g for g in body["groups"] if g["unit"] == "TT"}
    for code, achieved, total in (("nvct-2023", 18, 18), ("ktxh-2023", 20, 20),
                                  ("thu-co-dinh-2023", 7, 10)):
        group = groups[code]
        assert (group["exceeded"] + group["met"], group["total"]) == (achieved, total), code
    targets = {t["key"]: t for t in body["targets"]}
    revenue = targets["ktxh-thu-co-dinh"]
    assert (revenue["percent_of_target"], revenue["change_vs_same_period"]) == (100.2, 5.5)
    summaries = {s["set"]: s for s in body["set_summaries"] if s["unit"] == "TT"}
    assert (summaries["ntm-nang-cao"]["passed"], summaries["ntm-nang-cao"]["total"]) == (15, 15)
    district = next(s for s in body["criteria_sets"]
                    if s["unit"] == "TT" and s["set"] == "thanh-lap-quan")
    assert (district["met"], district["total"], district["passed"]) == (30, 34, False)
    assert len(district["unmet"]) == 4
    assert "Công trình xanh" in district["unmet"]


def test_evaluation_defaults_to_the_projects_period(web: WebApp) -> None:
    body = ok(web.client("yenmy").get("/api/evaluation", params={"unit": COMMUNE}))
    assert body["period"] == "2023"
    assert body["units"] == [COMMUNE]
    own = [s for s in body["criteria_sets"] if s["set"] == COMMUNE_SET]
    assert [(s["unit"], s["passed"]) for s in own] == [(COMMUNE, True)]
    assert_error(web.client("yenmy").get("/api/evaluation", params={
        "unit": COMMUNE, "period": "2023-Q9"}), 422, "invalid-period")


# ---------------------------------------------------------------------- workflow


def test_workflow_states_and_steps(fresh_web: WebApp) -> None:
    entry, officer = fresh_web.client("yenmy"), fresh_web.client("thanhtri")
    states = ok(entry.get("/api/workflow", params={"unit": COMMUNE}))
    assert states["period"] == "2023"
    by_code = {d["dataset"]: d for d in states["datasets"]}
    assert sorted(by_code) == ["ntm-kieu-mau", COMMUNE_SET]
    assert (by_code[COMMUNE_SET]["state"], by_code[COMMUNE_SET]["actions"]) == (
        "draft", ["submit"])

    step = {"unit": COMMUNE, "period": "2023", "dataset": COMMUNE_SET}
    assert ok(entry.post("/api/workflow", json={**step, "action": "submit"})) == {
        "ok": True, **step, "state": "submitted"}
    # The entry officer can do nothing more; the level above approves or returns.
    seen = {d["dataset"]: d for d in ok(entry.get(
        "/api/workflow", params={"unit": COMMUNE, "period": "2023"}))["datasets"]}
    assert (seen[COMMUNE_SET]["state"], seen[COMMUNE_SET]["actions"]) == ("submitted", [])
    seen = {d["dataset"]: d for d in ok(officer.get(
        "/api/workflow", params={"unit": COMMUNE}))["datasets"]}
    assert seen[COMMUNE_SET]["actions"] == ["approve", "return"]
    assert seen[COMMUNE_SET]["state_name"] == "Đã gửi"

    rows = [{"unit": COMMUNE, "indicator": YESNO, "period": "2023", "value": 0}]
    assert_error(entry.post("/api/observations", json={"observations": rows}), 409, "submitted")
    assert_error(entry.post("/api/workflow", json={**step, "action": "approve"}), 403,
                 "forbidden")
    assert_error(entry.post("/api/workflow", json={**step, "action": "submit"}), 409,
                 "wrong-state")
    assert_error(officer.post("/api/workflow", json={**step, "action": "return"}), 422,
                 "reason-required")
    assert ok(officer.post("/api/workflow", json={**step, "action": "return",
                                                  "reason": "thiếu nguồn số liệu"})
              )["state"] == "draft"
    assert ok(entry.post("/api/observations", json={"observations": rows}))["changed"] == 1

    history = ok(officer.get("/api/history", params={
        "unit": COMMUNE, "entity": "workflow", "period": "2023"}))["entries"]
    assert [(h["actor"], h["action"], h["new"]["state"]) for h in history] == [
        ("thanhtri", "return", "draft"), ("yenmy", "submit", "submitted")]
    assert history[0]["reason"] == "thiếu nguồn số liệu"


def test_workflow_refuses_bad_requests(web: WebApp) -> None:
    officer = web.client("thanhtri")
    step = {"unit": COMMUNE, "period": "2023", "dataset": COMMUNE_SET}
    assert_error(officer.post("/api/workflow", json={**step, "action": "publish"}), 422,
                 "invalid-action")
    assert_error(officer.post("/api/workflow", json={**step, "period": "2023-Q1",
                                                     "action": "submit"}), 422,
                 "wrong-period-kind")
    assert_error(officer.post("/api/workflow", json={**step, "dataset": "kinh-te-xa-hoi",
                                                     "action": "submit"}), 422,
                 "unknown-dataset")
    assert_error(officer.post("/api/workflow", json={**step, "unit": "XX",
                                                     "action": "submit"}), 404, "not-found")


# ---------------------------------------------------------------------- history


def test_history_of_a_unit(web: WebApp) -> None:
    entries = ok(web.client("viewer").get("/api/history", params={
        "unit": COMMUNE, "indicator": YESNO, "period": "2023"}))["entries"]
    assert len(entries) == 1
    assert (entries[0]["actor"], entries[0]["action"], entries[0]["key"]) == (
        "test", "add", f"{COMMUNE}|{YESNO}|2023|official")
    everything = ok(web.client("viewer").get("/api/history", params={
        "unit": COMMUNE, "limit": 5}))["entries"]
    assert len(everything) == 5
    assert all(e["unit"] == COMMUNE for e in everything)


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize("url", [
    "/api/units/XX", "/api/units?parent=XX", "/api/targets?unit=XX",
    "/api/observations?unit=XX", "/api/evaluation?unit=XX", "/api/workflow?unit=XX",
    "/api/history?unit=XX",
])
def test_an_unknown_unit_is_404(web: WebApp, url: str) -> None:
    errors = assert_error(web.client("admin").get(url), 404, "not-found")
    assert "XX" in errors[0]["message"]


def test_every_error_has_the_one_shape(fresh_web: WebApp) -> None:
    officer = fresh_web.client("thanhtri")
    session, _csrf = fresh_web.login("thanhtri")
    step = {"unit": COMMUNE, "period": "2023", "dataset": COMMUNE_SET}
    ok(officer.post("/api/workflow", json={**step, "action": "submit"}))
    row = {"unit": COMMUNE, "indicator": YESNO, "period": "2023", "value": 1}
    cases: list[tuple[httpx.Response, int, str]] = [
        (fresh_web.anonymous().get("/api/units"), 401, "not-signed-in"),
        (fresh_web.anonymous().post("/api/observations", json={}), 401, "not-signed-in"),
        (TestClient(fresh_web.app, headers={"Authorization": "Bearer tc_wrong"}).get(
            "/api/indicators"), 401, "not-signed-in"),
        (officer.get("/api/units/HN"), 403, "forbidden"),
        (session.post("/api/observations", json={"observations": [row]}), 403, "csrf"),
        (officer.get("/api/units/XX"), 404, "not-found"),
        (officer.get("/api/nothing-here"), 404, "not-found"),
        (officer.delete("/api/units"), 405, "method-not-allowed"),
        (officer.post("/api/workflow", json={**step, "action": "submit"}), 409, "wrong-state"),
        (officer.post("/api/observations", json={"observations": [row]}), 409, "submitted"),
        (officer.post("/api/observations", json={"observations": []}), 422, "invalid-request"),
        (officer.post("/api/observations", content=b"{not json",
                      headers={"content-type": "application/json"}), 422, "invalid-request"),
        (officer.get("/api/evaluation"), 422, "invalid-request"),
        (officer.get("/api/targets", params={"unit": "TT", "period": "x"}), 422,
         "invalid-period"),
    ]
    for response, status, code in cases:
        assert_error(response, status, code)


# ---------------------------------------------------------------------- sessions


def test_a_session_needs_the_csrf_token_to_post(web: WebApp) -> None:
    client, csrf = web.login("yenmy")
    rows = [{"unit": COMMUNE, "indicator": PERCENT, "period": "2027", "value": 91}]
    # Reading needs no token.
    assert ok(client.get("/api/units"))["units"][0]["code"] == COMMUNE
    assert_error(client.post("/api/observations", json={"observations": rows}), 403, "csrf")
    assert_error(client.post("/api/observations", json={"observations": rows},
                             headers={"X-CSRF-Token": "wrong"}), 403, "csrf")
    assert figure(client, COMMUNE, PERCENT, "2027") is None
    response = client.post("/api/observations", json={"observations": rows},
                           headers={"X-CSRF-Token": csrf})
    assert ok(response) == {"ok": True, "changed": 1}
    history = ok(client.get("/api/history", params={"unit": COMMUNE, "period": "2027"}))
    assert history["entries"][0]["actor"] == "yenmy"


def test_a_wrong_token_is_not_made_up_for_by_a_session(web: WebApp) -> None:
    client, _csrf = web.login("thanhtri")
    assert ok(client.get("/api/units"))["units"][0]["code"] == "TT"
    assert_error(client.get("/api/units", headers={"Authorization": "Bearer tc_wrong"}), 401,
                 "not-signed-in")
    assert_error(client.get("/api/units", headers={"Authorization": "Basic dXNlcjpwdw=="}), 401,
                 "not-signed-in")


def test_signing_out_ends_api_access(web: WebApp) -> None:
    client, csrf = web.login("viewer")
    ok(client.get("/api/indicators"))
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert_error(client.get("/api/indicators"), 401, "not-signed-in")


# ---------------------------------------------------------------------- OpenAPI


def test_openapi_documents_the_api(web: WebApp) -> None:
    schema = web.anonymous().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/units", "/api/units/search", "/api/units/{code}", "/api/indicators",
            "/api/targets", "/api/observations", "/api/evaluation", "/api/workflow",
            "/api/history"} <= set(paths)
    assert set(paths["/api/observations"]) == {"get", "post"}
    assert set(paths["/api/targets"]) == {"get", "post"}
    assert set(paths["/api/workflow"]) == {"get", "post"}
    assert not [p for p in paths if not p.startswith("/api/")]  # the pages are not in it
    components = schema["components"]
    assert {"token", "session"} <= set(components["securitySchemes"])
    assert {"ErrorBody", "ObservationsIn", "TargetsIn", "WorkflowIn", "EvaluationOut"} <= set(
        components["schemas"])
    post = paths["/api/observations"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ObservationsIn")
    # Every documented error is the one shape, 422 included (not FastAPI's default).
    for status in ("401", "403", "404", "409", "422"):
        assert post["responses"][status]["content"]["application/json"]["schema"][
            "$ref"].endswith("/ErrorBody"), status
    assert "HTTPValidationError" not in components["schemas"]
    docs = web.anonymous().get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_the_narrative_is_read_and_written_through_the_api(fresh_web: WebApp) -> None:
    """The report's narrative over the API: the officer writes parts, all or nothing, and
    reads back what the report states; a viewer reads and may not write."""
    client = fresh_web.client("thanhtri")
    body = {"unit": "TT", "period": "2023", "parts": {
        "ton-tai": "Một số khoản thu chưa đạt dự toán.",
        "nguyen-nhan:tcd-lptb": "Thị trường trầm lắng."}}
    assert ok(client.post("/api/narrative", json=body))["changed"] == 2
    read = ok(fresh_web.client("viewer").get("/api/narrative", params={"unit": "TT",
                                                                        "period": "2023"}))
    assert read["parts"] == body["parts"]
    bad = {**body, "parts": {"ton-tai": "Khác.", "ket-luan": "Không có phần này."}}
    assert_error(client.post("/api/narrative", json=bad), 422, "invalid-option")
    assert ok(client.get("/api/narrative", params={"unit": "TT", "period": "2023"})
              )["parts"]["ton-tai"] == "Một số khoản thu chưa đạt dự toán."  # all or nothing
    assert_error(fresh_web.client("viewer").post("/api/narrative", json=body), 403, "forbidden")
