"""The command line: thin commands over the Python API (docs/cli.md)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown

from tieuchi.cli.tables import scorecard
from tieuchi.definitions import Severity, check_definitions
from tieuchi.definitions.problems import suggest
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.reports.text import render_markdown

__all__ = ["app", "main"]

app = typer.Typer(
    name="tieuchi",
    help="Targets, criteria sets and official reports for Vietnamese local governments.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
out = Console(soft_wrap=False)
err = Console(stderr=True)

PathArg = Annotated[Path, typer.Argument(help="A definition folder (or one YAML file).")]
PeriodOpt = Annotated[str | None, typer.Option(
    "--period", "-p", help="2023, 2023-H1, 2023-Q3, 2023-05, 2023-YTD09 or 2021-2025; "
    "default: the project's period.")]
UnitOpt = Annotated[list[str] | None, typer.Option(
    "--unit", "-u", help="Only this unit and the units below it (repeatable).")]
AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", help="Evaluation date YYYY-MM-DD; default: the project's, else today.")]
VintageOpt = Annotated[str | None, typer.Option(
    "--vintage", help="Only figures of this vintage: plan, estimate, preliminary, official.")]
LangOpt = Annotated[str, typer.Option("--lang", "-l", help="vi or en.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _print_problems(problems: list) -> None:  # type: ignore[type-arg]
    for p in problems:
        colour = "red" if p.severity is Severity.ERROR else "yellow"
        err.print(f"{p.place}: [{colour}]{p.severity.value}[/] [bold]{p.code}[/] {p.message}",
                  highlight=False, soft_wrap=True)


def _evaluate(path: Path, period: str | None, units: list[str] | None, as_of: str | None,
              vintage: str | None) -> Evaluation:
    definitions, problems = check_definitions(path)
    _print_problems(problems)
    if definitions is None:
        errors = sum(p.severity is Severity.ERROR for p in problems)
        err.print(f"{errors} error(s); nothing was evaluated.")
        raise typer.Exit(1)
    chosen = period or definitions.project.period
    if chosen is None:
        raise _fail("give --period (e.g. --period 2023): the project names no period")
    try:
        parsed = Period.parse(chosen)
    except PeriodError as exc:
        raise _fail(f"--period: {exc}") from None
    day = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise _fail(f"--as-of: '{as_of}' is not a date; write YYYY-MM-DD") from None
    if vintage and vintage not in ("plan", "estimate", "preliminary", "official"):
        raise _fail(f"--vintage: '{vintage}' is not one of plan, estimate, preliminary, "
                    "official")
    for code in units or []:
        if code not in definitions.unit_by_code:
            raise _fail(f"--unit: '{code}' is not a unit of {path}"
                        f"{suggest(code, definitions.unit_by_code)}")
        unit = definitions.unit_by_code[code]
        if not unit.valid_on(parsed.start, parsed.end):
            after = (f"; it became {', '.join(unit.successors)}" if unit.successors else "")
            raise _fail(f"--unit: '{code}' does not exist in {parsed.code} (valid "
                        f"{unit.valid_from or '…'} – {unit.valid_to or '…'}){after}")
    return evaluate(definitions, parsed, units=units, as_of=day, vintage=vintage)


def _check_lang(lang: str) -> None:
    if lang not in ("vi", "en"):
        raise _fail(f"--lang: '{lang}' is not vi or en")


@app.command()
def validate(
    path: PathArg,
    output: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Check a definition folder; print every problem as file:line: error CODE message."""
    if output not in ("text", "json"):
        raise _fail(f"--format: '{output}' is not text or json")
    _, problems = check_definitions(path)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    if output == "json":
        document = {
            "ok": errors == 0,
            "errors": [p.as_dict() for p in problems if p.severity is Severity.ERROR],
            "warnings": [p.as_dict() for p in problems if p.severity is Severity.WARNING],
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_problems(problems)
        if errors:
            err.print(f"{errors} error(s), {len(problems) - errors} warning(s) in {path}")
        else:
            out.print(f"[green]ok[/]: {path} is valid"
                      + (f" ({len(problems)} warning(s))" if problems else ""))
    raise typer.Exit(1 if errors else 0)


@app.command("evaluate")
def evaluate_command(
    path: PathArg,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = None,
    output: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    lang: LangOpt = "vi",
) -> None:
    """Evaluate targets, groups and criteria sets for a period."""
    _check_lang(lang)
    if output not in ("table", "json"):
        raise _fail(f"--format: '{output}' is not table or json")
    ev = _evaluate(path, period, unit, as_of, vintage)
    if output == "json":
        sys.stdout.write(json.dumps(evaluation_dict(ev), ensure_ascii=False, indent=2) + "\n")
    else:
        out.print(scorecard(ev, lang, unit[0] if unit else None))


@app.command()
def report(
    path: PathArg,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = None,
    output: Annotated[str, typer.Option("--format", "-f", help="md (Markdown).")] = "md",
    lang: LangOpt = "vi",
    out_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of the terminal.")] = None,
) -> None:
    """Write the report of a period, in Vietnamese (default) or English."""
    _check_lang(lang)
    if output != "md":
        raise _fail(f"--format: '{output}' is not supported yet; use md")
    ev = _evaluate(path, period, unit, as_of, vintage)
    text = render_markdown(ev, lang, unit[0] if unit else None)
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"wrote {out_file}")
    else:
        sys.stdout.write(text)


def example_path() -> Path:
    """The reference district: in the installed package, else in the source checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parent.parent / "examples" / "thanh-tri-2023",
                      here.parents[3] / "examples" / "thanh-tri-2023",
                      Path.cwd() / "examples" / "thanh-tri-2023"):
        if candidate.is_dir():
            return candidate
    raise _fail("the example 'thanh-tri-2023' is not installed with this copy of tieuchi")


@app.command()
def demo(lang: LangOpt = "vi") -> None:
    """Evaluate the reference district (Thanh Trì, Hà Nội, 2023): scorecard and report."""
    _check_lang(lang)
    path = example_path()
    ev = _evaluate(path, None, None, None, None)
    out.rule(ev.definitions.project.name)
    out.print(scorecard(ev, lang, targets=False))
    out.rule()
    out.print(Markdown(render_markdown(ev, lang)))
    out.print(f"\n[dim]Definitions: {path}. Try: tieuchi evaluate {path} --format json[/]")


def main() -> None:
    app()
