"""The account commands (user disable, enable, password; token add, list, revoke) and the
client address `tieuchi serve` believes."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from tieuchi.cli import app
from tieuchi.store import Store

runner = CliRunner()
PASSWORD = "password123"


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", database)
    monkeypatch.delenv("TIEUCHI_TOKEN_DAYS", raising=False)
    added = runner.invoke(app, ["user", "add", "quantri", "--role", "admin", "--password",
                                PASSWORD])
    assert added.exit_code == 0, added.output
    return database


def _ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_disable_enable_and_a_new_password(url: str) -> None:
    token = _ok("token", "add", "quantri")
    store = Store.open(url)
    _ok("user", "disable", "quantri")
    assert store.users.for_token(token) is None
    assert store.users.authenticate("quantri", PASSWORD, "cli", limit=5,
                                    window=timedelta(minutes=1)) is None
    _ok("user", "enable", "quantri")
    assert store.users.authenticate("quantri", PASSWORD, "cli", limit=5,
                                    window=timedelta(minutes=1)) is not None
    again = _ok("token", "add", "quantri")
    assert "changed" in _ok("user", "password", "quantri", "--password", "new-password")
    assert store.users.for_token(again) is None
    assert store.users.authenticate("quantri", "new-password", "cli", limit=5,
                                    window=timedelta(minutes=1)) is not None
    short = runner.invoke(app, ["user", "password", "quantri", "--password", "short"])
    assert short.exit_code == 2 and "--password: a password has at least 8" in short.output
    nobody = runner.invoke(app, ["user", "disable", "nobody"])
    assert nobody.exit_code == 2 and "user 'nobody' does not exist" in nobody.output
    asked = runner.invoke(app, ["user", "password", "nobody"])  # refused before asking
    assert asked.exit_code == 2 and "New password" not in asked.output
    assert [e.action for e in store.audit.history("user", "quantri")][:4] == [
        "password", "add-token", "enable", "disable"]


def test_tokens_are_listed_expire_and_are_revoked(url: str) -> None:
    token = _ok("token", "add", "quantri", "--name", "excel", "--days", "7")
    _ok("token", "add", "quantri", "--name", "dhis2")
    store = Store.open(url)
    excel = next(t for t in store.users.tokens() if t.name == "excel")
    assert excel.expires_at - excel.created_at == timedelta(days=7)
    listed = _ok("token", "list")
    assert "excel" in listed and "dhis2" in listed and "active" in listed
    assert token not in listed  # only the hash is kept
    assert f"revoked token {excel.id} (excel) of quantri" in _ok("token", "revoke",
                                                                 str(excel.id))
    assert store.users.for_token(token) is None
    assert "revoked" in _ok("token", "list", "quantri")
    missing = runner.invoke(app, ["token", "revoke", "999"])
    assert missing.exit_code == 2 and "no API token number 999" in missing.output


# ---------------------------------------------------------------------- the proxy headers


async def _echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app answering with the client address it was given."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["client"][0].encode()})


def _client_seen(options: dict[str, Any], peer: str) -> str:
    """The client address the application gets from uvicorn configured with ``options``,
    for a request from ``peer`` that claims to be forwarded for 203.0.113.9."""
    config = uvicorn.Config(_echo, **options)
    config.load()
    body: list[bytes] = []
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": "/", "raw_path": b"/",
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8000),
             "client": (peer, 40000),
             "headers": [(b"host", b"tieuchi"), (b"x-forwarded-for", b"203.0.113.9")]}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        body.append(message.get("body", b""))

    # In a thread of its own: a test run before in this process may have left an event loop
    # running in this one (Playwright's sync API does), where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, config.loaded_app(scope, receive, send)).result()
    return b"".join(body).decode()


def _serve_options(monkeypatch: pytest.MonkeyPatch, trusted: str | None) -> dict[str, Any]:
    """The options `tieuchi serve` gives uvicorn (uvicorn.run is not run)."""
    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: given.update(kw))
    if trusted is None:
        monkeypatch.delenv("TIEUCHI_TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("TIEUCHI_TRUSTED_PROXIES", trusted)
    _ok("serve")
    return {k: given[k] for k in ("proxy_headers", "forwarded_allow_ips")}


def test_serve_believes_forwarded_addresses_only_from_configured_proxies(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """By default no proxy is trusted, not even 127.0.0.1 (uvicorn's own default), so a
    client locked out of signing in cannot name another address; with
    ``TIEUCHI_TRUSTED_PROXIES`` the proxy's forwarded address is the client's."""
    default = _serve_options(monkeypatch, None)
    assert _client_seen(default, "127.0.0.1") == "127.0.0.1"
    behind = _serve_options(monkeypatch, "127.0.0.1, 10.0.0.0/8")
    assert _client_seen(behind, "127.0.0.1") == "203.0.113.9"
    assert _client_seen(behind, "10.1.2.3") == "203.0.113.9"
    assert _client_seen(behind, "192.0.2.7") == "192.0.2.7"  # not a proxy: not believed
