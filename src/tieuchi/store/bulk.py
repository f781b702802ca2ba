"""Moving Polars frames in and out of the database in bulk, inside the session's transaction.

PostgreSQL gets ``COPY … FROM STDIN`` and ``COPY (…) TO STDOUT`` in CSV through psycopg 3's
driver connection; SQLite gets ``executemany`` and ``pl.read_database``. CSV is exact both
ways: Polars writes floats in their shortest round-trip form, an empty text as ``""`` and a
null as an empty field, which is how PostgreSQL's CSV tells them apart too.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import polars as pl
from sqlalchemy import Select, Table, text
from sqlalchemy.orm import Session

__all__ = ["insert_frame", "update_frame", "read_frame"]


def insert_frame(s: Session, table: Table, frame: pl.DataFrame,
                 constants: Mapping[str, Any] | None = None) -> None:
    """Insert the rows of ``frame`` (its columns are columns of ``table``), each with the
    same ``constants`` (column → value, e.g. who and when)."""
    frame = _with_constants(s, table, frame, constants or {})
    if not frame.height:
        return
    if s.get_bind().dialect.name == "postgresql":
        _copy_in(s, table.name, frame)
    else:
        columns = ", ".join(_quoted(s, c) for c in frame.columns)
        marks = ", ".join("?" * frame.width)
        _executemany(s, f"INSERT INTO {_quoted(s, table.name)} ({columns}) VALUES ({marks})",
                     frame)


def update_frame(s: Session, table: Table, frame: pl.DataFrame, key: str,
                 constants: Mapping[str, Any] | None = None) -> None:
    """Set the other columns of ``frame`` (and ``constants``) on the rows of ``table`` whose
    ``key`` column holds the frame's ``key``."""
    frame = _with_constants(s, table, frame, constants or {})
    if not frame.height:
        return
    values = [c for c in frame.columns if c != key]

    def q(name: str) -> str:
        return _quoted(s, name)

    if s.get_bind().dialect.name == "postgresql":
        temporary = f"tieuchi_update_{table.name}"
        s.execute(text(f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS SELECT "
                       f"{', '.join(q(c) for c in frame.columns)} FROM {q(table.name)} "
                       "WITH NO DATA"))
        _copy_in(s, temporary, frame)
        sets = ", ".join(f"{q(c)} = t.{q(c)}" for c in values)
        s.execute(text(f"UPDATE {q(table.name)} SET {sets} FROM {temporary} t "
                       f"WHERE {q(table.name)}.{q(key)} = t.{q(key)}"))
        s.execute(text(f"DROP TABLE {temporary}"))
    else:
        sets = ", ".join(f"{q(c)} = ?" for c in values)
        _executemany(s, f"UPDATE {q(table.name)} SET {sets} WHERE {q(key)} = ?",
                     frame.select(*values, key))


def read_frame(s: Session, query: Select[*tuple[Any, ...]],
               schema: Mapping[str, Any]) -> pl.DataFrame:
    """The rows of ``query`` as a frame of ``schema`` (its columns, in the query's order)."""
    connection = s.connection()
    sql = str(query.compile(connection, compile_kwargs={"literal_binds": True,
                                                        "render_postcompile": True}))
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name != "postgresql":
        # The driver's rows straight into the frame, without SQLAlchemy's result objects.
        return pl.read_database(sql, driver, schema_overrides=dict(schema)).cast(
            pl.Schema(schema))
    cursor = driver.cursor()
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
        for data in copy:
            buffer.write(data)
    buffer.seek(0)
    return pl.read_csv(buffer, schema=dict(schema))


def _with_constants(s: Session, table: Table, frame: pl.DataFrame,
                    constants: Mapping[str, Any]) -> pl.DataFrame:
    """``frame`` with a column per constant, each value as the column's type binds it on
    this database (SQLite keeps times as text)."""
    dialect = s.get_bind().dialect
    columns = []
    for name, value in constants.items():
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(pl.lit(processor(value) if processor else value).alias(name))
    return frame.with_columns(columns) if columns else frame


def _copy_in(s: Session, table: str, frame: pl.DataFrame) -> None:
    cursor = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(_quoted(s, c) for c in frame.columns)
    with cursor.copy(f"COPY {_quoted(s, table)} ({columns}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, frame.height, _COPY_ROWS):
            copy.write(frame.slice(start, _COPY_ROWS).write_csv(include_header=False))


def _executemany(s: Session, sql: str, frame: pl.DataFrame) -> None:
    cursor = s.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(sql, frame.iter_rows())


def _quoted(s: Session, name: str) -> str:
    return s.get_bind().dialect.identifier_preparer.quote(name)


_COPY_ROWS = 100_000
