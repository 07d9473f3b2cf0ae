"""Writing a benchmark's results: ``<output>.json`` (everything) and ``<output>.md`` (the
summary), which is printed too."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any


def write(output: str | Path, result: dict[str, Any], summary: str) -> None:
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    out.with_suffix(".md").write_text(summary)
    print(summary)


def commit(root: str | Path = ".") -> str:
    """The short hash of the checkout at ``root`` (empty outside git)."""
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()
