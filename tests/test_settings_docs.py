"""Every setting is documented in docs/settings.md (STYLE.md: settings declared once)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tieuchi.settings import Settings


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields
               if f"`TIEUCHI_{name.upper()}`" not in text]
    assert not missing, f"document these settings in docs/settings.md: {missing}"


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEUCHI_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("TIEUCHI_LOGIN_ATTEMPTS", "3")
    settings = Settings()
    assert settings.url == "postgresql+psycopg://u@h/db"
    assert settings.login_attempts == 3
