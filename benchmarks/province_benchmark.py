"""Measure tieuchi at a province's size: load, definitions, dashboards, edits, 50 users.

Run it with::

    uv run --group bench python benchmarks/province_benchmark.py                 # ~35-45 min
    uv run --group bench python benchmarks/province_benchmark.py --scale smoke   # ~10 min

It writes a generated province (700 communes, 200 indicators, 12 months: 1.68 M figures, about
141,000 targets, two criteria sets) as a definition folder in a temporary folder, in two
shapes (with districts, as before 2025, and the 2025 two-level province), checks it with
``tieuchi validate``, loads it with ``tieuchi load`` into SQLite and into a fresh PostgreSQL
database on 127.0.0.1:5432, reads its definitions, and serves it with ``tieuchi serve
--workers 2``: dashboards for one user, the time from one commune's edit until its ancestors'
pages show it, and 50 signed-in users at once. The reference district
(examples/thanh-tri-2023) gets the same 50 users. Every phase is bounded in time (a phase
over its limit is reported as "> limit"); servers, databases and files are removed in every
case. ``--json FILE`` keeps the figures for comparing runs; benchmarks/README.md ("Province
scale") records them against issue 8's goals.

This is a script, not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import yaml

from province.generate import SCALES, SHAPES, Province, write_province
from province.phases import (
    LIMITS,
    Limits,
    Recorder,
    Site,
    add_token,
    add_user,
    machine,
    read_definitions,
    timed_command,
)
from province.processes import pg_database, tieuchi
from province.report import markdown

BACKENDS = ("sqlite", "postgresql")
DEMO = Path(__file__).resolve().parent.parent / "examples" / "thanh-tri-2023"


def main() -> int:
    args = _arguments()
    started = time.perf_counter()
    meta = {"scale": args.scale, "seed": args.seed, "shapes": args.shapes,
            "backends": args.backends, "sqlite_shapes": args.sqlite_shapes,
            "commit": _commit(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "polars": pl.__version__, "python": sys.version.split()[0], **machine()}
    print(json.dumps(meta, ensure_ascii=False), flush=True)
    record = Recorder(meta, args.json)
    limits = LIMITS[args.scale]
    if args.load_limit:
        limits = replace(limits, load=args.load_limit)
    meta["limits"] = asdict(limits)
    with tempfile.TemporaryDirectory(prefix="tieuchi-province-") as tmp:
        work = Path(tmp)
        for shape in args.shapes:
            _shape(record, work, shape, args, limits)
        if args.demo and "postgresql" in args.backends:
            _demo(record, work, limits)
    meta["seconds"] = round(time.perf_counter() - started, 1)
    meta["load_average_after"] = machine()["load_average"]
    record.save()
    print(markdown(record.phases))
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--shapes", type=_names(SHAPES), default=list(SHAPES),
                        help="districts, two-level (default: both)")
    parser.add_argument("--backends", type=_names(BACKENDS), default=list(BACKENDS),
                        help="sqlite, postgresql (default: both); the pages are served on "
                             "PostgreSQL only")
    parser.add_argument("--sqlite-shapes", type=_names(SHAPES), default=["districts"],
                        help="the shapes also loaded into SQLite (default: districts; the "
                             "two-level province has the same rows)")
    parser.add_argument("--no-demo", dest="demo", action="store_false",
                        help="skip the reference district's 50 users")
    parser.add_argument("--load-limit", type=float,
                        help="seconds a load may take (default: 900 at full scale); the pages "
                             "are measured only on a database that finished loading")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    return parser.parse_args()


def _names(allowed: tuple[str, ...]) -> Any:
    def parse(text: str) -> list[str]:
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = sorted(set(names) - set(allowed))
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown: {', '.join(unknown)}; "
                                             f"choose from {', '.join(allowed)}")
        return names
    return parse


def _commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, cwd=Path(__file__).parent, check=False)
    return found.stdout.strip() or "?"


def _shape(record: Recorder, work: Path, shape: str, args: argparse.Namespace,
           limits: Limits) -> None:
    data = f"province, {shape}"
    start = time.perf_counter()
    province = write_province(work / shape, shape, SCALES[args.scale], args.seed)
    record.add(data=data, phase="generate", status="ok",
               seconds=round(time.perf_counter() - start, 2),
               units=1 + len(province.districts) + len(province.communes),
               indicators=len(province.indicators), observations=province.observations.height,
               targets=province.target_count, groups=province.group_count)
    logs = work / f"logs-{shape}"
    logs.mkdir()
    if not timed_command(record, data, "validate", tieuchi("validate", str(province.folder)),
                         limit=limits.validate, log=logs / "validate.log"):
        return
    if "sqlite" in args.backends and shape in args.sqlite_shapes:
        url = f"sqlite:///{work / (shape + '.db')}"
        if _load(record, data, province.folder, url, "sqlite", limits, logs):
            _definitions(record, data, province, url, "sqlite", limits, logs)
    if "postgresql" in args.backends:
        with pg_database("bench_province") as url:
            if _load(record, data, province.folder, url, "postgresql", limits, logs):
                _definitions(record, data, province, url, "postgresql", limits, logs)
                _serve_province(Site(url, data, logs, record, limits), province)


def _load(record: Recorder, data: str, folder: Path, url: str, backend: str, limits: Limits,
          logs: Path) -> bool:
    return timed_command(record, data, "load", tieuchi("load", str(folder)),
                         limit=limits.load, log=logs / f"load-{backend}.log",
                         env={"TIEUCHI_DATABASE_URL": url}, backend=backend)


def _definitions(record: Recorder, data: str, province: Province, url: str, backend: str,
                 limits: Limits, logs: Path) -> None:
    for root in (province.root, *province.districts[:1]):
        read_definitions(record, data, url, root, limit=limits.definitions,
                         log=logs / f"definitions-{backend}-{root}.log", backend=backend)


def _serve_province(site: Site, province: Province) -> None:
    """Users for the province, its first district and one of that district's communes;
    then the pages, the edits and the 50 users."""
    district = province.districts[0] if province.districts else None
    home = district or province.root
    commune = next(c for c in province.communes if province.parent[c] == home)
    add_user(site.url, "bench-province", "officer", province.root, site.logs / "users.log")
    add_user(site.url, "bench-commune", "entry", commune, site.logs / "users.log")
    token = add_token(site.url, "bench-commune", site.logs / "token.log")
    pages = {"province": ("bench-province", f"/units/{province.root}")}
    watchers = {"province": ("bench-province", province.root)}
    if district:
        add_user(site.url, "bench-district", "officer", district, site.logs / "users.log")
        pages = {"district": ("bench-district", f"/units/{district}"), **pages}
        watchers = {"district": ("bench-district", district), **watchers}
    _guarded(site, "dashboards", site.dashboards, pages)
    _guarded(site, "edit visible", site.edits, province, "bench-commune", token, watchers)
    for label, (username, path) in pages.items():
        _guarded(site, f"50 users ({label})", site.users, label, username, path)


def _guarded(site: Site, phase: str, measure: Callable[..., None], *args: Any) -> None:
    """A phase that fails (a server that does not start, a refused sign-in) is recorded as
    failed and the run goes on."""
    try:
        measure(*args)
    except (RuntimeError, OSError, httpx.HTTPError) as exc:
        site.record.add(data=site.data, backend="postgresql", phase=phase,
                        status=f"failed: {exc}")


def _demo(record: Recorder, work: Path, limits: Limits) -> None:
    """The reference district, loaded into PostgreSQL: one user, then 50, on its dashboard."""
    data = "demo (thanh-tri-2023)"
    logs = work / "logs-demo"
    logs.mkdir()
    with pg_database("bench_demo") as url:
        if not timed_command(record, data, "load", tieuchi("load", str(DEMO)),
                             limit=limits.load, log=logs / "load.log",
                             env={"TIEUCHI_DATABASE_URL": url}, backend="postgresql"):
            return
        root = yaml.safe_load((DEMO / "tieuchi.yaml").read_text("utf-8"))["project"]["root"]
        site = Site(url, data, logs, record, limits)
        add_user(url, "bench-district", "officer", root, logs / "users.log")
        _guarded(site, "dashboards", site.dashboards,
                 {"district": ("bench-district", f"/units/{root}")})
        _guarded(site, "50 users (district)", site.users, "district", "bench-district",
                 f"/units/{root}")


if __name__ == "__main__":
    sys.exit(main())
