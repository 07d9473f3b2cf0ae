"""Templates admins edit: list, get, save (refused unless it renders against its kind's
sample), reset to the default, and preview against an order."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.domain.errors import FieldIssue, NotFound, RuleViolation
from app.domain.events import Changed
from app.domain.notifications.kinds import NotificationChannel, NotificationKind
from app.repositories.base import utcnow
from app.repositories.notifications import NotificationTemplate
from app.services.bus import Context
from app.services.notifications import context as ctx
from app.services.notifications.commands import ResetTemplate, SaveTemplate
from app.services.notifications.defaults import EMAIL, SMS, Template, default_template
from app.services.notifications.rendering import Rendered, check_template, render
from app.services.notifications.templates_store import Templates
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


@dataclass(frozen=True)
class TemplateView:
    kind: str
    channel: str
    language: str
    subject: str | None
    body: str
    customized: bool
    updated_at: datetime | None
    updated_by: str | None
    variables: list[str]


def keys() -> list[tuple[str, str, str]]:
    """Every (kind, channel, language) that has a template."""
    email = [(k, "email", lang) for k, lang in EMAIL]
    sms = [(k, "sms", lang) for k, lang in SMS]
    return sorted(email + sms)


def _default_or_404(kind: str, channel: str, language: str) -> Template:
    template = default_template(kind, channel, language)
    if template is None:
        raise NotFound(f"No {channel} template for {kind} in {language}.")
    return template


def _view(
    kind: str, channel: str, language: str, saved: NotificationTemplate | None
) -> TemplateView:
    default = _default_or_404(kind, channel, language)
    return TemplateView(
        kind=kind,
        channel=channel,
        language=language,
        subject=saved.subject if saved else default.subject,
        body=saved.body if saved else default.body,
        customized=saved is not None,
        updated_at=saved.updated_at if saved else None,
        updated_by=saved.updated_by if saved else None,
        variables=[
            "company",
            *(() if kind == NotificationKind.ALERT_RAISED else ("customer",)),
            *ctx.parts_of(NotificationKind(kind)),
        ],
    )


async def list_templates(uow: UnitOfWork) -> list[TemplateView]:
    async with uow:
        saved = {(t.kind, t.channel, t.language): t for t in await uow.notifications.templates()}
    return [_view(*key, saved.get(key)) for key in keys()]


async def get_template(uow: UnitOfWork, kind: str, channel: str, language: str) -> TemplateView:
    _default_or_404(kind, channel, language)
    async with uow:
        saved = await uow.notifications.template(kind, channel, language)
    return _view(kind, channel, language, saved)


def _check_shape(channel: str, subject: str | None) -> None:
    if channel == NotificationChannel.EMAIL and not (subject and subject.strip()):
        raise RuleViolation(
            "An email template needs a subject.",
            issues=[FieldIssue("subject", "required", "An email template needs a subject.")],
        )
    if channel == NotificationChannel.SMS and subject is not None:
        raise RuleViolation(
            "A text message has no subject.",
            issues=[FieldIssue("subject", "absent", "A text message has no subject.")],
        )


async def save_template(cmd: SaveTemplate, uow: UnitOfWork, context: Context) -> TemplateView:
    """Save the template; it must parse and render against its kind's sample context (422
    naming ``subject`` or ``body`` otherwise), so it can never fail when a message is sent."""
    _default_or_404(cmd.kind, cmd.channel, cmd.language)
    _check_shape(cmd.channel, cmd.subject)
    check_template(
        cmd.subject, cmd.body, ctx.sample_context(NotificationKind(cmd.kind), context.settings)
    )
    async with uow:
        saved = await uow.notifications.template(cmd.kind, cmd.channel, cmd.language, lock=True)
        before = _image(saved)
        if saved is None:
            saved = NotificationTemplate(
                id=uuid.uuid4(), kind=cmd.kind, channel=cmd.channel, language=cmd.language
            )
            uow.notifications.add_template(saved)
        saved.subject, saved.body = cmd.subject, cmd.body
        saved.updated_by, saved.updated_at = cmd.principal.actor, utcnow()
        await uow.flush()
        _audit(uow, cmd.principal.actor, saved, "updated", before, _image(saved))
        await uow.commit()
    return _view(cmd.kind, cmd.channel, cmd.language, saved)


async def reset_template(cmd: ResetTemplate, uow: UnitOfWork, context: Context) -> TemplateView:
    _default_or_404(cmd.kind, cmd.channel, cmd.language)
    async with uow:
        saved = await uow.notifications.template(cmd.kind, cmd.channel, cmd.language, lock=True)
        if saved is not None:
            _audit(uow, cmd.principal.actor, saved, "reset", _image(saved), None)
            await uow.notifications.delete_template(saved)
            await uow.commit()
    return _view(cmd.kind, cmd.channel, cmd.language, None)


def _image(t: NotificationTemplate | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "kind": t.kind,
        "channel": t.channel,
        "language": t.language,
        "subject": t.subject,
        "body": t.body,
    }


def _audit(
    uow: UnitOfWork,
    actor: str,
    t: NotificationTemplate,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    uow.record(
        Changed(
            actor=actor,
            entity_id=t.id,
            entity_type="notification_template",
            action=action,
            before=before,
            after=after,
        )
    )


async def preview(
    uow: UnitOfWork,
    settings: Settings,
    *,
    kind: str,
    channel: str,
    language: str,
    order_id: uuid.UUID,
    subject: str | None,
    body: str | None,
) -> Rendered:
    """Render the saved template (or the proposed ``subject``/``body``) for an order: its
    customer, order and newest shipment; the parts an order does not have (an invoice, a
    refund, a return, an alert) come from the kind's sample."""
    kind_ = NotificationKind(kind)
    async with uow:
        templates = await Templates.load(uow.notifications)
        saved = templates.effective(
            kind_, NotificationChannel(channel), language
        ) or _default_or_404(kind, channel, language)
        context = ctx.sample_context(kind_, settings)
        context.update(await _order_parts(uow, order_id, settings))
    proposed_subject = subject if subject is not None else saved.subject
    proposed_body = body if body is not None else saved.body
    if channel == NotificationChannel.SMS:
        proposed_subject = None
    check_template(proposed_subject, proposed_body, context)
    return render(proposed_subject, proposed_body, context)


async def _order_parts(uow: UnitOfWork, order_id: uuid.UUID, settings: Settings) -> ctx.Context:
    order = await uow.orders.get(order_id)
    if order is None:
        raise RuleViolation(
            f"No order with id {order_id}.",
            issues=[FieldIssue("order_id", "exists", f"No order with id {order_id}.")],
        )
    customer = await uow.customers.get_or_raise(order.customer_id)
    parts: ctx.Context = {
        "customer": ctx.customer_part(customer),
        "order": ctx.order_part(order, await uow.orders.lines(order.id)),
    }
    shipment = await uow.notifications.latest_shipment_of(order.id)
    if shipment is not None:
        carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
        parts["shipment"] = ctx.shipment_part(shipment, carrier, settings)
    return parts
