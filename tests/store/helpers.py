"""Names from the reference district and users the store tests share."""

from __future__ import annotations

import polars as pl

from tieuchi.store import Store, User

DISTRICT = "TT"
COMMUNE = "TT-YENMY"  # a commune (level xa) of Thanh Trì
OTHER_COMMUNE = "TT-DAIANG"
COMMUNE_SET = "ntm-nang-cao"  # the data set communes report: yes/no criteria ntmnc-*
YESNO = "ntmnc-01"
COMPUTED = "ntm-nc-ty-le"  # the share of communes passing the advanced criteria set
PASSWORD = "password123"


def admin_user(store: Store, username: str = "admin") -> User:
    return store.users.add(username, PASSWORD, role="admin", unit=None)


def officer_user(store: Store, unit: str = DISTRICT, username: str = "officer") -> User:
    return store.users.add(username, PASSWORD, role="officer", unit=unit)


def entry_user(store: Store, unit: str = COMMUNE, username: str = "entry") -> User:
    return store.users.add(username, PASSWORD, role="entry", unit=unit)


def viewer_user(store: Store, unit: str = DISTRICT, username: str = "viewer") -> User:
    return store.users.add(username, PASSWORD, role="viewer", unit=unit)


def snapshot(store: Store) -> tuple[pl.DataFrame, int]:
    """The figures and the size of the audit log: what a refused write must leave alone."""
    columns = ["unit", "indicator", "period", "vintage", "value", "source"]
    frame = store.units.definitions().observations.select(columns).sort(columns[:4])
    return frame, store.audit.count()


def unchanged(store: Store, before: tuple[pl.DataFrame, int]) -> None:
    frame, audits = snapshot(store)
    assert frame.equals(before[0])
    assert audits == before[1]
