"""``tieuchi init``: a new definition folder for a province, a commune or a pre-2025 district,
valid at once. Thin: the files are :func:`tieuchi.library.starter.starter_files`'; this
writes them, checks the folder with the loader and removes them again if it is not valid
(:func:`write_checked`, which ``tieuchi units add`` uses too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tieuchi.cli import LangOpt, _check_lang, _fail, _print_problems, _refusals, app, err, out
from tieuchi.cli.units import Before2025Opt, CommuneOpt, DistrictOpt, ProvinceOpt, one_place
from tieuchi.definitions import check_definitions
from tieuchi.domain.problems import Severity

__all__ = ["init", "write_checked"]


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="The new folder (missing or empty).")],
    province: ProvinceOpt,
    commune: CommuneOpt = None,
    district: DistrictOpt = None,
    before_2025: Before2025Opt = False,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="A shipped criteria set to copy (repeatable; `tieuchi criteria "
        "list`); default: the new-rural set in force for the period.")] = None,
    lang: LangOpt = "vi",
) -> None:
    """Start a definition folder: the province's (or commune's, or district's) units as
    published, the standard catalogue of indicators, the criteria sets, an empty plan and a
    README that says what to fill in."""
    from tieuchi.library.starter import starter_files

    _check_lang(lang)
    one_place(commune, district)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise _fail(f"{folder} exists and is not an empty folder; give a new folder")
    with _refusals():
        files = starter_files(province, commune, before_2025, district, sets,
                              today=date.today(), lang=lang)
    write_checked(folder, files)
    out.print(f"[green]wrote[/] {folder}: " + ", ".join(sorted(files)), highlight=False,
              soft_wrap=True)
    out.print(f"Next: read {folder / 'README.md'} (what to fill in), then "
              f"[bold]tieuchi evaluate {folder}[/] and [bold]tieuchi demo --folder {folder}[/].",
              highlight=False, soft_wrap=True)


def write_checked(folder: Path, files: dict[str, str]) -> None:
    """Write ``files`` (relative path → text) under ``folder``, then check the folder as
    `tieuchi validate` does: on an error (or a failed write), print the problems, put back
    what each file held before (or remove it, and the folders made for it) and exit 1;
    else print the warnings."""
    made = not folder.exists()
    before: dict[Path, bytes | None] = {}
    try:
        _write(folder, files, before)
    except OSError as error:
        _undo(folder, before, made)
        raise _fail(f"cannot write {folder}: {error.strerror}; nothing was kept", 1) from None
    _, problems = check_definitions(folder)
    _print_problems(problems)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        _undo(folder, before, made)
        err.print(f"{len(errors)} error(s): nothing was kept in {folder}.")
        raise typer.Exit(1)


def _write(folder: Path, files: dict[str, str], before: dict[Path, bytes | None]) -> None:
    """Write ``files`` under ``folder``, recording in ``before`` what each path held (None:
    nothing) before it is written, so that a failure part way can be undone."""
    for relative, text in files.items():
        target = folder / relative
        before[target] = target.read_bytes() if target.is_file() else None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _undo(folder: Path, before: dict[Path, bytes | None], made: bool) -> None:
    """Undo :func:`_write`: each file as it was, then the folders it made, deepest first."""
    for target, text in before.items():
        if text is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(text)
    parents = sorted({p for t in before for p in t.parents if folder in p.parents},
                     key=lambda p: len(p.parts), reverse=True)
    for directory in [*parents, *([folder] if made else [])]:
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
