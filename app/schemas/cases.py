"""Service cases (售后工单) and delivery feedback as the API reads and writes them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.after_sales.cases import CaseKind, CasePriority, CaseState, Visibility
from app.domain.auth import Principal
from app.schemas.common import DecimalOut, Quantity, Schema
from app.services.after_sales.cases.commands import (
    AddCaseMessage,
    CaseLineRequest,
    OpenCase,
    TransitionCase,
    UpdateCase,
)

Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class CaseLineCreate(Schema):
    order_line_id: uuid.UUID
    quantity: Quantity | None = None


class CaseCreate(Schema):
    customer_id: uuid.UUID
    kind: CaseKind
    priority: CasePriority = CasePriority.NORMAL
    subject: Subject
    description: Text
    order_id: uuid.UUID | None = None
    shipment_id: uuid.UUID | None = None
    lines: list[CaseLineCreate] = Field(default_factory=list, max_length=200)
    assignee: Username | None = Field(default=None, description="A user's username")

    def to_command(self, principal: Principal, idempotency_key: str | None) -> OpenCase:
        return OpenCase(
            principal=principal,
            customer_id=self.customer_id,
            kind=self.kind.value,
            priority=self.priority.value,
            subject=self.subject,
            description=self.description,
            order_id=self.order_id,
            shipment_id=self.shipment_id,
            lines=tuple(
                CaseLineRequest(order_line_id=x.order_line_id, quantity=x.quantity)
                for x in self.lines
            ),
            assignee=self.assignee,
            idempotency_key=idempotency_key,
        )


class CaseTransition(Schema):
    state: CaseState
    reason: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="Required to resolve"
    )

    def to_command(self, principal: Principal, case_id: uuid.UUID) -> TransitionCase:
        return TransitionCase(
            principal=principal, case_id=case_id, state=self.state.value, reason=self.reason
        )


class CaseUpdate(Schema):
    """Only the fields given change; ``assignee: null`` unassigns."""

    assignee: Username | None = Field(default=None, description="A user's username")
    priority: CasePriority | None = Field(
        default=None, description="The targets are counted again from opening"
    )

    def to_command(self, principal: Principal, case_id: uuid.UUID, version: int) -> UpdateCase:
        return UpdateCase(
            principal=principal,
            case_id=case_id,
            expected_version=version,
            given=frozenset(self.model_fields_set),
            assignee=self.assignee,
            priority=self.priority.value if self.priority else None,
        )


class CaseMessageCreate(Schema):
    body: Text
    visibility: Visibility = Field(
        default=Visibility.CUSTOMER,
        description="customer: a message the customer sees; internal: a note they never see",
    )

    def to_command(self, principal: Principal, case_id: uuid.UUID) -> AddCaseMessage:
        return AddCaseMessage(
            principal=principal, case_id=case_id, body=self.body, visibility=self.visibility.value
        )


class CaseEntryRead(Schema):
    id: uuid.UUID
    kind: str = Field(description="message, note or change")
    visibility: Visibility
    author: str
    body: str
    changes: dict[str, Any] | None
    created_at: datetime


class CaseLineRead(Schema):
    order_line_id: uuid.UUID
    quantity: DecimalOut | None


class CaseRead(Schema):
    id: uuid.UUID
    number: str = Field(description="SC-YYYY-NNNNNN")
    customer_id: uuid.UUID
    order_id: uuid.UUID | None
    shipment_id: uuid.UUID | None
    kind: CaseKind
    priority: CasePriority
    state: CaseState
    source: str
    subject: str
    description: str
    assignee: str | None
    resolution_reason: str | None
    opened_at: datetime
    opened_by: str
    first_response_at: datetime | None
    response_due_at: datetime
    resolution_due_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int


class CaseDetailRead(CaseRead):
    lines: list[CaseLineRead]
    timeline: list[CaseEntryRead] = Field(description="Oldest first: messages, notes, changes")


class PublicCaseCreate(Schema):
    kind: CaseKind
    subject: Subject
    description: Text


class PublicMessageCreate(Schema):
    body: Text


class PublicCaseEntry(Schema):
    author: str = Field(description="customer or staff")
    body: str
    changes: dict[str, Any] | None
    created_at: datetime


class PublicCaseRead(Schema):
    number: str
    kind: CaseKind
    state: CaseState
    subject: str
    opened_at: datetime
    case_token: str | None = Field(
        description="Shown once, when the case is opened: keep it to read and write to it"
    )
    timeline: list[PublicCaseEntry] = Field(description="What was said to and by the customer")


class FeedbackCreate(Schema):
    rating: int = Field(description="1 (bad) to 5 (excellent)")
    comment: Annotated[str, StringConstraints(max_length=2000)] | None = None


class FeedbackRead(Schema):
    id: uuid.UUID
    shipment_id: uuid.UUID
    order_id: uuid.UUID
    customer_id: uuid.UUID
    rating: int
    comment: str | None
    created_at: datetime


class CaseAttachmentRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    visibility: Visibility
    created_at: datetime
    created_by: str
