"""The phases of the province benchmark, each bounded in time and recorded as one dict."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from province.client import LoadResult, bounded_load, edit_visible, sign_in, timed_get
from province.generate import MONTHS, YEAR, Province
from province.processes import (
    Server,
    memory_available_mb,
    run_bounded,
    serve,
    stop_group,
    tieuchi,
)
from tieuchi.reports.formatting import number

__all__ = ["LIMITS", "Limits", "Recorder", "Site", "add_token", "add_user", "machine",
           "read_definitions", "timed_command"]

PASSWORD = secrets.token_urlsafe(12)
WORKERS = 2
MEMORY_FLOOR_MB = 2000  # a load stops (and its server with it) below this much free memory


@dataclass(frozen=True)
class Limits:
    """How long each phase may take, in seconds, and the size of the users' load."""

    validate: float
    load: float
    definitions: float
    page: float
    edit: float
    users: float
    requests_per_user: int
    edits: int


LIMITS = {"full": Limits(validate=300, load=900, definitions=180, page=120, edit=60, users=60,
                         requests_per_user=10, edits=2),
          "smoke": Limits(validate=120, load=300, definitions=60, page=30, edit=30, users=30,
                          requests_per_user=10, edits=2)}


class Recorder:
    """The phases' results, printed as they come and written to the JSON file (if any)
    after each phase, so that a run stopped half-way keeps what it measured."""

    def __init__(self, meta: dict[str, Any], path: Path | None) -> None:
        self.meta = meta
        self.path = path
        self.phases: list[dict[str, Any]] = []

    def add(self, **entry: Any) -> dict[str, Any]:
        entry["load_average"] = [round(x, 1) for x in os.getloadavg()]
        self.phases.append(entry)
        self.save()
        shown = {k: v for k, v in entry.items() if k not in ("phase", "data", "load_average")}
        print(f"[{time.strftime('%H:%M:%S')}] {entry['data']}: {entry['phase']}: "
              f"{json.dumps(shown, ensure_ascii=False)}", flush=True)
        return entry

    def save(self) -> None:
        if self.path:
            self.path.write_text(json.dumps({"meta": self.meta, "phases": self.phases},
                                            ensure_ascii=False, indent=2) + "\n",
                                 encoding="utf-8")


def timed_command(record: Recorder, data: str, phase: str, command: list[str], *,
                  limit: float, log: Path, env: dict[str, str] | None = None,
                  **extra: Any) -> bool:
    """Run a tieuchi command bounded by ``limit``; record its time and peak memory."""
    done = run_bounded(command, limit=limit, env=env, log=log)
    status = ("> limit" if done.over_limit else "ok" if done.returncode == 0
              else f"failed ({done.returncode}): {done.output.strip()[-300:]}")
    record.add(data=data, phase=phase, status=status, limit_s=limit,
               seconds=round(done.seconds, 2), cpu_s=round(done.cpu_s, 2),
               peak_mb=round(done.peak_mb), **extra)
    return status == "ok"


def read_definitions(record: Recorder, data: str, url: str, root: str, *, limit: float,
                     log: Path, backend: str) -> None:
    """``store.units.definitions(root)`` timed in a child of its own."""
    script = Path(__file__).with_name("read_definitions.py")
    done = run_bounded([*tieuchi()[:1], str(script), url, root], limit=limit, log=log)
    entry: dict[str, Any] = {"status": "> limit" if done.over_limit else "ok",
                             "limit_s": limit, "peak_mb": round(done.peak_mb),
                             "child_cpu_s": round(done.cpu_s, 2)}
    if done.returncode == 0:
        entry.update(json.loads(done.output.strip().splitlines()[-1]))
    elif not done.over_limit:
        entry["status"] = f"failed: {done.output.strip()[-300:]}"
    record.add(data=data, phase=f"definitions read ({root})", backend=backend, **entry)


