"""Units and definitions: the hierarchy, the catalogue of indicators, criteria sets, data sets
and groups, and the project; read back as the same
:class:`~tieuchi.domain.bundle.Definitions` the files give, for the whole hierarchy or for
one unit and what lies under it, so the engine evaluates from the database as it does from
files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Select, Text, cast, delete, insert, select, union_all
from sqlalchemy.orm import Session

from tieuchi.domain.base import fold
from tieuchi.domain.bases import Basis, basis_catalogue
from tieuchi.domain.bundle import (
    MEMBER_SCHEMA,
    OBSERVATION_SCHEMA,
    TARGET_SCHEMA,
    Definitions,
    observation_frame,
)
from tieuchi.domain.criteria import CriteriaSet
from tieuchi.domain.datasets import DataSet, default_datasets
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.problems import Problem
from tieuchi.domain.project import Project, ReportOutline
from tieuchi.domain.targets import TargetGroup
from tieuchi.domain.units import Level, Unit
from tieuchi.store import bulk
from tieuchi.store.tables import (
    CriteriaSetRow,
    DataSetRow,
    GroupRow,
    IndicatorRow,
    LevelRow,
    Meta,
    ObservationRow,
    TargetRow,
    UnitRow,
    UnitSuccessorRow,
)
from tieuchi.store.unit_of_work import Repository, chunks

__all__ = ["Units", "LoadSummary", "unknown_unit", "unknown_indicator"]

# A target as read from the database: its key, group, place in the group and its document.
_TARGET_ROW_SCHEMA: dict[str, Any] = {"key": pl.String, "group": pl.String,
                                      "group_position": pl.Int32, "doc": pl.String}


@dataclass
class LoadSummary:
    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values()) + sum(self.changed.values())

    def count(self, name: str, added: int, changed: int) -> None:
        """Count a load's new and changed items of one kind."""
        if added:
            self.added[name] = self.added.get(name, 0) + added
        if changed:
            self.changed[name] = self.changed.get(name, 0) + changed


