"""The whole database in one portable archive, and back (``tieuchi export-all`` and
``tieuchi import-all``, docs/backup.md).

An archive is a ZIP file: ``manifest.json`` (format version, tieuchi version, Alembic
revision, export time, and for each table its row count, columns and the SHA-256 of its file)
and one JSON Lines file per table, ``tables/<table>.jsonl``, rows in primary-key order.

Every table of :data:`tieuchi.store.tables.Base.metadata` is written, whatever it is when the
code runs, so a table added later travels without a change here. Values are made portable
by column type: times as ISO 8601 in UTC, JSON columns as JSON, floats as the shortest text
that reads back to the same float64, decimals as text, bytes as base64.

An archive is restored into an empty database only, SQLite or PostgreSQL, whichever it came
from: the archive is checked first (format, revision, tables, checksums), then the target
(empty), then the schema is brought up with the migrations and the rows go in, in dependency
order, in one transaction.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    func,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from tieuchi import __version__
from tieuchi.domain.problems import Problem, ProblemError
from tieuchi.store import database
from tieuchi.store.tables import Base

__all__ = [
    "FORMAT", "FORMAT_VERSION", "MANIFEST", "Manifest", "TableEntry",
    "export_all", "import_all", "read_manifest",
]

FORMAT = "tieuchi-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH = 2000  # rows per executemany on import, and per fetch on export
_READ = 1 << 20
MANIFEST_BYTES = 16 << 20
"""The largest manifest read: checked from the zip's directory before it is decompressed."""
LINE_BYTES = 256 << 20
"""The longest row (a line of a table's file) restored: checked while the archive is checked,
before any row is held in memory whole (a chunk read, :data:`_READ`, is shorter)."""


def _refused(code: str, message: str) -> ProblemError:
    """An archive that cannot be written or restored: one problem with a stable ``code``
    and a ``message`` that says what is wrong and how to fix it. Nothing was written to the
    database."""
    return ProblemError([Problem(code, message)])


class TableEntry(BaseModel):
    """One table of the archive: its file, row count, columns and checksum."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    file: str
    rows: int
    columns: tuple[str, ...]
    sha256: str


class Manifest(BaseModel):
    """``manifest.json``: what the archive holds and what made it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["tieuchi-archive"] = "tieuchi-archive"
    format_version: int = FORMAT_VERSION
    tieuchi_version: str
    alembic_revision: str
    exported_at: datetime
    source_dialect: str
    tables: tuple[TableEntry, ...]

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


# ---------------------------------------------------------------------- portable values


@dataclass(frozen=True)
class _Codec:
    """How the values of one column type become JSON and come back."""

    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _encode_datetime(value: datetime) -> str:
    """ISO 8601 in UTC. SQLite gives back naive times: every time stored is UTC."""
    aware = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.isoformat(timespec="microseconds")


def _datetime_codec(column_type: DateTime) -> _Codec:
    def decode(value: str) -> datetime:
        parsed = datetime.fromisoformat(value)
        parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return parsed if column_type.timezone else parsed.replace(tzinfo=None)

    return _Codec(_encode_datetime, decode)


def _same(value: Any) -> Any:
    return value


_PLAIN = _Codec(_same, _same)

# Checked in this order (Float is a Numeric; DateTime is not a Date).
_CODECS: tuple[tuple[type[Any], Callable[[Any], _Codec]], ...] = (
    (DateTime, _datetime_codec),
    (Date, lambda _: _Codec(date.isoformat, date.fromisoformat)),
    (Time, lambda _: _Codec(time.isoformat, time.fromisoformat)),
    (JSON, lambda _: _PLAIN),
    (Float, lambda t: _Codec(str, Decimal) if t.asdecimal else _PLAIN),
    (Numeric, lambda t: _Codec(str, Decimal if t.asdecimal else float)),
    (LargeBinary, lambda _: _Codec(lambda v: base64.b64encode(v).decode("ascii"),
                                   base64.b64decode)),
)


def _codec(column: Column[Any]) -> _Codec:
    for kind, make in _CODECS:
        if isinstance(column.type, kind):
            return make(column.type)
    return _PLAIN


