"""Property tests of the engine's invariants (hypothesis).

- a roll-up equals the aggregate of its leaves (sum, ratio, mean, weighted mean);
- a better actual never gives a worse status, for every comparator;
- a year-to-date value is the running sum (last, mean) of the months, and its change is
  against the same months of the year before; a year made of any mix of months, quarters and
  halves that covers it counts every month once;
- period codes round-trip and the same period last year has the same kind and length;
- figures of other years, in any vintage, change nothing in a period's evaluation (the
  engine chooses vintages among the figures of the periods it evaluates only).

Definitions are built in Python (:class:`~tieuchi.domain.bundle.Definitions`), not from YAML,
so each example costs one evaluation (a few tens of milliseconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tieuchi.domain.bundle import (
    MEMBER_SCHEMA,
    OBSERVATION_SCHEMA,
    Definitions,
    observation_frame,
    target_frame,
)
from tieuchi.domain.indicators import Indicator
from tieuchi.domain.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodKind
from tieuchi.domain.project import Project
from tieuchi.domain.status import Comparator, Status
from tieuchi.domain.targets import Target
from tieuchi.domain.units import Level, Unit
from tieuchi.engine import COMPARATORS, evaluate
from tieuchi.engine.comparators import status_expr

AS_OF = date(2024, 2, 1)
LEVELS = (Level(code="tinh", name="Tỉnh"), Level(code="huyen", name="Huyện"),
          Level(code="xa", name="Xã"))
FAST = settings(max_examples=30, deadline=None)


def definitions(
    units: Iterable[Unit],
    indicators: Iterable[Indicator],
    observations: Sequence[dict[str, Any]],
    targets: Iterable[Target] = (),
) -> Definitions:
    """A definition bundle built in Python, the way the loader builds it."""
    return Definitions(
        project=Project(name="property"),
        levels=LEVELS,
        units=tuple(units),
        indicators=tuple(indicators),
        groups=(),
        criteria_sets=(),
        targets=target_frame(targets),
        members=pl.DataFrame(schema=MEMBER_SCHEMA),
        observations=observation_frame(pl.DataFrame(observations, schema=OBSERVATION_SCHEMA)),
    )


def value_of(values: pl.DataFrame, unit: str, indicator: str) -> float | None:
    rows = values.filter((pl.col("unit") == unit) & (pl.col("indicator") == indicator))
    assert rows.height <= 1, f"{rows.height} values for {unit}:{indicator}"
    return rows.item(0, "value") if rows.height else None


# --- (a) a roll-up equals the aggregate of its leaves -------------------------------------


@dataclass(frozen=True)
class Tree:
    """A province P over districts D0…, each over 0 or more communes Xi_j.

    A district without communes is a leaf itself, so leaves sit at two depths.
    """

    communes: tuple[int, ...]  # number of communes of each district

    def units(self) -> list[Unit]:
        found = [Unit(code="P", name="Tỉnh", level="tinh")]
        for i, n in enumerate(self.communes):
            found.append(Unit(code=f"D{i}", name=f"Huyện {i}", level="huyen", parent="P"))
            found.extend(Unit(code=f"X{i}_{j}", name=f"Xã {i}.{j}", level="xa",
                              parent=f"D{i}") for j in range(n))
        return found

    def leaves_under(self, code: str) -> list[str]:
        """The leaves below ``code`` (or ``code`` itself when it is a leaf)."""
        if code == "P":
            return [leaf for i in range(len(self.communes)) for leaf in self.leaves_under(f"D{i}")]
        if code.startswith("D"):
            n = self.communes[int(code[1:])]
            return [f"{code.replace('D', 'X')}_{j}" for j in range(n)] or [code]
        return [code]

    @property
    def leaves(self) -> list[str]:
        return self.leaves_under("P")

    @property
    def inner(self) -> list[str]:
        """Units that get their value by roll-up."""
        return ["P"] + [f"D{i}" for i, n in enumerate(self.communes) if n]


trees = st.lists(st.integers(0, 4), min_size=1, max_size=4).map(lambda c: Tree(tuple(c)))
amounts = st.integers(0, 10**6).map(float)


@st.composite
def tree_with(draw: st.DrawFn, *fields: st.SearchStrategy[float]) -> tuple[Tree, dict]:
    """A tree and, for each leaf, one drawn number per strategy in ``fields``."""
    tree = draw(trees)
    data = {leaf: tuple(draw(f) for f in fields) for leaf in tree.leaves}
    return tree, data


def observations(data: dict[str, tuple[float, ...]], codes: Sequence[str]) -> list[dict]:
    return [
        {"unit": unit, "indicator": code, "period": "2023", "value": value}
        for unit, numbers in data.items() for code, value in zip(codes, numbers, strict=True)
    ]


@FAST
@given(tree_with(amounts))
def test_sum_rollup_equals_sum_of_leaves(case: tuple[Tree, dict]) -> None:
    tree, data = case
    indicator = Indicator(code="thu", name="Thu ngân sách", rollup="sum")
    result = evaluate(definitions(tree.units(), [indicator], observations(data, ["thu"])),
                      "2023", as_of=AS_OF)
    for unit in tree.inner:
        expected = sum(data[leaf][0] for leaf in tree.leaves_under(unit))
        assert value_of(result.values, unit, "thu") == pytest.approx(expected), unit


@FAST
@given(tree_with(st.integers(0, 1000).map(float), st.integers(1, 10**5).map(float)))
def test_ratio_rollup_sums_numerator_and_denominator(case: tuple[Tree, dict]) -> None:
    tree, data = case
    indicators = [
        Indicator(code="ho_ngheo", name="Số hộ nghèo", type="count", time="last"),
        Indicator(code="tong_ho", name="Tổng số hộ", type="count", time="last"),
        Indicator(code="ty_le", name="Tỷ lệ hộ nghèo", type="percent", time="last",
                  rollup="ratio", numerator="ho_ngheo", denominator="tong_ho"),
    ]
    result = evaluate(
        definitions(tree.units(), indicators, observations(data, ["ho_ngheo", "tong_ho"])),
        "2023", as_of=AS_OF,
    )
    for unit in [*tree.inner, *tree.leaves]:
        leaves = tree.leaves_under(unit)
        expected = (sum(data[leaf][0] for leaf in leaves)
                    / sum(data[leaf][1] for leaf in leaves) * 100)
        assert value_of(result.values, unit, "ty_le") == pytest.approx(expected), unit


@FAST
@given(tree_with(amounts))
def test_mean_rollup_is_the_mean_of_the_leaves(case: tuple[Tree, dict]) -> None:
    tree, data = case
    indicator = Indicator(code="hai_long", name="Chỉ số hài lòng", time="last", rollup="mean")
    result = evaluate(definitions(tree.units(), [indicator], observations(data, ["hai_long"])),
                      "2023", as_of=AS_OF)
    for unit in tree.inner:
        leaves = tree.leaves_under(unit)
        expected = sum(data[leaf][0] for leaf in leaves) / len(leaves)
        assert value_of(result.values, unit, "hai_long") == pytest.approx(expected), unit


@FAST
@given(tree_with(st.integers(0, 500).map(float), st.integers(1, 10**5).map(float)))
def test_weighted_mean_rollup_is_weighted_by_the_leaves(case: tuple[Tree, dict]) -> None:
    tree, data = case
    indicators = [
        Indicator(code="thu_nhap", name="Thu nhập bình quân", time="last",
                  rollup="weighted_mean", weight="dan_so"),
        Indicator(code="dan_so", name="Dân số", type="count", time="last"),
    ]
    result = evaluate(
        definitions(tree.units(), indicators, observations(data, ["thu_nhap", "dan_so"])),
        "2023", as_of=AS_OF,
    )
    for unit in tree.inner:
        leaves = tree.leaves_under(unit)
        expected = (sum(data[leaf][0] * data[leaf][1] for leaf in leaves)
                    / sum(data[leaf][1] for leaf in leaves))
        assert value_of(result.values, unit, "thu_nhap") == pytest.approx(expected), unit
        assert value_of(result.values, unit, "dan_so") == pytest.approx(
            sum(data[leaf][1] for leaf in leaves)), unit


# --- (b) a better actual never gives a worse status --------------------------------------

# Quarters of whole numbers: exact in binary, so "a ≤ b" means the same to Python and Polars.
numbers = st.integers(-4 * 10**5, 4 * 10**5).map(lambda k: k / 4)
tolerances = st.one_of(st.just(0.0), st.integers(0, 400).map(lambda k: k / 4))


def statuses(comparator: Comparator, actuals: Sequence[float | None], low: float | None,
             high: float | None, tolerance: float) -> list[Status]:
    """The status of each actual, from the engine's comparator expressions."""
    frame = pl.DataFrame(
        {"actual": list(actuals)}, schema={"actual": pl.Float64}
    ).with_columns(
        pl.lit(comparator.value).alias("comparator"), pl.lit(low, pl.Float64).alias("low"),
        pl.lit(high, pl.Float64).alias("high"), pl.lit(tolerance).alias("tolerance"),
    )
    found = frame.select(status_expr(pl.col("comparator"), pl.col("actual"), pl.col("low"),
                                     pl.col("high"), pl.col("tolerance")).alias("s"))
    return [Status(s) for s in found.get_column("s")]


