"""The command line: thin commands over the Python API (docs/cli.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from tieuchi.cli.tables import scorecard
from tieuchi.definitions import check_definitions
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Severity, suggest
from tieuchi.engine import Evaluation, evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.reports.text import render_markdown

if TYPE_CHECKING:
    from tieuchi.domain.bundle import Definitions
    from tieuchi.reports.document import ReportDocument
    from tieuchi.settings import Settings
    from tieuchi.store import Store

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


REPORT_FORMATS = ("md", "html", "docx", "pdf", "xlsx")
_BINARY = ("docx", "pdf", "xlsx")


@app.command()
def report(
    path: PathArg,
    period: PeriodOpt = None,
    unit: UnitOpt = None,
    as_of: AsOfOpt = None,
    vintage: VintageOpt = None,
    output: Annotated[str, typer.Option(
        "--format", "-f", help="md (Markdown), html, docx (Word), pdf, or xlsx (the "
        "appendix tables with the sources of every figure).")] = "md",
    lang: LangOpt = "vi",
    out_file: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file (with --all-units: into this folder); "
        "without it, md and html go to the terminal and docx, pdf and xlsx to "
        "bao-cao-PERIOD-UNIT.EXT in the current folder.")] = None,
    all_units: Annotated[bool, typer.Option(
        "--all-units", help="One report per unit: the root (or each --unit) and every unit "
        "below it that has something to report, into the folder given by -o.")] = False,
) -> None:
    """Write the report of a period, in Vietnamese (default) or English."""
    from tieuchi.reports.document import ReportError

    _check_lang(lang)
    if output not in REPORT_FORMATS:
        raise _fail(f"--format: '{output}' is not one of {', '.join(REPORT_FORMATS)}")
    if all_units and out_file is None:
        raise _fail("--all-units writes one file per unit: give the folder with -o, "
                    "e.g. -o bao-cao/")
    ev = _evaluate(path, period, unit, as_of, vintage)
    try:
        if all_units:
            assert out_file is not None
            _report_all_units(ev, unit, vintage, output, lang, out_file)
            return
        chosen = unit[0] if unit else None
        content = _report_content(ev, output, lang, chosen)
    except ReportError as exc:
        raise _fail(str(exc), 1) from None
    if out_file is None and output in _BINARY:  # not for a terminal: a file of its own name
        out_file = Path(_report_name(ev, chosen or ev.definitions.project.root
                                     or ev.units[0], output, lang))
    if out_file is None:
        assert isinstance(content, str)
        sys.stdout.write(content)
        return
    try:
        _write(out_file, content)
    except OSError as exc:
        raise _fail(f"-o: cannot write {out_file}: {exc.strerror}", 1) from None
    out.print(f"wrote {out_file}", highlight=False)


def _report_name(ev: Evaluation, unit: str, output: str, lang: str) -> str:
    """A report's file name: "bao-cao-2023-TT-YENMY.docx" ("report-…" in English)."""
    return f"{'bao-cao' if lang == 'vi' else 'report'}-{ev.period.code}-{unit}.{output}"


def _report_content(ev: Evaluation, output: str, lang: str, unit: str | None) -> str | bytes:
    """The report of ``unit`` in a format; xlsx holds the appendix tables and their sources."""
    from tieuchi.reports.document import build_document

    if output == "md":
        return render_markdown(ev, lang, unit)
    if output == "xlsx":
        from tieuchi.reports.xlsx import render_xlsx

        return render_xlsx(ev, lang, unit)
    return _render_report(build_document(ev, lang, unit), output)


def _render_report(doc: ReportDocument, output: str) -> str | bytes:
    """The report in a format: text for md and html, bytes for docx and pdf."""
    from tieuchi.reports import docx, pdf, text

    if output == "md":
        return text.markdown(doc)  # as render_markdown(ev, lang, unit) writes it
    if output == "html":
        return text.html(doc)
    document = docx.docx_bytes(doc)
    return pdf.to_pdf(document) if output == "pdf" else document


