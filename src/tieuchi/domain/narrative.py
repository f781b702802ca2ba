"""The narrative of a report: what the officials write beside the figures.

A unit's report for a period has, after the sections the engine words, four sections of
text: *Tồn tại, hạn chế* (``ton-tai``), *Nguyên nhân* (``nguyen-nhan``), *Phương hướng,
nhiệm vụ* for the next period (``phuong-huong``) and *Kiến nghị, đề xuất* (``kien-nghi``);
and a *Nguyên nhân* attached to a target (by its key), placed after the sentence that states
it. Each text is Markdown of two kinds of block only: paragraphs and "- " list items (no
HTML: the renderers print the text as written).

The texts come from the definition folder (``narrative/{unit}/{period}.md``, read by
:func:`parse_narrative`) and from the pages (kept in the store, per unit and period); the
text written on the pages wins over the folder's, part by part (:func:`merged`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from tieuchi.domain.periods import Period, PeriodKind
from tieuchi.domain.problems import Problem, suggest
from tieuchi.domain.ruleset import TEXT_LIMITS, text_problem

__all__ = ["SECTIONS", "CAUSE", "CAUSED", "HEADINGS", "CAUSE_HEADINGS", "KIND", "Block",
           "Narrative", "Part", "blocks", "merged", "parse_narrative", "next_period_label",
           "narrative_problem", "part_name", "part_of", "limit", "known_headings"]

SECTIONS: tuple[str, ...] = ("ton-tai", "nguyen-nhan", "phuong-huong", "kien-nghi")
"""The narrative sections, in the order of the report."""

CAUSE = "nguyen-nhan"
"""The section whose text may also be attached to a target."""

CAUSED = ("not_met", "behind")
"""The assessments (``engine.targets.assessment_expr``) of a target whose cause a report
gives: not met, or behind its pace while its period runs."""

KIND = "narrative"
"""The kind of text of every part (:data:`~tieuchi.domain.ruleset.TEXT_LIMITS`)."""

HEADINGS: dict[str, tuple[str, str]] = {
    "ton-tai": ("Tồn tại, hạn chế", "Shortcomings"),
    "nguyen-nhan": ("Nguyên nhân", "Causes"),
    "phuong-huong": ("Phương hướng, nhiệm vụ", "Directions and tasks"),
    "kien-nghi": ("Kiến nghị, đề xuất", "Recommendations"),
}
"""The heading of each section in a narrative file (Vietnamese or English; the code works
too). The report's titles are the phrasebook's (``narrative`` in docs/reports.md)."""

CAUSE_HEADINGS = ("Nguyên nhân", "Cause")
"""A target's cause in a file: ``### Nguyên nhân: {target key}``."""

Part = tuple[str, str]
"""A part of a narrative: (section code, target key; "" for the section itself)."""

_ITEM = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    """A paragraph, or a list item (``item``), of a narrative text."""

    text: str
    item: bool = False


@dataclass(frozen=True)
class Narrative:
    """The texts of a unit's report for a period: by part (:data:`Part`), Markdown."""

    unit: str
    period: str
    texts: Mapping[Part, str] = field(default_factory=dict)

    def section(self, code: str) -> str:
        return self.texts.get((code, ""), "")

    @property
    def causes(self) -> dict[str, str]:
        """The causes attached to targets: target key → text."""
        return {key: text for (code, key), text in self.texts.items()
                if code == CAUSE and key and text}

    def __bool__(self) -> bool:
        return any(self.texts.values())


def blocks(text: str | None) -> tuple[Block, ...]:
    """The blocks of a narrative text: paragraphs (lines joined, up to a blank line or a
    list item) and "- " list items (a line of its own, with the lines that follow it)."""
    out: list[Block] = []
    lines: list[str] = []
    item = False

    def flush() -> None:
        nonlocal lines
        if lines:
            out.append(Block(" ".join(lines), item))
        lines = []

    for raw in unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n")).split("\n"):
        line = raw.strip()
        found = _ITEM.match(raw)
        if not line:
            flush()
            item = False
        elif found:
            flush()
            item = True
            lines.append(found.group(1).strip())
        else:
            lines.append(line)
    flush()
    return tuple(b for b in out if b.text)


def merged(folder: Narrative | None, written: Mapping[Part, str], unit: str,
           period: str) -> Narrative:
    """The narrative a report states: the texts written on the pages (kept in the store),
    and the folder's for the parts with none written. A part written empty stays empty: it
    hides the folder's text of that part."""
    texts = dict(folder.texts) if folder is not None else {}
    texts.update(written)
    return Narrative(unit, period, {part: text for part, text in texts.items() if text})


