"""Every route declares what it needs (:func:`tieuchi.web.security.Needs`): the test walks the
application's routes, so a route added without a declaration fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from tests.web.test_permissions import ROUTES, endpoints
from tieuchi.app import Action
from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app
from tieuchi.web.security import Requirement

# Routes whose rows (or body) name their units: the application's command checks each unit.
ROW_CHECKED = {"POST /api/observations", "POST /api/targets", "POST /api/workflow",
               "POST /api/narrative"}


def _requirements(dependant: Any) -> Iterator[Requirement]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, Requirement):
            yield sub.call
        yield from _requirements(sub)


def _declared() -> dict[str, list[Requirement]]:
    app = create_app(Store.open("sqlite://", upgrade=False),
                     Settings(_env_file=None, secret_key="routes-only"))
    found: dict[str, list[Requirement]] = {}
    for path, route in endpoints(app):
        assert isinstance(route, APIRoute)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found[f"{method} {path}"] = list(_requirements(route.dependant))
    return found


DECLARED = _declared()


def test_the_walk_finds_every_route() -> None:
    assert set(DECLARED) == {r.name for r in ROUTES}
    assert len(DECLARED) > 40


def test_every_route_declares_one_action() -> None:
    missing = sorted(name for name, found in DECLARED.items() if len(found) != 1)
    assert not missing, f"routes without exactly one Needs(...): {missing}"


def test_a_route_about_a_unit_checks_that_unit() -> None:
    """A unit in the path is checked by the declaration; only the routes whose rows name
    their units leave the check to the command."""
    for name, [need] in DECLARED.items():
        params = re.findall(r"{(\w+)(?::\w+)?}", name)
        if "code" in params and name != "GET /lang/{code}":
            assert need.unit_param == "code", name
        if need.unit_param is None:
            assert name in ROW_CHECKED, name
    assert {n for n, [need] in DECLARED.items() if need.unit_param is None} == ROW_CHECKED


def test_public_routes_are_few() -> None:
    public = {n for n, [need] in DECLARED.items() if need.action is Action.PUBLIC}
    assert public == {"GET /login", "POST /login", "POST /logout", "GET /lang/{code}",
                      "GET /healthz", "GET /favicon.ico"}
    assert not any(n.startswith(("GET /api", "POST /api")) for n in public)


def test_a_body_that_cannot_be_parsed_is_a_400_page_not_a_crash() -> None:
    """A broken multipart body (a client's bug, or a hostile one) gets the HTTP error's own
    status with the one error page (code http-error), before any database work."""
    from fastapi.testclient import TestClient

    app = create_app(Store.open("sqlite://", upgrade=False),
                     Settings(_env_file=None, secret_key="routes-only"))
    response = TestClient(app).post(
        "/login", content=b"--zz\r\nContent-Disposition: form-data\r\n\r\nbroken",
        headers={"content-type": "multipart/form-data; boundary=zz"})
    assert response.status_code == 400
    assert "<title>Không thực hiện được · tieuchi</title>" in response.text
