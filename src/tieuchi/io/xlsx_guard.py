"""What an uploaded ``.xlsx`` is checked for before any of its sheets is parsed.

An ``.xlsx`` is a zip of XML parts, and a few hundred kilobytes of it can unpack to gigabytes
or to millions of rows. :func:`inspect` looks at the file as it is, with nothing built from
it, and refuses it with a :class:`~tieuchi.domain.problems.Problem` at the first limit passed:

1. the zip: the number of parts, each part's uncompressed size, their sum and each part's
   compression ratio, from the zip's directory (nothing is decompressed yet; the zip reader
   never reads a part past its stated size);
2. each XML part, read with a streaming (SAX) parser that builds nothing: a DTD (``<!DOCTYPE``,
   where entities are declared) is refused at the prolog; each sheet's ``<dimension>``, when
   given, is checked against the row and column limits, then its rows and cells are counted
   as they stream by, and the reading stops at the first row, column or cell over the limit.

Only a file that passes is opened with openpyxl (in read-only mode, sheet by sheet), whose
work is then bounded by these limits.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pyexpat import ExpatError, ParserCreate

from openpyxl.utils import quote_sheetname  # type: ignore[import-untyped]
from openpyxl.utils.cell import (  # type: ignore[import-untyped]
    column_index_from_string,
    range_boundaries,
)
from openpyxl.xml.constants import XLSM, XLSX, XLTM, XLTX  # type: ignore[import-untyped]

from tieuchi.domain.problems import Problem, ProblemError

__all__ = ["Limits", "Sheet", "inspect", "not_a_workbook"]

MB = 2**20
_CHUNK = 64 * 1024
_PARAM_ENTITIES_NEVER = 0  # XML_PARAM_ENTITY_PARSING_NEVER
_TYPES = "[Content_Types].xml"
_WORKBOOK_TYPES = (XLTM, XLTX, XLSM, XLSX)  # the order openpyxl looks for them in


@dataclass(frozen=True)
class Limits:
    """How much of an ``.xlsx`` is read at most: ``rows`` rows from ``first_row`` on in a
    sheet (``rows_of`` gives another number for some sheets, by title), ``columns`` columns,
    and for the whole file ``cells``, ``elements`` and the sizes of its parts."""

    rows: int
    first_row: int = 1
    rows_of: dict[str, int] = field(default_factory=dict)
    columns: int = 100
    cells: int = 500_000  # cells, shared strings and merged ranges, in the whole file
    elements: int = 1_500_000  # XML elements, in the whole file
    parts: int = 2_000
    part_bytes: int = 32 * MB  # one part, uncompressed
    total_bytes: int = 128 * MB  # every part, uncompressed
    ratio: int = 100  # uncompressed / compressed size of one part …
    ratio_from: int = 1 * MB  # … for the parts larger than this

    def last_row(self, title: str) -> int:
        """The number of the last row the sheet ``title`` may have."""
        return self.first_row - 1 + self.rows_of.get(title, self.rows)

    def too_many_rows(self, title: str) -> ProblemError:
        n = self.rows_of.get(title, self.rows)
        return _refused(quote_sheetname(title), "too-large", f"more than {n} rows; split the "
                        "figures over several files", f"trang có hơn {n} dòng; chia số liệu "
                        "thành nhiều tệp")


@dataclass(frozen=True)
class Sheet:
    """A worksheet as the file's XML gives it."""

    title: str
    part: str  # its XML part in the zip
    merged: tuple[str, ...]  # merged ranges ("E24:E25")


