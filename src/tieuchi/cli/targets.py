"""``tieuchi targets import``: the targets of a resolution's own table (docs/plan-import.md).

Thin: the table is read and every row understood by :mod:`tieuchi.io.resolution`; this prints
what was understood row by row and, with ``--apply``, writes the rows understood as a target
group in ``DIR/targets/<code>.yaml``, kept only if the folder then validates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from tieuchi.cli import _fail, _print_problems, app, out
from tieuchi.definitions import check_definitions, write_if_valid
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import ProblemError, Severity, suggest
from tieuchi.io.resolution import (
    Resolution,
    describe,
    group_code,
    group_document,
    guess_text,
    missing_indicators,
    read_resolution,
    score_text,
)
from tieuchi.io.resolution import (
    candidates as import_candidates,
)
from tieuchi.library.catalogue import catalogue

__all__ = ["targets_app"]

targets_app = typer.Typer(help="Targets: import them from a resolution's own table.",
                          no_args_is_help=True)
app.add_typer(targets_app, name="targets")

_MAP = re.compile(r"^\s*(?:row|dòng|dong)?\s*(\d+)\s*=\s*([A-Za-z0-9][A-Za-z0-9_.\-]*)\s*$")


def _chosen(maps: list[str]) -> dict[int, str]:
    chosen = {}
    for text in maps:
        found = _MAP.match(text)
        if not found:
            raise _fail(f"--map: '{text}' is not 'row N=CODE' (e.g. --map \"row 5=thu-nsnn\")")
        chosen[int(found.group(1))] = found.group(2)
    return chosen


@targets_app.command("import")
def import_targets(
    file: Annotated[Path, typer.Argument(help="The resolution: a .docx or .xlsx file with "
                                              "its target table.", exists=True,
                                         dir_okay=False)],
    folder: Annotated[Path, typer.Argument(help="The definition folder the targets are for.",
                                           exists=True, file_okay=False)] = Path("."),
    unit: Annotated[str, typer.Option("--unit", "-u", help="The unit the resolution sets "
                                                            "targets for.")] = "",
    period: Annotated[str, typer.Option("--period", "-p", help="The period of the targets "
                                                                "(2026, 2026-2030).")] = "",
    issuer: Annotated[str | None, typer.Option(help="Who issued the resolution (HĐND tỉnh "
                                                    "…).")] = None,
    document: Annotated[str | None, typer.Option(help="The resolution's number and date "
                                                      "(Nghị quyết số …); default: the "
                                                      "file's name.")] = None,
    maps: Annotated[list[str] | None, typer.Option(
        "--map", help="Name a row's indicator: \"row 5=thu-nsnn\" (repeatable).")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the targets understood "
                                                        "(default: show them only).")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="With --apply: replace the file "
                                                            "an earlier import of the same "
                                                            "document wrote (a revised "
                                                            "resolution).")] = False,
) -> None:
    """Read a resolution's target table, match each row to an indicator (the folder's own,
    then the standard catalogue's) and show what was understood; --apply writes the rows
    understood to DIR/targets/<document>.yaml if the folder then validates."""
    if not unit or not period:
        raise _fail("give --unit and --period: the unit and the period the targets are for")
    try:
        period = Period.parse(period).code
    except PeriodError as error:
        raise _fail(f"--period: {error}") from None
    definitions, problems = check_definitions(folder)
    if definitions is None:
        _print_problems(problems)
        raise _fail(f"{folder} does not validate; fix it before importing targets")
    if unit not in {u.code for u in definitions.units}:
        raise _fail(f"--unit: '{unit}' is not a unit of {folder}")
    have = {i.code for i in definitions.indicators}
    candidates = import_candidates(definitions, catalogue())
    chosen = _chosen(maps or [])
    codes = {i.code for i in candidates}
    for row, code in chosen.items():
        if code not in codes:
            raise _fail(f"--map: row {row}: '{code}' is neither an indicator of {folder} nor "
                        f"one of the catalogue{suggest(code, codes)}")
    try:
        found = read_resolution(file.read_bytes(), file.name, candidates, chosen)
    except ProblemError as error:
        _print_problems(list(error.problems))
        raise typer.Exit(1) from None
    beyond = sorted(n for n in chosen if not 1 <= n <= len(found.rows))
    if beyond:
        raise _fail(f"--map: the table has {len(found.rows)} rows, not row {beyond[0]}")
    _show(found, have)
    if not apply:
        out.print("dry run: nothing written; add --apply to write the targets understood")
        return
    _write(found, folder, unit=unit, period=period, issuer=issuer, document=document,
           code=group_code(document or file.stem), have=have, candidates=candidates,
           replace=replace)


def _show(found: Resolution, have: set[str]) -> None:
    table = Table(title=f"{found.file}: {len(found.matched)} of {len(found.rows)} rows "
                  "understood", title_justify="left", show_lines=False)
    for column in ("row", "name as read", "value as read", "understood"):
        table.add_column(column)
    table.add_column("indicator", overflow="fold", min_width=24)
    table.add_column("score")
    for n, row in enumerate(found.rows, start=1):
        best = row.match.guesses[0].score if row.match.guesses else 0.0
        if row.code is None:
            understood, indicator = ("[yellow]UNMATCHED[/]",
                                     f"guesses: {guess_text(row.match, 'vi')}")
        else:
            understood = describe(row.fields) if row.fields else "[yellow]not read[/]"
            understood += f" ({row.converted})" if row.converted else ""
            where = "" if row.code in have else " (catalogue)"
            indicator = row.code + where + (" (--map)" if row.chosen else "")
        table.add_row(str(n), row.row.name, row.row.value or "", understood, indicator,
                      "" if row.chosen else score_text(best, "vi"))
    out.print(table)
    if found.problems:
        _print_problems(found.problems)


def _write(found: Resolution, folder: Path, *, unit: str, period: str, issuer: str | None,
           document: str | None, code: str, have: set[str], candidates: Sequence[Indicator],
           replace: bool) -> None:
    """Write the rows understood to ``DIR/targets/<code>.yaml`` (``replace``: over the file of
    an earlier import of the same document), kept only if the folder then validates; else
    the folder is left as it was."""
    if not found.matched:
        raise _fail("no row understood: nothing to write")
    target = folder / "targets" / f"{code}.yaml"
    earlier = target.read_bytes() if target.exists() else None
    if earlier is not None and not replace:
        raise _fail(f"{target} exists already (an earlier import of the same document); add "
                    "--replace to replace it with this file's targets, or give another "
                    "--document")
    if earlier is not None:  # the indicators the earlier import added go with its file
        defined = (yaml.safe_load(earlier) or {}).get("indicators") or []
        have = have - {i.get("code") for i in defined if isinstance(i, dict)}
    missing = missing_indicators(found, candidates, have)
    name = f"Chỉ tiêu theo {document}" if document else \
        f"Chỉ tiêu kế hoạch {Period.parse(period).label('vi')}"
    # the targets' source: the resolution as named, else its file (as the web does)
    content = group_document(found, unit=unit, period=period, name=name, issuer=issuer,
                             document=document or found.file, indicators=missing, code=code)
    header = (f"# Targets of {document or found.file}, read from {found.file} by `tieuchi "
              f"targets import` ({len(found.matched)} of {len(found.rows)} rows; the others "
              "are listed by the command).\n")
    text = header + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)
    try:
        write_if_valid(folder, {f"targets/{code}.yaml": text})
    except ProblemError as refused:
        _print_problems([p for p in refused.problems if p.severity is Severity.ERROR])
        raise _fail("the folder would not validate with the targets: nothing written") from None
    out.print(f"[green]{'replaced' if earlier is not None else 'wrote'}[/] {target}: "
              f"{len(found.matched)} targets"
              + (f" and {len(missing)} indicators of the catalogue" if missing else ""))
