"""Child processes of the benchmark: bounded ``tieuchi`` commands with their peak memory, a
throw-away PostgreSQL database, and ``tieuchi serve`` with its workers' memory."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

__all__ = ["Finished", "Server", "memory_available_mb", "pg_database", "run_bounded", "serve",
           "stop_group", "tieuchi"]

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@dataclass(frozen=True)
class Finished:
    """A child that ran to its end or was stopped at its time limit."""

    seconds: float
    cpu_s: float  # user + system time of the child and what it waited for
    peak_mb: float
    returncode: int | None  # None: stopped at the limit
    output: str

    @property
    def over_limit(self) -> bool:
        return self.returncode is None


def tieuchi(*args: str) -> list[str]:
    """The command line of ``tieuchi`` in this environment (no ``uv run`` in between, so the
    child's peak memory is tieuchi's own)."""
    return [sys.executable, "-m", "tieuchi", *args]


def run_bounded(command: Sequence[str], *, limit: float, env: dict[str, str] | None = None,
                log: Path | None = None) -> Finished:
    """Run ``command`` to its end or until ``limit`` seconds; the peak resident memory of the
    child (and of any child it waited for) is read from ``wait4``."""
    out = log.open("w+b") if log else subprocess.DEVNULL
    start = time.perf_counter()
    child = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                             env={**os.environ, **(env or {})}, start_new_session=True)
    returncode: int | None = None
    usage = None
    try:
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                returncode = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() - start > limit:
                stop_group(child.pid)
                _, _, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
    except BaseException:  # interrupted: the child goes too
        stop_group(child.pid)
        raise
    seconds = time.perf_counter() - start
    child.returncode = returncode if returncode is not None else -9
    text = ""
    if log:
        out.seek(0)  # type: ignore[union-attr]
        text = out.read().decode("utf-8", "replace")  # type: ignore[union-attr]
        out.close()  # type: ignore[union-attr]
    return Finished(seconds=seconds,
                    cpu_s=usage.ru_utime + usage.ru_stime if usage else 0.0,
                    peak_mb=usage.ru_maxrss / 1024 if usage else 0.0,
                    returncode=returncode, output=text)


def stop_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(50):
            time.sleep(0.1)
            os.killpg(pid, 0)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on 127.0.0.1:5432, dropped on the way out."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.format(name=name)
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``tieuchi serve``: its address and its supervisor process."""

    url: str
    process: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        """The worker processes uvicorn started under the supervisor."""
        out = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid and b"spawn_main" in cmdline:
                out.append(int(entry.name))
        return sorted(out)

    def reset_peaks(self) -> None:
        """Start each worker's peak memory (VmHWM) again from its current size."""
        for pid in self.workers():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                pass

    def peaks_mb(self) -> dict[int, float]:
        """Each worker's peak resident memory (VmHWM) since it started or was reset."""
        return {pid: _status_kb(pid, "VmHWM") / 1024 for pid in self.workers()}

    def cpu_s(self) -> float:
        """The user and system time the workers have used so far."""
        total = 0.0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def rss_mb(self) -> dict[int, float]:
        return {pid: _status_kb(pid, "VmRSS") / 1024 for pid in self.workers()}


def _status_kb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def memory_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return float(line.split()[1]) / 1024
    return float("inf")


@contextmanager
def serve(database_url: str, *, workers: int, log: Path, ready_within: float = 120
          ) -> Iterator[Server]:
    """``tieuchi serve --workers N`` on a free port of 127.0.0.1, stopped on the way out."""
    port = _free_port()
    # The 50 simulated users are sessions of one user, signed in from 127.0.0.1 within the
    # same second: each try is reserved against the user's and the address's limits before
    # its password is checked (issue 9), so the defaults (5 and 20) would refuse most of
    # them with 429. The benchmark measures pages, not the sign-in limit: both are lifted.
    env = {**os.environ, "TIEUCHI_DATABASE_URL": database_url,
           "TIEUCHI_SECRET_KEY": secrets.token_urlsafe(32),
           "TIEUCHI_LOGIN_ATTEMPTS": "10000", "TIEUCHI_LOGIN_ATTEMPTS_PER_ADDRESS": "10000"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            tieuchi("serve", "--host", "127.0.0.1", "--port", str(port),
                    "--workers", str(workers)),
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    try:
        _wait_ready(server, workers, ready_within)
        yield server
    finally:
        stop_group(process.pid)
        process.wait()


def _wait_ready(server: Server, workers: int, within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"tieuchi serve stopped with {server.process.returncode}")
        try:
            if (httpx.get(server.url + "/healthz", timeout=2).status_code == 200
                    and len(server.workers()) >= workers):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"tieuchi serve was not ready within {within:.0f} s")
