"""The REST API under ``/api`` (documented in docs/api.md; Swagger at ``/api/docs``).

Every call is made by a user: an API token (``Authorization: Bearer tc_…``, made with
``tieuchi token add USER``) or the session cookie of the pages, which then needs the session's
CSRF token in ``X-CSRF-Token`` on POST. Every route declares what it needs
(:class:`~tieuchi.web.security.Needs`); the application's policy decides
(:mod:`tieuchi.app.policy`), and every error has the one shape of the application,
``{"ok": false, "errors": [...], "status": n}`` (rendered by :mod:`tieuchi.web.app`). Writes
are the application's commands, all or nothing, audited under the user's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, JsonValue

from tieuchi.app import Action, App, UnknownUnit, allowed
from tieuchi.app.policy import Resource
from tieuchi.domain.base import CODE_PATTERN
from tieuchi.domain.bases import PLAN
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.narrative import part_name
from tieuchi.domain.periods import Period, PeriodError
from tieuchi.domain.problems import ProblemError, problem
from tieuchi.domain.statements import Compare, Excess
from tieuchi.domain.status import Comparator, Vintage
from tieuchi.domain.targets import Relative
from tieuchi.domain.units import Unit
from tieuchi.domain.workflow import STATE_NAMES, TRANSITIONS
from tieuchi.engine import evaluate
from tieuchi.reports.json_output import evaluation_dict
from tieuchi.store import UNCHECKED, AuditEntry, Entry, Expected, Store, User
from tieuchi.web.bodies import UnicodeJsonRoute
from tieuchi.web.security import (
    Needs,
    NotSignedIn,
    app_of,
    request_user,
    require_csrf,
    store_of,
)

__all__ = ["router", "api_user"]

# ---------------------------------------------------------------------- authentication

_bearer = HTTPBearer(
    auto_error=False, scheme_name="token",
    description="An API token made with `tieuchi token add USER` (it has the user's scope).")
_cookie = APIKeyCookie(
    name="tieuchi_session", auto_error=False, scheme_name="session",
    description="The session cookie of the pages; POST also needs the header X-CSRF-Token.")


def api_user(
    request: Request,
    _token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _session: Annotated[str | None, Depends(_cookie)],
) -> User:
    """The user of an API call: the bearer token's when an ``Authorization`` header is given
    (a wrong token is not made up for by a session), else the session's."""
    user = request_user(request)
    if user is None:
        raise NotSignedIn()
    return user


ApiUser = Annotated[User, Depends(api_user)]


class ErrorItem(BaseModel):
    code: str = Field(description="What went wrong, e.g. forbidden, unknown-indicator, locked.")
    message: str
    message_vi: str
    field: str | None = Field(default=None, description="The field at fault, when one is.")
    index: int | None = Field(default=None,
                              description="The place of the row at fault in a bulk request.")
    place: str = Field(default="", description="Where, as a person reads it: "
                       "targets[3].value is [3].value; empty for the whole request.")


class ErrorBody(BaseModel):
    """The one shape of every error of the API."""

    ok: Literal[False] = False
    errors: list[ErrorItem]
    status: int = Field(description="The HTTP status, repeated.")


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No valid token or session"},
    403: {"model": ErrorBody, "description": "Outside the user's scope or role, or no CSRF "
          "token with a session"},
    404: {"model": ErrorBody, "description": "Unknown unit"},
    409: {"model": ErrorBody, "description": "The data set is submitted, approved or locked, "
          "the workflow step does not apply to its state, or a target key names another "
          "target"},
    422: {"model": ErrorBody, "description": "Invalid request; each error names its field "
          "(and the row's index in a bulk request)"},
}

# The user is found before the CSRF check, so a call without any credentials gets 401.
router = APIRouter(prefix="/api", tags=["api"], responses=_ERRORS, route_class=UnicodeJsonRoute,
                   dependencies=[Depends(api_user), Depends(require_csrf)])


StoreDep = Annotated[Store, Depends(store_of)]
AppDep = Annotated[App, Depends(app_of)]


# ---------------------------------------------------------------------- models


class Ok(BaseModel):
    ok: Literal[True] = True


