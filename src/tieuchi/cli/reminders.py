"""``tieuchi reminders``: the forms that are late (past their data set's ``due`` date and not
yet submitted) of a unit and the units below it, to remind them. Thin: the work is the
application's work queue (:meth:`tieuchi.app.App.queue`)."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer
from rich.table import Table

from tieuchi.cli import DatabaseOpt, PeriodOpt, _fail, _open_store, _refusals, app, out

__all__ = ["reminders"]


@app.command()
def reminders(
    unit: Annotated[str | None, typer.Option(
        "--unit", "-u", help="The unit whose units below are reminded; default: the "
        "project's root.")] = None,
    period: PeriodOpt = None,
    output: Annotated[str, typer.Option("--format", "-f", help="text or csv.")] = "text",
    database_url: DatabaseOpt = None,
) -> None:
    """The late forms: unit, form, due date and days late, latest first (CSV for a mail
    merge with --format csv)."""
    from tieuchi.app import SYSTEM, App

    if output not in ("text", "csv"):
        raise _fail(f"--format: '{output}' is not text or csv")
    store = _open_store(database_url)
    application = App(store)
    root = unit or store.units.project().root
    if root is None:
        raise _fail("give --unit: the project names no root unit")
    with _refusals():
        queue = application.queue(SYSTEM, root, period or application.default_period())
    late = queue.late()
    rows = [(i.unit.code, i.unit.name, i.dataset.code, i.dataset.name,
             i.due.isoformat() if i.due else "", str(i.days_late)) for i in late]
    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["unit", "unit_name", "dataset", "dataset_name", "due", "days_late"])
        writer.writerows(rows)
        return
    if not rows:
        out.print(f"no late form under {root} for {queue.period.code} "
                  f"(as of {queue.today.isoformat()})")
        return
    table = Table(title=f"Late forms under {root}, {queue.period.code} (as of "
                  f"{queue.today.isoformat()})", title_justify="left")
    for column in ("unit", "name", "form", "due", "days late"):
        table.add_column(column)
    for code, name, _ds, ds_name, due, days in rows:
        table.add_row(code, name, ds_name, due, days)
    out.print(table)
