"""``tieuchi export-all`` and ``tieuchi import-all``: the whole database in one portable
archive and back (docs/backup.md). Thin: the work is :mod:`tieuchi.store.backup`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tieuchi.cli import DatabaseOpt, _fail, _safe_url, _settings, app, out

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.exc import OperationalError

__all__ = ["export_all_command", "import_all_command"]


def _engine(database_url: str | None) -> Engine:
    from tieuchi.store import database

    return database.connect(_settings(database_url).url)


def _unreachable(database_url: str | None, exc: OperationalError) -> typer.Exit:
    reason = " ".join(str(exc.orig).split())
    return _fail(f"cannot use the database {_safe_url(_settings(database_url).url)} "
                 f"({reason}); check --database-url or TIEUCHI_DATABASE_URL", 1)


@contextmanager
def _database(database_url: str | None) -> Iterator[Engine]:
    """The engine of the database; refusals and an unreachable server end the command
    (exit 1) with their message."""
    from sqlalchemy.exc import OperationalError

    from tieuchi.domain.problems import ProblemError

    engine = _engine(database_url)
    try:
        yield engine
    except ProblemError as exc:
        raise _fail(exc.message("en"), 1) from None
    except OperationalError as exc:
        raise _unreachable(database_url, exc) from None
    finally:
        engine.dispose()


@app.command("export-all")
def export_all_command(
    output: Annotated[Path, typer.Option(
        "--output", "-o", dir_okay=False, writable=True,
        help="The archive to write, e.g. tieuchi-2024-05-01.tieuchi.zip (replaced if it "
        "exists).")],
    database_url: DatabaseOpt = None,
) -> None:
    """Write the whole database to one portable archive (ZIP of JSON Lines and a manifest).

    The database must be at this tieuchi's schema revision ('tieuchi db upgrade').
    It is read from one snapshot, while it stays in use, and is not changed."""
    from tieuchi.store.backup import export_all

    with _database(database_url) as engine:
        manifest = export_all(engine, output)
    out.print(f"wrote {output}: {manifest.total_rows} rows in {len(manifest.tables)} tables "
              f"from {_safe_url(_settings(database_url).url)} "
              f"(schema revision {manifest.alembic_revision})", soft_wrap=True, highlight=False)


@app.command("import-all")
def import_all_command(
    archive: Annotated[Path, typer.Argument(
        exists=True, dir_okay=False, readable=True,
        help="An archive written by 'tieuchi export-all'.")],
    database_url: DatabaseOpt = None,
) -> None:
    """Restore an archive into an empty database, SQLite or PostgreSQL: all or nothing.

    The archive is checked first (schema revision, tables, checksums), then the database.
    A database that holds data is refused: restore into a new one.
    The schema is made with the migrations, then every row goes in, in one transaction."""
    from tieuchi.store.backup import import_all

    with _database(database_url) as engine:
        manifest = import_all(engine, archive)
    out.print(f"restored {archive} into {_safe_url(_settings(database_url).url)}: "
              f"{manifest.total_rows} rows in {len(manifest.tables)} tables (exported "
              f"{manifest.exported_at:%Y-%m-%d %H:%M:%S} UTC from {manifest.source_dialect}, "
              f"schema revision {manifest.alembic_revision})", soft_wrap=True, highlight=False)
