"""The HTTP side: sessions signed in through /login, timed page loads, a bounded load of many
users, and the time from one figure's edit until a page shows the new total."""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["LoadResult", "bounded_load", "edit_visible", "sign_in", "timed_get"]

_CSRF_FIELD = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


async def sign_in(base: str, username: str, password: str, timeout: float) -> httpx.AsyncClient:
    """A client signed in as a browser does: GET /login, its hidden CSRF token, POST /login."""
    client = httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=False)
    page = await client.get("/login")
    found = _CSRF_FIELD.search(page.text)
    if page.status_code != 200 or not found:
        await client.aclose()
        raise RuntimeError(f"no login form at {base}/login ({page.status_code})")
    answer = await client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": found.group(1), "next": "/"})
    if answer.status_code != 303:
        await client.aclose()
        raise RuntimeError(f"signing in as {username} failed: {answer.status_code}")
    return client


async def timed_get(client: httpx.AsyncClient, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    answer = await client.get(path)
    return time.perf_counter() - start, answer.status_code


@dataclass
class LoadResult:
    """What a bounded load gave: one latency per finished request, what went wrong, and the
    requests still waiting when the time limit stopped the load."""

    users: int
    requests_per_user: int
    limit: float
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    unfinished: int = 0
    unfinished_after: float = 0.0  # how long the shortest of them had waited

    def percentile(self, share: float) -> float | None:
        """The latency below which ``share`` of the requests finished; ``inf`` when it falls
        on a request still waiting at the limit (reported as "> limit")."""
        total = len(self.latencies) + self.unfinished
        if not total:
            return None
        rank = max(0, math.ceil(share * total) - 1)
        ordered = sorted(self.latencies)
        return ordered[rank] if rank < len(ordered) else math.inf

    def summary(self) -> dict[str, Any]:
        done = len(self.latencies)
        p50, p95 = self.percentile(0.50), self.percentile(0.95)
        return {
            "users": self.users, "requests_per_user": self.requests_per_user,
            "limit_s": self.limit, "seconds": round(self.seconds, 2),
            "finished": done, "unfinished": self.unfinished,
            "unfinished_waited_s": round(self.unfinished_after, 2),
            "p50_s": _seconds(p50), "p95_s": _seconds(p95),
            "max_s": round(max(self.latencies), 3) if self.latencies else None,
            "requests_per_s": round(done / self.seconds, 2) if self.seconds else None,
            "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
        }


def _seconds(value: float | None) -> float | str | None:
    if value is None or value == math.inf:
        return None if value is None else "> limit"
    return round(value, 4)


async def bounded_load(clients: list[httpx.AsyncClient], path: str, *, requests_per_user: int,
                       limit: float) -> LoadResult:
    """Every client requests ``path`` ``requests_per_user`` times, one after the other, all
    clients at once; the load stops by itself at ``limit`` seconds."""
    result = LoadResult(users=len(clients), requests_per_user=requests_per_user, limit=limit)
    started: dict[int, float] = {}

    async def user(index: int, client: httpx.AsyncClient) -> None:
        for _ in range(requests_per_user):
            started[index] = time.perf_counter()
            try:
                answer = await client.get(path)
            except httpx.HTTPError as exc:
                result.errors[type(exc).__name__] += 1
            else:
                if answer.status_code != 200:
                    result.errors[f"HTTP {answer.status_code}"] += 1
                else:
                    result.latencies.append(time.perf_counter() - started[index])
            started.pop(index)

    start = time.perf_counter()
    tasks = [asyncio.create_task(user(i, c)) for i, c in enumerate(clients)]
    _, waiting = await asyncio.wait(tasks, timeout=limit)
    stopped = time.perf_counter()
    result.seconds = stopped - start
    result.unfinished = len(started)
    result.unfinished_after = min((stopped - t for t in started.values()), default=0.0)
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    return result


@dataclass(frozen=True)
class Visible:
    """When each watched page first showed the edit, counted from the start of the write."""

    write_s: float
    seen_s: dict[str, float | None]  # page → seconds, or None: not within the limit
    checked_before: dict[str, bool]  # page → it showed the old total before the edit


async def edit_visible(api: httpx.AsyncClient, body: dict[str, Any],
                       pages: dict[str, tuple[httpx.AsyncClient, str, str]],
                       *, limit: float) -> Visible:
    """POST ``body`` to /api/observations, then poll each page (client, old text, new text)
    until the new text is on it, or ``limit`` seconds from the write."""
    before = {path: old in (await client.get(path)).text
              for path, (client, old, _) in pages.items()}
    start = time.perf_counter()
    answer = await api.post("/api/observations", json=body)
    write_s = time.perf_counter() - start
    if answer.status_code != 200:
        raise RuntimeError(f"the edit was refused: {answer.status_code} {answer.text[:300]}")

    async def watch(client: httpx.AsyncClient, path: str, new: str) -> float | None:
        while time.perf_counter() - start < limit:
            try:
                page = await asyncio.wait_for(client.get(path),
                                              limit - (time.perf_counter() - start))
            except (TimeoutError, httpx.HTTPError):
                return None
            if new in page.text:
                return time.perf_counter() - start
            await asyncio.sleep(0.05)
        return None

    seen = await asyncio.gather(*(watch(c, p, new) for p, (c, _, new) in pages.items()))
    return Visible(write_s=write_s, seen_s=dict(zip(pages, seen, strict=True)),
                   checked_before=before)
