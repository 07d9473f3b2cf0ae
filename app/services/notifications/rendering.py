"""Templates rendered in Jinja2's sandbox: plain text (no autoescape), every variable must
exist (``StrictUndefined``), and attributes the sandbox deems unsafe (``__class__``,
``__mro__``, ``__subclasses__``, functions' globals, ...) are refused.
https://jinja.palletsprojects.com/en/3.1.x/sandbox/"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from app.domain.errors import FieldIssue, RuleViolation

TEMPLATE_MAX = 20_000
# The largest string or list a template may build by multiplying, and the largest power.
PRODUCT_MAX = 100_000
EXPONENT_MAX = 100


class NotificationSandbox(SandboxedEnvironment):
    """The sandbox, also bounding ``*`` and ``**``: ``{{ 'x' * 10**12 }}`` would otherwise
    exhaust memory while a template is checked."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > EXPONENT_MAX:
            raise SecurityError(f"exponent above {EXPONENT_MAX}")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > PRODUCT_MAX:
                    raise SecurityError(f"a product longer than {PRODUCT_MAX}")
        return super().call_binop(context, operator, left, right)


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    return NotificationSandbox(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
    )


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render one template; raises when it cannot (``jinja2.TemplateError`` for syntax,
    undefined variables and the sandbox; whatever the expression raises otherwise)."""
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
        except Exception as exc:  # any failure of the template is the template's fault
            issues.append(FieldIssue(field, "renders", f"{type(exc).__name__}: {exc}"))
    return issues


def check_template(subject: str | None, body: str, context: Mapping[str, Any]) -> None:
    issues = template_issues(subject, body, context)
    if issues:
        raise RuleViolation("The template cannot be rendered.", issues=issues)
