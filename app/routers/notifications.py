"""Customer notifications: the log of what was sent, and the templates (admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from app.deps import AUTHENTICATED, BusDep, PageDep, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.notifications.kinds import (
    Language,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.notifications import (
    NotificationRead,
    TemplatePreviewRead,
    TemplatePreviewRequest,
    TemplateRead,
    TemplateUpdate,
)
from app.services.notifications import queries, templates
from app.services.notifications.commands import ResetTemplate, SaveTemplate

router = APIRouter(
    prefix="/api/v1/notifications", tags=["notifications"], dependencies=AUTHENTICATED
)
Reader = Annotated[Principal, Depends(requires("notifications:read"))]
Writer = Annotated[Principal, Depends(requires("notifications:write"))]
TEMPLATE = "/templates/{kind}/{channel}/{language}"


@router.get(
    "",
    response_model=Page[NotificationRead],
    summary="List notifications",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    kind: NotificationKind | None = None,
    status: NotificationStatus | None = None,
    channel: NotificationChannel | None = None,
) -> Page[NotificationRead]:
    """The log, newest first: what was sent (or skipped) to whom, when, and the answer."""
    result = await queries.list_notifications(
        uow,
        customer_id=customer_id,
        order_id=order_id,
        kind=kind.value if kind else None,
        status=status.value if status else None,
        channel=channel.value if channel else None,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(
        items=[NotificationRead.model_validate(n) for n in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/templates",
    response_model=list[TemplateRead],
    summary="List the templates",
    responses=problem_responses(401, 403),
)
async def list_templates(uow: UowDep, principal: Writer) -> list[TemplateRead]:
    """Every template in force, per kind, channel and language: saved or default."""
    return [TemplateRead.model_validate(t) for t in await templates.list_templates(uow)]


@router.post(
    "/templates/preview",
    response_model=TemplatePreviewRead,
    status_code=status.HTTP_200_OK,
    summary="Preview a template for an order",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview(
    body: TemplatePreviewRequest, uow: UowDep, principal: Writer, settings: SettingsDep
) -> TemplatePreviewRead:
    """Render the template in force, or a proposed subject and body, with an order's data;
    a template that cannot render is a 422 naming the field."""
    rendered = await templates.preview(
        uow,
        settings,
        kind=body.kind.value,
        channel=body.channel.value,
        language=body.language.value,
        order_id=body.order_id,
        subject=body.subject,
        body=body.body,
    )
    return TemplatePreviewRead(subject=rendered.subject, body=rendered.body)


@router.get(
    TEMPLATE,
    response_model=TemplateRead,
    summary="Get a template",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_template(
    kind: NotificationKind,
    channel: NotificationChannel,
    language: Language,
    uow: UowDep,
    principal: Writer,
) -> TemplateRead:
    """The template in force for a kind, channel and language."""
    view = await templates.get_template(uow, kind.value, channel.value, language.value)
    return TemplateRead.model_validate(view)


@router.put(
    TEMPLATE,
    response_model=TemplateRead,
    summary="Save a template",
    responses=problem_responses(401, 403, 404, 422),
)
async def save_template(
    kind: NotificationKind,
    channel: NotificationChannel,
    language: Language,
    body: TemplateUpdate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> TemplateRead:
    """Replace the template; refused (422 naming ``subject`` or ``body``) unless it parses and
    renders against the kind's sample data in the sandbox."""
    command = SaveTemplate(
        principal=principal,
        kind=kind.value,
        channel=channel.value,
        language=language.value,
        subject=body.subject,
        body=body.body,
    )
    return TemplateRead.model_validate(await bus.handle(command, uow))


@router.delete(
    TEMPLATE,
    response_model=TemplateRead,
    summary="Reset a template to its default",
    responses=problem_responses(401, 403, 404, 422),
)
async def reset_template(
    kind: NotificationKind,
    channel: NotificationChannel,
    language: Language,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> TemplateRead:
    """Drop the saved template; the default shipped with Lading is in force again."""
    command = ResetTemplate(
        principal=principal, kind=kind.value, channel=channel.value, language=language.value
    )
    return TemplateRead.model_validate(await bus.handle(command, uow))


@router.get(
    "/{notification_id}",
    response_model=NotificationRead,
    summary="Get a notification",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(notification_id: uuid.UUID, uow: UowDep, principal: Reader) -> NotificationRead:
    """One notification of the log."""
    return NotificationRead.model_validate(await queries.get_notification(uow, notification_id))
