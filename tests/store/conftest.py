"""Store tests hash passwords with argon2 at its lowest cost: the same code, ten times
faster than the production parameters."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tieuchi.store import users


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