class UnitOut(BaseModel):
    code: str
    name: str
    name_en: str | None = None
    level: str
    kind: str | None = None
    parent: str | None = None
    official_code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    @classmethod
    def of(cls, unit: Unit) -> UnitOut:
        return cls(code=unit.code, name=unit.name, name_en=unit.name_en, level=unit.level,
                   kind=unit.kind, parent=unit.parent, official_code=unit.official_code,
                   valid_from=unit.valid_from, valid_to=unit.valid_to)


class PathItem(BaseModel):
    code: str
    name: str


class UnitList(Ok):
    units: list[UnitOut]


class UnitDetail(Ok):
    unit: UnitOut
    path: list[PathItem] = Field(description="From the top of the hierarchy down to the unit.")


class FoundUnit(UnitOut):
    path: list[PathItem] = Field(description="From the top of the hierarchy down to the unit.")


class SearchResult(Ok):
    q: str
    units: list[FoundUnit]


class IndicatorOut(BaseModel):
    code: str
    name: str
    name_en: str | None = None
    short_name: str | None = None
    unit: str | None = Field(default=None, description="Unit of measure: tỷ đồng, %, người.")
    unit_en: str | None = None
    type: str = Field(description="number, percent, yesno or count.")
    direction: str = Field(description="higher, lower, exact or range: which way is better.")
    frequency: str = Field(description="The finest period it is collected for.")
    decimals: int
    computed: bool = Field(description="Computed from other figures, never entered.")

    @classmethod
    def of(cls, i: Indicator) -> IndicatorOut:
        return cls(code=i.code, name=i.name, name_en=i.name_en, short_name=i.short_name,
                   unit=i.unit, unit_en=i.unit_en, type=i.type.value,
                   direction=i.direction.value, frequency=i.frequency.value,
                   decimals=i.decimals,
                   computed=bool(i.derived_from_set or i.components))


class IndicatorList(Ok):
    indicators: list[IndicatorOut]


class TargetBody(BaseModel):
    """A target, as the engine reads it: one of ``comparator`` (with ``value``, and
    ``value_high`` for ``within``) or ``relative`` (with ``relative_value``)."""

    key: str = Field(min_length=1, max_length=200,
                     description="Identifies the target; posting a key again changes it.")
    unit: str
    indicator: str
    period: str = Field(description="2023, 2023-H1, 2023-Q3, 2023-05, 2023-YTD09, 2021-2025")
    comparator: Comparator | None = None
    value: float | None = None
    value_high: float | None = None
    relative: Relative | None = None
    relative_value: float | None = None
    baseline: str | None = Field(default=None,
                                 description="The base period of a relative target "
                                 "(default: the same period last year).")
    baseline_value: float | None = None
    tolerance: float = 0.0
    basis: str = Field(default=PLAN, pattern=CODE_PATTERN,
                       description="A code of the bases: plan, budget, quota, resolution "
                       "or one the definitions declare.")
    issuer: str | None = None
    document: str | None = None
    name: str | None = None
    compare: Compare | None = Field(default=None, description="How the report compares the "
                                    "figure with the same period: change, ratio or none.")
    excess: Excess | None = Field(default=None, description="How the report states it when "
                                  "exceeded: quantity or percent.")
    percent_decimals: int | None = Field(default=None, ge=0, le=6, description="Decimals of "
                                         "its percentages (default: its group's, the "
                                         "report's, 2).")
    percent_fixed: bool | None = Field(default=None, description="Keep the trailing zeros of "
                                       "its percentages (\"5,0%\").")
    allocation: str | None = Field(
        default=None, description="How the targets given to the units directly below add "
        "up to it: exactly, at_least or at_most (default: by the comparator, at_least for "
        "at_least, at_most for at_most, exactly for equal).")


class TargetList(Ok):
    unit: str
    period: str | None
    targets: list[TargetBody]


class TargetsIn(BaseModel):
    targets: list[TargetBody] = Field(min_length=1, max_length=5000)
    reason: str | None = None


class Changed(Ok):
    changed: int = Field(description="How many values changed (unchanged ones are not "
                         "counted).")


class Figure(BaseModel):
    indicator: str
    value: float | None
    vintage: str
    source: str | None
    note: str | None = Field(default=None, description="The figure's note (Ghi chú).")
    changed_by: str | None
    changed_at: datetime | None