def ranks(*found: Status) -> tuple[int, ...]:
    return tuple(s.rank for s in found)


def test_every_comparator_is_covered() -> None:
    assert set(COMPARATORS) == set(Comparator)


@settings(max_examples=300, deadline=None)
@given(numbers, numbers, numbers, tolerances)
def test_at_least_more_is_never_worse(t: float, a: float, b: float, tol: float) -> None:
    low, high = sorted((a, b))
    worse, better = statuses(Comparator.AT_LEAST, [low, high], t, None, tol)
    assert better.rank >= worse.rank, (t, low, high, tol, worse, better)


@settings(max_examples=300, deadline=None)
@given(numbers, numbers, numbers, tolerances)
def test_at_most_less_is_never_worse(t: float, a: float, b: float, tol: float) -> None:
    low, high = sorted((a, b))
    better, worse = statuses(Comparator.AT_MOST, [low, high], t, None, tol)
    assert better.rank >= worse.rank, (t, low, high, tol, worse, better)


@settings(max_examples=300, deadline=None)
@given(numbers, numbers, numbers, tolerances)
def test_equal_closer_is_never_worse(t: float, a: float, b: float, tol: float) -> None:
    near, far = sorted((a, b), key=lambda x: abs(x - t))
    s_near, s_far = statuses(Comparator.EQUAL, [near, far], t, None, tol)
    assert s_near.rank >= s_far.rank, (t, near, far, tol, s_near, s_far)
    assert Status.EXCEEDED not in (s_near, s_far)


