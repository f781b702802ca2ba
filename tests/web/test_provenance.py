"""Every criterion's source and verified flag on the criteria pages: the matrix's header
("Đã đối chiếu x/y tiêu chí với văn bản", a warning when any is not verified), its columns
(a mark on those not verified), the list under it (the place in the document, the address
read, "đã/chưa đối chiếu") and the detail of each cell (its thresholds').

:func:`check_matrix_provenance` takes a definitions folder, so that the same check runs over
the criteria sets shipped in the library (copy one into a folder with its units)."""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import polars as pl
from fastapi.testclient import TestClient

from tieuchi.definitions import load_definitions
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.engine import evaluate
from tieuchi.store import Store
from tieuchi.web import create_app

EXAMPLE = Path(__file__).parents[2] / "examples" / "thanh-tri-2023"
PASSWORD = "password123"
HTMX = {"HX-Request": "true"}
VERIFIED, NOT_VERIFIED = "đã đối chiếu", "chưa đối chiếu"


def _login(client: TestClient) -> None:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "the login form has no CSRF token"
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "csrf_token": found.group(1), "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def _listed(page: str, code: str) -> str:
    """The entry of criterion ``code`` in the list under the matrix."""
    found = re.search(rf'<li class="[^"]*" data-criterion="{re.escape(code)}">(.*?)</li>',
                      page, re.S)
    assert found, f"criterion {code} is not in the list under the matrix"
    return found.group(1)


def _check_set(client: TestClient, cset: CriteriaSet, unit: str, period: str,
               rated: bool) -> int:
    url = f"/units/{unit}/criteria/{cset.code}?period={period}"
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    page = html.unescape(response.text)
    verified = cset.verified_count()
    assert f"Đã đối chiếu {verified}/{len(cset.criteria)} {cset.term} với văn bản" in page, url
    assert ('id="unverified-banner"' in page) is not cset.fully_verified, url
    if cset.source is not None:
        assert cset.source.document in page, url
    for criterion in cset.criteria:
        p = criterion.provenance(cset)
        where = f"{url} {criterion.code}"
        listed = _listed(page, criterion.code)
        assert f'data-verified="{str(p.verified).lower()}"' in listed, where
        assert (VERIFIED if p.verified else NOT_VERIFIED) in listed, where
        if p.citation:
            assert p.citation in listed, where
        if p.link:
            assert f'href="{p.link}"' in listed, where
        elif p.url:
            assert p.url in listed, where
        if rated:  # the column's head; the cell's detail with its thresholds'
            head = re.search(rf'<th class="crit[^"]*"[^>]*data-criterion="{criterion.code}"'
                             r'[^>]*>(.*?)</th>', page, re.S)
            assert head, where
            assert ("unverified-mark" in head.group(1)) is not p.verified, where
            detail = html.unescape(client.get(
                f"/units/{unit}/criteria/{cset.code}/{criterion.code}?period={period}",
                headers=HTMX).text)
            said = re.findall(r'class="muted small criterion-source" data-verified="(\w+)"',
                              detail)
            assert said == [str(p.verified).lower()], where
            thresholds = re.findall(r'class="provenance small" data-verified="(\w+)"', detail)
            assert thresholds == [
                str(c.provenance(criterion, cset).verified).lower()
                for c in criterion.conditions], where
    return len(cset.criteria)


def check_matrix_provenance(folder: Path, period: str | None = None) -> int:
    """For every criteria set of the definitions in ``folder``: the matrix page of a unit
    rated on it in ``period`` (default: the project's), or of the top unit when none is,
    shows each criterion's provenance. The number of criteria checked."""
    defs = load_definitions(folder)
    period = period or defs.project.period
    assert period, "give the period: the project has none"
    ev = evaluate(defs, period)
    top = next(u.code for u in defs.units if u.parent is None)
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/t.db")
        try:
            store.load(defs, actor="test")
            store.users.add("admin", PASSWORD, role="admin", unit=None)
            with TestClient(create_app(store)) as client:
                _login(client)
                for cset in defs.criteria_sets:
                    rated = ev.sets.criteria.filter(pl.col("set") == cset.code)
                    unit = rated.row(0, named=True)["unit"] if rated.height else top
                    checked += _check_set(client, cset, unit, period, bool(rated.height))
        finally:
            store.engine.dispose()
    return checked


def test_every_criterion_of_the_example_shows_its_source_and_verified_flag() -> None:
    # thành lập quận (34), phường (13), NTM nâng cao (19), kiểu mẫu (4), điểm đến (1)
    assert check_matrix_provenance(EXAMPLE, "2023") == 71


def test_a_set_out_of_force_still_lists_its_criteria_with_their_provenance() -> None:
    assert check_matrix_provenance(EXAMPLE, "2021") == 71
