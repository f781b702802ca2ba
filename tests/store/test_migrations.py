"""The migrations give exactly the tables of ``tieuchi.store.tables``, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tieuchi.store import Store, database
from tieuchi.store.tables import Base


def test_migrations_match_the_tables(store: Store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_schema_is_at_head(store: Store) -> None:
    head = database.head_revision(store.engine)
    assert head is not None
    assert database.current_revision(store.engine) == head


def test_opening_again_keeps_the_schema_and_data(database_url: str) -> None:
    store = Store.open(database_url)
    store.users.secret()
    again = Store.open(database_url)
    assert database.current_revision(again.engine) == database.head_revision(again.engine)
    assert again.users.secret() == store.users.secret()
    assert again.units.has_definitions() is False