@settings(max_examples=300, deadline=None)
@given(numbers, numbers, numbers, numbers, tolerances)
def test_within_closer_to_the_range_is_never_worse(
    r1: float, r2: float, a: float, b: float, tol: float
) -> None:
    low, high = sorted((r1, r2))

    def distance(x: float) -> float:
        return max(low - x, x - high, 0.0)

    near, far = sorted((a, b), key=distance)
    s_near, s_far = statuses(Comparator.WITHIN, [near, far], low, high, tol)
    assert s_near.rank >= s_far.rank, (low, high, near, far, tol, s_near, s_far)
    inside = statuses(Comparator.WITHIN, [(low + high) / 2, low, high], low, high, tol)
    assert inside == [Status.MET] * 3


@settings(max_examples=100, deadline=None)
@given(st.integers(-3, 3).map(float), st.integers(-3, 3).map(float))
def test_yes_more_is_never_worse(a: float, b: float) -> None:
    low, high = sorted((a, b))
    worse, better = statuses(Comparator.YES, [low, high], None, None, 0.0)  # yes: true
    assert better.rank >= worse.rank, (low, high, worse, better)
    assert Status.EXCEEDED not in (worse, better)


@settings(max_examples=100, deadline=None)
@given(st.integers(-3, 3).map(float), st.integers(-3, 3).map(float))
def test_yes_false_less_is_never_worse(a: float, b: float) -> None:
    low, high = sorted((a, b))
    better, worse = statuses(Comparator.YES, [low, high], 0.0, None, 0.0)  # yes: false
    assert better.rank >= worse.rank, (low, high, worse, better)
    assert statuses(Comparator.YES, [0.0, 1.0], 0.0, None, 0.0) == [Status.MET, Status.NOT_MET]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(list(Comparator)), numbers, numbers, tolerances)
def test_no_data_is_never_better_than_a_figure(
    comparator: Comparator, t: float, a: float, tol: float
) -> None:
    high = t + 10 if comparator is Comparator.WITHIN else None
    missing, given_ = statuses(comparator, [None, a], t, high, tol)
    assert missing is Status.NO_DATA
    assert given_.rank >= missing.rank