def _special(table: Table) -> list[tuple[Column[Any], _Codec]]:
    """The columns whose values need converting (most are JSON as they come)."""
    return [(c, codec) for c in table.columns if (codec := _codec(c)) is not _PLAIN]


def _encoder(table: Table) -> Callable[[tuple[Any, ...]], bytes]:
    names = [c.name for c in table.columns]
    special = [(c.name, codec.encode) for c, codec in _special(table)]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def encode(row: tuple[Any, ...]) -> bytes:
        document = dict(zip(names, row, strict=True))
        for name, code in special:
            if document[name] is not None:
                document[name] = code(document[name])
        return dumps(document).encode() + b"\n"

    return encode


def _decoder(table: Table) -> Callable[[bytes], dict[str, Any]]:
    """A line of the archive → the row to insert, keyed as the table's columns are."""
    width = len(table.columns)
    renamed = [(c.name, c.key) for c in table.columns if c.name != c.key]
    special = [(c.key, codec.decode) for c, codec in _special(table)]
    loads = json.JSONDecoder().decode

    def decode(line: bytes) -> dict[str, Any]:
        row = loads(line.decode())
        if not isinstance(row, dict) or len(row) != width:
            raise ValueError(f"not a row of {width} columns: {line[:80]!r}")
        for name, key in renamed:
            row[key] = row.pop(name)
        for key, code in special:
            if row[key] is not None:
                row[key] = code(row[key])
        return row

    return decode


# ---------------------------------------------------------------------- export


def export_all(engine: Engine, path: Path, *, metadata: MetaData = Base.metadata,
               now: datetime | None = None) -> Manifest:
    """Write every table of ``metadata`` to the archive ``path`` (replaced atomically) from
    one consistent snapshot of the database. The database must be at the code's revision."""
    revision = _source_revision(engine)
    stamp = now or datetime.now(UTC)
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive, \
                _snapshot(engine) as connection:
            entries = tuple(_export_table(connection, table, archive, stamp)
                            for table in metadata.sorted_tables)
            manifest = Manifest(tieuchi_version=__version__, alembic_revision=revision,
                                exported_at=stamp, source_dialect=engine.dialect.name,
                                tables=entries)
            archive.writestr(_member(MANIFEST, stamp), manifest.model_dump_json(indent=2))
        os.replace(partial, path)
    except OSError as exc:
        raise _refused("cannot-write", f"{path}: {exc.strerror or exc}; choose a file in a "
                       "folder that exists and can be written") from None
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _source_revision(engine: Engine) -> str:
    current, head = database.current_revision(engine), database.head_revision(engine)
    if current is None:
        raise _refused("no-schema", f"{_where(engine)} has no tieuchi tables: nothing to "
                       "export; check the database URL")
    if current != head:
        raise _refused("not-at-head", f"{_where(engine)} is at schema revision {current}, "
                       f"this tieuchi at {head}: run 'tieuchi db upgrade' first, or export "
                       "with the tieuchi version that matches the database")
    return current


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection that sees one state of the whole database, whatever is
    written meanwhile."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True)
        else:
            connection.exec_driver_sql("BEGIN")  # SQLite: one read transaction, one snapshot
        try:
            yield connection
        finally:
            connection.rollback()


def _key_order(table: Table, dialect: str) -> list[Any]:
    """The primary key, text compared byte by byte on both backends (PostgreSQL's own
    collation may sort "TT-B" before "TTA"), so an archive does not depend on the server."""
    return [column.collate("C") if dialect == "postgresql" and isinstance(column.type, String)
            and not isinstance(column.type, Enum) else column
            for column in table.primary_key.columns]


