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
    """The criteria sets a new folder starts with: those in force for its period (one up to
    2025, ``before_2025``, or after)."""
    return BEFORE_2025_SETS if before_2025 else NOW_SETS


@dataclass(frozen=True)
class Start:
    """What a new folder is about: its units, its root unit and its period."""

    units: tuple[Unit, ...]
    root: Unit
    period: str
    before_2025: bool
    predecessors: tuple[Unit, ...] = ()
    """For a 2025 commune's folder that does not go back: the communes it was formed from."""

    @property
    def title(self) -> str:
        """The root's titled name: "Tỉnh Gia Lai", "Xã Ia Sao"."""
        return titled_name(self.root)


def _start(province: str, commune: str | None, before_2025: bool, district: str | None,
           today: date) -> tuple[Start, list[dict[str, Any]]]:
    chosen = find_province(province)
    rows = units_for(chosen, commune, before_2025=before_2025, district=district)
    back = goes_back(rows)
    predecessors: tuple[Unit, ...] = ()
    if commune is not None and not back:
        predecessors = tuple(Unit.model_validate(row) for row in units_for(
            chosen, commune, before_2025=True) if row["level"] == "xa" and "valid_to" in row)
    units = tuple(Unit.model_validate(row) for row in rows)
    # A pre-2025 district's folder is about its last full year; a province's or a
    # commune's is about this year, the units before 2025 only there to compare with.
    root_level = "huyen" if district is not None else ("xa" if commune is not None else "tinh")
    root = next(u for u in units if u.level == root_level and (
        root_level == "huyen" or u.valid_to is None))
    period = str(VALID_TO.year - 1 if district is not None else today.year)
    return Start(units, root, period, back, predecessors), rows


def starter_files(province: str, commune: str | None = None, before_2025: bool = False,
                  district: str | None = None, sets: Sequence[str] | None = None, *,
                  today: date, lang: str = "vi") -> dict[str, str]:
    """The files of a new folder (relative path → text) for ``province`` (a name or a GSO
    code), or one ``commune`` of it, or one legacy ``district`` (which implies
    ``before_2025``). ``sets``: the shipped criteria sets to copy (default
    :func:`default_sets`). The period is ``today``'s year, or 2024 for a pre-2025 district's
    folder; the README is in ``lang`` ("vi" or "en"). Raises
    :class:`~tieuchi.domain.problems.ProblemError` for a unit or a set that is not found."""
    start, rows = _start(province, commune, before_2025, district, today)
    chosen = tuple(dict.fromkeys(sets)) if sets else tuple(
        name for name in default_sets(int(start.period) <= VALID_TO.year)
        if _covers(name, start.units))  # a phường's folder: no new-rural commune set
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


def _covers(name: str, units: Sequence[Unit]) -> bool:
    """Whether a shipped set applies to any of ``units``."""
    return any(cset.applies_to.covers(unit) for cset in _sets_of(files_for(name, set()))
               for unit in units)


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
        "# them from the resolution (`tieuchi targets import`, which writes",
        "# targets/<name>.yaml), or",
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
            f"- `units.yaml`: {_units_held(start, vi)}; theo danh mục của {source} (đơn vị "
            f"hành chính từ {_day(date.fromisoformat(str(SOURCE['data_date'])), vi)}"
            + (" và trước đó" if start.before_2025 else "") + "). Mã: P tỉnh "
            "và X xã từ 1/7/2025; T tỉnh, H huyện và L xã trước đó; `official_code` là mã đơn "
            "vị hành chính (GSO).",
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
            f"- `units.yaml`: {_units_held(start, vi)}; from {source} (the units from "
            f"{SOURCE['data_date']}" + (" and before" if start.before_2025 else "")
            + "). Codes: P province and X commune from 1/7/2025; T province, H district and L "
            "commune before; `official_code` is the GSO code.",
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


def _units_held(start: Start, vi: bool) -> str:
    """"2 đơn vị: Tỉnh Gia Lai và xã Ia Sao", "136 đơn vị: Tỉnh Gia Lai và 135 đơn vị hành
    chính cấp xã từ 1/7/2025 (110 xã, 25 phường)", with the units before 1/7/2025."""
    units = start.units
    province = next(u for u in units if u.level == "tinh" and u.valid_to is None)
    current = [u for u in units if u.valid_to is None and u.level != "tinh"]
    before = [u for u in units if u.valid_to is not None]
    if len(current) == 1:
        one = current[0]
        communes = f"{one.kind or one.level} {one.name}"
    else:
        communes = (f"{len(current)} đơn vị hành chính cấp xã từ 1/7/2025" if vi else
                    f"{len(current)} commune-level units in force from 1/7/2025")
        communes += f" ({_counted(current)})"
    held = (f"{len(units)} đơn vị: {titled_name(province)} và {communes}" if vi else
            f"{len(units)} units: {titled_name(province)} and {communes}")
    if before:
        held += (f", cùng {len(before)} đơn vị trước 1/7/2025 ({_counted(before)}), mỗi đơn "
                 "vị ghi đơn vị kế thừa" if vi else
                 f", with {len(before)} units before 1/7/2025 ({_counted(before)}), each with "
                 "its successors")
    return held