def add_user(url: str, username: str, role: str, unit: str, log: Path) -> None:
    done = run_bounded(tieuchi("user", "add", username, "--role", role, "--unit", unit),
                       limit=120, log=log, env={"TIEUCHI_DATABASE_URL": url,
                                                "TIEUCHI_NEW_PASSWORD": PASSWORD})
    if done.returncode != 0:
        raise RuntimeError(f"tieuchi user add {username}: {done.output[-300:]}")


def add_token(url: str, username: str, log: Path) -> str:
    done = run_bounded(tieuchi("token", "add", username), limit=120, log=log,
                       env={"TIEUCHI_DATABASE_URL": url})
    if done.returncode != 0:
        raise RuntimeError(f"tieuchi token add {username}: {done.output[-300:]}")
    return done.output.strip().splitlines()[-1]


@dataclass
class Site:
    """A loaded PostgreSQL database about to be served: its URL, who signs in, and where
    the logs go."""

    url: str
    data: str
    logs: Path
    record: Recorder
    limits: Limits

    @contextmanager
    def server(self, name: str) -> Iterator[Server]:
        with serve(self.url, workers=WORKERS, log=self.logs / f"serve-{name}.log") as server:
            yield server

    def dashboards(self, pages: dict[str, tuple[str, str]]) -> None:
        """One signed-in user alone: each page (label → (user, path)) once to warm up, then
        once timed."""
        with self.server("pages") as server:
            for label, (username, path) in pages.items():
                timed = asyncio.run(self._single(server, username, path))
                self.record.add(data=self.data, backend="postgresql",
                                phase=f"dashboard, one user ({label})", path=path, **timed,
                                worker_peak_mb=_rounded(server.peaks_mb()))

    async def _single(self, server: Server, username: str, path: str) -> dict[str, Any]:
        limit = self.limits.page
        client = await sign_in(server.url, username, PASSWORD, timeout=limit)
        times: list[float] = []
        try:
            for _ in range(2):
                seconds, status = await timed_get(client, path)
                if status != 200:
                    return {"status": f"HTTP {status}", "seconds": round(seconds, 3)}
                times.append(seconds)
        except httpx.TimeoutException:
            return {"status": "> limit", "limit_s": limit, "seconds": None}
        finally:
            await client.aclose()
        return {"status": "ok", "first_s": round(times[0], 3), "seconds": round(times[1], 3)}

    def users(self, label: str, username: str, path: str, count: int = 50) -> None:
        """``count`` users signed in at once, each loading ``path`` in turn."""
        with self.server(f"users-{label}") as server:
            result, stopped, cpu = asyncio.run(self._load(server, username, path, count))
            peaks = server.peaks_mb()
        summary = result.summary() if result else {}
        if result and result.latencies:
            summary["worker_cpu_s"] = round(cpu, 2)
            summary["cpu_ms_per_request"] = round(cpu / len(result.latencies) * 1000, 1)
        met = bool(result) and not summary["unfinished"] and not summary["errors"]
        self.record.add(data=self.data, backend="postgresql", phase=f"{count} users ({label})",
                        path=path,
                        status=stopped or ("ok" if met else "> limit or errors"),
                        **summary, worker_peak_mb=_rounded(peaks))

    async def _load(self, server: Server, username: str, path: str, count: int
                    ) -> tuple[LoadResult | None, str | None, float]:
        limit = self.limits.users
        gate = asyncio.Semaphore(8)

        async def one() -> httpx.AsyncClient:
            async with gate:
                return await sign_in(server.url, username, PASSWORD, timeout=limit)

        clients = await asyncio.gather(*(one() for _ in range(count)))
        stopped: list[str] = []
        try:
            await asyncio.wait_for(asyncio.gather(
                *(timed_get(c, path) for c in clients[:WORKERS]), return_exceptions=True),
                limit)
            watcher = asyncio.create_task(_watch_memory(server, stopped))
            cpu = server.cpu_s()
            result = await bounded_load(list(clients), path,
                                        requests_per_user=self.limits.requests_per_user,
                                        limit=limit)
            watcher.cancel()
            with suppress(asyncio.CancelledError):
                await watcher
            return result, (stopped[0] if stopped else None), server.cpu_s() - cpu
        except TimeoutError:
            return None, f"> limit (warming up took over {limit:.0f} s)", 0.0
        finally:
            await asyncio.gather(*(c.aclose() for c in clients))

    def edits(self, province: Province, api_user: str, token: str,
              watchers: dict[str, tuple[str, str]]) -> None:
        """One commune's figure changed through the API, ``limits.edits`` times; the time until
        each ancestor's target page (label → (user, unit)) shows the new total."""
        home = province.districts[0] if province.districts else province.root
        commune = next(c for c in province.communes if province.parent[c] == home)
        indicator = province.indicators[0]
        month = MONTHS[5]
        old = float(province.observations.filter(
            (province.observations["unit"] == commune)
            & (province.observations["indicator"] == indicator)
            & (province.observations["period"] == month))["value"][0])
        with self.server("edits") as server:
            done = 0.0
            for n in range(1, self.limits.edits + 1):
                delta = 1_000_000.0 * n
                entry = asyncio.run(self._edit(
                    server, province, token, watchers, commune, indicator, month,
                    old + delta, done, delta))
                done = delta
                self.record.add(data=self.data, backend="postgresql",
                                phase=f"edit visible (edit {n})",
                                commune=commune, indicator=indicator, period=month, **entry,
                                worker_peak_mb=_rounded(server.peaks_mb()))

    async def _edit(self, server: Server, province: Province, token: str,
                    watchers: dict[str, tuple[str, str]], commune: str, indicator: str,
                    month: str, value: float, before: float, after: float) -> dict[str, Any]:
        limit = self.limits.edit
        api = httpx.AsyncClient(base_url=server.url, timeout=limit,
                                headers={"Authorization": f"Bearer {token}"})
        decimals = province.kind(indicator).decimals
        pages: dict[str, tuple[httpx.AsyncClient, str, str]] = {}
        labels: dict[str, str] = {}
        try:
            for label, (username, unit) in watchers.items():
                total = province.total(unit, indicator)
                path = f"/units/{unit}/targets/{unit}:{indicator}:{YEAR}"
                client = await sign_in(server.url, username, PASSWORD, timeout=limit)
                pages[path] = (client, number(total + before, "vi", decimals),
                               number(total + after, "vi", decimals))
                labels[path] = label
            body = {"observations": [{"unit": commune, "indicator": indicator,
                                      "period": month, "value": value}],
                    "reason": "province benchmark"}
            seen = await edit_visible(api, body, pages, limit=limit)
        finally:
            await api.aclose()
            await asyncio.gather(*(c.aclose() for c, _, _ in pages.values()))
        visible = {labels[p]: (round(s, 3) if s is not None else "> limit")
                   for p, s in seen.seen_s.items()}
        shown_before = all(seen.checked_before.values())
        late = [v for v in visible.values() if not isinstance(v, float)]
        return {"status": "ok" if shown_before and not late else
                ("> limit" if late else "the old total was not on a page before the edit"),
                "write_s": round(seen.write_s, 3), "visible_s": visible,
                "old_total_on_pages": seen.checked_before}


async def _watch_memory(server: Server, stopped: list[str]) -> None:
    """Stop the server when the machine runs short of memory, rather than let it swap or be
    killed at random."""
    while True:
        free = memory_available_mb()
        if free < MEMORY_FLOOR_MB:
            stopped.append(f"stopped: {free:.0f} MB of memory left; workers at "
                           f"{_rounded(server.rss_mb())} MB")
            stop_group(server.process.pid)
            return
        await asyncio.sleep(0.5)


def _rounded(values: dict[int, float]) -> list[int]:
    return [round(v) for v in values.values()]


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    return {"cpus": os.cpu_count(), "cpu": cpu, "load_average": os.getloadavg(),
            "memory_available_mb": round(memory_available_mb())}
