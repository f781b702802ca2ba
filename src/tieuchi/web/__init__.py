"""The web application (FastAPI, Jinja2, htmx): :func:`create_app`."""

from tieuchi.web.app import create_app

__all__ = ["create_app"]