def _write(target: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")


def _report_units(ev: Evaluation, chosen: list[str] | None) -> list[str]:
    """The root (or the chosen units) and every unit below, that exist in the period."""
    defs = ev.definitions
    tops = chosen or ([defs.project.root] if defs.project.root else
                      [u.code for u in defs.units if u.parent is None])
    codes = [code for top in tops for code in (top, *defs.descendants(top))]
    period = ev.period
    return [c for c in dict.fromkeys(codes)
            if defs.unit_by_code[c].valid_on(period.start, period.end)]


def _report_all_units(ev: Evaluation, chosen: list[str] | None, vintage: str | None,
                      output: str, lang: str, folder: Path) -> None:
    """One report per unit with something to report, named bao-cao-PERIOD-UNIT.EXT."""
    import tempfile

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tieuchi.reports.document import build_document
    from tieuchi.reports.xlsx import render_xlsx

    folder.mkdir(parents=True, exist_ok=True)
    units = _report_units(ev, chosen)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[unit]}"))
    with tempfile.TemporaryDirectory(prefix="tieuchi-reports-") as staging, \
            Progress(*columns, console=err, transient=True) as progress:
        # PDF: the DOCX files are made first, then LibreOffice converts them in one run.
        where, kind = (Path(staging), "docx") if output == "pdf" else (folder, output)
        task = progress.add_task("báo cáo" if lang == "vi" else "reports", total=len(units),
                                 unit="")
        written: list[Path] = []
        for code in units:
            progress.update(task, unit=code)
            unit_ev = evaluate(ev.definitions, ev.period, units=[code], as_of=ev.as_of,
                               vintage=vintage)
            doc = build_document(unit_ev, lang, code)
            if doc.has_content:
                written.append(where / _report_name(ev, code, kind, lang))
                _write(written[-1], render_xlsx(unit_ev, lang, code) if kind == "xlsx"
                       else _render_report(doc, kind))
            progress.advance(task)
        if output == "pdf" and written:
            from tieuchi.reports.pdf import convert_files

            progress.add_task("PDF (LibreOffice)", total=None, unit="")
            written = convert_files(written, folder)
    out.print(f"wrote {len(written)} report(s) of {len(units)} unit(s) to {folder}",
              highlight=False)


def example_path() -> Path:
    """The reference district: in the installed package, else in the source checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parent.parent / "examples" / "thanh-tri-2023",
                      here.parents[3] / "examples" / "thanh-tri-2023",
                      Path.cwd() / "examples" / "thanh-tri-2023"):
        if candidate.is_dir():
            return candidate
    raise _fail("the example 'thanh-tri-2023' is not installed with this copy of tieuchi")


DEMO_PASSWORD = "tieuchi2023"
DEMO_USERS = (
    # user name, role, unit, full name
    ("quantri", "admin", None, "Quản trị hệ thống"),
    ("hanoi", "officer", "HN", "Cán bộ Thành phố Hà Nội"),
    ("thanhtri", "officer", "TT", "Cán bộ huyện Thanh Trì"),
    ("xem", "viewer", "TT", "Lãnh đạo huyện (xem)"),
    ("yenmy", "entry", "TT-YENMY", "Cán bộ nhập liệu xã Yên Mỹ"),
    ("daiang", "entry", "TT-DAIANG", "Cán bộ nhập liệu xã Đại Áng"),
)


def _settings(database_url: str | None = None) -> Settings:
    from tieuchi.settings import Settings

    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _open_store(database_url: str | None, upgrade: bool = True) -> Store:
    from tieuchi.store import Store

    return Store.open(_settings(database_url).url, upgrade=upgrade)


DatabaseOpt = Annotated[str | None, typer.Option(
    "--database-url", envvar="TIEUCHI_DATABASE_URL", show_envvar=True,
    help="SQLAlchemy URL; default: SQLite in the data folder (docs/settings.md).")]

db_app = typer.Typer(help="The database: create it or bring its schema up to date.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Create the tables or apply new migrations (Alembic)."""
    from tieuchi.store.database import current_revision

    settings = _settings(database_url)
    store = _open_store(database_url)
    out.print(f"database {_safe_url(settings.url)} at revision "
              f"{current_revision(store.engine)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def load(
    path: PathArg,
    database_url: DatabaseOpt = None,
    reason: Annotated[str | None, typer.Option(help="Why: kept in the audit log.")] = None,
) -> None:
    """Load a definition folder into the database in one transaction: all or nothing.

    The folder is validated first; loading the same folder again changes nothing. Figures of
    a data set that is submitted, approved or locked refuse the whole load."""
    from tieuchi.app import App, System
    from tieuchi.domain.problems import ProblemError

    definitions, problems = check_definitions(path)
    _print_problems(problems)
    if definitions is None:
        errors = sum(p.severity is Severity.ERROR for p in problems)
        err.print(f"{errors} error(s); nothing was loaded.")
        raise typer.Exit(1)
    store = _open_store(database_url)
    try:
        summary = App(store).load(System(f"load:{path}"), definitions, reason=reason)
    except ProblemError as exc:
        refused = exc
        for p in refused.problems:
            err.print(f"[red]error[/] [bold]{p.code}[/] {p.message}", highlight=False)
        err.print(f"{len(refused.problems)} refused; nothing was loaded.")
        raise typer.Exit(1) from None
    if not summary.total:
        out.print(f"{path}: nothing changed", soft_wrap=True, highlight=False)
        return
    parts = [f"{n} {k} added" for k, n in summary.added.items()] + [
        f"{n} {k} changed" for k, n in summary.changed.items()]
    out.print(f"{path}: " + ", ".join(parts), soft_wrap=True, highlight=False)


