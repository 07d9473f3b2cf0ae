"""Delivery feedback: a rating from 1 to 5 with an optional comment, once per shipment."""

from __future__ import annotations

from app.domain.errors import RuleViolation

RATING_MIN = 1
RATING_MAX = 5
COMMENT_MAX = 2000


def check_rating(rating: int, comment: str | None) -> None:
    if not RATING_MIN <= rating <= RATING_MAX:
        raise RuleViolation.on(
            "rating", "range", f"A rating is from {RATING_MIN} to {RATING_MAX}, not {rating}."
        )
    if comment is not None and len(comment) > COMMENT_MAX:
        raise RuleViolation.on(
            "comment", "max_length", f"A comment is at most {COMMENT_MAX} characters."
        )
