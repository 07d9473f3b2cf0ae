"""Reading cases and feedback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.repositories.cases import CaseFilter, DeliveryFeedback
from app.repositories.pagination import PageResult
from app.services.after_sales.cases.change import customer_case
from app.services.after_sales.cases.views import CaseView, load_view
from app.services.unit_of_work import UnitOfWork

__all__ = ["CaseFilter", "get_case", "list_cases", "list_feedback", "public_case"]


async def get_case(uow: UnitOfWork, case_id: uuid.UUID) -> CaseView:
    async with uow:
        return await load_view(uow, await uow.cases.get_or_raise(case_id))


async def list_cases(
    uow: UnitOfWork, f: CaseFilter, *, overdue: bool, limit: int, cursor: str | None
) -> PageResult[CaseView]:
    """A page of cases, newest first; ``overdue``: only open cases past a target now."""
    if overdue:
        f = CaseFilter(**{**f.__dict__, "overdue_at": datetime.now(UTC)})
    async with uow:
        page = await uow.cases.page(f, limit=limit, cursor=cursor)
        return PageResult([CaseView(x, [], []) for x in page.items], page.next_cursor)


async def public_case(uow: UnitOfWork, token: str, case_token: str) -> CaseView:
    async with uow:
        return await load_view(uow, await customer_case(uow, token, case_token))


async def list_feedback(
    uow: UnitOfWork,
    rating: int | None,
    customer_id: uuid.UUID | None,
    *,
    limit: int,
    cursor: str | None,
) -> PageResult[DeliveryFeedback]:
    async with uow:
        return await uow.cases.feedback_page(rating, customer_id, limit=limit, cursor=cursor)
