"""Excel templates, imports and exports: ``template``, ``import``, ``export`` and ``dhis2``
(docs/exchange.md). Thin: the work is :mod:`tieuchi.io`.

Every import reads and checks the whole file first and prints each problem at its place
(``'Xã A'!E9``, ``observations.csv:7``, ``dvs.json:dataValues[3]``) in English, then in
Vietnamese; a file with a problem imports nothing. ``--dry-run`` prints the changes and
writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tieuchi.cli import DatabaseOpt, _fail, _open_store, app, err, out

if TYPE_CHECKING:
    from tieuchi.domain.problems import Problem
    from tieuchi.io.csv_exchange import TargetPlan
    from tieuchi.io.plan import Plan

__all__ = ["template_command", "import_command", "export_command", "dhis2_export",
           "dhis2_import"]

DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Check the file and print what would change; write nothing.")]
ReasonOpt = Annotated[str | None, typer.Option(help="Why: kept in the audit log.")]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", dir_okay=False,
                                         help="The file to write (replaced if it exists).")]
SkipOpt = Annotated[bool, typer.Option(
    "--skip-unmapped", help="Leave out the values whose codes the mapping lacks (each is "
    "still listed) instead of stopping.")]
VINTAGES = ("plan", "estimate", "preliminary", "official")


def _print_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        colour = "red" if p.severity.value == "error" else "yellow"
        err.print(f"{p.place}: [{colour}]{p.severity.value}[/] [bold]{p.code}[/] {p.message}",
                  highlight=False, soft_wrap=True, markup=True)
        err.print(f"    {p.message_vi}", highlight=False, soft_wrap=True, markup=False)


def _stop(problems: Sequence[Problem], what: str = "imported") -> typer.Exit:
    _print_problems(problems)
    errors = sum(p.severity.value == "error" for p in problems)
    err.print(f"{errors} problem(s); nothing was {what}.", highlight=False)
    return typer.Exit(1)


def _vintage(vintage: str) -> str:
    if vintage not in VINTAGES:
        raise _fail(f"--vintage: '{vintage}' is not one of {', '.join(VINTAGES)}")
    return vintage


# ---------------------------------------------------------------------- template


@app.command("template")
def template_command(
    period: Annotated[str, typer.Option("--period", "-p", help="2023, 2023-Q3, 2023-05, …")],
    dataset: Annotated[str, typer.Option(
        "--dataset", "-d", help="The data set (biểu nhập số liệu), e.g. ntm-nang-cao.")],
    output: OutputOpt,
    unit: Annotated[list[str] | None, typer.Option(
        "--unit", "-u", help="A unit to make a sheet for (repeatable); with --all-units, "
        "the units under it.")] = None,
    all_units: Annotated[bool, typer.Option(
        "--all-units", help="A sheet for every unit that reports the data set (under "
        "--unit, when given).")] = False,
    vintage: Annotated[str, typer.Option(
        help="The vintage of the figures entered: plan, estimate, preliminary, official.")]
    = "official",
    database_url: DatabaseOpt = None,
) -> None:
    """Write an Excel entry template: a sheet per unit with the figures held now."""
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.excel_template import build_workbook, plan_template

    store = _open_store(database_url)
    try:
        template = plan_template(store, unit or [], period=period, dataset=dataset,
                                 all_units=all_units, vintage=_vintage(vintage))
    except ProblemError as error:
        raise _fail("; ".join(f"{p.place}: {p.message}" for p in error.problems)) from None
    try:
        build_workbook(template).save(output)
    except OSError as error:
        raise _fail(f"-o: cannot write {output}: {error.strerror}", 1) from None
    rows = sum(len(s.rows) for s in template.sheets)
    out.print(f"wrote {output}: {len(template.sheets)} sheet(s), {rows} row(s), data set "
              f"{template.dataset.code}, period {template.period.code}", highlight=False,
              soft_wrap=True)


# ---------------------------------------------------------------------- import


def _value(value: float | None, vintage: str | None) -> str:
    from tieuchi.reports.formatting import number

    if value is None:
        return "–"
    return f"{number(value, 'vi', 6)} ({vintage})" if vintage else number(value, "vi", 6)


def _show_plan(plan: Plan) -> None:
    for c in plan.changes():
        new = "(delete)" if c.value is None else _value(c.value, c.vintage)
        source = f"  [{c.source}]" if c.source and c.source != c.old_source else ""
        note = f"  ({c.note})" if c.note else ""
        out.print(f"{c.place}: {c.unit} {c.indicator} {c.period}: "
                  f"{_value(c.old, c.old_vintage)} → {new}{source}{note}",
                  highlight=False, soft_wrap=True, markup=False)


def _show_targets(plan: TargetPlan) -> None:
    for c in plan.changes:
        if c.old is None:
            out.print(f"{c.place}: {c.key}: add {c.new['comparator'] or c.new['relative']} "
                      f"{c.new['value'] if c.new['value'] is not None else ''}"
                      f"{c.new['relative_value'] or ''}", highlight=False, markup=False,
                      soft_wrap=True)
            continue
        old = c.old
        fields = ", ".join(f"{k}: {old.get(k)} → {v}" for k, v in c.new.items()
                           if old.get(k) != v)
        out.print(f"{c.place}: {c.key}: {fields}", highlight=False, markup=False,
                  soft_wrap=True)


def _summary(plan: Plan, dry_run: bool, written: int | None) -> None:
    counts = plan.counts()
    parts = ", ".join(f"{n} {word}" for word, n in (("added", counts["add"]),
                                                   ("changed", counts["change"]),
                                                   ("deleted", counts["delete"])) if n)
    if dry_run:
        out.print(f"{plan.file}: {parts or 'nothing would change'} (dry run: nothing was "
                  "written)", highlight=False, soft_wrap=True)
    else:
        out.print(f"{plan.file}: {parts or 'nothing changed'}"
                  + (f"; {written} figure(s) written" if written else ""), highlight=False,
                  soft_wrap=True)


def _run_plan(plan: Plan, *, actor: str, reason: str | None, dry_run: bool,
              database_url: str | None) -> None:
    from tieuchi.app import App, System
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.plan import apply

    if plan.warnings:
        _print_problems(plan.warnings)
    _show_plan(plan)
    if dry_run:
        _summary(plan, True, None)
        return
    try:
        written = apply(App(_open_store(database_url)), plan, actor=System(actor),
                        reason=reason)
    except ProblemError as error:
        raise _stop(error.problems) from None
    _summary(plan, False, written)


def _run_targets(plan: TargetPlan, *, actor: str, reason: str | None, dry_run: bool,
                 database_url: str | None) -> None:
    from tieuchi.app import App, System
    from tieuchi.io.csv_exchange import apply_targets

    application, system = App(_open_store(database_url)), System(actor)
    refused = application.check_targets(system, plan.docs)  # every row: a key given twice too
    if refused:  # each at the line of its target
        raise _stop([p.placed(plan.places, plan.file) for p in refused])
    _show_targets(plan)
    added = sum(c.old is None for c in plan.changes)
    summary = f"{added} target(s) added, {len(plan) - added} changed"
    if dry_run:
        out.print(f"{plan.file}: {summary} (dry run: nothing was written)", highlight=False)
        return
    apply_targets(application, plan, actor=system, reason=reason)
    out.print(f"{plan.file}: {summary}", highlight=False)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="A filled-in Excel template (.xlsx), or a CSV file of observations or targets.")],
    dry_run: DryRunOpt = False,
    reason: ReasonOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Import figures from an Excel template or a CSV file: all or nothing.

    Every cell or row is checked first; the changes go through the same checks as the web
    forms (closed data sets, value ranges) and into the audit log."""
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.csv_exchange import TargetPlan, read_csv
    from tieuchi.io.excel_import import read_workbook

    suffix = file.suffix.lower()
    if suffix == ".json":
        raise _fail(f"{file}: for DHIS2 JSON use 'tieuchi dhis2 import {file} --mapping "
                    "MAP.yaml'")
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise _fail(f"{file}: import reads .xlsx (an Excel template) or .csv files")
    store = _open_store(database_url)
    try:
        plan = read_csv(store, file) if suffix == ".csv" else read_workbook(store, file)
    except ProblemError as error:
        raise _stop(error.problems) from None
    actor = f"import:{file.name}"
    if isinstance(plan, TargetPlan):
        _run_targets(plan, actor=actor, reason=reason, dry_run=dry_run,
                     database_url=database_url)
    else:
        _run_plan(plan, actor=actor, reason=reason, dry_run=dry_run,
                  database_url=database_url)


