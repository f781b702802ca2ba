"""Hostile workbooks (issue 9): millions of rows in a few hundred kilobytes, zip bombs, XML
DTDs and entities. Each is refused with a clear problem before any sheet is parsed, on the
web and on the command line, quickly and in little memory."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest
from typer.testing import CliRunner

from tests.io.conftest import PASSWORD, Browser
from tieuchi.cli import app
from tieuchi.domain.problems import ProblemError
from tieuchi.io import excel_import
from tieuchi.io.excel_import import LIMITS, MAX_ROWS, read_workbook
from tieuchi.io.excel_template import build_workbook, plan_template
from tieuchi.io.xlsx_guard import Limits, inspect
from tieuchi.store import Store

runner = CliRunner()
YM_SHEET = "xl/worksheets/sheet1.xml"  # the sheet 'Yên Mỹ' of the commune's template
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROW = b"<row><c><v>1</v></c></row>"
MB = 2**20
Writer = Callable[[bytes, IO[bytes]], None]


def template(store: Store) -> bytes:
    buffer = io.BytesIO()
    build_workbook(plan_template(store, ["TT-YENMY"], period="2023",
                                 dataset="ntm-nang-cao")).save(buffer)
    return buffer.getvalue()


def rewrite(raw: bytes, part: str, write: Writer) -> bytes:
    """The workbook ``raw`` with ``part`` written anew by ``write(old, stream)``."""
    source, buffer = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == part:
                with out.open(part, "w", force_zip64=True) as stream:
                    write(source.read(part), stream)
            else:
                out.writestr(info.filename, source.read(info.filename))
    return buffer.getvalue()


def million_rows(millions: int) -> Writer:
    """The sheet's table followed by ``millions`` million tiny rows (no <dimension>)."""
    def write(old: bytes, stream: IO[bytes]) -> None:
        head, _, tail = old.partition(b"</sheetData>")
        stream.write(re.sub(rb"<dimension [^>]*/>", b"", head))
        chunk = ROW * 100_000
        for _ in range(10 * millions):
            stream.write(chunk)
        stream.write(b"</sheetData>" + tail)
    return write


@pytest.fixture(scope="module")
def four_million(tmp_path_factory: pytest.TempPathFactory, district_db: Path) -> Path:
    """A 250 KB template whose commune sheet holds 4 million rows, made once: the sheet's XML
    written straight into the zip, a repeated <row> string."""
    store = Store.open(f"sqlite:///{district_db}", upgrade=False)
    raw = rewrite(template(store), YM_SHEET, million_rows(4))
    store.engine.dispose()
    path = tmp_path_factory.mktemp("hostile") / "bon-trieu-dong.xlsx"
    path.write_bytes(raw)
    assert len(raw) < 400_000
    return path


# ------------------------------------------------------------ measured in a process of its own

_MEASURE = r'''
import json, re, sys, time
from pathlib import Path

mode, url, file, out, password = sys.argv[1:6]


def memory():
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {key: int(fields[key].split()[0]) * 1024 for key in ("VmRSS", "VmHWM")}


if mode == "web":
    from fastapi.testclient import TestClient
    from tieuchi.settings import Settings
    from tieuchi.store import Store
    from tieuchi.web.app import create_app

    client = TestClient(create_app(Store.open(url, upgrade=False),
                                   Settings(_env_file=None, secret_key="tests-only")))
    csrf = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
    token = csrf.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": "yenmy", "password": password,
                                "csrf_token": token, "next": "/"})
    token = csrf.search(client.get("/").text).group(1)
    data = Path(file).read_bytes()

    def run():
        response = client.post(
            "/units/TT-YENMY/import?period=2023", data={"csrf_token": token, "reason": ""},
            files={"file": (Path(file).name, data, "application/octet-stream")})
        return response.status_code, response.text
else:
    from typer.testing import CliRunner
    import tieuchi.io.csv_exchange, tieuchi.io.excel_import  # what the command imports
    from tieuchi.cli import app

    def run():
        result = CliRunner().invoke(app, ["import", file, "--database-url", url])
        return result.exit_code, result.output + repr(result.exception)

Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
before = memory()["VmRSS"]
start = time.perf_counter()
code, text = run()
seconds = time.perf_counter() - start
extra = memory()["VmHWM"] - before
Path(out).write_text(json.dumps({"code": code, "text": text, "seconds": seconds,
                                 "extra_mb": extra / 2**20}))
'''


def measured(mode: str, store: Store, file: Path, tmp_path: Path) -> dict[str, Any]:
    """Import ``file`` in a fresh Python process, through the upload page (``web``) or the
    command (``cli``): its answer, the seconds it took and the memory it added at its peak
    (VmHWM, reset just before, less VmRSS then)."""
    out = tmp_path / f"{mode}.json"
    subprocess.run([sys.executable, "-c", _MEASURE, mode, str(store.engine.url), str(file),
                    str(out), PASSWORD], check=True, timeout=300)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return result


