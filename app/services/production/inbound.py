"""The production system's webhook: the signature over the raw body is verified by its
adapter outside any transaction (401 ``bad_signature``), then the report is applied once per
event id (the inbox), as any planner's report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.adapters.production import production_system
from app.domain.errors import BadSignature
from app.services.bus import Context
from app.services.production.commands import ReportProduction
from app.services.production.reporting import SENDER, Reported, apply_report
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class ReceiveProductionWebhook:
    headers: Mapping[str, str] = field(repr=False)
    raw_body: bytes = field(repr=False)
    received_at: datetime


async def receive_production_webhook(
    cmd: ReceiveProductionWebhook, uow: UnitOfWork, ctx: Context
) -> Reported:
    secret = ctx.settings.mes_webhook_secret
    if secret is None:
        raise BadSignature("No production system is configured (LADING_MES_WEBHOOK_SECRET).")
    system = production_system(secret.get_secret_value())
    report = system.parse_report(cmd.headers, cmd.raw_body, cmd.received_at)
    return await apply_report(
        ReportProduction(
            actor=SENDER,
            principal=None,
            request_number=report.request_number,
            kind=report.kind.value,
            completed_quantity=report.completed_quantity,
            scrapped_quantity=report.scrapped_quantity,
            expected_finish_date=report.expected_finish_date,
            over_production_reason=report.over_production_reason,
            scrap_reason=report.scrap_reason,
            occurred_at=report.occurred_at,
            event_id=report.event_id,
        ),
        uow,
    )
