"""How pytest-xdist shares the tests between its processes: one by one, except the browser
tests, which go by module (one ``server`` and one Chromium per module, in one process).

The ``xdist_group`` mark that did this is not seen by pytest-xdist 3.8 under pytest 9.2 (the
group is put in a node id attribute pytest no longer reads), so the modules' tests were
spread over both processes, each starting its own demo server; the scheduler below groups
them by their path instead, whatever the versions."""

from __future__ import annotations

from typing import Any

import pytest

E2E = "tests/e2e/"


def scope(nodeid: str) -> str:
    """The unit of work a test belongs to: its module for a browser test, else itself."""
    return nodeid.split("::", 1)[0] if nodeid.startswith(E2E) else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleForBrowsers(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return scope(nodeid)

    return ByModuleForBrowsers(config, log)