_TARGET_FIELD = {Comparator.AT_LEAST: "at_least", Comparator.AT_MOST: "at_most",
                 Comparator.EQUAL: "equal"}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(_TARGET_FIELD)), numbers, numbers, numbers, tolerances)
def test_target_status_is_monotone_end_to_end(
    comparator: Comparator, t: float, a: float, b: float, tol: float
) -> None:
    """The same through evaluate(): two units, the same target, two actuals."""
    units = [Unit(code="P", name="Tỉnh", level="tinh"),
             Unit(code="A", name="Xã A", level="xa", parent="P"),
             Unit(code="B", name="Xã B", level="xa", parent="P")]
    indicator = Indicator(code="x", name="Chỉ tiêu", time="last", rollup="none")
    targets = [Target.model_validate({"unit": u, "indicator": "x", "period": "2023",
                                      _TARGET_FIELD[comparator]: t, "tolerance": tol})
               for u in ("A", "B")]
    obs = [{"unit": "A", "indicator": "x", "period": "2023", "value": a},
           {"unit": "B", "indicator": "x", "period": "2023", "value": b}]
    result = evaluate(definitions(units, [indicator], obs, targets), "2023", as_of=AS_OF)
    status = {row["unit"]: Status(row["status"]) for row in result.targets.iter_rows(named=True)}
    if comparator is Comparator.AT_LEAST:
        better, worse = ("A", "B") if a >= b else ("B", "A")
    elif comparator is Comparator.AT_MOST:
        better, worse = ("A", "B") if a <= b else ("B", "A")
    else:
        better, worse = ("A", "B") if abs(a - t) <= abs(b - t) else ("B", "A")
    assert status[better].rank >= status[worse].rank, (t, a, b, tol, status)


# --- (c) year to date is the running aggregate of the months -----------------------------

months = st.lists(st.integers(0, 10**4).map(float), min_size=12, max_size=12)


@settings(max_examples=40, deadline=None)
@given(months, months, st.integers(1, 12))
def test_year_to_date_is_the_running_sum_of_the_months(
    this_year: list[float], last_year: list[float], n: int
) -> None:
    indicators = [
        Indicator(code="thu", name="Thu ngân sách", time="sum"),
        Indicator(code="dan_so", name="Dân số", type="count", time="last"),
        Indicator(code="cpi", name="Chỉ số giá", time="mean", rollup="none"),
    ]
    obs = [
        {"unit": "X", "indicator": code, "period": f"{year}-{m:02d}", "value": value}
        for year, figures in ((2023, this_year), (2022, last_year))
        for m, value in enumerate(figures, start=1)
        for code in ("thu", "dan_so", "cpi")
    ]
    target = Target(unit="X", indicator="thu", period="2023", at_least=1.0)
    bundle = definitions([Unit(code="X", name="Xã", level="xa")], indicators, obs, [target])
    result = evaluate(bundle, f"2023-YTD{n:02d}", as_of=date(2023, 12, 31))
    running = sum(this_year[:n])
    assert value_of(result.values, "X", "thu") == pytest.approx(running)
    assert value_of(result.values, "X", "dan_so") == this_year[n - 1]
    assert value_of(result.values, "X", "cpi") == pytest.approx(running / n)
    row = result.target("X:thu:2023")
    assert row is not None
    assert row["actual"] == pytest.approx(running)  # the annual target, n months in
    before = sum(last_year[:n])
    if before:
        assert row["change_vs_same_period"] == pytest.approx((running / before - 1) * 100)


@settings(max_examples=12, deadline=None)
@given(months)
def test_every_year_to_date_period_is_a_running_sum(figures: list[float]) -> None:
    indicator = Indicator(code="thu", name="Thu ngân sách", time="sum")
    obs = [{"unit": "X", "indicator": "thu", "period": f"2023-{m:02d}", "value": v}
           for m, v in enumerate(figures, start=1)]
    bundle = definitions([Unit(code="X", name="Xã", level="xa")], [indicator], obs)
    for n in (1, 3, 6, 9, 12):
        result = evaluate(bundle, f"2023-YTD{n:02d}", as_of=AS_OF)
        assert value_of(result.values, "X", "thu") == pytest.approx(sum(figures[:n])), n
    year = evaluate(bundle, "2023", as_of=AS_OF)
    assert value_of(year.values, "X", "thu") == pytest.approx(sum(figures))


