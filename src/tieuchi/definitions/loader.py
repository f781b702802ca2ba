"""Load a definition folder in stages, collecting every problem on the way.

1. read each ``*.yaml`` with line numbers (``yaml-syntax``);
2. check each top-level section and validate each item with its Pydantic model
   (``missing-field``, ``unknown-field``, ``wrong-type``, ``invalid-value``);
3. read the CSV files of observations and targets, column by column (``csv-*``);
4. run the semantic rules of :mod:`tieuchi.definitions.rules` over the whole;
5. build the :class:`~tieuchi.domain.bundle.Definitions` the engine evaluates.

Nothing is evaluated when any problem is an error: :func:`load_definitions` raises
:class:`~tieuchi.domain.problems.ProblemError` with all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from pydantic import BaseModel, ValidationError

from tieuchi.definitions.yaml_lines import (
    LineDict,
    LineList,
    YamlLimitError,
    line_of,
    load_yaml,
    read_yaml,
)
from tieuchi.domain.base import Model
from tieuchi.domain.bases import Basis
from tieuchi.domain.bundle import (
    MEMBER_SCHEMA,
    OBSERVATION_SCHEMA,
    Definitions,
    observation_frame,
    target_frame,
)
from tieuchi.domain.comparisons import PeriodCode
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.datasets import DataSet
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.narrative import Narrative, Part, parse_narrative
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import Problem, ProblemError, Severity, quoted, suggest
from tieuchi.domain.project import Project, ReportOutline
from tieuchi.domain.status import Vintage
from tieuchi.domain.targets import Target, TargetGroup
from tieuchi.domain.units import Level, Unit

__all__ = ["load_definitions", "check_definitions", "declared_levels", "Loaded", "Located",
           "ObservationRow"]


class ObservationRow(Model):
    """An observation written inline in YAML (bulk data goes in CSV)."""

    unit: str
    indicator: str
    period: PeriodCode
    value: float
    vintage: Vintage = Vintage.OFFICIAL
    source: str | None = None
    recorded_at: str | None = None
    note: str | None = None


SECTIONS: dict[str, tuple[type[BaseModel], bool]] = {
    # name: (model, is a list)
    "project": (Project, False),
    "levels": (Level, True),
    "units": (Unit, True),
    "indicators": (Indicator, True),
    "targets": (Target, True),
    "groups": (TargetGroup, True),
    "criteria_sets": (CriteriaSet, True),
    "report": (ReportOutline, False),
    "datasets": (DataSet, True),
    "observations": (ObservationRow, True),
    "bases": (Basis, True),
}


@dataclass(frozen=True)
class Located:
    """A validated item with the file, line and raw YAML it came from."""

    item: Any
    file: str
    line: int
    raw: Any

    def line_at(self, *loc: str | int) -> int:
        return line_of(self.raw, loc, self.line)


@dataclass
class Loaded:
    """What the stages produce before the engine's bundle is built."""

    root: Path
    sections: dict[str, list[Located]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    observation_frames: list[pl.DataFrame] = field(default_factory=list)
    csv_targets: list[tuple[Located, str | None]] = field(default_factory=list)  # (target, group)
    invalid_codes: dict[str, set[str]] = field(default_factory=dict)  # codes of invalid items
    unreadable_codes: set[str] = field(default_factory=set)  # codes seen in unparsable files
    problems: list[Problem] = field(default_factory=list)
    # Every target as rows of TARGET_SCHEMA, in the order of ``build``: made once by the rule
    # that checks their values, and used again for the bundle.
    target_rows: pl.DataFrame | None = None
    # The narratives of narrative/{unit}/{period}.md: each with its file and the line of
    # each part's heading.
    narratives: list[tuple[Narrative, str, dict[Part, int]]] = field(default_factory=list)

    def items(self, section: str) -> list[Any]:
        return [loc.item for loc in self.sections[section]]

    def error(self, code: str, message: str, file: str | None, line: int | None) -> None:
        self.problems.append(Problem(code, message, file=file, line=line))

    def warn(self, code: str, message: str, file: str | None, line: int | None) -> None:
        self.problems.append(Problem(code, message, file=file, line=line,
                                     severity=Severity.WARNING))

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def check_definitions(path: str | Path) -> tuple[Definitions | None, list[Problem]]:
    """Load ``path`` and return the definitions (None when there are errors) and all problems."""
    from tieuchi.definitions.rules import run_rules

    root = Path(path)
    loaded = Loaded(root=root)
    files = _definition_files(root)
    if not files:
        loaded.error("no-definitions", f"no .yaml or .csv file in '{root}'; "
                     "see docs/definitions.md for the layout", str(root), None)
        return None, loaded.problems
    for file in files:
        if file.suffix in (".yaml", ".yml"):
            _read_yaml(loaded, file)
    for file in files:
        if file.suffix == ".csv":
            from tieuchi.definitions.csv_files import read_csv

            read_csv(loaded, file)
    for file in _narrative_files(root):
        _read_narrative(loaded, root, file)
    run_rules(loaded)
    problems = sorted(loaded.problems, key=lambda p: (p.file or "", p.line or 0, p.code))
    if loaded.has_errors:
        return None, problems
    return build(loaded), problems


def load_definitions(path: str | Path) -> Definitions:
    """Load ``path``; raise :class:`~tieuchi.domain.problems.ProblemError` listing every
    problem if any is an error."""
    definitions, problems = check_definitions(path)
    if definitions is None:
        raise ProblemError(problems)
    return definitions


def declared_levels(path: str | Path, skip: Path | None = None) -> set[str]:
    """The codes of the levels the YAML files of the folder ``path`` declare, read as
    :func:`check_definitions` reads them, without ``skip`` (a file about to be replaced); a
    file that does not parse, or a level that is not valid, declares none."""
    loaded = Loaded(root=Path(path))
    for file in _definition_files(loaded.root):
        if file.suffix in (".yaml", ".yml") and file != skip:
            _read_yaml(loaded, file)
    return {str(located.item.code) for located in loaded.sections["levels"]}


def _definition_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.rglob("*")
        if p.suffix in (".yaml", ".yml", ".csv") and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


NARRATIVE = "narrative"
"""The folder of the narrative files: ``narrative/{unit}/{period}.md``."""


def _narrative_files(root: Path) -> list[Path]:
    folder = root / NARRATIVE
    if not root.is_dir() or not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.md") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))


def _read_narrative(loaded: Loaded, root: Path, file: Path) -> None:
    """A narrative file: its unit is its folder's name, its period its own name."""
    name = display_path(file)
    inside = file.relative_to(root / NARRATIVE).parts
    try:
        period = Period.parse(file.stem).code if len(inside) == 2 else None
    except PeriodError:
        period = None
    if period is None:
        loaded.error("narrative-file", f"a narrative file is narrative/{{unit}}/{{period}}.md "
                     f"(e.g. narrative/{inside[0] if len(inside) > 1 else 'UNIT'}/2023.md), "
                     f"not {'/'.join(inside)}", name, None)
        return
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        loaded.error("narrative-file", f"cannot read the file ({exc}); save it as UTF-8 "
                     "text", name, None)
        return
    texts, lines, problems = parse_narrative(text, name)
    loaded.problems.extend(problems)
    loaded.narratives.append((Narrative(inside[0], period, texts), name, lines))


def display_path(file: Path) -> str:
    """The file as problems name it: relative to the current folder when possible."""
    try:
        return str(file.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(file)


def _read_yaml(loaded: Loaded, file: Path) -> None:
    name = display_path(file)
    text = ""
    try:
        text = read_yaml(file)
        data = load_yaml(text)
    except YamlLimitError as exc:
        loaded.error("yaml-limit", str(exc), name, exc.line)
        return
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        loaded.error("yaml-syntax", f"{exc.problem or exc}; check indentation, colons and "
                     "quotes on this line", name, line)
        loaded.unreadable_codes.update(_CODE_TEXT.findall(text))
        return
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        loaded.error("yaml-syntax", f"{exc}; save the file as UTF-8 YAML", name, None)
        loaded.unreadable_codes.update(_CODE_TEXT.findall(text))
        return
    if data is None:
        return
    if not isinstance(data, LineDict):
        loaded.error("not-a-mapping", "a definition file is a mapping of sections "
                     f"({', '.join(SECTIONS)}), not {_kind(data)}", name, 1)
        return
    for key, value in data.items():
        line = data.lines[key]
        if key not in SECTIONS:
            loaded.error("unknown-section", f"'{key}' is not a section{suggest(key, SECTIONS)} "
                         f"(sections: {', '.join(SECTIONS)})", name, line)
            continue
        model, many = SECTIONS[key]
        if many:
            if not isinstance(value, LineList):
                loaded.error("not-a-mapping", f"'{key}' must be a list of items "
                             "(lines starting with '- ')", name, line)
                continue
            for index, raw in enumerate(value):
                _validate_item(loaded, key, model, raw, name, value.lines[index])
        else:
            _validate_item(loaded, key, model, value, name, line)


def _kind(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, dict):
        return "a mapping"
    return f"a single value ({quoted(data)})"


def _validate_item(
    loaded: Loaded, section: str, model: type[BaseModel], raw: Any, file: str, line: int
) -> None:
    if section == "groups" and isinstance(raw, LineDict):
        raw = _valid_group_targets(loaded, raw, file, line)
    try:
        item = model.model_validate(raw)
    except ValidationError as exc:
        for problem in validation_problems(exc, model, raw, file, line):
            loaded.problems.append(problem)
        if isinstance(raw, dict) and isinstance(raw.get("code"), str):
            # Known but invalid: references to it are not reported as unknown as well.
            loaded.invalid_codes.setdefault(section, set()).add(raw["code"])
        return
    loaded.sections[section].append(Located(item, file, line, raw))


def _valid_group_targets(loaded: Loaded, raw: LineDict, file: str, line: int) -> LineDict:
    """Check a group's targets one by one, so one bad target does not hide the group (and
    the problems of its other targets); the group keeps its valid targets."""
    targets = raw.get("targets")
    if not isinstance(targets, LineList):
        return raw
    kept = LineList()
    kept.line, kept.lines = targets.line, []
    for index, target in enumerate(targets):
        try:
            Target.model_validate(target)
        except ValidationError as exc:
            for problem in validation_problems(exc, Target, target, file, targets.lines[index],
                                               where=f"group '{raw.get('code')}' target "
                                               f"{index + 1}"):
                loaded.problems.append(problem)
            continue
        kept.append(target)
        kept.lines.append(targets.lines[index])
    if len(kept) == len(targets):
        return raw
    copy = LineDict(raw)
    copy.line, copy.lines = raw.line, raw.lines
    copy["targets"] = kept
    return copy


_CODE_TEXT = re.compile(r"\bcode:\s*[\"']?([A-Za-z0-9][A-Za-z0-9_.\-]*)")
"""Codes written in a file that cannot be parsed: references to them are not reported."""

_TYPE_ERRORS = ("_type", "_parsing", "bool_", "int_", "float_", "date_", "finite_number")
_TYPE_HINTS = {
    "float": "is not a number; write a number such as 4500 or 12.5 (a dot for decimals)",
    "int": "is not a whole number; write digits such as 12",
    "bool": "is not true or false",
    "date": "is not a date; write YYYY-MM-DD, e.g. 2023-12-31",
    "string": "is not text; put it in quotes",
    "list": "should be a list, e.g. [a, b] or lines starting with '- '",
    "tuple": "should be a list, e.g. [a, b] or lines starting with '- '",
    "dict": "should be a mapping of 'key: value' lines",
    "model": "should be a mapping of 'key: value' lines",
}
_LABELS = {"TargetGroup": "group", "CriteriaSet": "criteria set", "ReportOutline": "report",
           "ObservationRow": "observation"}


def _label(model: type[BaseModel]) -> str:
    return _LABELS.get(model.__name__, model.__name__.lower())


def _place(loc: tuple[Any, ...]) -> str:
    """('targets', 5, 'at_least') → "targets[6].at_least" (items counted from 1)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        elif part in ("float", "int", "str", "dict[str,float]") or "[" in str(part):
            continue  # a branch of a union type, not a place
        else:
            text += ("." if text else "") + str(part)
    return text


def validation_problems(
    exc: ValidationError, model: type[BaseModel], raw: Any, file: str, line: int,
    where: str | None = None,
) -> Iterator[Problem]:
    """Pydantic's errors as problems with the line of the offending key."""
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        place = _place(loc)
        owner = where
        if owner is None and isinstance(raw, dict) and isinstance(raw.get("code"), str):
            owner = f"{_label(model)} '{raw['code']}'"
        where_text = " ".join(x for x in (owner, place) if x) or _label(model)
        at = line_of(raw, loc, line)
        kind = error["type"]
        if kind == "missing":
            yield Problem("missing-field", f"{where_text}: this field is required; add "
                          f"'{loc[-1]}: …'", file=file, line=at)
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            fields = _fields_at(model, loc[:-1])
            yield Problem("unknown-field", f"'{name}' is not a field here{suggest(name, fields)}"
                          f" (fields: {', '.join(fields)})", file=file, line=at)
        elif any(marker in kind for marker in _TYPE_ERRORS) and kind != "value_error":
            hint = next((h for k, h in _TYPE_HINTS.items() if kind.startswith(k)), None)
            text = f"{quoted(error['input'])} {hint}" if hint else (
                f"{error['msg']} (got {quoted(error['input'])})")
            yield Problem("wrong-type", f"{where_text}: {text}", file=file, line=at)
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            if kind == "string_pattern_mismatch":
                message = ("a code is letters, digits, '_', '.' and '-', starting with a "
                           f"letter or digit (got {quoted(error['input'])})")
            yield Problem("invalid-value", f"{where_text}: {message}", file=file, line=at)


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model found by following ``loc`` through nested models."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part not in fields:
            continue
        current = _inner_model(fields[part].annotation)
    return list(getattr(current, "model_fields", {}))


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def build(loaded: Loaded) -> Definitions:
    """The engine's bundle from definitions that passed every rule."""
    project_items = loaded.items("project")
    project = project_items[0] if project_items else Project(name=loaded.root.name)
    report_items = loaded.items("report")
    groups: list[TargetGroup] = loaded.items("groups")
    group_targets = [(g.code, t) for g in groups for t in g.resolved_targets()]
    csv_targets = [(group, loc.item) for loc, group in loaded.csv_targets]
    targets = (
        loaded.items("targets") + [t for _, t in group_targets] + [t for _, t in csv_targets]
    )
    positions: dict[str, int] = {}
    members = []
    for group, target in group_targets + csv_targets:
        if group is not None:
            members.append({"group": group, "key": target.key,
                            "position": positions.setdefault(group, 0)})
            positions[group] += 1
    inline = pl.DataFrame(
        [o.model_dump(mode="json") for o in loaded.items("observations")],
        schema=OBSERVATION_SCHEMA,
    )
    frames = [inline, *loaded.observation_frames]
    observations = pl.concat([f.select(list(OBSERVATION_SCHEMA)) for f in frames])
    return Definitions(
        project=project,
        levels=tuple(loaded.items("levels")),
        units=tuple(loaded.items("units")),
        indicators=tuple(loaded.items("indicators")),
        groups=tuple(groups),
        criteria_sets=tuple(loaded.items("criteria_sets")),
        targets=target_frame(targets) if loaded.target_rows is None else loaded.target_rows,
        members=pl.DataFrame(members, schema=MEMBER_SCHEMA),
        observations=observation_frame(observations),
        report=report_items[0] if report_items else ReportOutline(),
        datasets=tuple(loaded.items("datasets")),
        bases=tuple(loaded.items("bases")),
        narratives=tuple(n for n, _, _ in loaded.narratives),
    )
