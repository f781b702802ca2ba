"""export-all / import-all: the whole database in one archive and back, on SQLite and
PostgreSQL and from one to the other; refusals write nothing."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

import tieuchi
from tests.conftest import BACKENDS, _new_database
from tests.store.helpers import COMMUNE, COMMUNE_SET, DISTRICT, PASSWORD, YESNO
from tieuchi.cli import app
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import ProblemError
from tieuchi.engine import evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.store import Entry, Store, database
from tieuchi.store.backup import Manifest, _snapshot, export_all, import_all
from tieuchi.store.tables import Base

runner = CliRunner()
WINDOW = timedelta(minutes=15)
EXACT = 0.1 + 0.2  # 0.30000000000000004: a float whose shortest text has 17 digits
PAIRS = [("sqlite", "postgresql"), ("postgresql", "sqlite")]


# ---------------------------------------------------------------------- fixtures and helpers


def _backend(url: str) -> str:
    return make_url(url).get_backend_name()


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path, _engines: list[Engine]) -> Iterator[str]:
    """A second new, empty database on the backend of ``database_url``."""
    with _new_database(_backend(database_url), tmp_path / "target") as url:
        try:
            yield url
        finally:
            for engine in _engines:
                engine.dispose()


@pytest.fixture(params=PAIRS, ids=["sqlite-to-postgresql", "postgresql-to-sqlite"])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path,
             _engines: list[Engine]) -> Iterator[tuple[str, str]]:
    """A new database on one backend and an empty one on the other."""
    source, target = request.param
    with _new_database(source, tmp_path / "source") as a, \
            _new_database(target, tmp_path / "target") as b:
        try:
            yield a, b
        finally:
            for engine in _engines:
                engine.dispose()


def _busy(store: Store) -> str:
    """Writes, workflow steps, users, logins and a token on top of the reference district;
    returns the token."""
    admin = store.users.add("quantri", PASSWORD, role="admin", unit=None)
    officer = store.users.add("thanhtri", PASSWORD, role="officer", unit=DISTRICT)
    clerk = store.users.add("yenmy", PASSWORD, role="entry", unit=COMMUNE,
                            full_name="Cán bộ nhập liệu xã Yên Mỹ")
    store.figures.write([Entry(DISTRICT, "tcsd-htt", "2023", EXACT * 300, source="Báo cáo số 12")],
                        actor=officer.username, reason="số liệu chính thức")
    store.figures.write([Entry(COMMUNE, YESNO, "2024", 1, source="biên bản")], actor=clerk.username)
    store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, "submit", actor=clerk.username)
    store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, "approve", actor=officer.username)
    store.workflow.transition(COMMUNE, "2023", COMMUNE_SET, "lock", actor=admin.username)
    assert store.users.authenticate("yenmy", "wrong-password", "10.0.0.1", limit=5,
                                    window=WINDOW) is None
    assert store.users.authenticate("yenmy", PASSWORD, "10.0.0.1", limit=5, window=WINDOW) == clerk
    store.users.secret()
    return store.users.add_token("yenmy", "excel")


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value


def _rows(engine: Engine, metadata: MetaData = Base.metadata) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, times in UTC, sorted by primary key in Python (the
    backends' own text orders may differ)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            keys = [list(table.columns).index(c) for c in table.primary_key.columns]
            rows = [tuple(_utc(v) for v in row) for row in connection.execute(select(table))]
            tables[table.name] = sorted(rows, key=lambda r: [r[k] for k in keys])
    return tables


def _assert_same_rows(source: Engine, target: Engine,
                      metadata: MetaData = Base.metadata) -> None:
    before, after = _rows(source, metadata), _rows(target, metadata)
    assert list(after) == list(before)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the restore"


def _evaluation(store: Store) -> dict[str, Any]:
    return evaluation_dict(evaluate(store.units.definitions(DISTRICT), "2023", units=[DISTRICT]))


def _assert_restored(source: Store, target: Store, token: str) -> None:
    """Same rows, same evaluation; old logins work; later writes get new ids."""
    _assert_same_rows(source.engine, target.engine)
    assert _evaluation(target) == _evaluation(source)
    # The compact audit of the load is read per figure from the restored parts too.
    assert target.audit.history("observation", COMMUNE) == source.audit.history("observation",
                                                                                COMMUNE)
    assert target.figures.latest(DISTRICT, "2023", ["tcsd-htt"])["tcsd-htt"]["value"] == EXACT * 300
    clerk = target.users.authenticate("yenmy", PASSWORD, "10.0.0.2", limit=5, window=WINDOW)
    assert clerk is not None and clerk.unit == COMMUNE
    assert target.users.for_token(token) == clerk
    assert target.users.secret() == source.users.secret()
    # Later inserts in every table with an id (users, tokens, observations, audit, logins).
    newcomer = target.users.add("moi", PASSWORD, role="viewer", unit=DISTRICT)
    assert newcomer.id == max(u.id for u in source.users.all()) + 1
    assert target.users.for_token(target.users.add_token("moi")) == newcomer
    assert target.figures.write([Entry(COMMUNE, YESNO, "2025", 0)], actor="moi") == 1


def _rewrite(archive: Path, out: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    """A copy of ``archive`` with its members changed by ``change``."""
    with zipfile.ZipFile(archive) as source:
        members = {name: source.read(name) for name in source.namelist()}
    change(members)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def _edit_manifest(edit: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        edit(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return change


def _tables(url: str) -> list[str]:
    engine = database.connect(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _manifest(path: Path) -> Manifest:
    with zipfile.ZipFile(path) as archive:
        return Manifest.model_validate_json(archive.read("manifest.json"))


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _said(result: Any) -> str:
    return " ".join(result.output.split())


# ---------------------------------------------------------------------- round trips


def test_round_trip_through_the_cli(loaded_store: Store, empty_url: str, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    token = _busy(loaded_store)
    archive = tmp_path / "backup.tieuchi.zip"
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", _url(loaded_store))
    exported = runner.invoke(app, ["export-all", "-o", str(archive)])
    assert exported.exit_code == 0, exported.output
    assert f"wrote {archive}" in _said(exported)
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", empty_url)
    restored = runner.invoke(app, ["import-all", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "restored" in _said(restored) and "rows in" in _said(restored)

    target = Store.open(empty_url, upgrade=False)
    assert database.current_revision(target.engine) == database.head_revision(target.engine)
    # The restored database exports to the same files, byte for byte.
    again = export_all(target.engine, tmp_path / "again.tieuchi.zip")
    first = _manifest(archive)
    assert [(t.name, t.rows, t.sha256) for t in again.tables] == [
        (t.name, t.rows, t.sha256) for t in first.tables]
    _assert_restored(loaded_store, target, token)


def test_round_trip_from_one_backend_to_the_other(two_urls: tuple[str, str],
                                                  thanh_tri: Definitions,
                                                  tmp_path: Path) -> None:
    source_url, target_url = two_urls
    source = Store.open(source_url)
    source.load(thanh_tri, actor="test")
    token = _busy(source)
    manifest = export_all(source.engine, tmp_path / "backup.tieuchi.zip")
    assert manifest.source_dialect == _backend(source_url)
    target = Store(database.connect(target_url))
    assert import_all(target.engine, tmp_path / "backup.tieuchi.zip") == manifest
    again = export_all(target.engine, tmp_path / "again.tieuchi.zip")
    assert [t.sha256 for t in again.tables] == [t.sha256 for t in manifest.tables]
    _assert_restored(source, target, token)


def test_the_archive_and_its_manifest(loaded_store: Store, tmp_path: Path) -> None:
    _busy(loaded_store)
    engine = loaded_store.engine
    if engine.dialect.name == "postgresql":  # times come back at +07:00; written in UTC
        with engine.begin() as connection:
            connection.exec_driver_sql(f"ALTER DATABASE {engine.url.database} "
                                       "SET timezone = 'Asia/Ho_Chi_Minh'")
        engine.dispose()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SHOW timezone").scalar() == "Asia/Ho_Chi_Minh"
    moment = datetime(2024, 5, 1, 3, 4, 5, tzinfo=UTC)
    path = tmp_path / "backup.tieuchi.zip"
    manifest = export_all(engine, path, now=moment)

    assert (manifest.format, manifest.format_version) == ("tieuchi-archive", 1)
    assert manifest.tieuchi_version == tieuchi.__version__
    assert manifest.alembic_revision == database.head_revision(engine)
    assert manifest == _manifest(path)
    assert [t.name for t in manifest.tables] == [t.name for t in Base.metadata.sorted_tables]
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("manifest.json"))["exported_at"] == "2024-05-01T03:04:05Z"
        files = {t.name: archive.read(t.file) for t in manifest.tables}
    with engine.connect() as connection:
        for entry in manifest.tables:
            table = Base.metadata.tables[entry.name]
            assert entry.rows == connection.scalar(select(func.count()).select_from(table))
            assert entry.sha256 == hashlib.sha256(files[entry.name]).hexdigest()
            assert entry.columns == tuple(c.name for c in table.columns)

    rows = {name: [json.loads(line) for line in data.splitlines()]
            for name, data in files.items()}
    ids = [r["id"] for r in rows["observations"]]
    assert ids == sorted(ids) and len(ids) > 600
    codes = [r["code"] for r in rows["units"]]
    assert codes == sorted(codes)  # text keys in byte order on both backends
    assert any(r["value"] == EXACT * 300 for r in rows["observations"])
    assert str(EXACT * 300).encode() in files["observations"]
    times = [r[c] for r in rows["audit"] + rows["users"] + rows["workflow"]
             for c in ("at", "created_at", "changed_at") if c in r]
    assert times and all(t.endswith("+00:00") for t in times)
    project = next(r for r in rows["meta"] if r["key"] == "project")
    assert isinstance(project["value"], dict) and project["value"]["name"]
    assert "Cán bộ nhập liệu xã Yên Mỹ".encode() in files["users"]


def test_a_table_added_later_travels_without_a_change(database_url: str, empty_url: str,
                                                      tmp_path: Path) -> None:
    """Every table of the metadata at run time, with every kind of value made portable."""
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    later = Table(
        "later_things", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True)), Column("naive", DateTime),
        Column("day", Date), Column("amount", Numeric(12, 3)), Column("ratio", Float),
        Column("ok", Boolean), Column("blob", LargeBinary), Column("doc", JSON),
        Column("note", String(50)),
    )
    values = [
        {"id": 7, "at": datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
         "naive": datetime(2024, 1, 2, 3, 4, 5), "day": date(2024, 2, 29),
         "amount": Decimal("12345.678"), "ratio": 1 / 3, "ok": True, "blob": b"\x00\xffz",
         "doc": {"a": [1, 2.5, None, "ư"]}, "note": "Hà Nội"},
        {"id": 9, "at": None, "naive": None, "day": None, "amount": None, "ratio": -0.0,
         "ok": False, "blob": None, "doc": None, "note": None},
    ]
    source, target = Store.open(database_url), Store.open(empty_url, upgrade=False)
    later.create(source.engine)
    later.create(target.engine)  # as its migration would
    with source.engine.begin() as connection:
        connection.execute(insert(later), values)
    path = tmp_path / "backup.tieuchi.zip"
    manifest = export_all(source.engine, path, metadata=metadata)
    assert [t.rows for t in manifest.tables if t.name == "later_things"] == [2]
    import_all(target.engine, path, metadata=metadata)
    _assert_same_rows(source.engine, target.engine, metadata)
    with target.engine.begin() as connection:  # the id sequence goes on after 9
        connection.execute(insert(later), [{"note": "sau"}])
        assert connection.scalar(select(later.c.id).where(later.c.note == "sau")) == 10
    # An archive with a table this tieuchi does not have is refused.
    with pytest.raises(ProblemError) as refused:
        import_all(target.engine, path)
    [problem] = refused.value.problems
    assert problem.code == "unknown-table" and "later_things" in problem.message


def test_export_reads_one_snapshot(store: Store) -> None:
    """Writes made while an archive is written are not in it, whichever table they touch."""
    count = select(func.count()).select_from(Base.metadata.tables["audit"])
    with _snapshot(store.engine) as connection:
        before = connection.scalar(count)
        store.users.add("quantri", PASSWORD, role="admin", unit=None)  # audited
        assert connection.scalar(count) == before
    with store.engine.connect() as connection:
        assert connection.scalar(count) == before + 1


# ---------------------------------------------------------------------- refusals


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, thanh_tri: Definitions) -> Path:
    """An archive of the reference district with users, made once on SQLite."""
    folder = tmp_path_factory.mktemp("archive")
    store = Store.open(f"sqlite:///{folder / 'source.db'}")
    store.load(thanh_tri, actor="test")
    store.users.add("quantri", PASSWORD, role="admin", unit=None)
    path = folder / "backup.tieuchi.zip"
    export_all(store.engine, path)
    store.engine.dispose()
    return path


@pytest.fixture(scope="module", params=BACKENDS, ids=BACKENDS)
def untouched_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database the refusal tests share: each checks that it stays without even a
    table."""
    with _new_database(request.param, tmp_path_factory.mktemp("untouched")) as url:
        yield url


