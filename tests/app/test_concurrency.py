"""Concurrent writes through the application, on SQLite and PostgreSQL: a figure's write is
compare-and-set, the audit chain of a value (the "old" of each change is the "new" of the one
before) holds whatever the interleaving, first writes that race never fail with a unique
violation, and loads take turns.

Each test starts its threads together (a barrier) and fails on any exception other than the
expected refusals."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.store.helpers import COMMUNE, COMMUNE_SET, admin_user
from tieuchi.app import SYSTEM, App, Shown, expectation
from tieuchi.domain.bundle import Definitions
from tieuchi.domain.problems import ProblemError
from tieuchi.store import UNCHECKED, AuditEntry, Entry, Store, unit_of_work
from tieuchi.store.audit import audit_key

INDICATOR = "thu-nhap-bq"  # a number the commune enters every year
YEAR = "2024"  # no figure of it yet in the reference district
THREADS = 8
ROUNDS = 6
KEY = audit_key("observation", unit=COMMUNE, indicator=INDICATOR, period=YEAR,
                vintage="official")


@dataclass
class Outcome:
    """What one write asked (``expected``, in its reason too) and what it got."""

    reason: str
    expected: Any
    changed: int | None = None
    refused: tuple[str, ...] = ()


def run_together(count: int, work: Callable[[int], None]) -> None:
    """Run ``work(0)``, …, ``work(count - 1)`` in threads started at once; re-raise the
    first exception any of them raised."""
    barrier = threading.Barrier(count)

    def started(index: int) -> None:
        barrier.wait(timeout=60)
        work(index)

    with ThreadPoolExecutor(count) as pool:
        for future in [pool.submit(started, i) for i in range(count)]:
            future.result()


def chain(store: Store) -> list[AuditEntry]:
    """The changes of the figure, oldest first."""
    return list(reversed(store.audit.history("observation", KEY)))


def held(store: Store) -> float | None:
    figure = store.figures.latest(COMMUNE, YEAR, [INDICATOR]).get(INDICATOR)
    return figure["value"] if figure else None


def assert_chain(store: Store, outcomes: list[Outcome]) -> None:
    """The invariant: each change's old is the previous change's new, the figure held is the
    last change's new, every change is one write that said so, and every checked write that
    went through replaced exactly what its writer saw."""
    entries = chain(store)
    assert entries, "nothing was written"
    assert entries[0].old is None
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.old == before.new, (before, after)
    assert held(store) == (entries[-1].new or {}).get("value")
    by_reason = {o.reason: o for o in outcomes}
    assert sorted(e.reason or "" for e in entries) == sorted(
        o.reason for o in outcomes if o.changed)
    for entry in entries:
        wrote = by_reason[entry.reason or ""]
        if wrote.expected is not UNCHECKED:
            assert (entry.old or {}).get("value") == wrote.expected, entry


def write(app: App, actor: Any, outcome: Outcome, value: float) -> None:
    """Write ``value`` as ``outcome`` says, recording what happened; a refusal other than
    ``stale-figure`` fails the test."""
    try:
        outcome.changed = app.write_figures(actor, [Entry(
            COMMUNE, INDICATOR, YEAR, value, expected=outcome.expected)],
            reason=outcome.reason)
    except ProblemError as error:
        outcome.refused = tuple(p.code for p in error.problems)
        assert outcome.refused == ("stale-figure",), error
        assert error.status == 409


def test_concurrent_writes_keep_the_audit_chain_and_lose_no_update(
        loaded_store: Store) -> None:
    """Threads read the figure and write it back changed, each with what it read (fresh, or
    stale when another wrote in between), with a value it never held (always stale), or
    with no expectation: the chain holds, and no checked write overwrote what it did not
    see."""
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    outcomes = [Outcome("first", UNCHECKED)]
    write(app, admin, outcomes[0], 80)
    lock = threading.Lock()

    def work(thread: int) -> None:
        for round_ in range(ROUNDS):
            kind = (thread + round_) % 4
            # kind 0 does what a user told "changed since" does: reads again and retries
            for attempt in range(10 if kind == 0 else 1):
                seen = held(loaded_store)
                expected: Any = {0: seen, 1: seen, 2: -1.0, 3: UNCHECKED}[kind]
                outcome = Outcome(f"t{thread}r{round_}a{attempt} saw {expected}", expected)
                with lock:
                    outcomes.append(outcome)
                write(app, admin, outcome, 80 + thread + round_ / 100)
                if outcome.changed is not None:
                    break

    run_together(THREADS, work)

    assert_chain(loaded_store, outcomes)
    never_held = [o for o in outcomes if o.expected == -1.0]
    assert never_held and all(o.refused == ("stale-figure",) for o in never_held)
    assert all(o.changed == 1 for o in outcomes if o.expected is UNCHECKED)
    assert any(o.changed for o in outcomes if o.expected not in (UNCHECKED, -1.0))


def test_first_writes_that_race_never_fail(loaded_store: Store) -> None:
    """The figure does not exist: half the threads write it saying so (expected None), the
    others without an expectation. One adds it; the others that said "none" get
    ``stale-figure``, the unchecked ones change it; no unique violation, no 500."""
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    outcomes = [Outcome(f"t{i}", None if i % 2 else UNCHECKED) for i in range(THREADS)]

    run_together(THREADS, lambda i: write(app, admin, outcomes[i], 90 + i))

    assert_chain(loaded_store, outcomes)
    [added] = [e for e in chain(loaded_store) if e.action == "add"]
    saying_none = [o for o in outcomes if o.expected is None]
    assert sum(o.changed == 1 for o in saying_none) <= 1
    assert all(o.changed == 1 or o.refused == ("stale-figure",) for o in saying_none)
    assert all(o.changed == 1 for o in outcomes if o.expected is UNCHECKED)
    assert added.reason in {o.reason for o in outcomes}


def test_no_write_lands_in_a_data_set_after_it_is_submitted(loaded_store: Store) -> None:
    """Writers save the figure over and over while the data set is submitted: each write
    lands before the submission or is refused as closed, never after it (the state is read
    under the write's lock, which the workflow step waits for)."""
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    submitted = threading.Event()
    refused: list[str] = []

    def work(thread: int) -> None:
        if thread == 0:
            time.sleep(0.05)
            app.transition(admin, COMMUNE, YEAR, COMMUNE_SET, "submit")
            submitted.set()
            return
        for round_ in range(40):
            try:
                app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 70 + round_)],
                                  reason=f"t{thread}r{round_}")
            except ProblemError as error:
                codes = {p.code for p in error.problems}
                assert codes == {"submitted"}, error
                refused.append(f"t{thread}r{round_}")
            if submitted.is_set() and refused:
                return

    run_together(4, work)

    [step] = loaded_store.audit.history("workflow", audit_key(
        "workflow", unit=COMMUNE, period=YEAR, dataset=COMMUNE_SET))
    changes = chain(loaded_store)
    assert changes and refused
    assert all(change.at <= step.at for change in changes), (changes[-1], step)
    assert held(loaded_store) == (changes[-1].new or {}).get("value")


