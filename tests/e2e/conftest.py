"""End-to-end tests in a real headless Chromium (Debian's package, driven by Playwright for
Python; no browser is downloaded). Each module gets its own ``tieuchi demo`` server on a free
port, over a fresh SQLite database.

Screenshots of the main pages are written where ``TIEUCHI_SCREENSHOTS`` points
(``TIEUCHI_SCREENSHOTS=docs/screenshots uv run pytest tests/e2e`` refreshes those of docs/).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

PASSWORD = "tieuchi2023"
START_SECONDS = 120  # the demo starts in about 10 s; a machine busy with other work needs more
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message + "; browser tests must run in CI")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``tieuchi demo`` on a free port; its address."""
    port = _free_port()
    data = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "TIEUCHI_DATA_DIR": str(data)}
    env.pop("TIEUCHI_DATABASE_URL", None)
    log = (data / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "tieuchi", "demo", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"tieuchi demo stopped: {(data / 'server.log').read_text()}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"tieuchi demo did not start within {START_SECONDS} s: "
                        f"{(data / 'server.log').read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[object]:
    """A factory of pages, each in its own browser context (its own cookies: its own user).
    A test fails when a page broke the Content-Security-Policy (an inline script or handler,
    a script from elsewhere: the browser refuses them and says so on the console)."""
    contexts = []
    violations: list[str] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not violations, f"the pages broke the Content-Security-Policy: {violations}"


def login(page: Page, base: str, username: str, next_path: str = "/") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot of the page where TIEUCHI_SCREENSHOTS points, if it is set."""
    folder = os.environ.get("TIEUCHI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)
