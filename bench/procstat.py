"""CPU accounting for the benchmarks, from /proc and the kernel's rusage.

- a server's CPU: user + system time of a process and all its descendants (uvicorn's supervisor
  and workers), sampled before and after a run;
- a load generator's CPU: the rusage ``wait4`` returns for the child when it exits (all its
  threads, start-up included);
- the database's CPU: the PostgreSQL backends serving one database, found by their process
  title (``postgres: 15/main: user dbname 127.0.0.1(port) idle``) and sampled a few times a
  second by a thread, so a backend that exits during the run (pgbench's, at its end) still
  counts up to its last sample. WAL writer, checkpointer and autovacuum launcher are shared with
  whatever else runs on the server, so they are not counted; nor are autovacuum workers, which
  come in bursts (after seeding, most of all) that would swamp a 10 s run.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cpu_of(fields: list[str]) -> float:
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_cpu(pid: int) -> float | None:
    fields = _stat(pid)
    return None if fields is None else _cpu_of(fields)


def tree_cpu(root_pid: int) -> float:
    """User + system CPU seconds of a process and all its living descendants."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += _cpu_of(stats[pid])
        todo += children.get(pid, [])
    return total


def run_measured(argv: list[str], timeout: float, **popen: Any) -> tuple[int, str, str, float]:
    """Run a command to its end; return its exit code, stdout, stderr and CPU seconds (rusage of
    the child from ``wait4``, every thread of it)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, **popen)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            usage.ru_utime + usage.ru_stime,
        )


class BackendCpu:
    """CPU seconds the backends of one database spend between ``start()`` and ``stop()``."""

    def __init__(self, database: str, interval: float = 0.2) -> None:
        self.database = database
        self.interval = interval
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._others: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _is_backend(self, pid: int) -> bool | None:
        """True for a backend of the database, False for any other process, None for a
        process that may still become one (a just-forked backend shows the postmaster's
        command line until it sets its title)."""
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return False
        if title.startswith("postgres: "):
            words = title.split()
            return self.database in words and "autovacuum" not in words
        return None if "postgres" in title else False

    def _sample(self, baseline: bool) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or (pid := int(entry)) in self._others:
                continue
            if pid not in self._last:
                kind = self._is_backend(pid)
                if kind is False:
                    self._others.add(pid)
                if not kind:
                    continue
            cpu = process_cpu(pid)
            if cpu is None:
                continue
            # A backend first seen after the start began with the run: it counts from zero.
            self._first.setdefault(pid, cpu if baseline else 0.0)
            self._last[pid] = cpu

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample(baseline=False)

    def start(self) -> BackendCpu:
        self._sample(baseline=True)
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample(baseline=False)
        return sum(self._last[pid] - self._first[pid] for pid in self._last)