def test_a_stale_write_says_what_is_held_and_writes_nothing(loaded_store: Store) -> None:
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 119.4)])
    app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 1234.5, expected=119.4)])
    audits = loaded_store.audit.count()

    with pytest.raises(ProblemError) as raised:
        app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 119.8, expected=119.4),
                                  Entry(COMMUNE, "ntmnc-02", YEAR, 1)])
    [problem] = raised.value.problems
    assert (problem.code, problem.index, problem.field) == ("stale-figure", 0, "value")
    assert raised.value.status == 409
    assert problem.message_vi.startswith("Số liệu đã được admin sửa thành 1.234,5 lúc ")
    assert problem.message_vi.endswith("; kiểm tra rồi lưu lại")
    assert "changed to 1,234.5 by admin" in problem.message
    assert held(loaded_store) == 1234.5 and loaded_store.audit.count() == audits
    assert loaded_store.figures.latest(COMMUNE, YEAR, ["ntmnc-02"]) == {}

    # Deleted since it was read: the message says so, and who deleted it.
    app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, None)], reason="xóa")
    with pytest.raises(ProblemError) as raised:
        app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 5, expected=1234.5)])
    assert "Số liệu đã được admin xóa lúc" in raised.value.problems[0].message_vi
    # Saying it is not there (None) when it is not: written.
    assert app.write_figures(admin, [Entry(COMMUNE, INDICATOR, YEAR, 5, expected=None)]) == 1