def test_four_million_rows_are_refused_fast_through_the_upload_page(
        store: Store, four_million: Path, tmp_path: Path) -> None:
    result = measured("web", store, four_million, tmp_path)
    assert result["code"] == 413, result["text"][-2000:]
    assert "tệp khi giải nén lớn hơn 32 MB" in result["text"]
    assert "Traceback" not in result["text"]
    assert result["seconds"] < 2, result
    assert result["extra_mb"] < 200, result


def test_four_million_rows_are_refused_fast_by_the_import_command(
        store: Store, four_million: Path, tmp_path: Path) -> None:
    result = measured("cli", store, four_million, tmp_path)
    assert result["code"] == 1, result["text"]
    assert f"{four_million.name}: error too-large the file unpacks to more than 32 MB" in \
        result["text"]
    assert "nothing was imported" in result["text"] and "Traceback" not in result["text"]
    assert result["seconds"] < 2, result
    assert result["extra_mb"] < 200, result


def test_rows_are_counted_while_they_stream_and_the_reading_stops_at_the_limit(
        four_million: Path) -> None:
    """Without the size limits, the sheet's rows are still counted as they stream by: the
    reading stops at row 5,007, not after 4 million."""
    unbounded = Limits(rows=MAX_ROWS, first_row=LIMITS.first_row, ratio=10**9,
                       part_bytes=10**10, total_bytes=10**10)
    start = time.perf_counter()
    with pytest.raises(ProblemError) as caught:
        inspect(four_million.read_bytes(), "f.xlsx", unbounded)
    assert time.perf_counter() - start < 1
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("'Yên Mỹ'", "too-large")
    assert problem.message_vi == f"trang có hơn {MAX_ROWS} dòng; chia số liệu thành nhiều tệp"


def test_a_sheet_whose_dimension_is_too_large_is_refused_before_its_rows(store: Store) -> None:
    def dimension(old: bytes, stream: IO[bytes]) -> None:
        stream.write(re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:G1048576"/>',
                            old).replace(b"<sheetData>", b"<sheetData><row>oops", 1))

    raw = rewrite(template(store), YM_SHEET, dimension)  # the rows are not even well-formed
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, raw, name="f.xlsx")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code, problem.status) == ("'Yên Mỹ'", "too-large", 413)


def test_a_cell_past_the_last_column_is_refused(store: Store) -> None:
    def wide(old: bytes, stream: IO[bytes]) -> None:
        stream.write(re.sub(rb"<dimension [^>]*/>", b"", old).replace(
            b"</row>", b'<c r="XFD7"><v>1</v></c></row>', 1))

    with pytest.raises(ProblemError) as caught:
        read_workbook(store, rewrite(template(store), YM_SHEET, wide), name="f.xlsx")
    (problem,) = caught.value.problems
    assert problem.place == "'Yên Mỹ'" and "hơn 100 cột" in problem.message_vi


def test_too_many_cells_in_the_whole_file_are_refused(store: Store) -> None:
    """Cells spread over many short rows (under the row limit) count against the file."""
    def crowded(old: bytes, stream: IO[bytes]) -> None:
        head, _, tail = re.sub(rb"<dimension [^>]*/>", b"", old).partition(b"</sheetData>")
        stream.write(head + b"<row>" + b"<c/>" * (LIMITS.cells + 1) + b"</row></sheetData>"
                     + tail)

    with pytest.raises(ProblemError) as caught:
        inspect(rewrite(template(store), YM_SHEET, crowded), "f.xlsx",
                Limits(rows=MAX_ROWS, first_row=LIMITS.first_row, ratio=10**9, columns=10**9))
    (problem,) = caught.value.problems
    assert problem.place == "f.xlsx" and "500.000 ô" in problem.message_vi


# ------------------------------------------------------------ zip bombs


def bomb(raw: bytes, size: int) -> bytes:
    """The workbook with one more part: ``size`` bytes of zeros, compressed a thousand
    times."""
    source, buffer = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        with out.open("xl/media/bomb.bin", "w", force_zip64=True) as stream:
            block = b"\0" * MB
            for _ in range(size // MB):
                stream.write(block)
    return buffer.getvalue()


@pytest.mark.parametrize(("size", "words"), [
    (64 * MB, "tệp khi giải nén lớn hơn 32 MB (xl/media/bomb.bin)"),
    (20 * MB, "thành phần xl/media/bomb.bin của tệp bị nén"),
])
def test_a_zip_bomb_is_refused_before_it_is_decompressed(
        store: Store, size: int, words: str, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = bomb(template(store), size)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> IO[bytes]:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, raw, name="bom.xlsx")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code, problem.status) == ("bom.xlsx", "too-large", 413)
    assert words in problem.message_vi
    assert opened == []  # not a byte of any part was decompressed


def test_a_file_on_disk_over_the_size_limit_is_not_read(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as stream:
        stream.truncate(excel_import.MAX_BYTES + 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, big)
    assert caught.value.problems[0].code == "too-large"


# ------------------------------------------------------------ XML DTDs and entities


def with_doctype(doctype: bytes, use: bytes = b"") -> Writer:
    def write(old: bytes, stream: IO[bytes]) -> None:
        body = old.replace(b"<v>", b"<v>" + use, 1) if use else old
        stream.write(b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + body)
    return write


LAUGHS = b"".join([b'<!ENTITY a0 "lol">'] + [
    b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10) for i in range(1, 10)])
