"""The application as the web server starts it: settings from the environment, the store at
their database URL (``uvicorn --factory tieuchi.web.main:app_factory``)."""

from __future__ import annotations

from fastapi import FastAPI

from tieuchi.settings import Settings
from tieuchi.store import Store
from tieuchi.web.app import create_app

__all__ = ["app_factory"]


def app_factory() -> FastAPI:
    """One worker's application. The schema is brought up to date by ``tieuchi serve`` (or
    ``tieuchi db upgrade``) before the workers start, not by each worker."""
    settings = Settings()
    return create_app(Store.open(settings.url, upgrade=False), settings)
