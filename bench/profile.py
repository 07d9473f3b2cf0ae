"""Where a Lading order's CPU goes: py-spy samples of the server during a closed-loop run,
folded by layer.

``py-spy record --format raw`` writes collapsed stacks (root first, leaf last, one line per
distinct stack with its sample count). Each sample is given to the layer that owns its leaf
frame, or, when the leaf is the standard library or an unlisted package (``json``, ``decimal``,
``asyncio``...), to the nearest caller that belongs to a layer: time in ``decimal`` called by
SQLAlchemy's result processing is SQLAlchemy's. Native code (asyncpg's Cython protocol,
pydantic-core, httptools) has no Python frame of its own, so it counts for its Python caller.
The ms per order of a layer is its share of the samples times the server CPU per order
measured in the same run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROCESS = re.compile(r"process \d+:")
OTHER = "other (stdlib, event loop, other libraries)"
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("Lading (app/)", (f"{ROOT}/app/",)),
    ("SQLAlchemy ORM (orm/)", ("/sqlalchemy/orm/",)),
    (
        "greenlet (SQLAlchemy's async bridge)",
        ("/greenlet/", "/sqlalchemy/util/_concurrency_py3k.py", "/sqlalchemy/ext/asyncio/"),
    ),
    ("asyncpg (driver and SQLAlchemy's adapter)", ("/asyncpg/", "/dialects/postgresql/asyncpg")),
    (
        "SQLAlchemy Core (sql/ statements, compiler, cache keys; engine/, pool/)",
        ("/sqlalchemy/",),
    ),
    ("pydantic", ("/pydantic/", "/pydantic_core/")),
    ("FastAPI/Starlette (routing, dependencies)", ("/fastapi/", "/starlette/", "/anyio/")),
    ("uvicorn/httptools", ("/uvicorn/", "/httptools/", "/uvloop/", "/h11/")),
]


def py_spy() -> str:
    for candidate in (Path(sys.executable).with_name("py-spy"), shutil.which("py-spy")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise SystemExit("py-spy is not installed: `.venv/bin/pip install py-spy` (a dev dependency)")


def start(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    """Sample ``pid`` (and its children) for ``seconds`` into a raw collapsed-stack file."""
    argv = [py_spy(), "record", "--pid", str(pid), "--format", "raw", "--output", str(output)]
    argv += ["--duration", str(max(1, round(seconds))), "--rate", "100", "--nolineno"]
    argv += ["--full-filenames", "--subprocesses", "--nonblocking", "--gil"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def layer_of(frame: str) -> str | None:
    """The layer of one frame, ``function (path)``; None for the standard library and others."""
    path = frame[frame.rfind("(") + 1 : -1] if frame.endswith(")") else frame
    for name, markers in LAYERS:
        if any(m in path for m in markers):
            return name
    return None


def _package(frame: str) -> str:
    path = frame[frame.rfind("(") + 1 : -1] if frame.endswith(")") else frame
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0]
    return "stdlib:" + Path(path).stem


def _idle(leaf: str) -> bool:
    """A thread-pool thread waiting for work (py-spy's non-blocking sampling lets a few in)."""
    return leaf.startswith(("Condition.wait ", "Event.wait ", "_worker ")) and "threading" in leaf


def by_layer(collapsed: str) -> tuple[Counter[str], Counter[str], int]:
    """Samples per layer, samples of ``other`` by package (leaf), and the total (idle waits of
    pool threads left out)."""
    layers: Counter[str] = Counter()
    others: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        # --subprocesses puts the process ("process PID:cmdline") first.
        frames = [f for f in stack.split(";") if not PROCESS.match(f)]
        if frames and _idle(frames[-1]):
            continue
        owner = next((x for f in reversed(frames) if (x := layer_of(f))), None)
        layers[owner or OTHER] += int(count)
        if owner is None:
            others[_package(frames[-1]) if frames else "native (no Python frame)"] += int(count)
    return layers, others, sum(layers.values())


def table(collapsed: str, cpu_ms_per_order: float) -> dict[str, Any]:
    layers, others, total = by_layer(collapsed)
    rows = [
        {
            "layer": name,
            "samples": n,
            "share": round(n / total, 4) if total else 0.0,
            "ms_per_order": round(n / total * cpu_ms_per_order, 2) if total else 0.0,
        }
        for name, n in layers.most_common()
    ]
    return {
        "samples": total,
        "server_cpu_ms_per_order": cpu_ms_per_order,
        "layers": rows,
        "other_by_package": dict(others.most_common(8)),
    }