def _member(name: str, stamp: datetime) -> zipfile.ZipInfo:
    member = zipfile.ZipInfo(name, date_time=stamp.astimezone(UTC).timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    return member


def _export_table(connection: Connection, table: Table, archive: zipfile.ZipFile,
                  stamp: datetime) -> TableEntry:
    name = f"tables/{table.name}.jsonl"
    encode = _encoder(table)
    digest, rows = hashlib.sha256(), 0
    query = select(table).order_by(*_key_order(table, connection.dialect.name))
    result = connection.execution_options(yield_per=BATCH).execute(query)
    with archive.open(_member(name, stamp), "w", force_zip64=True) as stream:
        for row in result:
            line = encode(tuple(row))
            digest.update(line)
            stream.write(line)
            rows += 1
    return TableEntry(name=table.name, file=name, rows=rows,
                      columns=tuple(c.name for c in table.columns), sha256=digest.hexdigest())


# ---------------------------------------------------------------------- reading an archive


def read_manifest(path: Path, *, metadata: MetaData = Base.metadata) -> Manifest:
    """The manifest of the archive ``path`` once every check passes: the format, the tables
    (each known, none missing, same columns), and each file's row count and SHA-256."""
    with _open_archive(path) as archive:
        manifest = _manifest(archive, path)
        _check_contents(archive, manifest, metadata)
    return manifest


def _check_contents(archive: zipfile.ZipFile, manifest: Manifest, metadata: MetaData) -> None:
    _check_tables(manifest, metadata)
    for entry in manifest.tables:
        _check_file(archive, entry)


def _open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refused("bad-archive", f"{path} is not a tieuchi archive ({exc}); give a "
                       "file written by 'tieuchi export-all'") from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> Manifest:
    try:
        if archive.getinfo(MANIFEST).file_size > MANIFEST_BYTES:
            raise _refused("bad-archive", f"{path}: {MANIFEST} is larger than "
                           f"{_size(MANIFEST_BYTES)}: it is not a tieuchi archive's")
        document = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise _refused("bad-archive", f"{path} has no readable {MANIFEST} ({exc}); give a "
                       "file written by 'tieuchi export-all'") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _refused("bad-archive", f"{path}: {MANIFEST} is not a tieuchi archive's")
    version = document.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise _refused("newer-format", f"{path} has archive format {version}; this tieuchi "
                       f"reads format {FORMAT_VERSION} only: restore it with tieuchi "
                       f"{document.get('tieuchi_version', '(newer)')} or later")
    try:
        return Manifest.model_validate(document)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise _refused("bad-archive", f"{path}: {MANIFEST}: {problems}") from None


def _check_tables(manifest: Manifest, metadata: MetaData) -> None:
    names = [t.name for t in manifest.tables]
    unknown = [n for n in names if n not in metadata.tables]
    if unknown:
        raise _refused("unknown-table", f"the archive holds table(s) {', '.join(unknown)} "
                       "that this tieuchi does not have; restore it with the tieuchi "
                       f"version that wrote it ({manifest.tieuchi_version})")
    missing = [n for n in metadata.tables if n not in names]
    if missing:
        raise _refused("missing-table", f"the archive lacks table(s) {', '.join(missing)}; "
                       "it is incomplete: export the database again")
    for entry in manifest.tables:
        columns = [c.name for c in metadata.tables[entry.name].columns]
        if sorted(entry.columns) != sorted(columns):
            raise _refused("bad-archive", f"table {entry.name}: the archive has columns "
                           f"{', '.join(entry.columns)}, this tieuchi {', '.join(columns)}")


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit} bytes"


def _check_file(archive: zipfile.ZipFile, entry: TableEntry) -> None:
    digest, rows, line = hashlib.sha256(), 0, 0  # line: the bytes of the row read so far
    try:
        with archive.open(entry.file) as stream:
            for chunk in iter(lambda: stream.read(_READ), b""):
                digest.update(chunk)
                rows += chunk.count(b"\n")
                # A row inside one chunk is shorter than the chunk: only the row carried
                # over from the chunks before can pass the limit.
                first = chunk.find(b"\n")
                if line + (first if first >= 0 else len(chunk)) > LINE_BYTES:
                    raise _refused("bad-archive", f"{entry.file} has a row longer than "
                                   f"{_size(LINE_BYTES)}: it was not written by "
                                   "'tieuchi export-all'")
                ends = chunk.rfind(b"\n")
                line = len(chunk) - ends - 1 if ends >= 0 else line + len(chunk)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise _refused("bad-archive", f"{entry.file} cannot be read from the archive "
                       f"({exc})") from None
    if digest.hexdigest() != entry.sha256:
        raise _refused("bad-checksum", f"{entry.file}: the SHA-256 of the file is not the "
                       "one in the manifest: the archive was changed or damaged; use "
                       "another copy")
    if rows != entry.rows:
        raise _refused("bad-archive", f"{entry.file} has {rows} rows, the manifest says "
                       f"{entry.rows}")


