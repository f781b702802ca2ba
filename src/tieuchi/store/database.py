"""Connecting to the database and bringing its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from tieuchi.settings import Settings

__all__ = ["connect", "upgrade", "current_revision", "head_revision", "alembic_config"]

MIGRATIONS = Path(__file__).parent / "migrations"
RECYCLE = 1800  # seconds a pooled PostgreSQL connection is used before it is opened again


def connect(url: str, settings: Settings | None = None) -> Engine:
    """An engine for ``url``, its connection pool sized by ``settings`` (default: from the
    environment); SQLite files get their folder, foreign keys and WAL."""
    settings = settings if settings is not None else Settings()
    parsed = make_url(url)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            options.update(_pool(settings))
        options["connect_args"] = {"timeout": 30}
    else:
        # No ping before each checkout (a round trip per query): connections are replaced
        # after RECYCLE seconds, and one the server dropped fails its query once, which
        # invalidates the pool (the web answers 503 with Retry-After; the next try reconnects).
        options.update(_pool(settings), pool_pre_ping=False, pool_recycle=RECYCLE)
    engine = create_engine(url, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _pool(settings: Settings) -> dict[str, Any]:
    """The size of the connection pool: when every connection is in use, a request waits
    ``pool_timeout`` seconds and then gets SQLAlchemy's ``TimeoutError`` (503 on the web)."""
    return {"pool_size": settings.pool_size, "max_overflow": settings.pool_max_overflow,
            "pool_timeout": settings.pool_timeout}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser interpolates '%': a URL-encoded password ("p%40ss") must be escaped.
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (``tieuchi db upgrade``)."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
