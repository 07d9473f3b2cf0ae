"""Templates rendered in Jinja2's sandbox: plain text (no autoescape), every variable must
exist (``StrictUndefined``), and attributes the sandbox deems unsafe (``__class__``,
``__mro__``, ``__subclasses__``, functions' globals, ...) are refused.
https://jinja.palletsprojects.com/en/3.1.x/sandbox/"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from app.domain.errors import FieldIssue, RuleViolation

TEMPLATE_MAX = 20_000


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render one template; raises ``jinja2.TemplateError`` (syntax, undefined variable,
    sandbox security) when it cannot."""
    return environment().from_string(source).render(**context)


def render(subject: str | None, body: str, context: Mapping[str, Any]) -> Rendered:
    rendered_subject = render_text(subject, context).strip() if subject is not None else None
    if rendered_subject is not None:
        # A header holds one line.
        rendered_subject = " ".join(rendered_subject.split())
    return Rendered(rendered_subject, render_text(body, context))


def template_issues(subject: str | None, body: str, context: Mapping[str, Any]) -> list[FieldIssue]:
    """Why a template cannot be saved: each field that does not parse or fails to render
    against the kind's sample context, with Jinja2's message."""
    issues = []
    for field, source in (("subject", subject), ("body", body)):
        if source is None:
            continue
        try:
            render_text(source, context)
        except TemplateError as exc:
            issues.append(FieldIssue(field, "renders", f"{type(exc).__name__}: {exc}"))
    return issues


def check_template(subject: str | None, body: str, context: Mapping[str, Any]) -> None:
    issues = template_issues(subject, body, context)
    if issues:
        raise RuleViolation("The template cannot be rendered.", issues=issues)
