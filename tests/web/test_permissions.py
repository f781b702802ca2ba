"""Who may do what where, through HTTP: a sample of every route that takes a unit × the roles
× units in and out of the role's scope, pages and API alike (the policy itself is tested
whole in tests/app/test_policy.py).

The table is built from the routes the application has when the tests run, so a route added
later is covered without being listed: a GET needs ``read`` on its unit and a POST needs
``write``, unless :data:`PERMISSIONS` or :data:`WRITES` say otherwise. A route whose request
cannot be made up from its kind (a POST, which needs a body; a path parameter other than the
unit) must be described here: ``test_every_unit_route_is_in_the_table`` fails until it is.

Allowed requests must succeed (200); refused ones get 403, or 404 when the unit of the path
or query is one the user may not even see (:func:`hidden`), and write nothing; without
credentials the API answers 401 and pages send to the login page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tieuchi.settings import Settings
from tieuchi.store import Store, User
from tieuchi.web.app import create_app

if TYPE_CHECKING:
    from tests.web.conftest import WebApp

HN, TT, YENMY, DAIANG = "HN", "TT", "TT-YENMY", "TT-DAIANG"

# ---------------------------------------------------------------------- who may do what

TT_TREE = frozenset({TT, YENMY, DAIANG})
EVERYWHERE = TT_TREE | {HN}
NOWHERE: frozenset[str] = frozenset()

# permission → user → the units of this test on which the user has it (written out, not
# computed with the code under test).
MAY: dict[str, dict[str, frozenset[str]]] = {
    "read": {"admin": EVERYWHERE, "hn": EVERYWHERE, "thanhtri": TT_TREE, "viewer": TT_TREE,
             "yenmy": frozenset({YENMY}), "daiang": frozenset({DAIANG})},
    "write": {"admin": EVERYWHERE, "hn": EVERYWHERE, "thanhtri": TT_TREE, "viewer": NOWHERE,
              "yenmy": frozenset({YENMY}), "daiang": frozenset({DAIANG})},
    "targets": {"admin": EVERYWHERE, "hn": EVERYWHERE, "thanhtri": TT_TREE, "viewer": NOWHERE,
                "yenmy": NOWHERE, "daiang": NOWHERE},
    # Drafts are read and commented on in scope and from the units below (docs/drafts.md).
    "drafts": {"admin": EVERYWHERE, "hn": EVERYWHERE, "thanhtri": EVERYWHERE,
               "viewer": EVERYWHERE, "yenmy": frozenset({YENMY, TT, HN}),
               "daiang": frozenset({DAIANG, TT, HN})},
}

# (user, unit): for each role, units in its scope and units outside it; None is anonymous.
CASES: list[tuple[str | None, str]] = [
    ("admin", TT), ("admin", YENMY),
    ("hn", TT), ("hn", DAIANG),
    ("thanhtri", TT), ("thanhtri", YENMY), ("thanhtri", HN),
    ("viewer", TT), ("viewer", DAIANG), ("viewer", HN),
    ("yenmy", YENMY), ("yenmy", DAIANG), ("yenmy", TT),
    ("daiang", DAIANG), ("daiang", YENMY),
    (None, YENMY),
]


def _commune(unit: str) -> bool:
    return unit.startswith("TT-")


def dataset_of(unit: str) -> str:
    """A data set the unit reports."""
    return "ntm-nang-cao" if _commune(unit) else "kinh-te-xa-hoi"


def indicator_of(unit: str) -> str:
    """An indicator of that data set."""
    return "ntmnc-01" if _commune(unit) else "dn-moi"


# ---------------------------------------------------------------------- the table

UNIT_PARAMS = ("code", "unit", "parent")  # path or query parameters that name a unit

# Routes with such a parameter that is not a unit.
NOT_UNIT_ROUTES = {"GET /lang/{code}"}

# Drafts of each unit (made by the fixture), each with an open comment on paragraph 1: every
# request about a draft takes one of its own, as closing or resolving succeeds once.
DRAFTS: dict[str, list[tuple[int, int]]] = {}
TEMPLATES: dict[str, bytes] = {}  # the unit's blank Excel entry template (made by the fixture)
USER_IDS: dict[str, int] = {}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(case: Case) -> dict[str, Any]:
    return {"files": {"file": ("mau.xlsx", TEMPLATES[case.unit], XLSX)}}


def _confirm(case: Case) -> dict[str, Any]:
    """A preview's signed payload (no change) as the import page hands it to the user."""
    from itsdangerous import URLSafeTimedSerializer

    from tests.web.conftest import SECRET_KEY
    from tieuchi.web.pages.imports import PREVIEW_SALT

    signer = URLSafeTimedSerializer(SECRET_KEY, salt=PREVIEW_SALT)
    payload = signer.dumps({"user": USER_IDS.get(case.user or "", 0), "unit": case.unit,
                            "file": "mau.xlsx", "rows": []})
    return {"data": {"payload": payload}}


