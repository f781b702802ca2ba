"""The files of a new definition folder for a province, a commune or a pre-2025 district
(``tieuchi init``): the project, its published units, the standard catalogue, the chosen
criteria sets, an empty plan, and a README that says where each came from and what to fill
in. Pure: the caller writes the files and checks the folder."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import yaml

from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.issuer import titled_name
from tieuchi.domain.units import Unit
from tieuchi.library.admin_units import (
    SOURCE,
    VALID_TO,
    find_province,
    goes_back,
    levels_of,
    units_file,
    units_for,
)
from tieuchi.library.catalogue import catalogue, catalogue_codes, catalogue_text
from tieuchi.library.criteria import files_for

__all__ = ["starter_files", "default_sets", "Start"]

NOW_SETS = ("ntm-xa-2026-2030",)
"""The sets a folder of the 2025 units starts with."""
BEFORE_2025_SETS = ("ntm-xa-2021-2025",)
"""The sets a folder that goes back before 1 July 2025 starts with."""


def default_sets(before_2025: bool) -> tuple[str, ...]:
    """The criteria sets a new folder starts with: those in force for its period."""
    return BEFORE_2025_SETS if before_2025 else NOW_SETS


@dataclass(frozen=True)
class Start:
    """What a new folder is about: its units, its root unit and its period."""

    units: tuple[Unit, ...]
    root: Unit
    period: str
    before_2025: bool

    @property
    def title(self) -> str:
        """The root's titled name: "Tỉnh Gia Lai", "Xã Ia Sao"."""
        return titled_name(self.root)


def _start(province: str, commune: str | None, before_2025: bool, district: str | None,
           today: date) -> tuple[Start, list[dict[str, Any]]]:
    rows = units_for(find_province(province), commune, before_2025=before_2025,
                     district=district)
    back = goes_back(rows)
    units = tuple(Unit.model_validate(row) for row in rows)
    root_level = "huyen" if district is not None else ("xa" if commune is not None else "tinh")
    root = next(u for u in units if u.level == root_level and (
        root_level != "xa" or u.valid_to is None))
    period = str(VALID_TO.year - 1 if back else today.year)
    return Start(units, root, period, back), rows


def starter_files(province: str, commune: str | None = None, before_2025: bool = False,
                  district: str | None = None, sets: Sequence[str] | None = None, *,
                  today: date, lang: str = "vi") -> dict[str, str]:
    """The files of a new folder (relative path → text) for ``province`` (a name or a GSO
    code), or one ``commune`` of it, or one legacy ``district`` (which implies
    ``before_2025``). ``sets``: the shipped criteria sets to copy (default
    :func:`default_sets`). The period is ``today``'s year, or 2024 for a folder that goes
    back before 2025; the README is in ``lang`` ("vi" or "en"). Raises
    :class:`~tieuchi.domain.problems.ProblemError` for a unit or a set that is not found."""
    start, rows = _start(province, commune, before_2025, district, today)
    chosen = tuple(dict.fromkeys(sets if sets else default_sets(start.before_2025)))
    have = set(catalogue_codes())
    set_texts: dict[str, str] = {}
    for name in chosen:
        set_texts[name] = files_for(name, have=have)
        have |= _indicator_codes(set_texts[name])
    files = {
        "tieuchi.yaml": _project_file(start, today),
        "units.yaml": units_file(rows, levels_of(rows), title=start.title),
        "indicators.yaml": catalogue_text(),
        **{f"criteria/{name}.yaml": text for name, text in set_texts.items()},
        "targets.yaml": _targets_file(start),
    }
    files["README.md"] = _readme(start, {n: _sets_of(t) for n, t in set_texts.items()},
                                 sorted(files), today, lang)
    return files


def _indicator_codes(text: str) -> set[str]:
    document = yaml.safe_load(text) or {}
    return {str(item["code"]) for item in document.get("indicators") or ()}