@st.composite
def reported_pieces(draw: st.DrawFn) -> tuple[list[float], list[str]]:
    """True monthly figures, and a random set of months, quarters and halves that covers
    the year (a piece reported beside its parts must equal their sum)."""
    figures = draw(st.lists(st.integers(0, 10**4).map(float), min_size=12, max_size=12))
    pieces = [f"2023-H{h}" for h in (1, 2) if draw(st.booleans())]
    pieces += [f"2023-Q{q}" for q in range(1, 5) if draw(st.booleans())]
    pieces += [f"2023-{m:02d}" for m in range(1, 13) if draw(st.booleans())]
    for m in range(1, 13):
        month = Period.parse(f"2023-{m:02d}")
        if not any(Period.parse(p).contains(month) for p in pieces):
            pieces.append(month.code)
    return figures, pieces


def piece_value(figures: list[float], code: str) -> float:
    period = Period.parse(code)
    return sum(figures[period.start.month - 1:period.end.month])


@settings(max_examples=30, deadline=None)
@given(reported_pieces())
def test_a_year_from_months_quarters_and_halves_counts_every_month_once(
    case: tuple[list[float], list[str]],
) -> None:
    figures, pieces = case
    indicator = Indicator(code="thu", name="Thu ngân sách", time="sum")
    obs = [{"unit": "X", "indicator": "thu", "period": p, "value": piece_value(figures, p)}
           for p in pieces]
    bundle = definitions([Unit(code="X", name="Xã", level="xa")], [indicator], obs)
    result = evaluate(bundle, "2023", as_of=AS_OF)
    assert value_of(result.values, "X", "thu") == pytest.approx(sum(figures)), sorted(pieces)


# --- (d) period codes --------------------------------------------------------------------

years = st.integers(FIRST_YEAR, LAST_YEAR)  # the years a period may name


@st.composite
def period_codes(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(list(PeriodKind)))
    year = draw(years)
    match kind:
        case PeriodKind.YEAR:
            return f"{year}"
        case PeriodKind.HALF:
            return f"{year}-H{draw(st.integers(1, 2))}"
        case PeriodKind.QUARTER:
            return f"{year}-Q{draw(st.integers(1, 4))}"
        case PeriodKind.MONTH:
            return f"{year}-{draw(st.integers(1, 12)):02d}"
        case PeriodKind.YTD:
            return f"{year}-YTD{draw(st.integers(1, 11)):02d}"  # YTD12 is the year
        case PeriodKind.MULTI_YEAR:
            first = min(year, LAST_YEAR - 1)
            return f"{first}-{min(first + draw(st.integers(1, 9)), LAST_YEAR)}"
    raise AssertionError(kind)


@settings(max_examples=300, deadline=None)
@given(period_codes())
def test_period_code_round_trips(code: str) -> None:
    period = Period.parse(code)
    assert period.code == code
    assert Period.parse(period.code) == period
    assert Period.parse(code.lower()) == period
    assert Period.parse(f"  {code} ") == period
    assert period.start <= period.end
    assert period.contains(period)


@settings(max_examples=300, deadline=None)
@given(period_codes())
def test_same_period_last_year_keeps_kind_and_length(code: str) -> None:
    period = Period.parse(code)
    before = period.same_period_last_year()
    assert before.kind is period.kind
    assert before.month_count == period.month_count
    assert before.end < period.start
    if period.kind is PeriodKind.MULTI_YEAR:
        assert before.end.year == period.start.year - 1  # the span just before
    else:
        assert (before.start.year, before.start.month) == (period.year - 1, period.start.month)
        assert (before.end.year, before.end.month) == (period.end.year - 1, period.end.month)
    if before.start.year >= FIRST_YEAR:  # before the first year, no code names the period
        assert Period.parse(before.code) == before


@settings(max_examples=100, deadline=None)
@given(years)
def test_a_year_given_as_a_number_is_the_year(year: int) -> None:
    assert Period.parse(year) == Period.parse(str(year))
    assert Period.parse(year).month_count == 12