class FigureList(Ok):
    unit: str
    period: str
    observations: list[Figure]


_VINTAGES: list[JsonValue] = [v.value for v in Vintage]


class ObservationIn(BaseModel):
    unit: str
    indicator: str
    period: str = Field(description="2023, 2023-Q3, 2023-05, …")
    value: float | None = Field(strict=True, description="The figure; null deletes it.")
    vintage: str = Field(default=Vintage.OFFICIAL.value, json_schema_extra={"enum": _VINTAGES})
    source: str | None = None
    note: str | None = Field(
        default=None, description="The figure's note (Ghi chú); left out or null keeps the "
        "note held, an empty text takes it away.")
    expected: float | None = Field(
        default=None, strict=True,
        description="The figure you read (of this unit, indicator, period and vintage); null: "
                    "there was none. When given, a figure that is another now refuses the "
                    "request (409 `stale-figure`, the figure held now in the message). "
                    "Left out, the figure is written over whatever is held.")

    def expectation(self) -> Expected:
        """``expected`` when the request gave it (null included), else unchecked."""
        return self.expected if "expected" in self.model_fields_set else UNCHECKED


class ObservationsIn(BaseModel):
    observations: list[ObservationIn] = Field(min_length=1, max_length=5000)
    reason: str | None = Field(default=None, description="Why (kept in the audit log).")


class EvaluationOut(Ok):
    """The evaluation as in docs/json.md."""

    format: int
    project: str
    period: str
    as_of: str
    units: list[str]
    groups: list[dict[str, Any]]
    criteria_sets: list[dict[str, Any]]
    set_summaries: list[dict[str, Any]]
    targets: list[dict[str, Any]]


class DataSetState(BaseModel):
    dataset: str
    name: str
    name_en: str | None
    state: str = Field(description="draft, submitted, approved or locked.")
    state_name: str = Field(description="The state in Vietnamese.")
    actions: list[str] = Field(description="The steps this user may take now.")


class WorkflowOut(Ok):
    unit: str
    period: str
    datasets: list[DataSetState]


_ACTIONS: list[JsonValue] = [step.value for step in TRANSITIONS]


class WorkflowIn(BaseModel):
    unit: str
    period: str
    dataset: str
    action: str = Field(json_schema_extra={"enum": _ACTIONS},
                        description="submit, approve, return, lock or reopen.")
    reason: str | None = Field(default=None,
                               description="Needed to return or reopen a data set.")


class WorkflowChanged(Ok):
    unit: str
    period: str
    dataset: str
    state: str


class HistoryOut(Ok):
    unit: str
    entries: list[AuditEntry]


# ---------------------------------------------------------------------- helpers


def _unit(store: Store, code: str) -> Unit:
    """The unit (the route's :class:`Needs` has checked it exists and may be seen)."""
    unit = store.units.get(code)
    if unit is None:
        raise UnknownUnit(code)
    return unit


def _period(text: str, field: str = "period") -> Period:
    try:
        return Period.parse(text)
    except PeriodError:
        raise ProblemError([problem("invalid-period", {"field": field, "period": text},
                                    field=field)]) from None


def _indicators(store: Store) -> list[Indicator]:
    return store.units.indicators()


def _path_items(store: Store, code: str) -> list[PathItem]:
    items = []
    for ancestor in reversed(store.units.path(code)):
        unit = store.units.get(ancestor)
        if unit is not None:
            items.append(PathItem(code=unit.code, name=unit.name))
    return items


# ---------------------------------------------------------------------- units


@router.get("/units", summary="Units under a unit (default: the user's own unit)",
            dependencies=[Needs(Action.READ, "parent")])
def list_units(store: StoreDep, user: ApiUser,
               parent: Annotated[str | None, Query(
                   description="List the units directly under this one.")] = None,
               ) -> UnitList:
    if parent is not None:
        return UnitList(units=[UnitOut.of(u) for u in store.units.children(parent)])
    if user.unit is None:
        return UnitList(units=[UnitOut.of(u) for u in store.units.children(None)])
    own = _unit(store, user.unit)
    return UnitList(units=[UnitOut.of(own)])