def _sets_of(text: str) -> tuple[CriteriaSet, ...]:
    document = yaml.safe_load(text) or {}
    return tuple(CriteriaSet.model_validate(s) for s in document.get("criteria_sets") or ())


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _project_file(start: Start, today: date) -> str:
    name = f"{start.title}: kế hoạch và kết quả thực hiện"
    return "\n".join([
        f"# {start.title}: written by `tieuchi init` on {today.isoformat()}; see README.md.",
        "project:",
        f"  name: {_quoted(name)}",
        f"  root: {start.root.code}",
        f"  period: {_quoted(start.period)}",
        "",
    ])


def _targets_file(start: Start) -> str:
    """The empty plan: the root's target group for the period, commented out (a group
    with no targets is warned about), to fill from its resolution."""
    return "\n".join([
        f"# The plan's targets (chỉ tiêu kế hoạch) of {start.title} for {start.period}: import",
        "# them from the resolution (`tieuchi targets import`, which writes targets/…yaml), or",
        "# remove the '# ' before the lines below and write one target a line. Indicator codes:",
        "# indicators.yaml (docs/catalogue.md); the comparator is the indicator's direction",
        "# unless the target names one (at_least, at_most, between, \"yes\").",
        "#",
        "# groups:",
        f"#   - code: ke-hoach-{start.period}",
        "#     name: Chỉ tiêu kế hoạch phát triển kinh tế - xã hội năm {year}",
        "#     name_en: Socio-economic plan targets for {year}",
        f"#     unit: {start.root.code}",
        f"#     period: {_quoted(start.period)}",
        "#     document: Nghị quyết số …/NQ-HĐND ngày … về kế hoạch phát triển kinh tế - xã hội",
        "#     targets:                    # the values below are examples only",
        "#       - {code: kh-grdp, indicator: grdp-tang-truong, at_least: 8}",
        "#       - {code: kh-thu-nsnn, indicator: thu-nsnn, at_least: 1000}",
        "#       - {code: kh-ho-ngheo, indicator: ty-le-ho-ngheo-da-chieu, at_most: 2.5}",
        "",
    ])


def _package_version() -> str:
    try:
        return version("tieuchi")
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "?"