def test_a_store_write_refuses_a_stale_figure_too(loaded_store: Store) -> None:
    """The store's own refusal (no application over it) is a ProblemError that keeps what
    is held."""
    loaded_store.figures.write([Entry(COMMUNE, INDICATOR, YEAR, 7.5)], actor="an")
    with pytest.raises(ProblemError) as raised:
        loaded_store.figures.write([Entry(COMMUNE, INDICATOR, YEAR, 8, expected=None)],
                                   actor="binh")
    [stale] = raised.value.stale  # type: ignore[attr-defined]
    assert (stale.value, stale.changed_by) == (7.5, "an")
    assert "7,5" in raised.value.problems[0].message_vi


@pytest.mark.parametrize(("shown", "vintage", "expected"), [
    (None, "official", None),  # nothing shown: no figure of any vintage
    (Shown(5.0, "official"), "official", 5.0),
    (Shown(5.0, "estimate"), "official", None),  # an official figure would have been shown
    (Shown(5.0, "official"), "estimate", UNCHECKED),  # the estimate was not shown
])
def test_what_a_form_saw_of_the_figure_it_writes(shown: Shown | None, vintage: str,
                                                 expected: Any) -> None:
    assert expectation(shown, vintage) == expected


# ---------------------------------------------------------------------- targets


def test_concurrent_target_saves_keep_the_audit_chain(loaded_store: Store) -> None:
    """Targets have no expectation (the last save wins), but saves of one target take turns:
    the first saves that race never fail, and each change's old is the one before's new."""
    app = App(loaded_store)
    admin = admin_user(loaded_store)
    docs = [app.assignment(COMMUNE, INDICATOR, YEAR, "at_least", 70 + i) for i in
            range(THREADS)]
    key = docs[0]["key"]
    assert {d["key"] for d in docs} == {key}

    run_together(THREADS, lambda i: app.set_targets(admin, [docs[i]], reason=f"t{i}"))

    entries = list(reversed(loaded_store.audit.history("target", key)))
    assert [e.action for e in entries][0] == "add" and len(entries) == THREADS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after.old == before.new
    assert loaded_store.targets.by_key([key])[key] == entries[-1].new


# ---------------------------------------------------------------------- loads


def test_two_loads_at_once_take_turns(store: Store, thanh_tri: Definitions) -> None:
    app = App(store)
    summaries: list[Any] = [None, None]

    def load(i: int) -> None:
        summaries[i] = app.load(SYSTEM, thanh_tri)

    run_together(2, load)

    first, second = sorted(summaries, key=lambda s: s.total, reverse=True)
    assert first.total > 0 and second.total == 0
    assert store.audit.count() == first.added["observations"] + first.added["targets"]


def test_a_load_waits_for_another_then_says_so(store: Store, thanh_tri: Definitions,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A load that waits longer than LOCK_WAIT for another one is refused in one line:
    ``database-busy``, nothing loaded."""
    monkeypatch.setattr(unit_of_work, "LOCK_WAIT", 0.3)
    holding, release = threading.Event(), threading.Event()

    def other_load() -> None:
        with store.session() as s:
            unit_of_work.serialize_load(s)
            holding.set()
            release.wait(timeout=30)

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(other_load)
        assert holding.wait(timeout=30)
        try:
            with pytest.raises(ProblemError) as raised:
                App(store).load(SYSTEM, thanh_tri)
        finally:
            release.set()
        running.result()
    [problem] = raised.value.problems
    assert (problem.code, raised.value.status) == ("database-busy", 503)
    assert problem.message_vi.startswith("một lần nạp khác đang chạy")
    assert not store.units.has_definitions()
