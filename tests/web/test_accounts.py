"""Revocation through the web: signing out ends every session of the user (a copied cookie
too), the account page changes the password and revokes tokens, a disabled user is out."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, WebApp
from tieuchi.app import SYSTEM


def _signed_in(client: TestClient) -> bool:
    """Whether the client's session still works, on the API and on a page."""
    api = client.get("/api/indicators").status_code
    page = client.get("/account", follow_redirects=False)
    assert (api == 200) == (page.status_code == 200), (api, page.status_code)
    if page.status_code != 200:
        assert page.headers["location"].startswith("/login")
    return api == 200


def test_a_cookie_replayed_after_signing_out_is_refused(fresh_web: WebApp) -> None:
    """Signing out ends the session everywhere: a copy of the cookie taken before (replayed
    from another machine) no longer works, nor does the same user's session on another
    device; the API token stays."""
    client, csrf = fresh_web.login("viewer")
    other_device, _ = fresh_web.login("viewer")
    copied = TestClient(fresh_web.app, cookies={
        "tieuchi_session": client.cookies["tieuchi_session"]})
    assert _signed_in(copied) and _signed_in(other_device)
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert not _signed_in(copied)
    assert not _signed_in(other_device)
    assert not _signed_in(client)
    assert fresh_web.client("viewer").get("/api/indicators").status_code == 200
    again, _ = fresh_web.login("viewer")
    assert _signed_in(again)


def test_changing_the_password_on_the_account_page(fresh_web: WebApp) -> None:
    client, csrf = fresh_web.login("thanhtri")
    other_device, _ = fresh_web.login("thanhtri")
    page = client.get("/account")
    assert page.status_code == 200 and "Đổi mật khẩu" in page.text

    def change(current: str, new: str, again: str, token: str | None = None) -> tuple[int, str]:
        response = client.post("/account/password", data={
            "csrf_token": token or csrf, "current": current, "new": new, "again": again})
        return response.status_code, html.unescape(response.text)

    assert change(PASSWORD, "new-password-1", "new-password-2")[0] == 422
    status, text = change("not-my-password", "new-password-1", "new-password-1")
    assert status == 422 and "mật khẩu hiện tại không đúng" in text
    status, text = change(PASSWORD, "short", "short")
    assert status == 422 and "mật khẩu cần ít nhất 8 ký tự" in text
    assert change(PASSWORD, "new-password-1", "new-password-1", token="forged")[0] == 403
    assert _signed_in(other_device)  # nothing changed yet

    status, text = change(PASSWORD, "new-password-1", "new-password-1")
    assert status == 200 and "Đã đổi mật khẩu" in text
    assert _signed_in(client)  # this session goes on
    assert not _signed_in(other_device)
    assert fresh_web.client("thanhtri").get("/api/indicators").status_code == 401
    fresh_web.login("thanhtri", "new-password-1")
    entries = fresh_web.store.audit.history("user", "thanhtri")
    assert (entries[0].actor, entries[0].action) == ("thanhtri", "password")


def test_wrong_current_passwords_count_against_the_sign_in_limit(fresh_web: WebApp) -> None:
    """The account form is no way around the sign-in limit: five wrong current passwords
    and the user name waits."""
    client, csrf = fresh_web.login("hn")
    for _ in range(5):
        response = client.post("/account/password", data={
            "csrf_token": csrf, "current": "guess-guess", "new": "new-password-1",
            "again": "new-password-1"})
        assert response.status_code == 422
    response = client.post("/account/password", data={
        "csrf_token": csrf, "current": PASSWORD, "new": "new-password-1",
        "again": "new-password-1"})
    assert response.status_code == 429


def test_seeing_and_revoking_ones_tokens(fresh_web: WebApp) -> None:
    app = fresh_web.app.state.app
    app.add_token(SYSTEM, "yenmy", "excel-xa")
    client, csrf = fresh_web.login("yenmy")
    client.cookies.set("lang", "en")
    page = html.unescape(client.get("/account").text)
    assert "API tokens" in page and "excel-xa" in page and "Revoke" in page
    mine = {t.name: t.id for t in app.tokens(SYSTEM, "yenmy")}
    theirs = app.tokens(SYSTEM, "daiang")[0].id
    response = client.post(f"/account/tokens/{theirs}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404 and f"no API token number {theirs}" in response.text
    assert fresh_web.client("daiang").get("/api/indicators").status_code == 200
    response = client.post(f"/account/tokens/{mine['tests']}/revoke",
                           data={"csrf_token": csrf})
    assert response.status_code == 200 and f"API token {mine['tests']} revoked" in response.text
    assert fresh_web.client("yenmy").get("/api/indicators").status_code == 401
    assert "Revoked" in html.unescape(client.get("/account").text)


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(fresh_web: WebApp) -> None:
    client, _ = fresh_web.login("daiang")
    fresh_web.app.state.app.set_active(SYSTEM, "daiang", False)
    assert not _signed_in(client)
    assert fresh_web.client("daiang").get("/api/indicators").status_code == 401
    page = TestClient(fresh_web.app).get("/login")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = TestClient(fresh_web.app, cookies=page.cookies).post("/login", data={
        "username": "daiang", "password": PASSWORD, "csrf_token": csrf, "next": "/"},
        follow_redirects=False)
    assert response.status_code == 401