DOCTYPES: dict[str, tuple[str, Writer]] = {
    # name: (part, how it is written)
    "an external entity in a sheet": (YM_SHEET, with_doctype(
        b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;")),
    "a billion laughs in a sheet": (YM_SHEET, with_doctype(
        b"<!DOCTYPE worksheet [" + LAUGHS + b"]>", b"&a9;")),
    "an entity in the workbook part": ("xl/workbook.xml", with_doctype(
        b'<!DOCTYPE workbook [<!ENTITY a "Yen My">]>')),
    "a DTD without entities in the styles": ("xl/styles.xml", with_doctype(
        b"<!DOCTYPE styleSheet>")),
}


@pytest.mark.parametrize("case", list(DOCTYPES))
def test_an_xml_dtd_or_entity_is_refused_with_a_clear_problem(
        store: Store, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    part, write = DOCTYPES[case]
    raw = rewrite(template(store), part, write)
    monkeypatch.setattr(excel_import, "load_workbook",
                        lambda *_, **__: pytest.fail("openpyxl parsed the file"))
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, raw, name="dtd.xlsx")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("dtd.xlsx", "unsafe-xml")
    assert problem.message == (
        f"the file contains an XML DTD/entity declaration ({part}), which is not read; save "
        "it again from Excel (File › Save As › Excel Workbook)")


def test_the_import_command_names_the_file_and_the_fix_for_an_entity(
        store: Store, tmp_path: Path) -> None:
    part, write = DOCTYPES["an external entity in a sheet"]
    file = tmp_path / "thuc-the.xlsx"
    file.write_bytes(rewrite(template(store), part, write))
    result = runner.invoke(app, ["import", str(file), "--database-url", str(store.engine.url)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    text = " ".join(result.output.split())
    assert "thuc-the.xlsx: error unsafe-xml the file contains an XML DTD/entity declaration" \
        in text, result.output
    assert "mở tệp bằng Excel rồi lưu lại" in text and "Traceback" not in result.output


def test_the_upload_page_names_the_file_and_the_fix_for_an_entity(
        browse: Callable[[str], Browser], store: Store) -> None:
    part, write = DOCTYPES["a billion laughs in a sheet"]
    raw = rewrite(template(store), part, write)
    status, page = browse("yenmy").post("/units/TT-YENMY/import?period=2023", {"reason": ""},
                                        files={"file": ("cuoi.xlsx", raw, XLSX)})
    assert status == 422, page
    assert "cuoi.xlsx: tệp chứa khai báo DTD/thực thể XML" in page
    assert "mở tệp bằng Excel rồi lưu lại" in page


def test_a_part_that_is_not_well_formed_is_unreadable_not_a_traceback(store: Store) -> None:
    def broken(old: bytes, stream: IO[bytes]) -> None:
        stream.write(old.replace(b"</sheetData>", b"</sheetDat>"))

    with pytest.raises(ProblemError) as caught:
        read_workbook(store, rewrite(template(store), YM_SHEET, broken), name="f.xlsx")
    (problem,) = caught.value.problems
    assert (problem.code, problem.place) == ("unreadable-file", "f.xlsx")
    assert YM_SHEET in problem.message


def test_a_template_at_the_limits_is_still_read(store: Store) -> None:
    """The limits leave room: the commune's template with rows up to the last allowed one."""
    last = LIMITS.last_row("Yên Mỹ")

    def long(old: bytes, stream: IO[bytes]) -> None:
        head, _, tail = re.sub(rb"<dimension [^>]*/>", b"", old).partition(b"</sheetData>")
        stream.write(head + b'<row r="%d"><c r="H%d" t="inlineStr"><is><t>x</t></is>'
                     b"</c></row></sheetData>" % (last, last) + tail)

    plan = read_workbook(store, rewrite(template(store), YM_SHEET, long), name="f.xlsx")
    assert len(plan) == 0


def test_openpyxl_stops_at_the_row_limit_even_if_the_guard_missed_the_sheet(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second line: rows are counted again as openpyxl streams them, and the reading
    stops past the limit (a sheet the guard could not name gets no row limit there)."""
    def rows(old: bytes, stream: IO[bytes]) -> None:
        head, _, tail = re.sub(rb"<dimension [^>]*/>", b"", old).partition(b"</sheetData>")
        stream.write(head + ROW * (MAX_ROWS + 100) + b"</sheetData>" + tail)

    raw = rewrite(template(store), YM_SHEET, rows)
    monkeypatch.setattr(excel_import, "inspect", lambda *_: {})
    with pytest.raises(ProblemError) as caught:
        read_workbook(store, raw, name="f.xlsx")
    (problem,) = caught.value.problems
    assert (problem.place, problem.code) == ("'Yên Mỹ'", "too-large")