@router.get("/units/search", summary="Find units by name, diacritics optional",
            dependencies=[Needs(Action.SIGNED_IN)])
def search_units(store: StoreDep, user: ApiUser,
                 q: Annotated[str, Query(min_length=1, max_length=100,
                                         description='"ha noi" finds "Hà Nội"')],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> SearchResult:
    found: list[FoundUnit] = []
    if not q.strip():
        return SearchResult(q=q, units=found)
    for unit in store.units.search(q, within=user.unit, limit=limit):
        if allowed(user, Action.READ, Resource.unit(store.units.path(unit.code))):
            found.append(FoundUnit(**UnitOut.of(unit).model_dump(),
                                   path=_path_items(store, unit.code)))
    return SearchResult(q=q, units=found)


@router.get("/units/{code}", summary="A unit and its path from the top",
            dependencies=[Needs(Action.READ)])
def get_unit(code: str, store: StoreDep, user: ApiUser) -> UnitDetail:
    unit = _unit(store, code)
    return UnitDetail(unit=UnitOut.of(unit), path=_path_items(store, code))


# ---------------------------------------------------------------------- indicators


@router.get("/indicators", summary="The indicator catalogue",
            dependencies=[Needs(Action.SIGNED_IN)])
def list_indicators(store: StoreDep, user: ApiUser) -> IndicatorList:
    return IndicatorList(indicators=[IndicatorOut.of(i) for i in _indicators(store)])


# ---------------------------------------------------------------------- targets


@router.get("/targets", summary="A unit's targets", dependencies=[Needs(Action.READ, "unit")])
def get_targets(store: StoreDep, user: ApiUser, unit: str,
                period: str | None = None) -> TargetList:
    code = _period(period).code if period else None
    docs = store.targets.of([unit], code)
    return TargetList(unit=unit, period=code,
                      targets=[TargetBody.model_validate(
                          {k: v for k, v in d.items() if v is not None}) for d in docs])


@router.post("/targets", summary="Add or change targets, all or nothing",
             dependencies=[Needs(Action.MANAGE_TARGETS, None)])
def post_targets(body: TargetsIn, app: AppDep, user: ApiUser) -> Changed:
    # Python values: NaN and Infinity stay what they are, for the domain's rule to refuse.
    docs = [t.model_dump() for t in body.targets]
    return Changed(changed=app.set_targets(user, docs, reason=body.reason))


# ---------------------------------------------------------------------- observations


@router.get("/observations", summary="A unit's own figures for a period",
            dependencies=[Needs(Action.READ, "unit")])
def get_observations(app: AppDep, user: ApiUser, unit: str,
                     period: Annotated[str | None, Query(
                         description="Default: the project's period.")] = None,
                     indicator: Annotated[list[str] | None, Query(
                         description="One or more indicators (default: all).")] = None,
                     ) -> FigureList:
    store = app.store
    code = _period(period or app.default_period()).code
    codes = indicator or [i.code for i in _indicators(store)]
    found = store.figures.latest(unit, code, codes)
    return FigureList(unit=unit, period=code, observations=[
        Figure(indicator=c, **found[c]) for c in codes if c in found])


@router.post("/observations", summary="Write figures, all or nothing",
             dependencies=[Needs(Action.WRITE, None)])
def post_observations(body: ObservationsIn, app: AppDep, user: ApiUser) -> Changed:
    entries = [Entry(unit=o.unit, indicator=o.indicator, period=Period.canonical(o.period),
                     value=o.value, vintage=o.vintage, source=o.source,
                     expected=o.expectation(), note=o.note)
               for o in body.observations]
    return Changed(changed=app.write_figures(user, entries, reason=body.reason))


# ---------------------------------------------------------------------- narrative


class NarrativeOut(Ok):
    unit: str
    period: str
    parts: dict[str, str] = Field(description="Each part written (ton-tai, nguyen-nhan, "
                                  "phuong-huong, kien-nghi, nguyen-nhan:{target key}) and its "
                                  "Markdown text, as the report states it.")


class NarrativeIn(BaseModel):
    unit: str
    period: str
    parts: dict[str, str | None] = Field(min_length=1, max_length=500, description="The "
                                         "parts to write and their texts; null or empty: no "
                                         "text (it hides the definition folder's).")
    reason: str | None = None


@router.get("/narrative", summary="A unit's report narrative for a period",
            dependencies=[Needs(Action.READ, "unit")])
def get_narrative(app: AppDep, user: ApiUser, unit: str,
                  period: Annotated[str | None, Query(
                      description="Default: the project's period.")] = None) -> NarrativeOut:
    code = _period(period or app.default_period()).code
    narrative = app.narrative(unit, code)
    return NarrativeOut(unit=unit, period=code, parts={
        part_name(part): text for part, text in narrative.texts.items() if text})


@router.post("/narrative", summary="Write parts of a unit's report narrative, all or nothing",
             dependencies=[Needs(Action.WRITE_NARRATIVE, None)])
def post_narrative(body: NarrativeIn, app: AppDep, user: ApiUser) -> Changed:
    return Changed(changed=app.write_narrative(user, body.unit, body.period, body.parts,
                                               reason=body.reason))


# ---------------------------------------------------------------------- evaluation


@router.get("/evaluation", summary="The evaluation of a unit and the units under it",
            description="The same data as `tieuchi evaluate --format json` (docs/json.md).",
            dependencies=[Needs(Action.READ, "unit")])
def get_evaluation(app: AppDep, user: ApiUser, unit: str,
                   period: Annotated[str | None, Query(
                       description="Default: the project's period.")] = None,
                   as_of: Annotated[date | None, Query(
                       description="The evaluation date (default: the project's).")] = None,
                   ) -> EvaluationOut:
    version, light = app.results.snapshot(unit, data=False)
    chosen = _period(period or app.default_period(light))
    if as_of is None:  # the read model's result (the full definitions only if it is stale)
        ev = app.results.result(unit, chosen, light, version,
                                full=lambda: app.store.units.definitions(unit)).evaluation
    else:  # another date: evaluated on demand
        ev = evaluate(app.store.units.definitions(unit), chosen, units=[unit], as_of=as_of)
    return EvaluationOut(**evaluation_dict(ev))


# ---------------------------------------------------------------------- workflow


@router.get("/workflow", summary="The state of each data set a unit reports",
            dependencies=[Needs(Action.READ, "unit")])
def get_workflow(app: AppDep, user: ApiUser, unit: str,
                 period: Annotated[str | None, Query(
                     description="Default: the project's period.")] = None) -> WorkflowOut:
    store = app.store
    code = _period(period or app.default_period()).code
    states = store.workflow.states([unit], code)
    names = STATE_NAMES["vi"]
    out = []
    for ds in store.units.datasets_for(unit):
        state = states[(unit, ds.code)]
        actions = app.workflow_actions(user, unit, state)
        out.append(DataSetState(dataset=ds.code, name=ds.name, name_en=ds.name_en,
                                state=state, state_name=names[state], actions=actions))
    return WorkflowOut(unit=unit, period=code, datasets=out)


@router.post("/workflow", summary="Submit, approve, return, lock or reopen a data set",
             dependencies=[Needs(Action.WRITE, None)])
def post_workflow(body: WorkflowIn, app: AppDep, user: ApiUser) -> WorkflowChanged:
    period = _period(body.period)
    state = app.transition(user, body.unit, period.code, body.dataset, body.action,
                           reason=body.reason)
    return WorkflowChanged(unit=body.unit, period=period.code, dataset=body.dataset,
                           state=state)


# ---------------------------------------------------------------------- history


@router.get("/history", summary="Changes of a unit's figures or workflow, newest first",
            dependencies=[Needs(Action.READ, "unit")])
def get_history(store: StoreDep, user: ApiUser, unit: str,
                indicator: str | None = None,
                period: str | None = None,
                entity: Annotated[Literal["observation", "workflow"], Query(
                    description="observation (figures) or workflow (data set steps)")]
                = "observation",
                limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> HistoryOut:
    code = _period(period).code if period else None
    entries = []
    for e in store.audit.history(entity, unit):
        parts = e.parts
        if (indicator and parts.get("indicator") != indicator) or (
                code and parts.get("period") != code):
            continue
        entries.append(e)
        if len(entries) >= limit:
            break
    return HistoryOut(unit=unit, entries=entries)
