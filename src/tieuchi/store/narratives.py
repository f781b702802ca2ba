"""The narratives of the reports (:mod:`tieuchi.domain.narrative`): per unit, period and
part, the folder's text (kept by each load) and the text written on the pages, each change
audited (entity ``narrative``, key ``{unit}|{period}|{part}``) in the unit of work that
makes it. Which text a report states is the domain's rule (:func:`merged`); who may write
is the application's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select

from tieuchi.domain.bundle import Definitions
from tieuchi.domain.narrative import Narrative, Part, merged, part_name
from tieuchi.store.audit import Audit, audit_key
from tieuchi.store.tables import NarrativeRow
from tieuchi.store.unit_of_work import Repository, UnitOfWork, serialize

__all__ = ["Narratives", "ENTITY", "FOLDER", "WRITTEN"]

ENTITY = "narrative"
FOLDER, WRITTEN = "folder", "written"


class Narratives(Repository):
    """The narratives' texts, by unit, period, part and origin."""

    def __init__(self, work: UnitOfWork, audit: Audit) -> None:
        super().__init__(work)
        self._audit = audit

    def texts(self, unit: str, period: str, origin: str) -> dict[Part, str]:
        """The texts of one origin (:data:`FOLDER` or :data:`WRITTEN`), by part."""
        with self._session() as s:
            rows = s.scalars(select(NarrativeRow).where(
                NarrativeRow.unit == unit, NarrativeRow.period == period,
                NarrativeRow.origin == origin).order_by(NarrativeRow.section,
                                                        NarrativeRow.target))
            return {(r.section, r.target): r.text for r in rows}

    def of(self, unit: str, period: str) -> Narrative:
        """The narrative a report of ``unit`` for ``period`` states: the written texts over
        the folder's (:func:`~tieuchi.domain.narrative.merged`)."""
        with self._session():
            folder = Narrative(unit, period, self.texts(unit, period, FOLDER))
            return merged(folder, self.texts(unit, period, WRITTEN), unit, period)

    def write(self, unit: str, period: str, texts: Mapping[Part, str], *, by: str,
              at: datetime, reason: str | None = None) -> int:
        """Keep ``texts`` as written on the pages (an empty text hides the folder's); a part
        whose text is the one the report states already is not written. Returns how many
        parts changed."""
        keys = {part: audit_key(ENTITY, unit=unit, period=period, part=part_name(part))
                for part in texts}
        with self._session() as s:
            serialize(s, ENTITY, keys.values())
            held = self.of(unit, period).texts
            written = {(r.section, r.target): r for r in s.scalars(select(NarrativeRow).where(
                NarrativeRow.unit == unit, NarrativeRow.period == period,
                NarrativeRow.origin == WRITTEN))}
            changed = 0
            for part, text in texts.items():
                old = held.get(part, "")
                if text == old:
                    continue
                row = written.get(part)
                if row is None:
                    s.add(NarrativeRow(unit=unit, period=period, section=part[0],
                                       target=part[1], origin=WRITTEN, text=text,
                                       changed_at=at, changed_by=by))
                else:
                    row.text, row.changed_at, row.changed_by = text, at, by
                self._audit.record(at, by, "update" if old else "create", ENTITY, keys[part],
                                   unit, {"text": old} if old else None, {"text": text},
                                   reason)
                changed += 1
            return changed

    def load(self, definitions: Definitions, *, by: str, at: datetime) -> tuple[int, int]:
        """Keep the folder's narratives: each file's texts replace what the folder gave
        before for its unit and period (the written texts stay). Returns how many parts
        were added and how many changed or taken out; each change is audited."""
        added = changed = 0
        with self._session() as s:
            for narrative in definitions.narratives:
                unit, period = narrative.unit, narrative.period
                held = {(r.section, r.target): r for r in s.scalars(select(NarrativeRow).where(
                    NarrativeRow.unit == unit, NarrativeRow.period == period,
                    NarrativeRow.origin == FOLDER))}
                for part in sorted(set(held) | set(narrative.texts)):
                    old = held[part].text if part in held else None
                    new = narrative.texts.get(part)
                    if old == new:
                        continue
                    if new is None:
                        s.execute(delete(NarrativeRow).where(
                            NarrativeRow.unit == unit, NarrativeRow.period == period,
                            NarrativeRow.section == part[0], NarrativeRow.target == part[1],
                            NarrativeRow.origin == FOLDER))
                    elif part in held:
                        held[part].text, held[part].changed_at = new, at
                        held[part].changed_by = by
                    else:
                        s.add(NarrativeRow(unit=unit, period=period, section=part[0],
                                           target=part[1], origin=FOLDER, text=new,
                                           changed_at=at, changed_by=by))
                    self._audit.record(
                        at, by, "load", ENTITY,
                        audit_key(ENTITY, unit=unit, period=period, part=part_name(part)),
                        unit, {"text": old, "origin": FOLDER} if old else None,
                        {"text": new, "origin": FOLDER} if new else None, None)
                    added, changed = (added + 1, changed) if old is None else (
                        added, changed + 1)
        return added, changed