# ---------------------------------------------------------------------- export


@app.command("export")
def export_command(
    kind: Annotated[str, typer.Argument(help="observations or targets.")],
    unit: Annotated[str, typer.Option("--unit", "-u", help="This unit and the units below "
                                      "it.")],
    output: OutputOpt,
    period: Annotated[str | None, typer.Option(
        "--period", "-p", help="Observations: the periods within it (2023 takes 2023-Q3 "
        "and 2023-05 too); targets: this period. Default: all.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Write observations or targets to a CSV file with the columns of the definition
    files; 'tieuchi import' reads it back."""
    from tieuchi.domain.periods import Period, PeriodError
    from tieuchi.io.csv_exchange import observations_frame, targets_frame, write_csv

    if kind not in ("observations", "targets"):
        raise _fail(f"'{kind}' is not observations or targets")
    if period is not None:
        try:
            Period.parse(period)
        except PeriodError as error:
            raise _fail(f"--period: {error}") from None
    store = _open_store(database_url)
    if store.units.get(unit) is None:
        raise _fail(f"--unit: '{unit}' is not a unit")
    frame = (observations_frame if kind == "observations" else targets_frame)(
        store, unit, period)
    try:
        write_csv(frame, output)
    except OSError as error:
        raise _fail(f"-o: cannot write {output}: {error.strerror}", 1) from None
    out.print(f"wrote {output}: {frame.height} {kind} of {unit} and the units below it"
              + (f" ({period})" if period else ""), highlight=False, soft_wrap=True)


# ---------------------------------------------------------------------- DHIS2

dhis2_app = typer.Typer(help="DHIS2 dataValueSets JSON, through a mapping of codes to UIDs.",
                        no_args_is_help=True)
app.add_typer(dhis2_app, name="dhis2")

MappingOpt = Annotated[Path, typer.Option(
    "--mapping", "-m", exists=True, dir_okay=False, readable=True,
    help="The YAML mapping of unit and indicator codes to DHIS2 UIDs (docs/exchange.md).")]


def _mapping(path: Path) -> object:
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.dhis2 import load_mapping

    try:
        return load_mapping(path)
    except ProblemError as error:
        raise _stop(error.problems, "done") from None


@dhis2_app.command("export")
def dhis2_export(
    unit: Annotated[str, typer.Option("--unit", "-u", help="This unit and the units below "
                                      "it.")],
    period: Annotated[str, typer.Option("--period", "-p", help="The periods within it.")],
    mapping: MappingOpt,
    output: OutputOpt,
    dataset: Annotated[str | None, typer.Option(
        "--dataset", "-d", help="Only the indicators of this data set.")] = None,
    skip_unmapped: SkipOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Write the figures of a unit and the units below it as DHIS2 dataValueSets JSON."""
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.dhis2 import Mapping, export_data_values

    chosen = _mapping(mapping)
    assert isinstance(chosen, Mapping)
    store = _open_store(database_url)
    try:
        result = export_data_values(store, chosen, unit=unit, period=period, dataset=dataset,
                                    skip_unmapped=skip_unmapped)
    except ProblemError as error:
        raise _stop(error.problems, "exported") from None
    _print_problems(result.warnings)
    text = json.dumps(result.document, ensure_ascii=False, indent=2) + "\n"
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail(f"-o: cannot write {output}: {error.strerror}", 1) from None
    out.print(f"wrote {output}: {result.count} data value(s)"
              + (f", {len(result.warnings)} left out" if result.warnings else ""),
              highlight=False, soft_wrap=True)


@dhis2_app.command("import")
def dhis2_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True,
                                         help="A DHIS2 dataValueSets JSON file.")],
    mapping: MappingOpt,
    dry_run: DryRunOpt = False,
    reason: ReasonOpt = None,
    vintage: Annotated[str, typer.Option(
        help="The vintage of the figures when the mapping has no 'vintages'.")] = "official",
    skip_unmapped: SkipOpt = False,
    database_url: DatabaseOpt = None,
) -> None:
    """Import DHIS2 dataValueSets JSON: all or nothing."""
    from tieuchi.domain.problems import ProblemError
    from tieuchi.io.dhis2 import Mapping, read_data_values

    chosen = _mapping(mapping)
    assert isinstance(chosen, Mapping)
    store = _open_store(database_url)
    try:
        plan = read_data_values(store, file, chosen, vintage=_vintage(vintage),
                                skip_unmapped=skip_unmapped)
    except ProblemError as error:
        raise _stop(error.problems) from None
    _run_plan(plan, actor=f"dhis2:{file.name}", reason=reason, dry_run=dry_run,
              database_url=database_url)