def _readme(start: Start, sets: Mapping[str, tuple[CriteriaSet, ...]], paths: list[str],
            today: date, lang: str) -> str:
    """The folder's README, in ``lang`` ("vi", the default of ``tieuchi init``, or "en"):
    where each file came from and what to fill in."""
    vi = lang == "vi"
    units = start.units
    current = [u for u in units if u.valid_to is None and u.level != "tinh"]
    kinds = ", ".join(f"{n} {k}" for k, n in Counter(u.kind or u.level for u in current)
                      .most_common())
    source = (f"{SOURCE['package']} {SOURCE['version']} ({SOURCE['licence']}, "
              f"{SOURCE['url']})")
    if vi:
        lines = [
            f"# {start.title}: kế hoạch và kết quả thực hiện",
            "",
            f"Thư mục do `tieuchi init` ({_package_version()}) tạo ngày "
            f"{today.strftime('%d/%m/%Y')}. Thư mục hợp lệ ngay (`tieuchi validate .`) và "
            f"đánh giá được với mọi số liệu còn trống (`tieuchi evaluate . --period "
            f"{start.period}`: \"chưa có số liệu\").",
            "",
            "## Trong thư mục có gì, lấy từ đâu",
            "",
            f"- `tieuchi.yaml`: dự án; đơn vị gốc `{start.root.code}` ({start.title}), kỳ "
            f"{start.period}.",
            f"- `units.yaml`: {len(units)} đơn vị: {start.title} và các đơn vị hành chính "
            f"cấp xã từ 1/7/2025 ({len(current)}: {kinds})"
            + (", cùng các huyện, xã trước 1/7/2025 và đơn vị kế thừa của chúng"
               if start.before_2025 else "")
            + f"; theo danh mục của {source}, đơn vị có hiệu lực từ "
            f"{_day(date.fromisoformat(str(SOURCE['data_date'])), vi)}. Mã: P tỉnh, "
            "X xã từ 1/7/2025, H huyện và L xã trước đó; `official_code` là mã đơn vị hành "
            "chính (GSO).",
            f"- `indicators.yaml`: danh mục chuẩn {len(catalogue())} chỉ tiêu kinh tế - xã "
            "hội (tên và tên gọi khác như các nghị quyết thường viết, đơn vị tính, chiều tốt, "
            "cách cộng dồn); sửa, bớt, thêm như danh mục riêng của thư mục.",
        ]
    else:
        lines = [
            f"# {start.title}: plan and results",
            "",
            f"Written by `tieuchi init` ({_package_version()}) on {today.isoformat()}. The "
            "folder is valid as it is (`tieuchi validate .`) and evaluates with every figure "
            f"still missing (`tieuchi evaluate . --period {start.period}`: \"no data\").",
            "",
            "## What is here, and where it came from",
            "",
            f"- `tieuchi.yaml`: the project; the root unit `{start.root.code}` "
            f"({start.title}) and the period {start.period}.",
            f"- `units.yaml`: {len(units)} units: {start.title} and the commune-level units "
            f"in force from 1/7/2025 ({len(current)}: {kinds})"
            + (", with the districts and communes before 1/7/2025 and their successors"
               if start.before_2025 else "")
            + f"; from {source}, data of {SOURCE['data_date']}. Codes: P province, X commune "
            "from 1/7/2025, H district and L commune before; `official_code` is the GSO code.",
            f"- `indicators.yaml`: the standard catalogue of {len(catalogue())} "
            "socio-economic indicators (names and synonyms as plans write them, units, "
            "directions, roll-ups); edit it as this folder's own.",
        ]
    for name, found in sets.items():
        for s in found:
            verified = sum(bool(c.verified) for c in s.criteria)
            document = s.source.document if s.source else "?"
            span = f"{_day(s.effective_from, vi)} – {_day(s.effective_to, vi)}"
            if vi:
                lines.append(
                    f"- `criteria/{name}.yaml`: {s.name} ({document}, hiệu lực {span}); "
                    f"{verified}/{len(s.criteria)} tiêu chí đã đối chiếu với văn bản gốc"
                    + ("" if s.verified else "; bộ tiêu chí CHƯA được đối chiếu đầy đủ: "
                       "đọc ghi chú (note) trong tệp") + ".")
            else:
                lines.append(
                    f"- `criteria/{name}.yaml`: {s.name} ({document}, in force {span}); "
                    f"{verified} of {len(s.criteria)} criteria verified in the legal text"
                    + ("" if s.verified else "; the set is NOT verified: read its note") + ".")
    lines += [
        "- `targets.yaml`: " + (f"kế hoạch năm {start.period}, còn trống." if vi else
                                 f"the plan for {start.period}, empty."),
        "",
        "## Cần điền gì" if vi else "## What to fill in",
        "",
    ]
    lines += _to_fill(start, sets, vi)
    lines += [
        "",
        ("Sau mỗi bước, kiểm tra: `tieuchi validate .`, rồi "
         f"`tieuchi evaluate . --period {start.period}` và `tieuchi report .`.") if vi else
        ("Check after each step: `tieuchi validate .`, then "
         f"`tieuchi evaluate . --period {start.period}` and `tieuchi report .`."),
        "",
        ("Các tệp: " if vi else "Files: ") + ", ".join(f"`{p}`" for p in paths) + ".",
        "",
    ]
    return "\n".join(lines)


def _day(day: date | None, vi: bool) -> str:
    if day is None:
        return "…"
    return day.strftime("%d/%m/%Y") if vi else day.isoformat()


