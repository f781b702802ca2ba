"""A pytest plugin: every code of the problem catalogue is raised by some test.

Each test process records the codes of the :class:`~tieuchi.domain.problems.Problem` objects
made while the tests run (in this process; a ``tieuchi`` child process is not seen). When the
whole suite ran (``pytest`` with no selection: no paths, no ``-k``/``-m``, no ``--lf``, …)
and passed, a catalogue code that no test raised fails the run: a code nobody can trigger is
either dead or untested. With pytest-xdist the workers write their codes to files the
controller reads.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tieuchi.domain import problems

SEEN: set[str] = set()
_ENV = "TIEUCHI_PROBLEM_CODES_DIR"
_original = problems.Problem.__post_init__


def _recording(self: problems.Problem) -> None:
    _original(self)
    SEEN.add(self.code)


def pytest_configure(config: pytest.Config) -> None:
    problems.Problem.__post_init__ = _recording  # type: ignore[method-assign]
    if not hasattr(config, "workerinput") and _ENV not in os.environ:
        os.environ[_ENV] = tempfile.mkdtemp(prefix="tieuchi-codes-")


def _whole_suite(config: pytest.Config) -> bool:
    option = config.option
    selected = (option.keyword or option.markexpr or getattr(option, "lf", False)
                or getattr(option, "deselect", None) or getattr(option, "exitfirst", False))
    default = [str(Path(config.rootpath, p)) for p in config.getini("testpaths")]
    args = [str(Path(config.invocation_params.dir, a)) for a in config.args]
    return not selected and sorted(args) == sorted(default)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = Path(os.environ.get(_ENV, tempfile.gettempdir()))
    config = session.config
    if hasattr(config, "workerinput"):
        (folder / f"{os.getpid()}.codes").write_text("\n".join(sorted(SEEN)))
        return
    if exitstatus != 0 or not _whole_suite(config):
        return
    seen = set(SEEN)
    for file in folder.glob("*.codes"):
        seen |= set(file.read_text().split())
    missing = sorted(set(problems.CATALOGUE) - seen)
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        text = ("problem codes of the catalogue that no test raised (add a test that "
                f"triggers each, or remove the code): {', '.join(missing)}")
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
