"""Customers, orders and shipments to tell things about, and the route and send steps called
directly with the test's sessionmaker."""

from __future__ import annotations

import socket
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from app.repositories.events import OutboxEvent
from app.repositories.notifications import Notification
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.worker.notify.routing import route_notifications
from tests.builders import (
    a_customer,
    a_product,
    a_shipped_order,
    a_warehouse,
    an_approved_order,
    stock,
)

WANG = {"name": "王经理", "phone": "+8613800138000", "email": "wang@example.cn"}


async def customer(sessionmaker, **kw: Any):
    values = {"contacts": [WANG], "name": "上海华东贸易有限公司"} | kw
    return await a_customer(SqlAlchemyUnitOfWork(sessionmaker), **values)


async def approved_order(sessionmaker, who, **kw: Any):
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    product = await a_product(uow, name="不锈钢螺栓 M8")
    kw.setdefault("requested_delivery_date", date(2026, 12, 24))
    return await an_approved_order(uow, who, [(product, 3)], **kw)


async def shipped_order(sessionmaker, who, *, tracking_number: str = "SF1234567890"):
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    product = await a_product(uow, name="不锈钢螺栓 M8")
    warehouse = await a_warehouse(uow)
    await stock(uow, warehouse, product, 5)
    shipped = await a_shipped_order(uow, who, warehouse, [(product, 2)])
    async with uow:
        shipment = await uow.shipments.get_for_update_or_raise(shipped.shipment.id)
        shipment.tracking_number = tracking_number
        shipment.promised_date = date(2026, 12, 5)
        await uow.commit()
    return shipped


def event(event_type: str, aggregate_type: str, aggregate_id: Any, **payload: Any) -> OutboxEvent:
    return OutboxEvent(
        id=uuid.uuid4(),
        event_type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
    )


async def route(sessionmaker, settings, *events: OutboxEvent) -> None:
    async with sessionmaker() as session:
        await route_notifications(session, list(events), settings)
        await session.commit()


async def notifications_of(sessionmaker, subject_id: Any) -> list[Notification]:
    async with sessionmaker() as session:
        stmt = (
            select(Notification)
            .where(Notification.subject_id == str(subject_id))
            .order_by(Notification.kind, Notification.step, Notification.channel)
        )
        return list((await session.scalars(stmt)).all())


def by_channel(rows: list[Notification]) -> dict[str, Notification]:
    return {r.channel: r for r in rows}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