def _to_fill(start: Start, sets: Mapping[str, tuple[CriteriaSet, ...]], vi: bool) -> list[str]:
    steps: list[str] = []
    for name, found in sets.items():
        for s in found:
            if s.dimension:
                values = "|".join(s.dimension_values) or "…"
                steps.append(
                    f"1. **`{s.dimension}`** của từng đơn vị mà `{name}` áp dụng "
                    f"({_applies(s, vi)}): trong `units.yaml`, `attributes: {{{s.dimension}: "
                    f"{values}}}`. Danh mục đã công bố không có thông tin này; ghi chú của bộ "
                    f"tiêu chí (`criteria/{name}.yaml`) giải thích từng giá trị. Ngưỡng nào "
                    "khác nhau theo nhóm thì cần thông tin này: `tieuchi validate .` nêu từng "
                    "đơn vị còn thiếu." if vi else
                    f"1. **`{s.dimension}`** of each unit `{name}` applies to "
                    f"({_applies(s, vi)}): in `units.yaml`, `attributes: {{{s.dimension}: "
                    f"{values}}}`. The published units do not carry it; the set's note "
                    f"(`criteria/{name}.yaml`) says what each value means. A threshold that "
                    "differs by value needs it: `tieuchi validate .` names each unit without "
                    "it.")
    if not start.before_2025:
        steps.append(
            "1. **`dia_ban`** của các xã miền núi (`attributes: {dia_ban: mien-nui}`) cho "
            "tiêu chuẩn đơn vị hành chính (`tieuchi criteria add dvhc-2026 .`); các đặc khu "
            "đã có sẵn `hai-dao`." if vi else
            "1. **`dia_ban`** of mountain communes (`attributes: {dia_ban: mien-nui}`) for "
            "the admin-unit standards (`tieuchi criteria add dvhc-2026 .`); island units "
            "(đặc khu) already carry `hai-dao`.")
    command = (f"`tieuchi targets import NGHI-QUYET.docx . --unit {start.root.code} "
               f"--period {start.period}`")
    steps += [
        f"1. **Chỉ tiêu kế hoạch** năm {start.period}, theo nghị quyết của HĐND (Nghị quyết "
        f"về kế hoạch phát triển kinh tế - xã hội): {command} cho xem từng dòng của bảng "
        "chỉ tiêu được khớp với chỉ tiêu nào trong `indicators.yaml`; thêm `--apply` để ghi "
        "(vào `targets/`). Hoặc viết tay trong `targets.yaml`." if vi else
        f"1. **The plan's targets** for {start.period}, from the People's Council's "
        f"resolution (Nghị quyết HĐND về kế hoạch phát triển kinh tế - xã hội): {command} "
        "shows how each row of its table is matched to an indicator of `indicators.yaml`; "
        "`--apply` writes them (`targets/`). Or write them in `targets.yaml`.",
        "1. **Số liệu**: trong tệp CSV (`observations-<năm>.csv`: unit, indicator, period, "
        "value) hoặc nhập trên web (`tieuchi demo --folder .` để thử; `tieuchi load .` rồi "
        "`tieuchi serve` khi dùng thật; `tieuchi template` tạo biểu nhập Excel cho một biểu "
        "khai trong `datasets.yaml`). Chỉ tiêu có/không của bộ tiêu chí nhập 1 (đạt) hoặc 0."
        if vi else
        "1. **The figures**: in CSV files (`observations-<year>.csv`: unit, indicator, "
        "period, value) or entered on the web (`tieuchi demo --folder .` to try; "
        "`tieuchi load .` then `tieuchi serve` for real use; `tieuchi template` writes Excel "
        "entry sheets for a data set declared in `datasets.yaml`). The criteria's yes/no "
        "indicators are entered as 1 (đạt) or 0.",
    ]
    split = [u for u in start.units if len(u.successors) > 1 and u.split is None]
    if split:
        listed = (", ".join(f"`{u.code}` {u.name}" for u in split[:8])
                  + (", …" if len(split) > 8 else ""))
        block = "`split: {by: dân số, source: \"…\", weights: {X…: 0.6, X…: 0.4}}`"
        steps.append(
            f"1. **Xã bị chia tách** ({len(split)}: {listed}): mỗi xã nhập một phần vào "
            "nhiều xã mới; dữ liệu đã công bố không có tỷ lệ chia. Để chuyển số liệu của "
            f"chúng sang xã mới, ghi {block} cùng văn bản là nguồn của tỷ lệ." if vi else
            f"1. **Split communes** ({len(split)}: {listed}): each became part of several new "
            "communes; the published data gives no shares. To carry their figures, write "
            f"{block} with the document the weights come from.")
    return steps


def _applies(s: CriteriaSet, vi: bool) -> str:
    a = s.applies_to
    if vi:
        return (f"cấp `{a.level}`" if a.level else "các đơn vị của nó") + (
            f", loại {', '.join(a.kinds)}" if a.kinds else "")
    return (f"level `{a.level}`" if a.level else "its units") + (
        f", kinds {', '.join(a.kinds)}" if a.kinds else "")