class Units(Repository):
    """The hierarchy and the definitions."""

    # ------------------------------------------------------------------ in

    def load(self, defs: Definitions, summary: LoadSummary) -> None:
        """Write the project, the report outline and the definitions of a validated folder
        (not its targets and figures): new items are added and changed ones updated."""
        with self._session() as s:
            _load_meta(s, "project", defs.project.model_dump(mode="json"), summary)
            _load_meta(s, "report", defs.report.model_dump(mode="json"), summary)
            if defs.bases or s.get(Meta, "bases") is not None:  # the folder's own bases
                _load_meta(s, "bases", {"bases": [b.model_dump(mode="json")
                                                  for b in defs.bases]}, summary)
            _load_documents(s, LevelRow, "levels", defs.levels, summary)
            _load_documents(s, UnitRow, "units", defs.units, summary, extra=lambda u: {
                "name": u.name, "search_name": fold(u.name), "level": u.level,
                "parent": u.parent})
            _load_successors(s, defs.units)
            _load_documents(s, IndicatorRow, "indicators", defs.indicators, summary)
            _load_documents(s, CriteriaSetRow, "criteria_sets", defs.criteria_sets, summary)
            _load_documents(s, DataSetRow, "datasets", defs.datasets, summary)
            _load_documents(s, GroupRow, "groups", defs.groups, summary, exclude={"targets"},
                            extra=lambda g: {"unit": g.unit, "period": g.period})

    # ------------------------------------------------------------------ definitions out

    def project(self) -> Project:
        with self._session() as s:
            row = s.get(Meta, "project")
            return Project.model_validate(row.value) if row else Project(name="tieuchi")

    def has_definitions(self) -> bool:
        with self._session() as s:
            return s.get(Meta, "project") is not None

    def indicators(self, codes: Iterable[str] | None = None) -> list[Indicator]:
        """The indicators of the catalogue (those of ``codes`` only, when given)."""
        with self._session() as s:
            if codes is None:
                return list(_documents(s, IndicatorRow, Indicator))
            return [Indicator.model_validate(r.doc) for chunk in chunks(sorted(set(codes)))
                    for r in s.scalars(select(IndicatorRow).where(
                        IndicatorRow.code.in_(chunk)).order_by(IndicatorRow.position))]

    def bases(self) -> dict[str, Basis]:
        """The catalogue of bases: the built-in ones with the loaded folder's own."""
        with self._session() as s:
            kept = s.get(Meta, "bases")
            return basis_catalogue(Basis.model_validate(b) for b in kept.value["bases"]) if (
                kept) else basis_catalogue()

    def definitions(self, root: str | None = None, *, data: bool = True) -> Definitions:
        """The definitions, with targets and figures of ``root`` and the units under it only
        (everything when ``root`` is None): a unit's page never loads the whole country.
        The units they succeeded (``Unit.successors``), recursively, come with their figures,
        not their targets: the same period last year of a merged commune is theirs.
        Targets and figures are read columnar (:func:`~tieuchi.store.bulk.read_frame`),
        never as ORM rows. With ``data=False`` they are left out (empty frames): what a page
        reading the read model needs."""
        with self._session() as s:
            project = s.get(Meta, "project")
            report = s.get(Meta, "report")
            bases = s.get(Meta, "bases")
            units_query = select(UnitRow).order_by(UnitRow.position)
            groups_query = select(GroupRow).order_by(GroupRow.position)
            targets_query = select(TargetRow.key, TargetRow.group.label("group"),
                                   TargetRow.group_position,
                                   cast(TargetRow.doc, Text).label("doc"),
                                   ).order_by(TargetRow.position)
            obs_query = select(*(getattr(ObservationRow, c) for c in OBSERVATION_SCHEMA))
            if root is not None:
                tree = _subtree_query(root)
                # the units the subtree succeeded (and theirs), with their figures: last
                # year's figures of a commune formed by a merger are its predecessors'
                scope = _scope_query(root)
                units_query = units_query.where(UnitRow.code.in_(scope))
                groups_query = groups_query.where(GroupRow.unit.in_(tree))
                targets_query = targets_query.where(TargetRow.unit.in_(tree))
                obs_query = obs_query.where(ObservationRow.unit.in_(scope))
            units = tuple(Unit.model_validate(r.doc) for r in s.scalars(units_query))
            if data:
                targets = bulk.read_frame(s, targets_query, _TARGET_ROW_SCHEMA)
                observations = bulk.read_frame(s, obs_query.order_by(ObservationRow.id),
                                               OBSERVATION_SCHEMA)
            else:
                targets = pl.DataFrame(schema=_TARGET_ROW_SCHEMA)
                observations = pl.DataFrame(schema=OBSERVATION_SCHEMA)
            return Definitions(
                project=Project.model_validate(project.value) if project else Project(
                    name="tieuchi"),
                levels=_documents(s, LevelRow, Level),
                units=units,
                indicators=_documents(s, IndicatorRow, Indicator),
                groups=tuple(TargetGroup.model_validate(r.doc) for r in s.scalars(groups_query)),
                criteria_sets=_documents(s, CriteriaSetRow, CriteriaSet),
                targets=_target_docs(targets),
                members=targets.filter(pl.col("group").is_not_null()).select(
                    "group", "key", pl.col("group_position").alias("position"),
                ).cast(pl.Schema(MEMBER_SCHEMA)),
                observations=observation_frame(observations),
                report=ReportOutline.model_validate(report.value) if report else
                ReportOutline(),
                datasets=_documents(s, DataSetRow, DataSet),
                bases=tuple(Basis.model_validate(b) for b in bases.value["bases"])
                if bases else (),
            )

    # ------------------------------------------------------------------ data sets

    def datasets(self) -> list[DataSet]:
        """The data sets defined, or the one a folder without any gets."""
        with self._session() as s:
            defined = [DataSet.model_validate(r.doc) for r in s.scalars(
                select(DataSetRow).order_by(DataSetRow.position))]
            return defined or list(default_datasets(_documents(s, IndicatorRow, Indicator)))

    def datasets_for(self, unit: str) -> list[DataSet]:
        """The data sets the unit reports, given its level."""
        with self._session() as s:
            row = s.get(UnitRow, unit)
            if row is None:
                return []
            return [d for d in self.datasets() if d.reported_by(row.level)]

    # ------------------------------------------------------------------ hierarchy

    def get(self, code: str) -> Unit | None:
        with self._session() as s:
            row = s.get(UnitRow, code)
            return Unit.model_validate(row.doc) if row else None

    def path(self, code: str) -> list[str]:
        """The unit, then its parent, up to the top; empty when the unit does not exist."""
        with self._session() as s:
            chain: list[str] = []
            current: str | None = code
            while current is not None and current not in chain:
                row = s.get(UnitRow, current)
                if row is None:
                    break
                chain.append(current)
                current = row.parent
            return chain

    def children(self, code: str | None) -> list[Unit]:
        """The units directly under ``code`` (the top units when None)."""
        with self._session() as s:
            query = select(UnitRow).order_by(UnitRow.position)
            query = query.where(UnitRow.parent.is_(None) if code is None else
                                UnitRow.parent == code)
            return [Unit.model_validate(r.doc) for r in s.scalars(query)]

    def under(self, root: str | None) -> list[Unit]:
        """``root`` and every unit below it (the whole hierarchy when None; nothing when
        ``root`` does not exist), in the order of the definitions."""
        with self._session() as s:
            query = select(UnitRow).order_by(UnitRow.position)
            if root is not None:
                query = query.where(UnitRow.code.in_(_subtree_query(root)))
            return [Unit.model_validate(r.doc) for r in s.scalars(query)]

    def known(self, codes: Iterable[str]) -> set[str]:
        """Those of ``codes`` that are units of the hierarchy."""
        with self._session() as s:
            return {code for chunk in chunks(sorted(set(codes))) for code in s.scalars(
                select(UnitRow.code).where(UnitRow.code.in_(chunk)))}

    def search(self, text: str, within: str | None = None, limit: int = 20) -> list[Unit]:
        """Units whose name contains ``text``, diacritics ignored ("ha noi" finds
        "Hà Nội"), within the subtree of ``within``."""
        with self._session() as s:
            query = select(UnitRow).where(UnitRow.search_name.contains(fold(text),
                                                                      autoescape=True))
            if within is not None:
                query = query.where(UnitRow.code.in_(_subtree_query(within)))
            rows = s.scalars(query.order_by(UnitRow.position).limit(limit))
            return [Unit.model_validate(r.doc) for r in rows]

    def top(self) -> list[str]:
        """The codes of the units at the top of the hierarchy."""
        with self._session() as s:
            query = select(UnitRow.code).where(UnitRow.parent.is_(None))
            return list(s.scalars(query.order_by(UnitRow.position)))


