"""Writing files into a definition folder only if it stays valid (``tieuchi init``, ``units
add``, ``criteria add``, ``targets import``): nothing half-written.

The folder is staged in a temporary copy beside it, the files are written there and the copy
is loaded as ``tieuchi validate`` would. Only when it has no error are the files moved into
the folder, each by an atomic rename (a new folder: the copy is renamed into place, at once).
A refused write, a failed one or a killed process leaves the folder as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from tieuchi.definitions.loader import check_definitions
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import Problem, ProblemError, Severity

__all__ = ["write_if_valid"]


def write_if_valid(folder: str | Path, files: Mapping[str, str]) -> tuple[Definitions,
                                                                          list[Problem]]:
    """Write ``files`` (path relative to ``folder`` → text) into ``folder`` (made if missing)
    if the folder then loads without error; return the definitions and the warnings. Raise
    :class:`ProblemError` with every problem (errors and warnings, placed in ``folder``, not
    in the staging copy) when it would not: nothing is written. An :class:`OSError` of the
    copy or the writes leaves the folder as it was too."""
    root = Path(folder)
    root.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{root.name}-", dir=root.parent))
    try:
        if root.exists():
            shutil.copytree(root, stage, dirs_exist_ok=True)
        for relative, text in files.items():
            target = stage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        definitions, problems = check_definitions(stage)
        placed = [_placed(p, stage, root) for p in problems]
        if definitions is None or any(p.severity is Severity.ERROR for p in placed):
            raise ProblemError(placed)
        if not root.exists():
            os.replace(stage, root)
        else:
            for relative in files:
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(stage / relative, root / relative)
        return definitions, placed
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _placed(problem: Problem, stage: Path, root: Path) -> Problem:
    """The problem with its file in ``root`` where the loader found it in ``stage``."""
    if problem.file and problem.file.startswith(str(stage)):
        return replace(problem, file=str(root) + problem.file[len(str(stage)):])
    return problem