def next_period_label(period: Period, lang: str = "vi") -> str:
    """The period the *phương hướng, nhiệm vụ* are for: the next year after a year ("năm
    2024"), the rest of the year after the first months ("6 tháng cuối năm 2023", "3 tháng
    cuối năm 2023"), the next half, quarter or month, the next term after several years."""
    year = period.year
    match period.kind:
        case PeriodKind.YEAR:
            return Period.parse(year + 1).label(lang)
        case PeriodKind.YTD:
            rest = 12 - period.end.month
            if rest == 1:
                return Period.parse(f"{year}-12").label(lang)
            if lang == "vi":
                return f"{rest} tháng cuối năm {year}"
            return f"the last {rest} months of {year}"
        case PeriodKind.HALF:
            return Period.parse(f"{year}-H2" if period.part == 1 else f"{year + 1}-H1"
                                ).label(lang)
        case PeriodKind.QUARTER:
            after = f"{year}-Q{period.part + 1}" if period.part < 4 else f"{year + 1}-Q1"
            return Period.parse(after).label(lang)
        case PeriodKind.MONTH:
            after = f"{year}-{period.part + 1:02d}" if period.part < 12 else f"{year + 1}-01"
            return Period.parse(after).label(lang)
        case _:
            span = period.end.year - period.start.year + 1
            return Period.parse(f"{period.end.year + 1}-{period.end.year + span}").label(lang)


# ---------------------------------------------------------------------- files


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().rstrip(":").strip().casefold()


_SECTION_OF = {_plain(name): code for code, names in HEADINGS.items()
               for name in (*names, code)}


def known_headings() -> str:
    """The headings a narrative file may have, as the problems list them."""
    return "; ".join([*(f"## {vi}" for vi, _ in HEADINGS.values()),
                      f"### {CAUSE_HEADINGS[0]}: {{target key}}"])


def _section_of(title: str) -> str | None:
    """The section a "## " heading names: its Vietnamese or English heading or its code;
    *Phương hướng, nhiệm vụ* may go on with its period ("… năm 2024")."""
    plain = _plain(title)
    if plain in _SECTION_OF:
        return _SECTION_OF[plain]
    for code in ("phuong-huong",):
        if any(plain.startswith(_plain(name) + " ") for name in HEADINGS[code]):
            return code
    return None


def _cause_of(title: str) -> str | None:
    """The target key of a "### Nguyên nhân: KEY" heading."""
    head, sep, key = unicodedata.normalize("NFC", title).partition(":")
    if sep and _plain(head) in {_plain(h) for h in CAUSE_HEADINGS} and key.strip():
        return key.strip()
    return None


def narrative_problem(code: str, file: str, line: int, en: str, vi: str) -> Problem:
    return Problem(code, en, vi, file=file, line=line)


def parse_narrative(text: str, file: str,
                    ) -> tuple[dict[Part, str], dict[Part, int], list[Problem]]:
    """A narrative file's texts by part, the line of each part's heading, and its problems
    (``unknown-heading``, ``duplicate-heading``, ``narrative-outside``, and the text checks of
    :func:`~tieuchi.domain.ruleset.text_problem`). A "# " title is allowed and ignored."""
    texts: dict[Part, list[str]] = {}
    lines: dict[Part, int] = {}
    problems: list[Problem] = []
    current: Part | None = None
    outside: int | None = None
    skipped = False  # under a heading already reported: its text is not reported again
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        heading = _HEADING.match(raw)
        if heading is None:
            if current is not None:
                texts[current].append(raw)
            elif raw.strip() and outside is None and not skipped:
                outside = number
            continue
        level, title = len(heading.group(1)), heading.group(2)
        skipped = level > 1
        if level == 1:
            current = None
            continue
        section = _section_of(title) if level == 2 else None
        key = _cause_of(title) if level == 3 else None
        part = (section, "") if section else ((CAUSE, key) if key else None)
        if part is None:
            hint = suggest(title, [vi for vi, _ in HEADINGS.values()])
            problems.append(narrative_problem(
                "unknown-heading", file, number,
                f"'{raw.strip()}' is not a narrative heading{hint} (headings: "
                f"{known_headings()})",
                f"'{raw.strip()}' không phải đề mục của phần thuyết minh{hint} (các đề mục: "
                f"{known_headings()})"))
            current = None
            continue
        if part in lines:
            problems.append(narrative_problem(
                "duplicate-heading", file, number,
                f"'{raw.strip()}' is already written at line {lines[part]}: write the text "
                "under one heading",
                f"đề mục '{raw.strip()}' đã có ở dòng {lines[part]}: viết nội dung dưới một "
                "đề mục"))
            current = None
            continue
        current = part
        lines[part] = number
        texts[part] = []
    if outside is not None:
        problems.append(narrative_problem(
            "narrative-outside", file, outside,
            f"text outside a section: put it under one of the headings ({known_headings()})",
            f"nội dung nằm ngoài các đề mục: đặt dưới một trong các đề mục "
            f"({known_headings()})"))
    found: dict[Part, str] = {}
    for part, written in texts.items():
        body = "\n".join(written).strip()
        wrong = text_problem(KIND, unicodedata.normalize("NFC", body), field=part_name(part))
        if wrong is not None:
            problems.append(Problem(wrong.code, wrong.message, wrong.message_vi, file=file,
                                    line=lines[part]))
        elif body:
            found[part] = unicodedata.normalize("NFC", body)
    return found, lines, problems


def part_name(part: Part) -> str:
    """The part as a field name: "ton-tai", "nguyen-nhan:KEY"."""
    code, key = part
    return f"{code}:{key}" if key else code


def limit() -> int:
    """The most characters a part holds."""
    return TEXT_LIMITS[KIND]


def part_of(name: str) -> Part:
    """The part a field name names ("ton-tai", "nguyen-nhan:KEY"); whether it is one of
    the narrative's is for the caller to check."""
    code, _, key = name.partition(":")
    return code, key
