"""``tieuchi init``: a new definition folder for a province, a commune or a pre-2025 district,
valid at once. Thin: the files are :func:`tieuchi.library.starter.starter_files`'; this
writes them only if the folder then validates (:func:`write_checked`, which ``tieuchi units
add`` uses too)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tieuchi.cli import LangOpt, _check_lang, _fail, _print_problems, _refusals, app, err, out
from tieuchi.cli.units import Before2025Opt, CommuneOpt, DistrictOpt, ProvinceOpt, one_place
from tieuchi.definitions import write_if_valid
from tieuchi.domain.problems import ProblemError, Severity

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
    if folder.exists() and not folder.is_dir():
        raise _fail(f"{folder} is a file; give a new folder")
    if folder.exists() and any(folder.iterdir()):
        raise _fail(f"{folder} exists and is not an empty folder; give a new folder")
    if any(p.exists() and not p.is_dir() for p in folder.parents):
        raise _fail(f"{folder} cannot be made: a part of its path is a file")
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
    """Write ``files`` (relative path → text) under ``folder`` only if the folder then
    validates (:func:`tieuchi.definitions.write_if_valid`): else print the problems and exit
    1, nothing written; then print the warnings."""
    try:
        _, warnings = write_if_valid(folder, files)
    except ProblemError as error:
        _print_problems(list(error.problems))
        errors = sum(p.severity is Severity.ERROR for p in error.problems)
        err.print(f"{errors} error(s): nothing was written in {folder}.")
        raise typer.Exit(1) from None
    except OSError as error:
        raise _fail(f"cannot write {folder}: {error.strerror}; nothing was written", 1) from None
    _print_problems(warnings)