# ---------------------------------------------------------------------- import


def import_all(engine: Engine, path: Path, *, metadata: MetaData = Base.metadata,
               batch_size: int = BATCH) -> Manifest:
    """Restore the archive ``path`` into the empty database of ``engine``.

    Refuses with :class:`~tieuchi.domain.problems.ProblemError`, writing nothing, when the
    archive was made at another schema revision than the code's, when it fails a check of
    :func:`read_manifest`, or when the database holds data. Otherwise brings the schema up
    to date, then inserts every table in dependency order in one transaction and resets
    PostgreSQL's id sequences."""
    with _open_archive(path) as archive:
        manifest = _manifest(archive, path)
        _check_revision(engine, manifest)
        _check_contents(archive, manifest, metadata)
    _check_empty(engine, metadata)
    try:
        database.upgrade(engine)
    except CommandError as exc:
        raise _refused("not-at-head",
                       f"{_where(engine)}: the migrations failed ({exc})") from None
    try:
        with _open_archive(path) as archive, engine.begin() as connection:
            for table in metadata.sorted_tables:
                _insert_table(connection, table, _entry(manifest, table), archive, batch_size)
            if engine.dialect.name == "postgresql":
                _reset_sequences(connection, metadata.sorted_tables)
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())
        raise _refused("insert-failed", f"{_where(engine)}: the rows could not be inserted "
                       f"({reason}); nothing was restored") from None
    return manifest


def _check_revision(engine: Engine, manifest: Manifest) -> None:
    head, archived = database.head_revision(engine), manifest.alembic_revision
    if archived == head:
        return
    made = (f"the archive was made at schema revision {archived} by tieuchi "
            f"{manifest.tieuchi_version}; this tieuchi ({__version__}) is at {head}")
    if _known(engine, archived):
        how = (f"restore it into an empty database with tieuchi {manifest.tieuchi_version}, "
               "then bring that database up to date with this version ('tieuchi db "
               "upgrade'), and export it again if you need an archive of this version")
    else:
        how = f"restore it with tieuchi {manifest.tieuchi_version} or later"
    raise _refused("wrong-revision", f"{made}: {how}")


def _known(engine: Engine, revision: str) -> bool:
    """Whether ``revision`` is one of this tieuchi's migrations (an older schema)."""
    scripts = ScriptDirectory.from_config(database.alembic_config(engine))
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def _check_empty(engine: Engine, metadata: MetaData) -> None:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        held = [t.name for t in metadata.sorted_tables if t.name in present and
                connection.scalar(select(literal(1)).select_from(t).limit(1)) is not None]
    if held:
        raise _refused("not-empty", f"{_where(engine)} is not empty (rows in "
                       f"{', '.join(held)}): restore into a new, empty database; nothing "
                       "was written")


def _entry(manifest: Manifest, table: Table) -> TableEntry:
    return next(t for t in manifest.tables if t.name == table.name)


def _insert_table(connection: Connection, table: Table, entry: TableEntry,
                  archive: zipfile.ZipFile, batch_size: int) -> None:
    decode = _decoder(table)
    statement = table.insert()
    with archive.open(entry.file) as stream:
        for batch in _batches(stream, batch_size):
            try:
                rows = [decode(line) for line in batch]
            except (ValueError, KeyError, TypeError) as exc:
                raise _refused("bad-archive", f"{entry.file}: a row cannot be read "
                               f"({exc!r})") from None
            connection.execute(statement, rows)


def _batches(lines: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """After explicit ids, each id sequence continues after the largest id (or starts at 1)."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        name = connection.dialect.identifier_preparer.format_table(table)
        largest = connection.scalar(select(func.max(column)))
        used = largest is not None and largest >= 1
        connection.execute(text("SELECT setval(pg_get_serial_sequence(:table, :column), "
                                ":value, :called)"),
                           {"table": name, "column": column.name,
                            "value": largest if used else 1, "called": used})


def _where(engine: Engine) -> str:
    return f"the database {engine.url.render_as_string(hide_password=True)}"