def _load_meta(s: Session, key: str, value: dict[str, Any], summary: LoadSummary) -> None:
    row = s.get(Meta, key)
    if row is None:
        s.add(Meta(key=key, value=value))
        summary.added[key] = 1
    elif row.value != value:
        row.value = value
        summary.changed[key] = 1


def _load_documents(
    s: Session, table: Any, name: str, items: Sequence[Any], summary: LoadSummary,
    exclude: set[str] | None = None, extra: Any = None,
) -> None:
    existing = {r.code: r for r in s.scalars(select(table))}
    offset = max((r.position for r in existing.values()), default=-1) + 1
    for index, item in enumerate(items):
        doc = item.model_dump(mode="json", exclude=exclude)
        columns = extra(item) if extra else {}
        row = existing.get(item.code)
        if row is None:
            s.add(table(code=item.code, position=offset + index, doc=doc, **columns))
            summary.count(name, 1, 0)
        elif row.doc != doc or any(getattr(row, k) != v for k, v in columns.items()):
            row.doc = doc
            for k, v in columns.items():
                setattr(row, k, v)
            summary.count(name, 0, 1)
    s.flush()


def _documents(s: Session, table: Any, model: Any) -> tuple[Any, ...]:
    return tuple(model.model_validate(r.doc)
                 for r in s.scalars(select(table).order_by(table.position)))


def _subtree_query(root: str) -> Select[tuple[str]]:
    """The codes of ``root`` and every unit under it, as a subquery (a recursive CTE)."""
    tree = select(UnitRow.code).where(UnitRow.code == root).cte(recursive=True)
    tree = tree.union_all(select(UnitRow.code).where(UnitRow.parent == tree.c.code))
    return select(tree.c.code)


def _scope_query(root: str) -> Select[tuple[str]]:
    """The codes of ``root``, every unit under it and every unit any of these succeeded
    (with the units under those), as a subquery: one recursive CTE over the hierarchy and
    :class:`UnitSuccessorRow`."""
    # one recursive term (PostgreSQL allows no more): the edges from a unit to those under
    # it and to those it succeeded
    edges = union_all(
        select(UnitRow.parent.label("source"), UnitRow.code.label("code")),
        select(UnitSuccessorRow.successor.label("source"), UnitSuccessorRow.unit.label("code")),
    ).subquery("edges")
    scope = select(UnitRow.code).where(UnitRow.code == root).cte("scope", recursive=True)
    scope = scope.union(select(edges.c.code).join(scope, edges.c.source == scope.c.code))
    return select(scope.c.code)


def _load_successors(s: Session, units: Iterable[Unit]) -> None:
    """Keep :class:`UnitSuccessorRow` as the loaded units write their successors."""
    units = list(units)
    for chunk in chunks([u.code for u in units]):
        s.execute(delete(UnitSuccessorRow).where(UnitSuccessorRow.unit.in_(chunk)))
    pairs = [{"unit": u.code, "successor": c} for u in units for c in dict.fromkeys(u.successors)]
    if pairs:
        s.execute(insert(UnitSuccessorRow), pairs)


def _target_docs(rows: pl.DataFrame) -> pl.DataFrame:
    """The targets' documents (JSON text) as rows of :data:`TARGET_SCHEMA`, decoded by
    Polars column-wise."""
    if not rows.height:
        return pl.DataFrame(schema=TARGET_SCHEMA)
    return rows.select(pl.col("doc").str.json_decode(pl.Struct(TARGET_SCHEMA))).unnest("doc")


def unknown_unit(code: str, index: int | None = None) -> Problem:
    """The problem of a unit code that is not in the hierarchy."""
    return Problem("unknown-unit", f"unit '{code}' does not exist",
                   f"đơn vị '{code}' không có trong danh mục", field="unit", index=index)


def unknown_basis(code: str, known: Iterable[str], index: int | None = None) -> Problem:
    """The problem of a target's basis that the catalogue of bases does not hold."""
    listed = ", ".join(known)
    return Problem("unknown-basis", f"basis '{code}' is not defined (bases: {listed})",
                   f"cơ sở giao chỉ tiêu '{code}' không có trong danh mục (danh mục: {listed})",
                   field="basis", index=index)


def unknown_indicator(code: str, index: int | None = None) -> Problem:
    """The problem of an indicator code that is not in the catalogue."""
    return Problem("unknown-indicator", f"indicator '{code}' does not exist",
                   f"chỉ tiêu '{code}' không có trong danh mục", field="indicator",
                   index=index)