def inspect(raw: bytes, file: str, limits: Limits) -> dict[str, Sheet]:
    """The worksheets of the ``.xlsx`` file ``raw`` (title → :class:`Sheet`); raises
    :class:`ProblemError` (``too-large``, ``unsafe-xml`` or ``unreadable-file``) at the first
    limit passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_a_workbook(file) from None
    _check_sizes(parts, file, limits)
    scan = _Scan(archive, file, limits)
    return scan.sheets()


# ---------------------------------------------------------------------- the zip


def not_a_workbook(file: str) -> ProblemError:
    return _refused(file, "unreadable-file", "the file is not an Excel workbook (.xlsx); save "
                    "it as .xlsx (Excel Workbook) and import it again", "tệp không phải bảng "
                    "tính Excel (.xlsx); lưu lại dưới dạng .xlsx (Excel Workbook) rồi nhập lại")


def _refused(place: str, code: str, en: str, vi: str) -> ProblemError:
    return ProblemError([Problem.located(place, code, en, vi)])


def _check_sizes(parts: list[zipfile.ZipInfo], file: str, limits: Limits) -> None:
    if len(parts) > limits.parts:
        raise _refused(file, "too-large", f"the file has more than {limits.parts} parts: it "
                       "is not an entry template; download a new template",
                       f"tệp có hơn {limits.parts} thành phần, không phải mẫu nhập số liệu; "
                       "tải mẫu mới")
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.part_bytes or total > limits.total_bytes:
            mb = (limits.part_bytes if part.file_size > limits.part_bytes
                  else limits.total_bytes) // MB
            raise _refused(file, "too-large", f"the file unpacks to more than {mb} MB "
                           f"({part.filename}); an entry template is far smaller: split the "
                           "figures over several files",
                           f"tệp khi giải nén lớn hơn {mb} MB ({part.filename}); mẫu nhập "
                           "số liệu nhỏ hơn nhiều: chia số liệu thành nhiều tệp")
        if part.file_size > limits.ratio_from and ratio > limits.ratio:
            raise _refused(file, "too-large", f"the part {part.filename} is compressed "
                           f"{ratio:.0f} times (at most {limits.ratio}): the file was not "
                           "saved by Excel; open it in Excel, save it and import it again",
                           f"thành phần {part.filename} của tệp bị nén {ratio:.0f} lần (tối "
                           f"đa {limits.ratio}): tệp không được lưu bằng Excel; mở tệp bằng "
                           "Excel, lưu lại rồi nhập lại")


# ---------------------------------------------------------------------- the XML


class _Stop(Exception):
    """Raised inside the parser's callbacks to stop reading a part."""

    def __init__(self, problem: ProblemError) -> None:
        self.problem = problem


@dataclass
class _Counts:
    """What a part's XML holds, counted as it streams by."""

    rows: int = 0  # the number of the last row seen
    column: int = 0  # the column of the last cell seen in the row
    merged: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # content type → part ([Content_Types])
    rels: dict[str, str] = field(default_factory=dict)  # relationship id → target
    sheets: list[tuple[str, str]] = field(default_factory=list)  # (title, relationship id)


def _local(name: str) -> str:
    """A name without its namespace prefix ("x:row" → "row")."""
    return name.rpartition(":")[2]


def _attribute(attributes: dict[str, str], local: str) -> str | None:
    for key, value in attributes.items():
        if _local(key) == local:
            return value
    return None