@settings(max_examples=100, deadline=None)
@given(years, st.integers(1, 12))
def test_year_to_date_contains_its_months(year: int, n: int) -> None:
    ytd = Period.parse(f"{year}-YTD{n:02d}")
    assert ytd.month_count == n
    assert all(ytd.contains(Period.parse(f"{year}-{m:02d}")) for m in range(1, n + 1))
    assert n == 12 or not ytd.contains(Period.parse(f"{year}-{n + 1:02d}"))
    assert Period.parse(str(year)).contains(ytd)


# --- (e) figures of unrelated years change nothing -----------------------------------------

HISTORY_UNITS = (Unit(code="D", name="Huyện", level="huyen"),
                 Unit(code="X1", name="Xã 1", level="xa", parent="D"),
                 Unit(code="X2", name="Xã 2", level="xa", parent="D"))
HISTORY_INDICATORS = (Indicator(code="thu", name="Thu ngân sách", time="sum"),
                      Indicator(code="dan_so", name="Dân số", type="count", time="last"))
EVALUATED = ("2023", "2023-H1", "2023-Q3", "2023-05", "2023-YTD09")


@st.composite
def figures(draw: st.DrawFn, years: Sequence[int]) -> list[dict[str, Any]]:
    """Figures of communes in ``years``: months, quarters, halves, years and year-to-date
    figures, in several vintages, some revised on a later date."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for _ in range(draw(st.integers(0, 24))):
        year = draw(st.sampled_from(years))
        period = draw(st.sampled_from([
            f"{year}", f"{year}-H1", f"{year}-Q{draw(st.integers(1, 4))}",
            f"{year}-{draw(st.integers(1, 12)):02d}", f"{year}-YTD{draw(st.integers(1, 11)):02d}",
        ]))
        row = {
            "unit": draw(st.sampled_from(["X1", "X2"])),
            "indicator": draw(st.sampled_from(["thu", "dan_so"])),
            "period": period,
            "vintage": draw(st.sampled_from(["estimate", "preliminary", "official"])),
            "value": float(draw(st.integers(0, 1000))),
            "recorded_at": draw(st.sampled_from([None, "2023-03-01", "2024-06-30"])),
        }
        # The loader refuses two figures of one key, vintage and recording date.
        found[tuple(str(row[k]) for k in ("unit", "indicator", "period", "vintage",
                                           "recorded_at"))] = row
    return list(found.values())


def history(rows: Sequence[dict[str, Any]]) -> Definitions:
    targets = [Target(unit=u, indicator=i, period=p, at_least=100.0)
               for u in ("D", "X1", "X2") for i in ("thu", "dan_so") for p in ("2023", "2023-H1")]
    return definitions(HISTORY_UNITS, HISTORY_INDICATORS, rows, targets)


def sorted_frame(frame: pl.DataFrame) -> pl.DataFrame:
    keys = [c for c in ("key", "group", "unit", "indicator") if c in frame.columns]
    return frame.sort(keys, nulls_last=True)


@FAST
@given(st.sampled_from(EVALUATED), figures([2022, 2023]),
       figures([2015, 2019, 2021, 2024, 2026]))
def test_figures_of_other_years_change_nothing(
    period: str, own: list[dict[str, Any]], other: list[dict[str, Any]]
) -> None:
    """Evaluating a period of 2023 (compared with 2022) gives the same values, actuals,
    statuses and changes whether or not figures of other years are there, whatever their
    vintages and revisions."""
    alone = evaluate(history(own), period, as_of=AS_OF)
    among = evaluate(history([*other, *own]), period, as_of=AS_OF)
    assert sorted_frame(among.values).equals(sorted_frame(alone.values))
    assert sorted_frame(among.targets).equals(sorted_frame(alone.targets))
    assert sorted_frame(among.groups).equals(sorted_frame(alone.groups))


def test_statuses_and_paces_are_typed_columns(thanh_tri_2023: Any) -> None:
    """A status is one of Status and a pace one of Pace, by the column's type: a frame can
    hold no other word, and a filter by an unknown word finds nothing."""
    from tieuchi.engine.comparators import STATUS
    from tieuchi.engine.targets import PACE

    ev = thanh_tri_2023
    assert ev.targets.schema["status"] == STATUS and ev.targets.schema["pace"] == PACE
    assert ev.sets.conditions.schema["status"] == STATUS
    assert ev.sets.criteria.schema["status"] == STATUS
    assert set(STATUS.categories) == {s.value for s in Status}
    assert ev.targets.filter(pl.col("status").is_in([])).height == 0