RESOLUTION = Path(__file__).parents[1] / "fixtures" / "resolutions" / "phu-tho-ktxh-2023.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _resolution(case: Case) -> dict[str, Any]:
    return {"params": {"period": "2034"},
            "files": {"file": (RESOLUTION.name, RESOLUTION.read_bytes(), DOCX)}}


def _resolution_confirm(case: Case) -> dict[str, Any]:
    """A resolution preview's signed payload, one target, as the preview hands it on."""
    from itsdangerous import URLSafeTimedSerializer

    from tests.web.conftest import SECRET_KEY
    from tieuchi.web.pages.resolutions import SALT

    signer = URLSafeTimedSerializer(SECRET_KEY, salt=SALT)
    payload = signer.dumps({"user": USER_IDS.get(case.user or "", 0), "unit": case.unit,
                            "file": RESOLUTION.name, "docs": [{
                                "key": f"matrix-nq-{case.user}-{case.unit}",
                                "unit": case.unit, "indicator": "dn-moi", "period": "2034",
                                "comparator": "at_least", "value": 1}]})
    return {"params": {"period": "2034"}, "data": {"payload": payload}}


_TAKEN: dict[str, tuple[int, int]] = {}


def _draft_of(unit: str) -> str:
    _TAKEN[unit] = DRAFTS[unit].pop()
    return str(_TAKEN[unit][0])


# Values of the other path parameters and of required query parameters, for a unit.
SAMPLES: dict[str, Callable[[str], str]] = {
    "key": lambda unit: f"matrix-{unit}",  # a target of the unit (made by the fixture)
    "set_code": lambda unit: "ntm-nang-cao" if _commune(unit) else "thanh-lap-quan",
    "criterion": lambda unit: "NC01" if _commune(unit) else "Q01",
    "dataset": dataset_of,
    "indicator": indicator_of,
    "draft_id": _draft_of,
    "comment_id": lambda unit: str(_TAKEN[unit][1]),  # the comment of the draft just taken
    "ext": lambda unit: "md",  # report downloads: the Markdown one is quick
}

# GET routes that need more than reading the unit.
PERMISSIONS = {
    "GET /units/{code}/import": "write",
    "GET /units/{code}/import/template": "write",
    "GET /units/{code}/entry": "write",
    "GET /units/{code}/entry/{dataset}": "write",
    "GET /units/{code}/manage-targets": "targets",
    "GET /units/{code}/drafts": "drafts",
    "GET /units/{code}/drafts/{draft_id}": "drafts",
    "GET /units/{code}/drafts/{draft_id}/compare": "drafts",
    "GET /units/{code}/drafts/{draft_id}/comments.docx": "drafts",
}


@dataclass(frozen=True)
class Case:
    user: str | None
    unit: str
    index: int  # the case's place in CASES: a period of its own for workflow steps
    children: tuple[str, ...] = ()  # the units directly under TT that totals add up from


@dataclass(frozen=True)
class Write:
    """A POST route: the permission it needs, its request (params, json or data) for a case,
    and the units where the request can succeed (None: any)."""

    permission: str
    request: Callable[[Case], dict[str, Any]]
    units: frozenset[str] | None = None


def _allocation(case: Case) -> dict[str, Any]:
    data = {f"a__{child}": "1" for child in case.children}
    return {"params": {"period": "2032"}, "data": {"key": f"matrix-alloc-{case.unit}", **data}}


