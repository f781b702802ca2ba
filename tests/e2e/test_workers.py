"""docs/deploy.md, run: PostgreSQL, `tieuchi load`, `tieuchi user add`, then `tieuchi serve`
with two workers; a session made on one worker is good on the other."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLE, _new_database
from tests.e2e.conftest import _free_port


@pytest.fixture
def postgres_url(tmp_path: Path) -> Iterator[str]:
    with _new_database("postgresql", tmp_path) as url:
        yield url


def test_two_workers_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "TIEUCHI_DATABASE_URL": postgres_url,
           "TIEUCHI_SECRET_KEY": "a-key-shared-by-every-worker",
           "TIEUCHI_NEW_PASSWORD": "password123"}

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "tieuchi", *args], env=env,
                              capture_output=True, text=True, check=True)
        return done.stdout

    cli("db", "upgrade")
    cli("load", str(EXAMPLE))
    assert "nothing changed" in cli("load", str(EXAMPLE))
    cli("user", "add", "thanhtri", "--role", "officer", "--unit", "TT")
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "tieuchi", "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(1200):  # two workers importing the web stack on a busy machine
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            signed_in = client.post("/login", data={"username": "thanhtri",
                                                    "password": "password123",
                                                    "csrf_token": token.group(1)})
            assert signed_in.status_code == 303
            for _ in range(12):  # the requests are shared out between the workers
                dashboard = client.get("/units/TT")
                assert dashboard.status_code == 200
                assert "18/18" in dashboard.text and "30/34" in dashboard.text
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
    started = set(re.findall(r"Started server process \[(\d+)\]",
                             (tmp_path / "serve.log").read_text()))
    assert len(started) >= 2, (tmp_path / "serve.log").read_text()
