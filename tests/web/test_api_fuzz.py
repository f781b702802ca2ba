"""API fuzzing: schemathesis generates requests from the application's OpenAPI schema (valid
and invalid ones) and sends them in-process (ASGI, no server) to the API over a SQLite copy of
the reference district, as an administrator and as an officer scoped to a commune.

Every answer must be below 500, match the schema the API declares, and, when it is an error,
have the one error shape of docs/api.md (:func:`one_error_shape`). The generated values are
mixed with the district's real codes (units, indicators, data sets, periods, among them
periods at and beyond the edges of the years tieuchi reads) so that requests reach the
application's commands rather than stop at "unknown unit"; a string of a body may end in a
lone surrogate. Valid requests must reach the application's rules at least once, so that a
run refused at the door does not pass unnoticed.

Bounded and stable for CI: a fixed number of examples per operation, derandomized (the same
requests on every run), no example database, no deadline per example (the machine may be
busy); about 40 s of CPU. Each operation and generation mode is a test of its own, spread
over the xdist workers, each with its own copy of the app. To search harder locally, raise
``FUZZ_EXAMPLES`` (e.g. ``FUZZ_EXAMPLES=500 uv run pytest tests/web/test_api_fuzz.py -n0``).
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.web.conftest import PASSWORD, WebApp, WebTemplate, _app_on
from tieuchi.domain.problems import CATALOGUE
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))  # per operation and generation mode

# Real values the generated ones are mixed with, by the name of the field or parameter.
UNITS = ["HN", "TT", "TT-YENMY", "TT-DAIANG", "KV-DAIANG"]
REAL: dict[str, list[Any]] = {
    "code": UNITS, "unit": UNITS, "parent": UNITS,
    "indicator": ["ntmnc-01", "thu-nhap-bq", "dn-moi", "gtsx", "thu-co-dinh",
                  "nuoc-sach-tap-trung"],
    "dataset": ["ntm-nang-cao", "kinh-te-xa-hoi"],
    # The first values are drawn most: the common and the edges, interleaved.
    "period": ["2023", "1000", "2023-q3", "1899", "2021-2025", "2201", "2023-H1", "1900",
               "2023-05", "9999", "2023-YTD09", "2200", "2024", "1000-9999", "2023-YTD12"],
    "baseline": ["2022", "1900", "1000"],
    "as_of": ["2023-12-12", "1000-01-01", "9999-12-31"],
    "action": ["submit", "approve", "return", "lock", "reopen"],
    "entity": ["observation", "workflow"],
    "q": ["dai ang", "Yên"],
    "key": ["ktxh-thu-co-dinh", "fuzz-key"],
    "vintage": ["official", "estimate"],
}
# Fields that only work together: laid over a generated object that has the first ones (a
# row of figures or targets, a workflow step), so that writes get past the rules too.
TOGETHER: list[tuple[set[str], dict[str, Any]]] = [
    ({"unit", "indicator", "period", "value"},
     {"unit": "TT-YENMY", "indicator": "thu-nhap-bq", "period": "2036", "value": 80.5,
      "vintage": "official"}),
    ({"key", "unit", "indicator", "period"},
     {"key": "fuzz-target", "unit": "TT-YENMY", "indicator": "nuoc-sach-tap-trung",
      "period": "2036", "comparator": "at_least", "value": 95.0, "value_high": None,
      "relative": None, "relative_value": None, "baseline": None, "baseline_value": None,
      "tolerance": 0.0}),
    ({"unit", "period", "dataset", "action"},
     {"unit": "TT-YENMY", "period": "2037", "dataset": "ntm-nang-cao", "action": "submit"}),
    ({"unit", "period", "dataset", "action"},
     {"unit": "TT", "period": "2038", "dataset": "kinh-te-xa-hoi", "action": "submit"}),
    ({"unit", "period", "parts"},
     {"unit": "TT-YENMY", "period": "2039", "parts": {"kien-nghi": "Đề nghị bổ sung vốn."}}),
]
LONE_SURROGATE = "\ud800"  # valid in a JSON string's escapes, not in Unicode text

# The application whose schema is read at collection; the requests go to the fixture's.
schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json",
    create_app(Store.open("sqlite://", upgrade=False),
               Settings(_env_file=None, secret_key="schema-only")),
    config=schemathesis.Config())


def _mixed(value: Any, key: str | None = None, body: bool = False) -> st.SearchStrategy[Any]:
    """``value`` as generated, or a real value for its field (lists and objects recursively,
    an object also with fields of :data:`TOGETHER` laid over); in a body, a text may also end
    in a lone surrogate (a URL cannot carry one)."""
    if isinstance(value, dict):
        fields = st.fixed_dictionaries({k: _mixed(v, k, body) for k, v in value.items()})
        laid = [fields.map(lambda d, over=over: {**d, **over})
                for keys, over in TOGETHER if keys <= value.keys()]
        return st.one_of(*laid, fields)
    if isinstance(value, list):
        return st.tuples(*(_mixed(v, key, body) for v in value)).map(list)
    choices = [*REAL.get(key or "", []), value]  # the first ones are drawn most
    if body and isinstance(value, str):
        choices.append(value + LONE_SURROGATE)
    return st.sampled_from(choices) if len(choices) > 1 else st.just(value)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    return _mixed(query) if query else st.just(query)


@schema.hook
def flatmap_path_parameters(context: Any,
                            path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    return _mixed(path_parameters) if path_parameters else st.just(path_parameters)


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _mixed(body, body=True)


ERROR_KEYS = {"ok", "errors", "status"}
ERROR_ITEM_KEYS = {"code", "message", "message_vi", "field", "index", "place"}


def one_error_shape(ctx: Any, response: Any, case: Any) -> None:
    """An error is ``{"ok": false, "errors": [...], "status": n}`` (docs/api.md): JSON, the
    status repeated, at least one error, each with a catalogued code, both messages and its
    place."""
    if response.status_code < 400:
        return
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), \
        response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == ERROR_KEYS, body
    assert body["ok"] is False and body["status"] == response.status_code, body
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == ERROR_ITEM_KEYS, error
        assert error["code"] in CATALOGUE, error
        assert error["message"] and error["message_vi"], error


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory,
           web_templates: dict[str, WebTemplate]) -> Iterator[WebApp]:
    """The app over its own SQLite copy of the district, with an officer of a commune."""
    with _app_on("sqlite", web_templates, tmp_path_factory.mktemp("fuzz")) as web:
        web.store.users.add("xa-yenmy", PASSWORD, role="officer", unit="TT-YENMY")
        web.tokens["xa-yenmy"] = web.store.users.add_token("xa-yenmy", "fuzz")
        yield web


def _printable(failure: Exception) -> str:
    """The failure as text that can be sent as UTF-8: its request may hold a lone surrogate,
    which pytest-xdist cannot send from its worker (an INTERNALERROR instead of the report)."""
    text = "".join(traceback.format_exception(failure))
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=lambda mode: mode.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_api(operation: Any, mode: GenerationMode, fuzzed: WebApp) -> None:
    """Requests of ``operation``, valid ones (``positive``) or not (``negative``), as each
    user; valid ones must reach the application's rules at least once: a 2xx, or a 409 of
    its workflow or keys (else the run was refused at the door: a token that no longer
    works, every unit unknown). One test per operation and mode, made here: schemathesis's
    own ``schema.parametrize()`` gives its tests one node id under pytest 9, and
    pytest-xdist then runs only the first."""
    statuses: set[int] = set()

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is shown
              suppress_health_check=list(HealthCheck))  # as found, in bounded time
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        for user in ("admin", "xa-yenmy"):
            try:
                response = case.call_and_validate(
                    app=fuzzed.app,
                    headers={"Authorization": f"Bearer {fuzzed.tokens[user]}"},
                    checks=[not_a_server_error, response_schema_conformance, one_error_shape])
            except Exception as failure:
                raise AssertionError(_printable(failure)) from None
            statuses.add(response.status_code)

    fuzz()
    if mode is GenerationMode.POSITIVE:
        assert any(200 <= s < 300 or s == 409 for s in statuses), sorted(statuses)


class _Answer:
    def __init__(self, status: int, body: Any, kind: str = "application/json") -> None:
        self.status_code, self.body, self.headers = status, body, {"content-type": [kind]}

    def json(self) -> Any:
        return self.body


@pytest.mark.parametrize("answer", [
    _Answer(500, {"detail": "Internal Server Error"}),
    _Answer(422, {"detail": [{"loc": ["body"], "msg": "x"}]}),  # FastAPI's own shape
    _Answer(404, {"ok": False, "errors": [], "status": 404}),
    _Answer(404, {"ok": False, "errors": [{"code": "not-found", "message": "x",
                                           "message_vi": "x", "field": None, "index": None,
                                           "place": ""}], "status": 400}),
    _Answer(403, {"ok": False, "errors": [{"code": "no-such-code", "message": "x",
                                           "message_vi": "x", "field": None, "index": None,
                                           "place": ""}], "status": 403}),
    _Answer(404, "<html>Not Found</html>", "text/html"),
])
def test_the_error_check_refuses_another_shape(answer: _Answer) -> None:
    with pytest.raises(AssertionError):
        one_error_shape(None, answer, None)