def _damage_units(members: dict[str, bytes]) -> None:
    members["tables/units.jsonl"] = members["tables/units.jsonl"].replace(b"TT", b"TX", 1)


def _unknown_table(members: dict[str, bytes]) -> None:
    members["tables/mystery.jsonl"] = b""
    _edit_manifest(lambda m: m["tables"].append(
        {"name": "mystery", "file": "tables/mystery.jsonl", "rows": 0, "columns": [],
         "sha256": hashlib.sha256(b"").hexdigest()}))(members)


def _missing_table(members: dict[str, bytes]) -> None:
    _edit_manifest(lambda m: m.update(tables=[t for t in m["tables"] if t["name"] != "users"]))(
        members)


REFUSALS: dict[str, tuple[Callable[[dict[str, bytes]], None], list[str]]] = {
    "wrong-revision": (_edit_manifest(lambda m: m.update(alembic_revision="0000")),
                       ["schema revision 0000", "is at", "restore it with tieuchi",
                        "or later"]),
    "bad-checksum": (_damage_units, ["tables/units.jsonl", "SHA-256"]),
    "unknown-table": (_unknown_table, ["mystery", "does not have"]),
    "missing-table": (_missing_table, ["lacks table(s) users"]),
    "newer-format": (_edit_manifest(lambda m: m.update(format_version=99)), ["format 99"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_bad_archive_is_refused_and_nothing_is_written(
        case: str, archive: Path, untouched_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    change, words = REFUSALS[case]
    bad = _rewrite(archive, tmp_path / f"{case}.tieuchi.zip", change)
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", untouched_url)
    result = runner.invoke(app, ["import-all", str(bad)])
    assert result.exit_code == 1, result.output
    assert _said(result).startswith("error:")
    for word in words:
        assert word in _said(result), (word, result.output)
    assert _tables(untouched_url) == []  # not even the schema


def _long_row(members: dict[str, bytes]) -> None:
    """A row of 5,000 bytes in a table's file, the manifest made to match."""
    row = json.loads(members["tables/units.jsonl"].splitlines()[0])
    members["tables/units.jsonl"] += json.dumps({**row, "name": "x" * 5000}).encode() + b"\n"

    def edit(manifest: dict[str, Any]) -> None:
        entry = next(t for t in manifest["tables"] if t["name"] == "units")
        entry["rows"] += 1
        entry["sha256"] = hashlib.sha256(members["tables/units.jsonl"]).hexdigest()

    _edit_manifest(edit)(members)


@pytest.mark.parametrize("limit, change, words", [
    ("LINE_BYTES", _long_row, ["a row longer than 1000 bytes"]),
    ("MANIFEST_BYTES", lambda members: None, ["manifest.json is larger than"]),
], ids=["long-row", "large-manifest"])
def test_an_archive_past_the_size_limits_is_refused_before_it_is_read_whole(
        limit: str, change: Callable[[dict[str, bytes]], None], words: list[str],
        archive: Path, untouched_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A crafted archive (a manifest or a row that unpacks to gigabytes) is refused from
    the zip's directory or while it is checked in chunks, never held in memory whole; the
    limits are made small here so that a small archive passes them."""
    monkeypatch.setattr(f"tieuchi.store.backup.{limit}", 1000)
    monkeypatch.setattr("tieuchi.store.backup._READ", 256)  # chunks below the row limit
    bad = _rewrite(archive, tmp_path / f"{limit}.tieuchi.zip", change)
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", untouched_url)
    result = runner.invoke(app, ["import-all", str(bad)])
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in _said(result), (word, result.output)
    assert _tables(untouched_url) == []


def _forge_duplicate_user(members: dict[str, bytes]) -> None:
    """A second user of the same name, the manifest made to match: only the database can
    tell."""
    first = json.loads(members["tables/users.jsonl"].splitlines()[0])
    members["tables/users.jsonl"] += json.dumps({**first, "id": first["id"] + 1}).encode() + b"\n"

    def edit(manifest: dict[str, Any]) -> None:
        entry = next(t for t in manifest["tables"] if t["name"] == "users")
        entry["rows"] += 1
        entry["sha256"] = hashlib.sha256(members["tables/users.jsonl"]).hexdigest()

    _edit_manifest(edit)(members)


def test_a_row_the_database_refuses_restores_nothing(archive: Path, database_url: str,
                                                     tmp_path: Path) -> None:
    """Every table goes in in one transaction: a failure in a late table (users) leaves the
    earlier ones (units, observations, …) empty. The schema stays, and a database with an
    empty schema (as 'tieuchi db upgrade' leaves it) takes an archive."""
    bad = _rewrite(archive, tmp_path / "forged.tieuchi.zip", _forge_duplicate_user)
    store = Store(database.connect(database_url))
    with pytest.raises(ProblemError) as refused:
        import_all(store.engine, bad)
    assert refused.value.problems[0].code == "insert-failed"
    assert "nothing was restored" in refused.value.problems[0].message
    assert all(rows == [] for rows in _rows(store.engine).values())
    import_all(store.engine, archive)
    assert [u.username for u in store.users.all()] == ["quantri"]


def test_an_archive_of_an_older_schema_says_how_to_bring_it_up(
        archive: Path, untouched_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """This tieuchi is one migration ahead of the archive (a head that does not exist yet)."""
    made_at = _manifest(archive).alembic_revision
    monkeypatch.setattr(database, "head_revision", lambda engine: "9999")
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", untouched_url)
    result = runner.invoke(app, ["import-all", str(archive)])
    assert result.exit_code == 1, result.output
    said = _said(result)
    assert f"made at schema revision {made_at} by tieuchi" in said and "is at 9999" in said
    assert "then bring that database up to date with this version ('tieuchi db upgrade')" in said
    assert _tables(untouched_url) == []


def test_a_database_that_holds_data_is_refused(archive: Path, store: Store,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store.users.add("quantri", PASSWORD, role="admin", unit=None)
    before = _rows(store.engine)
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", _url(store))
    result = runner.invoke(app, ["import-all", str(archive)])
    assert result.exit_code == 1, result.output
    assert "is not empty" in _said(result) and "users" in _said(result)
    assert "new, empty database" in _said(result)
    assert _rows(store.engine) == before


def test_what_is_not_an_archive_is_refused(untouched_url: str, tmp_path: Path) -> None:
    engine = database.connect(untouched_url)
    text = tmp_path / "notes.tieuchi.zip"
    text.write_text("not a zip", encoding="utf-8")
    no_manifest = tmp_path / "empty.zip"
    zipfile.ZipFile(no_manifest, "w").close()
    for path, words in ((text, "not a tieuchi archive"), (no_manifest, "no readable manifest")):
        with pytest.raises(ProblemError) as refused:
            import_all(engine, path)
        [problem] = refused.value.problems
        assert problem.code == "bad-archive" and words in problem.message
    engine.dispose()
    assert _tables(untouched_url) == []


def test_export_refuses_a_database_without_the_schema(untouched_url: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", untouched_url)
    path = tmp_path / "backup.tieuchi.zip"
    result = runner.invoke(app, ["export-all", "-o", str(path)])
    assert result.exit_code == 1 and "no tieuchi tables" in _said(result)
    assert not path.exists()
    assert _tables(untouched_url) == []


def test_export_refuses_an_old_schema_and_a_folder_that_does_not_exist(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch, pytest.raises(ProblemError) as refused:
        patch.setattr(database, "head_revision", lambda engine: "9999")
        export_all(store.engine, tmp_path / "backup.tieuchi.zip")
    [problem] = refused.value.problems
    assert problem.code == "not-at-head" and "tieuchi db upgrade" in problem.message
    with pytest.raises(ProblemError) as refused:
        export_all(store.engine, tmp_path / "no" / "such" / "backup.tieuchi.zip")
    assert refused.value.problems[0].code == "cannot-write"
