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
