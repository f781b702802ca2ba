"""Settings, declared once: read from ``TIEUCHI_*`` environment variables (or a ``.env``
file), documented in ``docs/settings.md`` (a test checks every field is there)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/tieuchi``, else ``~/.local/share/tieuchi``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tieuchi"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIEUCHI_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database, e.g. "
        "postgresql+psycopg://tieuchi@db.example/tieuchi. Default: the SQLite file "
        "tieuchi.db in the data folder.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the default SQLite database.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs session cookies. Give the same key to every web worker; "
        "when unset, a random key is made once and kept in the database.",
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send cookies over HTTPS only (set it to true behind HTTPS).",
    )
    session_hours: int = Field(default=8, ge=1, description="How long a login lasts, in hours.")
    login_attempts: int = Field(
        default=5, ge=1,
        description="Failed logins allowed per user name within the window (from any "
        "address); then that name is refused until the window ends.",
    )
    login_attempts_per_address: int = Field(
        default=20, ge=1,
        description="Failed logins allowed per client address within the window (for any "
        "user names); then that address is refused until the window ends.",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="The window of the login limit, in minutes.",
    )
    token_days: int = Field(
        default=90, ge=1,
        description="How long a new API token lasts, in days (`tieuchi token add --days` "
        "gives another).",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses (or networks) of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto `tieuchi serve` believes, e.g. 127.0.0.1. "
        "Default: none; the client address is the connection's.",
    )
    max_request_mb: int = Field(
        default=6, ge=1,
        description="Largest request body the web accepts, in MB (an Excel upload is at "
        "most 5 MB of it); a larger one is refused with 413.",
    )
    host: str = Field(default="127.0.0.1", description="Address `tieuchi serve` listens on.")
    port: int = Field(default=8000, description="Port `tieuchi serve` listens on.")
    workers: int = Field(default=1, ge=1, description="Web worker processes of `tieuchi serve`.")
    pool_size: int = Field(
        default=5, ge=1,
        description="Database connections each process keeps open (SQLAlchemy's pool).",
    )
    pool_max_overflow: int = Field(
        default=10, ge=0,
        description="Connections a process may open beyond the pool when it is busy.",
    )
    pool_timeout: float = Field(
        default=30, gt=0,
        description="Seconds a request waits for a free connection; then the web answers "
        "503 (try again later).",
    )

    @property
    def proxies(self) -> list[str]:
        """The trusted proxies, one address or network each: what uvicorn's
        ``forwarded_allow_ips`` takes, with ``proxy_headers`` only when there are any
        (uvicorn alone would believe 127.0.0.1)."""
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def url(self) -> str:
        """The database URL to use."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tieuchi.db'}"