WRITES: dict[str, Write] = {
    "POST /api/observations": Write("write", lambda c: {"json": {"observations": [
        {"unit": c.unit, "indicator": indicator_of(c.unit), "period": "2030", "value": 1}]}}),
    "POST /api/targets": Write("targets", lambda c: {"json": {"targets": [
        {"key": f"matrix-{c.user}-{c.unit}", "unit": c.unit, "indicator": "dn-moi",
         "period": "2030", "comparator": "at_least", "value": 1}]}}),
    "POST /api/workflow": Write("write", lambda c: {"json": {
        "unit": c.unit, "period": str(2040 + c.index), "dataset": dataset_of(c.unit),
        "action": "submit"}}),
    "POST /units/{code}/entry/{dataset}": Write("write", lambda c: {
        "params": {"period": "2031"}, "data": {f"v__{indicator_of(c.unit)}": "1"}}),
    "POST /units/{code}/entry/{dataset}/workflow": Write("write", lambda c: {
        "params": {"period": str(2060 + c.index)}, "data": {"action": "submit"}}),
    "POST /units/{code}/manage-targets/assign": Write("targets", lambda c: {
        "params": {"period": "2033"},
        "data": {"indicator": "dn-moi", "comparator": "at_least", "value": "5"}}),
    # Only a unit with units under it has a target to allocate.
    "POST /units/{code}/manage-targets/allocate": Write("targets", _allocation,
                                                        frozenset({TT})),
    # Saving a draft writes the unit's report: a commune's cannot be written yet.
    "POST /units/{code}/drafts": Write("targets", lambda c: {
        "data": {"period": str(2070 + c.index)}}, frozenset({TT, HN})),
    "POST /units/{code}/drafts/{draft_id}/comments": Write("drafts", lambda c: {
        "data": {"version": "1", "paragraph": "1", "text": "Góp ý."}}),
    "POST /units/{code}/drafts/{draft_id}/comments/{comment_id}/resolve": Write(
        "targets", lambda c: {"data": {"outcome": "accepted"}}),
    "POST /units/{code}/drafts/{draft_id}/close": Write("targets", lambda c: {"data": {}}),
    # The queue's steps: read the unit's queue, then each form's step is the workflow's own
    # (approval by the level above, tests/web/test_queue.py): refused for who cannot read.
    "POST /units/{code}/queue": Write("read", lambda c: {"data": {
        "action": "approve", "form": f"{c.unit}|{dataset_of(c.unit)}"}}, frozenset()),
    "POST /units/{code}/import": Write("write", _upload),
    "POST /units/{code}/import/confirm": Write("write", _confirm),
    # Targets from a resolution: as the other target forms.
    "POST /units/{code}/manage-targets/resolution": Write("targets", _resolution),
    "POST /units/{code}/manage-targets/resolution/confirm": Write("targets",
                                                                  _resolution_confirm),
    # The narrative: the officers and administrators of the unit, as targets.
    "POST /units/{code}/narrative": Write("targets", lambda c: {"data": {
        "period": str(2080 + c.index), "part": "ton-tai", "narrative": "Còn chậm."}}),
    "POST /api/narrative": Write("targets", lambda c: {"json": {
        "unit": c.unit, "period": str(2090 + c.index), "parts": {"kien-nghi": "Đề nghị."}}}),
}


# ---------------------------------------------------------------------- the routes


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    path_params: tuple[str, ...]
    query: tuple[tuple[str, bool], ...] = field(default=())  # (name, required)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def unit_param(self) -> str | None:
        for name in UNIT_PARAMS:
            if name in self.path_params or name in dict(self.query):
                return name
        return None

    @property
    def takes_unit(self) -> bool:
        """Whether the route is about a unit: a unit parameter, or a write of the API (its
        rows name their units)."""
        if self.name in NOT_UNIT_ROUTES:
            return False
        return self.unit_param is not None or (self.api and self.method != "GET")


