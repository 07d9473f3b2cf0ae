"""Text input: NUL characters are refused everywhere.

PostgreSQL cannot store U+0000 in a text column, and no code, name, reference or note of an
ERP has a use for one, so any string that holds one — a path segment, a query parameter, a form
field, a JSON key or value, an imported row — is bad input, reported on the field that holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.errors import FieldIssue

NUL = "\x00"
RULE = "no_nul"
MESSAGE = "Text may not contain NUL (U+0000) characters."


def has_nul(text: str) -> bool:
    return NUL in text


def without_nul(text: str) -> str:
    """``text`` fit to be stored and echoed back (NULs shown as U+FFFD)."""
    return text.replace(NUL, "\ufffd")


def nul_issues(document: Any, prefix: Iterable[str | int] = ()) -> list[FieldIssue]:
    """One issue per string (key or value) of a parsed JSON document that holds a NUL, named by
    its dotted path. Iterative, so a deeply nested document cannot exhaust the stack."""
    issues: list[FieldIssue] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [(tuple(prefix), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                issues.append(FieldIssue(".".join(map(str, path)), RULE, MESSAGE))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and NUL in key:
                    issues.append(FieldIssue(".".join(map(str, (*path, key))), RULE, MESSAGE))
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return sorted(issues, key=lambda issue: issue.field)


def nul_pairs(pairs: Iterable[tuple[str, str]], location: str) -> list[FieldIssue]:
    """The same for name/value pairs (a query string, a form): ``location.name``."""
    return [
        FieldIssue(f"{location}.{name}", RULE, MESSAGE)
        for name, value in pairs
        if NUL in name or NUL in value
    ]
