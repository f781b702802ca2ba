"""The core (domain, definitions, engine) imports no web, CLI, SQL or document library."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ["typer", "rich", "click", "fastapi", "starlette", "jinja2", "sqlalchemy",
             "psycopg", "alembic", "docx", "openpyxl", "pandas", "duckdb", "httpx"]


def test_core_imports_no_io_library() -> None:
    code = (
        "import sys\n"
        "import tieuchi.domain.bundle, tieuchi.definitions, tieuchi.engine\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "", f"the core imported: {result.stdout.strip()}"


def test_reports_import_no_cli_library() -> None:
    code = (
        "import sys\n"
        "import tieuchi.reports.text, tieuchi.reports.json_output\n"
        "print(','.join(m for m in ('typer', 'rich', 'click') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""


def test_store_imports_no_web_or_cli_library() -> None:
    """Dependencies point one way: the store serves the web and the CLI, never the reverse."""
    code = (
        "import sys\n"
        "import tieuchi.store\n"
        "bad = ('typer', 'rich', 'click', 'fastapi', 'starlette', 'jinja2', 'tieuchi.web', "
        "'tieuchi.cli')\n"
        "print(','.join(m for m in bad if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "", f"the store imported: {result.stdout.strip()}"


def test_cli_starts_without_the_web_stack() -> None:
    """`tieuchi validate` and friends do not pay for importing the web application."""
    code = (
        "import sys\n"
        "import tieuchi.cli\n"
        "print(','.join(m for m in ('fastapi', 'uvicorn', 'tieuchi.web') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