def _query_params(dependant: Any) -> Iterator[tuple[str, bool]]:
    for param in dependant.query_params:
        yield param.alias, param.field_info.is_required()
    for sub in dependant.dependencies:
        yield from _query_params(sub)


def endpoints(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every endpoint: since FastAPI 0.137 an included router is one
    entry of ``app.routes``, expanded by ``iter_route_contexts``."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is flat
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route.path, route
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path:
            yield context.path, context.original_route


def routes_of(app: FastAPI) -> list[Route]:
    found = []
    for path, route in endpoints(app):
        params = tuple(re.findall(r"{(\w+)(?::\w+)?}", path))
        query = tuple(_query_params(route.dependant))
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append(Route(method, path, params, query))
    return found


def _app_routes() -> list[Route]:
    """The routes, read at collection from an application over a database never opened."""
    app = create_app(Store.open("sqlite://", upgrade=False),
                     Settings(_env_file=None, secret_key="routes-only"))
    return routes_of(app)


ROUTES = _app_routes()
UNIT_ROUTES = [r for r in ROUTES if r.takes_unit]


def permission_of(route: Route) -> str:
    if route.method == "GET":
        return PERMISSIONS.get(route.name, "read")
    return WRITES[route.name].permission


def _described(route: Route) -> bool:
    """Whether the table knows how to call the route."""
    if route.method not in ("GET", "POST"):
        return False
    if route.method == "POST" and route.name not in WRITES:
        return False
    others = [p for p in route.path_params if p not in UNIT_PARAMS]
    required = [name for name, needed in route.query if needed and name not in UNIT_PARAMS]
    return all(name in SAMPLES for name in others + required)


def _matrix() -> Iterator[Any]:
    """A sample of the matrix: each route once allowed, once refused and once anonymous,
    with the users and units rotating from route to route. What each role may do everywhere
    is pinned by the policy's own tests (tests/app/test_policy.py)."""
    for number, route in enumerate(UNIT_ROUTES):
        if not _described(route):
            continue  # test_every_unit_route_is_in_the_table fails for it
        write = WRITES.get(route.name)
        picked: dict[str, tuple[int, str | None, str]] = {}
        rotated = CASES[number % len(CASES):] + CASES[:number % len(CASES)]
        for user, unit in rotated:
            index = CASES.index((user, unit))
            allowed = user is not None and unit in MAY[permission_of(route)][user]
            if allowed and write and write.units is not None and unit not in write.units:
                continue  # the request could not succeed there for other reasons
            verdict = "anonymous" if user is None else "allowed" if allowed else "refused"
            picked.setdefault(verdict, (index, user, unit))
        for verdict, (index, user, unit) in sorted(picked.items()):
            yield pytest.param(route, Case(user, unit, index),
                               id=f"{route.name} {user or 'anonymous'} {unit} {verdict}")


# ---------------------------------------------------------------------- fixtures


@dataclass
class Clients:
    web: WebApp
    sessions: dict[str, tuple[TestClient, str]]  # user → signed-in client, CSRF token
    anonymous: tuple[TestClient, str]  # a visitor with a session but not signed in
    children: tuple[str, ...]  # the units under TT that totals add up from


@pytest.fixture(scope="module")
def clients(web: WebApp) -> Clients:
    """Everyone signed in, and the targets the table's requests name: ``matrix-{unit}``
    (2023) of every unit, and a target of TT for 2032 to allocate to the communes."""
    store = web.store
    admin = store.users.for_token(web.tokens["admin"])
    assert admin is not None
    levels = {u.code: u.level for u in store.units.children(TT)}
    children = tuple(code for code, level in levels.items() if level != "kvdk")

    def target(key: str, unit: str, period: str, value: float) -> dict[str, Any]:
        return {"key": key, "unit": unit, "indicator": "dn-moi", "period": period,
                "comparator": "at_least", "value": value, "tolerance": 0.0, "basis": "plan"}

    store.targets.save([target(f"matrix-{u}", u, "2023", 1) for u in sorted(EVERYWHERE)]
                       + [target(f"matrix-alloc-{TT}", TT, "2032", len(children))],
                       actor=admin.username)
    _drafts(store, admin)
    _templates(store)
    sessions = {name: web.login(name) for name in MAY["read"]}
    visitor = web.anonymous()
    form = re.search(r'name="csrf_token"\s+value="([^"]+)"', visitor.get("/login").text)
    assert form is not None
    return Clients(web, sessions, (visitor, form.group(1)), children)


def _templates(store: Store) -> None:
    from tieuchi.io.excel_template import plan_template, workbook_bytes

    for unit in sorted(EVERYWHERE):
        # The city reports no data set: its page takes the files of the units below it.
        about = TT if unit == HN else unit
        TEMPLATES[unit] = workbook_bytes(plan_template(store, [about], period="2023",
                                                       dataset=dataset_of(about)))
    USER_IDS.update({u.username: u.id for u in store.users.all()})


def _drafts(store: Store, admin: User) -> None:
    """Enough drafts of each unit for every request of the table about one."""
    from tieuchi.app import drafts

    about_a_draft = sum("{draft_id}" in r.path for r in UNIT_ROUTES)
    DRAFTS.clear()
    for unit in sorted(EVERYWHERE):
        count = about_a_draft * sum(u == unit for _, u in CASES)
        made = [drafts.create_draft(store, unit, str(2100 + n), "# Dự thảo\n\nĐoạn 2.",
                                    user=admin) for n in range(count)]
        DRAFTS[unit] = [(x.id, drafts.add_comment(store, x.id, 1, 1, "Góp ý.", user=admin).id)
                        for x in made]


# ---------------------------------------------------------------------- the tests


def test_the_table_finds_the_routes() -> None:
    """The enumeration itself: if it went quiet, the matrix would check nothing."""
    names = {r.name for r in UNIT_ROUTES}
    assert {"GET /api/units", "GET /api/units/{code}", "GET /api/targets", "POST /api/targets",
            "GET /api/observations", "POST /api/observations", "GET /api/evaluation",
            "GET /api/workflow", "POST /api/workflow", "GET /api/history",
            "GET /units/{code}", "GET /units/{code}/targets"} <= names
    assert "GET /lang/{code}" not in names


def test_every_unit_route_is_in_the_table() -> None:
    missing = [r.name for r in UNIT_ROUTES if not _described(r)]
    assert not missing, (
        f"routes about a unit that tests/web/test_permissions.py cannot call: {missing}; "
        "describe each one (WRITES for a POST, SAMPLES for another path parameter or a "
        "required query parameter, PERMISSIONS for a GET that needs more than reading)")
    names = {r.name for r in ROUTES}
    stale = sorted((set(WRITES) | set(PERMISSIONS)) - names)
    assert not stale, f"the table describes routes the application does not have: {stale}"


def hidden(route: Route, case: Case) -> bool:
    """Whether a refused request names, in its path or query, a unit the user does not know
    of: one they may not read (nor read the drafts of). It is answered as an unknown unit
    is (404), so that a refusal does not tell which codes exist; a unit the user sees but
    may not act on is 403."""
    assert case.user is not None
    return route.unit_param is not None and case.unit not in MAY["drafts"][case.user]


@pytest.mark.parametrize(("route", "case"), list(_matrix()))
def test_scope(clients: Clients, route: Route, case: Case) -> None:
    web = clients.web
    case = Case(case.user, case.unit, case.index, clients.children)
    permission = permission_of(route)
    allowed = case.user is not None and case.unit in MAY[permission][case.user]

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return case.unit if name in UNIT_PARAMS else SAMPLES[name](case.unit)

    path = re.sub(r"{(\w+)(?::\w+)?}", value, route.path)
    params = {name: SAMPLES[name](case.unit) for name, needed in route.query
              if needed and name not in UNIT_PARAMS}
    if route.unit_param and route.unit_param not in route.path_params:
        params[route.unit_param] = case.unit
    request: dict[str, Any] = {}
    if route.method == "POST":
        request = WRITES[route.name].request(case)
    params.update(request.pop("params", {}))

    headers = {}
    if case.user is None:
        client, csrf = clients.anonymous
    elif route.api:
        client, csrf = web.client(case.user), ""
    else:
        client, csrf = clients.sessions[case.user]
    if route.method == "POST" and csrf:
        headers["X-CSRF-Token"] = csrf

    before = web.store.audit.count()
    response = client.request(route.method, path, params=params, headers=headers,
                              follow_redirects=False, **request)
    if case.user is None:
        if route.api:
            assert response.status_code == 401, response.text
        else:
            assert response.status_code == 303, response.text
            assert response.headers["location"].startswith("/login")
    elif allowed and response.status_code == 303 and route.method == "POST" and not route.api:
        assert not response.headers["location"].startswith("/login")  # post, redirect, get
    elif allowed:
        assert response.status_code == 200, response.text[:2000]
    elif hidden(route, case):
        assert response.status_code == 404, response.text[:2000]
        if route.api:
            assert response.json()["errors"][0]["code"] == "not-found"
    else:
        assert response.status_code == 403, response.text[:2000]
        if route.api:
            body = response.json()
            assert body["errors"][0]["code"] == "forbidden"
    if route.method == "POST" and not allowed:
        assert web.store.audit.count() == before, "a refused request wrote something"


API_WITHOUT_UNIT = [r for r in ROUTES if r.api and not r.takes_unit]


@pytest.mark.parametrize("route", API_WITHOUT_UNIT, ids=lambda r: r.name)
def test_no_api_route_is_public(clients: Clients, route: Route) -> None:
    params = {name: "yen" for name, needed in route.query if needed}
    anonymous = clients.web.anonymous().request(route.method, route.path, params=params)
    assert anonymous.status_code == 401, anonymous.text
    for user in MAY["read"]:
        response = clients.web.client(user).request(route.method, route.path, params=params)
        assert response.status_code == 200, (user, response.text)


# ---------------------------------------------------------------------- particular rules


def test_an_entry_officer_writes_nothing_of_a_batch_with_another_commune(web: WebApp) -> None:
    client = web.client("yenmy")
    before = web.store.audit.count()
    rows = [{"unit": YENMY, "indicator": "ntmnc-01", "period": "2034", "value": 1},
            {"unit": DAIANG, "indicator": "ntmnc-01", "period": "2034", "value": 1}]
    response = client.post("/api/observations", json={"observations": rows})
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"] == \
        f"you may not change the data of unit {DAIANG}"
    assert web.store.audit.count() == before
    assert web.store.figures.latest(YENMY, "2034", ["ntmnc-01"]) == {}
    assert web.store.figures.latest(DAIANG, "2034", ["ntmnc-01"]) == {}


def test_search_finds_only_units_in_scope(web: WebApp) -> None:
    def found(user: str, q: str) -> list[str]:
        response = web.client(user).get("/api/units/search", params={"q": q})
        return [u["code"] for u in response.json()["units"]]

    assert found("yenmy", "an") == []  # Đại Áng, Thanh Trì, … are not hers
    assert found("daiang", "dai ang") == [DAIANG]
    assert "HN" not in found("thanhtri", "ha noi")
    assert "HN" in found("hn", "ha noi")


def test_approval_is_by_the_level_above(fresh_web: WebApp) -> None:
    step = {"unit": TT, "period": "2023", "dataset": "kinh-te-xa-hoi"}

    def act(user: str, action: str, reason: str | None = None) -> int:
        response = fresh_web.client(user).post("/api/workflow", json={
            **step, "action": action, "reason": reason})
        return response.status_code

    assert act("viewer", "submit") == 403
    assert act("thanhtri", "submit") == 200
    assert act("thanhtri", "approve") == 403  # an officer does not approve their own unit
    assert act("yenmy", "approve") == 403
    assert act("hn", "approve") == 200
    assert act("hn", "lock") == 200
    assert act("hn", "reopen", "sửa số liệu") == 403  # only an administrator reopens
    assert act("thanhtri", "reopen", "sửa số liệu") == 403
    assert act("admin", "reopen", "sửa số liệu") == 200


def test_a_viewer_sees_the_workflow_but_may_take_no_step(web: WebApp) -> None:
    body = web.client("viewer").get("/api/workflow", params={"unit": YENMY}).json()
    assert body["datasets"] and all(d["actions"] == [] for d in body["datasets"])