class _Scan:
    """Every XML part of the file read once, in streaming; first the parts that tell which
    part is which sheet, found as openpyxl finds them: the content types name the workbook
    part, whose relationships name its sheets' parts."""

    def __init__(self, archive: zipfile.ZipFile, file: str, limits: Limits) -> None:
        self.archive, self.file, self.limits = archive, file, limits
        self.cells = self.elements = 0
        self.done: dict[str, _Counts] = {}

    def sheets(self) -> dict[str, Sheet]:
        names = [p.filename for p in self.archive.infolist() if not p.is_dir()]
        types = self._part(_TYPES, None) if _TYPES in names else _Counts()
        workbook = next((types.types[t].lstrip("/") for t in _WORKBOOK_TYPES if t in types.types),
                        "xl/workbook.xml")
        book = self._part(workbook, None) if workbook in names else _Counts()
        rels_name = posixpath.join(posixpath.dirname(workbook), "_rels",
                                   posixpath.basename(workbook) + ".rels")
        rels = self._part(rels_name, None) if rels_name in names else _Counts()
        titles = {}
        for title, rid in book.sheets:
            if rid in rels.rels:
                titles[_target(posixpath.dirname(workbook), rels.rels[rid])] = title
        for name in names:
            if name not in self.done:
                self._part(name, titles.get(name))
        return {title: Sheet(title, part, tuple(self.done[part].merged))
                for part, title in titles.items() if part in self.done}

    def _part(self, name: str, title: str | None) -> _Counts:
        counts = _Counts()
        self.done[name] = counts
        parser = ParserCreate()
        parser.SetParamEntityParsing(_PARAM_ENTITIES_NEVER)
        parser.StartDoctypeDeclHandler = lambda *_: self._unsafe(name)
        parser.EntityDeclHandler = lambda *_: self._unsafe(name)
        parser.StartElementHandler = self._visitor(title, counts)
        started = False
        try:
            with self.archive.open(name) as stream:
                while chunk := stream.read(_CHUNK):
                    parser.Parse(chunk, False)
                    started = True
                parser.Parse(b"", True)
        except _Stop as stop:
            raise stop.problem from None
        except ExpatError as error:
            if started or error.lineno > 1 or error.offset > 0:
                raise self._damaged(name) from None
            # not XML at all (a picture, a binary part): openpyxl does not parse it
        except (zipfile.BadZipFile, OSError, EOFError):
            raise self._damaged(name) from None
        return counts

    def _damaged(self, name: str) -> ProblemError:
        return _refused(self.file, "unreadable-file", f"the file is damaged ({name} is not "
                        "well-formed XML); open it in Excel, save it and import it again",
                        f"tệp bị hỏng ({name} không phải XML hợp lệ); mở tệp bằng Excel, lưu "
                        "lại rồi nhập lại")

    def _unsafe(self, name: str) -> None:
        raise _Stop(_refused(
            self.file, "unsafe-xml", f"the file contains an XML DTD/entity declaration ({name}),"
            " which is not read; save it again from Excel (File › Save As › Excel Workbook)",
            f"tệp chứa khai báo DTD/thực thể XML ({name}), phần mềm không đọc; mở tệp bằng "
            "Excel rồi lưu lại (Tệp › Lưu thành › Excel Workbook)"))

    def _visitor(self, title: str | None,
                 counts: _Counts) -> Callable[[str, dict[str, str]], None]:
        limits = self.limits
        rows = None if title is None else limits.last_row(title)

        def visit(tag: str, attributes: dict[str, str]) -> None:
            self.elements += 1
            if self.elements > limits.elements:
                raise _Stop(self._too_many("XML elements", "phần tử XML", limits.elements))
            local = _local(tag)
            if local in ("c", "si", "mergeCell"):
                self.cells += 1
                if self.cells > limits.cells:
                    raise _Stop(self._too_many("cells", "ô", limits.cells))
            if local == "Relationship" and "Id" in attributes and "Target" in attributes:
                counts.rels[attributes["Id"]] = attributes["Target"]
            elif local == "Override" and "ContentType" in attributes:
                counts.types.setdefault(attributes["ContentType"], attributes.get("PartName", ""))
            elif local == "sheet" and (sheet := _attribute(attributes, "name")) is not None:
                counts.sheets.append((sheet, _attribute(attributes, "id") or ""))
            elif rows is None or title is None:
                return
            elif local == "row":
                counts.rows = _number(attributes.get("r"), counts.rows + 1)
                counts.column = 0
                if counts.rows > rows:
                    raise _Stop(limits.too_many_rows(title))
            elif local == "c":
                counts.column = _column(attributes.get("r"), counts.column + 1)
                if counts.column > limits.columns:
                    raise _Stop(self._columns(title))
            elif local == "dimension":
                self._dimension(title, attributes.get("ref"), rows)
            elif local == "mergeCell" and (ref := attributes.get("ref")):
                counts.merged.append(ref)

        return visit

    def _dimension(self, title: str, ref: str | None, rows: int) -> None:
        """The sheet's stated size, refused before its rows are read when over the limit."""
        try:
            _, _, last_column, last_row = range_boundaries(ref or "")
        except (ValueError, TypeError):
            return  # no usable dimension: the rows are counted instead
        if last_row is not None and last_row > rows:
            raise _Stop(self.limits.too_many_rows(title))
        if last_column is not None and last_column > self.limits.columns:
            raise _Stop(self._columns(title))

    def _columns(self, title: str) -> ProblemError:
        n = self.limits.columns
        return _refused(quote_sheetname(title), "too-large", f"more than {n} columns; keep "
                        "the template's columns only", f"trang có hơn {n} cột; chỉ giữ các cột "
                        "của mẫu")

    def _too_many(self, what: str, what_vi: str, n: int) -> ProblemError:
        return _refused(self.file, "too-large", f"the file holds more than {n:,} {what}; "
                        "split the figures over several files", f"tệp có hơn "
                        f"{n:,}".replace(",", ".") + f" {what_vi}; chia số liệu thành nhiều "
                        "tệp")


def _target(folder: str, target: str) -> str:
    """The part a relationship points to, as the zip names it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _number(text: str | None, default: int) -> int:
    try:
        return int(float(text)) if text is not None else default
    except (ValueError, OverflowError):
        return default


def _column(ref: str | None, default: int) -> int:
    """The column of a cell reference ("AB12" → 28)."""
    if not ref:
        return default
    try:
        return int(column_index_from_string(ref.rstrip("0123456789")))
    except (ValueError, KeyError):
        return default
