"""Domain exceptions. They know nothing of HTTP; ``app/errors.py`` maps each to a response."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldIssue:
    """One broken rule on one input field (``field`` is a dotted path)."""

    field: str
    rule: str
    message: str


class DomainError(Exception):
    """Base of every expected business failure; ``code`` is stable and machine-readable."""

    code = "domain_error"

    def __init__(
        self, detail: str, *, issues: list[FieldIssue] | None = None, code: str | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.issues: list[FieldIssue] = issues or []
        if code is not None:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class DuplicateKey(Conflict):
    """A unique code (customer code, SKU, …) is already taken."""

    code = "duplicate"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class InvalidState(Conflict):
    code = "invalid_state"


class RuleViolation(DomainError):
    """Input that is well-formed but breaks a business rule (HTTP 422)."""

    code = "rule_violation"

    @classmethod
    def on(cls, field_path: str, rule: str, message: str) -> RuleViolation:
        return cls(message, issues=[FieldIssue(field_path, rule, message)])


class UnknownReference(RuleViolation):
    code = "unknown_reference"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class StaleVersion(DomainError):
    """``If-Match`` named a version that is no longer current."""

    code = "stale_version"


class PreconditionRequired(DomainError):
    code = "precondition_required"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class BadSignature(NotAuthenticated):
    """A signed request (a carrier's webhook) whose signature is missing, forged or too old."""

    code = "bad_signature"


class TooManyAttempts(DomainError):
    """Too many failed sign-ins for a user name or from a client address: refused, without
    looking at the password, for ``retry_after`` more seconds (HTTP 429)."""

    code = "too_many_attempts"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class MalformedRequest(DomainError):
    """A body that is not the document its sender's protocol describes (HTTP 400)."""

    code = "malformed_request"


class CarrierUnavailable(DomainError):
    """A carrier could not be reached or failed (timeout, 5xx, garbled answer): nothing was
    changed; try again later (HTTP 503)."""

    code = "carrier_unavailable"


class PermissionDenied(DomainError):
    code = "permission_denied"


@dataclass
class Violations:
    """Collects rule violations so a command reports all of them at once."""

    issues: list[FieldIssue] = field(default_factory=list)

    def add(self, field_path: str, rule: str, message: str) -> None:
        self.issues.append(FieldIssue(field_path, rule, message))

    def raise_if_any(self, detail: str = "The request breaks one or more rules.") -> None:
        if self.issues:
            raise RuleViolation(detail, issues=list(self.issues))
