"""The customer's side of after-sales, from the public tracking link and without an account:
open a case, read and answer it with the case token, rate the delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.deps import BusDep, UowDep
from app.domain.after_sales.cases import Visibility
from app.errors import problem_responses
from app.schemas.cases import (
    FeedbackCreate,
    FeedbackRead,
    PublicCaseCreate,
    PublicCaseEntry,
    PublicCaseRead,
    PublicMessageCreate,
)
from app.services.after_sales.cases import queries
from app.services.after_sales.cases.commands import (
    AddCustomerMessage,
    OpenCaseFromTracking,
    RateDelivery,
)
from app.services.after_sales.cases.open import CUSTOMER
from app.services.after_sales.cases.views import CaseView

public = APIRouter(prefix="/api/v1/track", tags=["tracking"])
Token = Annotated[str, Path(min_length=1, max_length=64)]
CaseToken = Annotated[str, Path(min_length=1, max_length=64)]


def public_case(view: CaseView) -> PublicCaseRead:
    """Only what concerns the customer: no internal notes, no staff names."""
    c = view.case
    return PublicCaseRead(
        number=c.number,
        kind=c.kind,
        state=c.state,
        subject=c.subject,
        opened_at=c.opened_at,
        case_token=view.case_token,
        timeline=[
            PublicCaseEntry(
                author="customer" if x.author == CUSTOMER else "staff",
                body=x.body,
                changes=x.changes,
                created_at=x.created_at,
            )
            for x in view.entries
            if x.visibility == Visibility.CUSTOMER
        ],
    )


@public.post(
    "/{token}/cases",
    response_model=PublicCaseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open a case from a tracking link",
    responses=problem_responses(404, 422),
)
async def open_case(
    token: Token, body: PublicCaseCreate, bus: BusDep, uow: UowDep
) -> PublicCaseRead:
    """The holder of a tracking link opens a case about that shipment; the answer carries the
    case token once — keep it to read and answer the case."""
    cmd = OpenCaseFromTracking(
        token=token, kind=body.kind.value, subject=body.subject, description=body.description
    )
    return public_case(await bus.handle(cmd, uow))


@public.get(
    "/{token}/cases/{case_token}",
    response_model=PublicCaseRead,
    summary="Read my case",
    responses=problem_responses(404, 422),
)
async def read_case(token: Token, case_token: CaseToken, uow: UowDep) -> PublicCaseRead:
    """The case this case token opened, with what was said to and by the customer."""
    return public_case(await queries.public_case(uow, token, case_token))


@public.post(
    "/{token}/cases/{case_token}/messages",
    response_model=PublicCaseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write on my case",
    responses=problem_responses(404, 422),
)
async def write(
    token: Token, case_token: CaseToken, body: PublicMessageCreate, bus: BusDep, uow: UowDep
) -> PublicCaseRead:
    """A message from the customer; a case waiting for them goes back to work."""
    cmd = AddCustomerMessage(token=token, case_token=case_token, body=body.body)
    return public_case(await bus.handle(cmd, uow))


@public.post(
    "/{token}/feedback",
    response_model=FeedbackRead,
    status_code=status.HTTP_201_CREATED,
    summary="Rate the delivery",
    responses=problem_responses(404, 409, 422),
)
async def rate(token: Token, body: FeedbackCreate, bus: BusDep, uow: UowDep) -> FeedbackRead:
    """Rate a delivered shipment 1–5 with a comment, once (409 ``feedback_exists``;
    409 ``shipment_not_delivered`` before delivery)."""
    cmd = RateDelivery(token=token, rating=body.rating, comment=body.comment)
    return FeedbackRead.model_validate(await bus.handle(cmd, uow))
