"""Adding a shipped criteria set (``tieuchi.library.criteria``) to a definition folder.

The set's file is written to ``criteria/<name>.yaml``, without the indicators the folder
already defines, only if the folder then loads without error
(:func:`tieuchi.definitions.write_if_valid`). When the set would make it invalid (a level it
needs is missing, a unit lacks the attribute its thresholds depend on), the loader's
problems are raised and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from tieuchi.definitions import check_definitions, write_if_valid
from tieuchi.definitions.rules import applied_units
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import Problem, ProblemError, Severity
from tieuchi.library.criteria import files_for, resolve, shipped_sets

__all__ = ["AddedSet", "add_shipped_set"]

CRITERIA_FOLDER = "criteria"


@dataclass(frozen=True)
class AddedSet:
    """What :func:`add_shipped_set` wrote and what the user fills in next."""

    name: str
    path: Path
    sets: tuple[str, ...]
    kept: tuple[str, ...]  # indicators the folder already defined: not copied
    warnings: tuple[Problem, ...]
    to_fill: tuple[tuple[str, str], ...]  # (English, Vietnamese) lines


def add_shipped_set(folder: str | Path, name: str, *, force: bool = False) -> AddedSet:
    """Write the shipped set ``name`` into ``folder``; raise :class:`ProblemError` when the
    name is unknown, the file exists (without ``force``), the folder is invalid already, or
    the set would make it invalid (then nothing is written)."""
    name = resolve(name)
    root = Path(folder)
    before, problems = check_definitions(root)
    if before is None:
        raise ProblemError(problems)
    path = root / CRITERIA_FOLDER / f"{name}.yaml"
    old = path.read_text("utf-8") if path.exists() else None
    if old is not None and not force:
        raise ProblemError([Problem(
            "shipped-set-exists",
            f"{path} already exists; add --force to replace it with the shipped set '{name}'",
            f"{path} đã có; thêm --force để thay bằng bộ tiêu chí có sẵn '{name}'",
            file=str(path))])
    have = {i.code for i in before.indicators} - _indicator_codes(old)
    text = files_for(name, have)
    try:
        after, problems = write_if_valid(root, {f"{CRITERIA_FOLDER}/{name}.yaml": text})
    except ProblemError as refused:
        errors = [p for p in refused.problems if p.severity is Severity.ERROR]
        raise ProblemError([*errors, Problem(
            "shipped-set-invalid",
            f"the shipped set '{name}' does not fit this folder ({len(errors)} error(s) "
            "above); nothing was written: fix the folder as they say (a level, a unit's "
            "attribute) and add it again",
            f"bộ tiêu chí có sẵn '{name}' chưa khớp với thư mục này ({len(errors)} lỗi ở "
            "trên); chưa ghi gì: sửa thư mục theo các lỗi đó (cấp, thuộc tính của đơn vị) "
            "rồi thêm lại",
            file=str(path))]) from None
    shipped = next(s for s in shipped_sets() if s.name == name)
    codes = {s.code for s in shipped.sets}
    return AddedSet(
        name=name, path=path, sets=tuple(s.code for s in shipped.sets),
        kept=tuple(sorted(have & _indicator_codes(files_for(name, set())))),
        warnings=tuple(p for p in problems if p.severity is Severity.WARNING),
        to_fill=tuple(_to_fill(after, codes)),
    )


def _indicator_codes(text: str | None) -> set[str]:
    data = yaml.safe_load(text) if text else None
    items = data.get("indicators") if isinstance(data, dict) else None
    return {str(i["code"]) for i in items or () if isinstance(i, dict) and "code" in i}


def _to_fill(definitions: Definitions, codes: set[str]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for cset in definitions.criteria_sets:
        if cset.code not in codes:
            continue
        start, end = cset.effective_from or date.min, cset.effective_to or date.max
        units = [u for u in definitions.units if u.valid_on(start, end)]
        applied = applied_units(cset, units)
        if not applied:
            continue
        if cset.dimension:
            missing = [u.code for u in units
                       if u.code in applied and cset.dimension not in u.attributes]
            if missing:
                shown = ", ".join(missing[:8]) + (", …" if len(missing) > 8 else "")
                values = ", ".join(cset.dimension_values)
                used = bool(cset.by_dimension())
                lines.append((
                    f"{cset.code}: set the attribute '{cset.dimension}' ({values}) of "
                    f"{len(missing)} unit(s)"
                    + (" where it applies (without it, the general threshold)" if used
                       else " (no threshold depends on it yet)") + f": {shown}",
                    f"{cset.code}: ghi thuộc tính '{cset.dimension}' ({values}) cho "
                    f"{len(missing)} đơn vị"
                    + (" nếu thuộc diện đó (không ghi: áp dụng mức chung)" if used
                       else " (chưa có mức đạt nào theo thuộc tính này)") + f": {shown}"))
        indicators = list(dict.fromkeys(
            c.indicator for k in cset.criteria for c in k.conditions if c.indicator))
        lines.append((
            f"{cset.code}: enter the figures of {len(indicators)} indicator(s) for "
            f"{len(applied)} unit(s): {', '.join(indicators)}",
            f"{cset.code}: nhập số liệu {len(indicators)} chỉ tiêu cho {len(applied)} đơn vị: "
            f"{', '.join(indicators)}"))
        if not cset.verified:
            document = f" ({cset.source.document})" if cset.source else ""
            lines.append((
                f"{cset.code}: not verified against its legal text{document}; check each "
                "threshold (docs/criteria-library.md) before citing it as official",
                f"{cset.code}: chưa đối chiếu đầy đủ với văn bản{document}; kiểm tra từng "
                "mức đạt (docs/criteria-library.md) trước khi trích dẫn là chính thức"))
    return lines