def _counted(units: Sequence[Unit]) -> str:
    """"110 xã, 25 phường": the units by kind, the most first."""
    return ", ".join(f"{n} {k}" for k, n in Counter(u.kind or u.level for u in units)
                     .most_common())


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
                    f"tiêu chí (`criteria/{name}.yaml`) giải thích từng giá trị. "
                    + _by_dimension(s, vi) if vi else
                    f"1. **`{s.dimension}`** of each unit `{name}` applies to "
                    f"({_applies(s, vi)}): in `units.yaml`, `attributes: {{{s.dimension}: "
                    f"{values}}}`. The published units do not carry it; the set's note "
                    f"(`criteria/{name}.yaml`) says what each value means. "
                    + _by_dimension(s, vi))
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
        "vào `targets/<tên>.yaml` (tên theo `--document`, mặc định là tên tệp nghị quyết). "
        "Hoặc viết tay trong `targets.yaml`." if vi else
        f"1. **The plan's targets** for {start.period}, from the People's Council's "
        f"resolution (Nghị quyết HĐND về kế hoạch phát triển kinh tế - xã hội): {command} "
        "shows how each row of its table is matched to an indicator of `indicators.yaml`; "
        "`--apply` writes them to `targets/<name>.yaml` (the name from `--document`, by "
        "default the resolution's file name). Or write them in `targets.yaml`.",
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
    if start.predecessors:
        steps.append(_going_back(start, vi))
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


def _going_back(start: Start, vi: bool) -> str:
    """For a 2025 commune's folder: how to compare with 2024, before the commune existed."""
    root = start.root
    olds = ", ".join(f"{u.kind or u.level} {u.name}" for u in start.predecessors[:8]) + (
        ", …" if len(start.predecessors) > 8 else "")
    province = next(u for u in start.units if u.level == "tinh")
    command = (f"`tieuchi init THU-MUC-KHAC --province {province.official_code} --commune "
               f"{root.official_code} --before-2025`" if vi else
               f"`tieuchi init OTHER-FOLDER --province {province.official_code} --commune "
               f"{root.official_code} --before-2025`")
    return (f"1. **So sánh với năm 2024**: {root.kind or root.level} {root.name} có từ "
            f"1/7/2025, lập từ {len(start.predecessors)} xã trước đó ({olds}); thư mục này "
            "không có số liệu năm 2024 của chúng. Để so với năm 2024, tạo thư mục với "
            f"`--before-2025` ({command}): có thêm các xã trước 1/7/2025 và số liệu của chúng "
            "được cộng sang xã mới; xã nào bị chia cho nhiều xã mới thì cần khai báo tỷ lệ chia "
            "(`split`: trọng số của từng xã kế thừa và văn bản là nguồn của tỷ lệ)." if vi else
            f"1. **Comparing with 2024**: {root.kind or root.level} {root.name} exists from "
            f"1/7/2025, formed from {len(start.predecessors)} communes before ({olds}); this "
            "folder has no 2024 figures of theirs. To compare with 2024, start a folder with "
            f"`--before-2025` ({command}): it adds the communes before 1/7/2025, whose figures "
            "are carried to the new one; a commune split among several new ones needs its "
            "split weights (`split`: each successor's weight and the document they come from).")


def _by_dimension(s: CriteriaSet, vi: bool) -> str:
    """Whether the set's thresholds differ by its dimension: only then is it needed."""
    varying = s.by_dimension()
    if varying:
        codes = ", ".join(c.code for c in varying)
        return (f"Cần cho {len(varying)} tiêu chí có ngưỡng khác nhau theo `{s.dimension}` "
                f"({codes}): `tieuchi validate .` nêu từng đơn vị còn thiếu." if vi else
                f"Needed by the {len(varying)} criteria whose threshold differs by "
                f"`{s.dimension}` ({codes}): `tieuchi validate .` names each unit without it.")
    return (f"Chỉ cần khi có ngưỡng khác nhau theo `{s.dimension}`; bộ tiêu chí có sẵn này "
            "chưa có ngưỡng nào như vậy, nên `tieuchi validate .` chưa nhắc: điền khi bộ tiêu "
            "chí có ngưỡng như vậy." if vi else
            f"It matters only for a threshold that differs by `{s.dimension}`; this shipped "
            "set has none yet, so `tieuchi validate .` says nothing: fill it in when the set "
            "gets one.")


def _applies(s: CriteriaSet, vi: bool) -> str:
    a = s.applies_to
    if vi:
        return (f"cấp `{a.level}`" if a.level else "các đơn vị của nó") + (
            f", loại {', '.join(a.kinds)}" if a.kinds else "")
    return (f"level `{a.level}`" if a.level else "its units") + (
        f", kinds {', '.join(a.kinds)}" if a.kinds else "")
