"""Columnar reads: a query's rows straight into a Polars frame, without ORM objects.

On PostgreSQL the rows travel as ``COPY (query) TO STDOUT`` in CSV through psycopg and are
parsed by Polars in native code; on SQLite (a file on the same machine) they are fetched as
plain Core rows in one ``fetchall``. Both run inside the caller's transaction, so a
read sees the same snapshot as the rest of the request. JSON documents are read as text and
decoded by Polars, column-wise (``str.json_decode``).
"""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from sqlalchemy import Select
from sqlalchemy.orm import Session

__all__ = ["read_frame"]


def read_frame(s: Session, query: Select[*tuple[Any, ...]],
               schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``query`` (its columns in the order of ``schema``) as a frame of
    ``schema``."""
    connection = s.connection()
    if connection.dialect.name == "postgresql":
        return _copy_out(connection, query, schema)
    rows = connection.execute(query).fetchall()  # Core rows: tuples, no ORM objects
    return pl.DataFrame(rows, schema=schema, orient="row")


def _copy_out(connection: Any, query: Select[*tuple[Any, ...]],
              schema: dict[str, Any]) -> pl.DataFrame:
    compiled = query.compile(connection, compile_kwargs={"literal_binds": True,
                                                         "render_postcompile": True})
    buffer = io.BytesIO()
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)") as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.tell():
        return pl.DataFrame(schema=schema)
    buffer.seek(0)
    return pl.read_csv(buffer, has_header=False, new_columns=list(schema),
                       schema_overrides=schema, infer_schema=False)
