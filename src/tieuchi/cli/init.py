"""``tieuchi init``: a new definition folder for a province, a commune or a pre-2025 district,
valid at once. Thin: the files are :func:`tieuchi.library.starter.starter_files`'; this
writes them, checks the folder with the loader and removes them again if it is not valid."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from tieuchi.cli import LangOpt, _check_lang, _fail, _print_problems, _refusals, app, err, out
from tieuchi.cli.units import Before2025Opt, CommuneOpt, DistrictOpt, ProvinceOpt, one_place
from tieuchi.definitions import check_definitions
from tieuchi.domain.problems import Severity

__all__ = ["init"]


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
    made = not folder.exists()
    written: list[Path] = []
    try:
        _write(folder, files, written)
    except OSError as error:
        _remove(folder, written, made)
        raise _fail(f"cannot write {folder}: {error.strerror}; nothing was kept", 1) from None
    _, problems = check_definitions(folder)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        _print_problems(problems)
        _remove(folder, written, made)
        err.print(f"{len(errors)} error(s): nothing was kept in {folder}.")
        raise typer.Exit(1)
    _print_problems(problems)
    out.print(f"[green]wrote[/] {folder}: " + ", ".join(sorted(files)), highlight=False,
              soft_wrap=True)
    out.print(f"Next: read {folder / 'README.md'} (what to fill in), then "
              f"[bold]tieuchi evaluate {folder}[/] and [bold]tieuchi demo --folder {folder}[/].",
              highlight=False, soft_wrap=True)


def _write(folder: Path, files: dict[str, str], written: list[Path]) -> None:
    """Write ``files`` under ``folder``, adding each path to ``written`` before it is
    written (so that a failure part way can be undone)."""
    for relative, text in files.items():
        target = folder / relative
        written.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _remove(folder: Path, written: list[Path], made: bool) -> None:
    """Undo :func:`_write`: its files, then the folders it made, deepest first."""
    for target in written:
        target.unlink(missing_ok=True)
    parents = sorted({p for t in written for p in t.parents if folder in p.parents},
                     key=lambda p: len(p.parts), reverse=True)
    for directory in [*parents, *([folder] if made else [])]:
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