PasswordOpt = Annotated[str | None, typer.Option(
    envvar="TIEUCHI_NEW_PASSWORD", help="Default: asked for (not echoed).")]

user_app = typer.Typer(help="Users: add, disable or enable them, set a password.",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The login name.")],
    role: Annotated[str, typer.Option(help="admin, officer, entry or viewer.")],
    unit: Annotated[str | None, typer.Option(
        help="The unit the user works for (their scope); none: everything (admin only).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Full name shown in the application.")] = None,
    password: PasswordOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Add a user with a role scoped to a unit and everything under it."""
    from tieuchi.app import SYSTEM, App

    application = App(_open_store(database_url))
    with _refusals():
        application.role(role)  # an unknown role is refused before the password is asked for
    secret = password or _ask_password("Password")
    with _refusals():
        user = application.add_user(SYSTEM, username, secret, role=role, unit=unit,
                                    full_name=name)
    out.print(f"added {user.username} ({user.role.value}"
              f"{', ' + user.unit if user.unit else ''})")


UserArg = Annotated[str, typer.Argument(help="The login name.")]


@user_app.command("disable")
def user_disable(username: UserArg, database_url: DatabaseOpt = None) -> None:
    """Disable a user: no sign-in; their sessions and API tokens end at once."""
    from tieuchi.app import SYSTEM, App

    with _refusals():
        App(_open_store(database_url)).set_active(SYSTEM, username, False)
    out.print(f"disabled {username}; their sessions and tokens have ended")


@user_app.command("enable")
def user_enable(username: UserArg, database_url: DatabaseOpt = None) -> None:
    """Enable a disabled user again (their old tokens stay revoked)."""
    from tieuchi.app import SYSTEM, App

    with _refusals():
        App(_open_store(database_url)).set_active(SYSTEM, username, True)
    out.print(f"enabled {username}")


@user_app.command("password")
def user_password(
    username: UserArg,
    password: PasswordOpt = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Set a user's password: every session and API token of theirs ends."""
    from tieuchi.app import SYSTEM, App

    application = App(_open_store(database_url))
    with _refusals():
        application.managed_user(SYSTEM, username)  # unknown: refused before asking
    secret = password or _ask_password("New password")
    with _refusals():
        application.set_password(SYSTEM, username, secret)
    out.print(f"password of {username} changed; their sessions and tokens have ended")


def _ask_password(prompt: str) -> str:
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@contextmanager
def _refusals() -> Iterator[None]:
    """A command the application refuses: each problem as ``--field: message``, exit 2."""
    from tieuchi.domain.problems import ProblemError

    try:
        yield
    except ProblemError as exc:
        raise _fail("; ".join(f"--{p.field}: {p.message}" if p.field else p.message
                              for p in exc.problems)) from None


token_app = typer.Typer(help="API tokens: add, list and revoke them.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("add")
def token_add(
    username: Annotated[str, typer.Argument(help="Whose token: it has the user's scope.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    days: Annotated[int | None, typer.Option(
        min=1, help="How long it lasts; default: TIEUCHI_TOKEN_DAYS (90).")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Make an API token for a user; it is shown once (send it as 'Authorization: Bearer')."""
    from tieuchi.app import SYSTEM, App

    with _refusals():
        token = App(_open_store(database_url), _settings(database_url)).add_token(
            SYSTEM, username, name, days)
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(
    username: Annotated[str | None, typer.Argument(help="Whose tokens; default: all.")] = None,
    database_url: DatabaseOpt = None,
) -> None:
    """The API tokens (never the tokens themselves): number, user, name, dates, state."""
    from tieuchi.app import SYSTEM, App
    from tieuchi.store import now

    with _refusals():
        tokens = App(_open_store(database_url)).tokens(SYSTEM, username)
    table = Table(title="API tokens", title_justify="left")
    for column in ("id", "user", "name", "created", "expires", "state"):
        table.add_column(column)
    at = now()
    for t in tokens:
        state = ("revoked " + f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else
                 "active" if t.active(at) else "expired")
        table.add_row(str(t.id), t.username, t.name, f"{t.created_at:%Y-%m-%d}",
                      f"{t.expires_at:%Y-%m-%d}", state)
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's number (tieuchi token list).")],
    database_url: DatabaseOpt = None,
) -> None:
    """End an API token at once."""
    from tieuchi.app import SYSTEM, App

    with _refusals():
        token = App(_open_store(database_url)).revoke_token(SYSTEM, token_id)
    out.print(f"revoked token {token.id} ({token.name}) of {token.username}")


HostOpt = Annotated[str | None, typer.Option(help="Address to listen on (TIEUCHI_HOST).")]
PortOpt = Annotated[int | None, typer.Option(help="Port (TIEUCHI_PORT).")]


@app.command()
def serve(
    host: HostOpt = None,
    port: PortOpt = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (TIEUCHI_WORKERS).")]
    = None,
    database_url: DatabaseOpt = None,
) -> None:
    """Run the web application (docs/deploy.md for PostgreSQL and several workers)."""
    import os

    import uvicorn

    settings = _settings(database_url)
    _open_store(database_url)  # the schema is brought up to date once, before the workers
    if database_url:
        os.environ["TIEUCHI_DATABASE_URL"] = database_url
    if workers and workers > 1 and not (settings.secret_key or settings.database_url):
        err.print("note: several workers share the key kept in the SQLite database")
    chosen_host, chosen_port = host or settings.host, port or settings.port
    out.print(f"tieuchi at http://{chosen_host}:{chosen_port}/ (database "
              f"{_safe_url(settings.url)})")
    uvicorn.run("tieuchi.web.main:app_factory", factory=True, host=chosen_host,
                port=chosen_port, workers=workers or settings.workers, log_level="info",
                proxy_headers=bool(settings.proxies), forwarded_allow_ips=settings.proxies)


@app.command()
def demo(
    host: HostOpt = None,
    port: PortOpt = None,
    no_serve: Annotated[bool, typer.Option(
        "--no-serve", help="Prepare the database and print the logins, without serving.")]
    = False,
    folder: Annotated[Path | None, typer.Option(
        "--folder", help="Serve this definition folder (e.g. one made by `tieuchi init`) "
        "instead of the reference district, with an admin and an officer of its root "
        "unit.")] = None,
) -> None:
    """Serve the reference district (Thanh Trì, Hà Nội, 2023), or a folder, with demo users.

    A fresh SQLite database is made in the data folder each time, with the definitions and
    figures and one user of each role (with --folder: an admin and an officer of the
    folder's root unit)."""
    import os

    settings = _settings()
    db_file = settings.data_dir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    store = _open_store(url)
    path = folder or example_path()
    definitions, problems = check_definitions(path)
    if definitions is None:
        _print_problems(problems)
        raise typer.Exit(1)
    from tieuchi.app import App, System

    users = DEMO_USERS if folder is None else _folder_users(definitions)
    app_ = App(store)
    actor = System("demo")
    app_.load(actor, definitions)
    for username, role, unit, full_name in users:
        app_.add_user(actor, username, DEMO_PASSWORD, role=role, unit=unit,
                      full_name=full_name)
    chosen_host, chosen_port = host or settings.host, port or settings.port
    table = Table(title=f"tieuchi demo: {definitions.project.name}", title_justify="left")
    for column in ("Đăng nhập / login", "Mật khẩu / password", "Vai trò / role", "Đơn vị / unit"):
        table.add_column(column)
    for username, role, unit, _ in users:
        table.add_row(username, DEMO_PASSWORD, role, unit or "(tất cả / all)")
    out.print(table)
    out.print(f"Database: {db_file}")
    officer = next((u[0] for u in users if u[1] == "officer"), users[0][0])
    out.print(f"Open [bold]http://{chosen_host}:{chosen_port}/[/] and sign in "
              f"(e.g. {officer} / {DEMO_PASSWORD}). Ctrl+C stops the server.")
    if no_serve:
        return
    import uvicorn

    os.environ["TIEUCHI_DATABASE_URL"] = url
    uvicorn.run("tieuchi.web.main:app_factory", factory=True, host=chosen_host,
                port=chosen_port, log_level="warning", proxy_headers=bool(settings.proxies),
                forwarded_allow_ips=settings.proxies)


def _folder_users(definitions: Definitions) -> tuple[tuple[str, str, str | None, str], ...]:
    """The demo users of a folder: an admin, and an officer of its root unit when it names
    one (the unit reports are about)."""
    from tieuchi.domain.issuer import titled_name

    admin = DEMO_USERS[0]
    root = definitions.unit_by_code.get(definitions.project.root or "")
    if root is None:
        return (admin,)
    level = definitions.level_by_code.get(root.level)
    return (admin, ("canbo", "officer", root.code, f"Cán bộ {titled_name(root, level)}"))


def main() -> None:
    app()


# Commands defined in their own modules register themselves on ``app``.
from tieuchi.cli import backup, criteria, exchange, init, reminders, targets, units as units_cli  # noqa: E402, F401, I001
