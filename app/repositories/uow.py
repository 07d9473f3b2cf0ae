"""The unit of work: one request, one transaction. It rolls back unless ``commit()`` ran."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.events import Event
from app.observability import current_request_id
from app.repositories.alert_scan import AlertScanRepository
from app.repositories.alerts import AlertRepository
from app.repositories.allocation import AllocationRepository
from app.repositories.bank_statements import BankStatementRepository
from app.repositories.base import Base, jsonable
from app.repositories.books import BooksRepository
from app.repositories.carriers import CarrierRepository
from app.repositories.cases import CaseRepository
from app.repositories.customers import CustomerRepository, SupplierRepository
from app.repositories.delivery_plans import DeliveryPlanRepository
from app.repositories.events import AuditEvent, AuditRepository, OutboxEvent
from app.repositories.exchange_rates import ExchangeRateRepository
from app.repositories.idempotency import IdempotencyRepository
from app.repositories.invoices import InvoiceRepository
from app.repositories.ledger import LedgerRepository
from app.repositories.login_throttle import LoginThrottleRepository
from app.repositories.notifications import NotificationRepository
from app.repositories.order_imports import OrderImportRepository
from app.repositories.orders import OrderRepository
from app.repositories.outbox import OutboxRepository
from app.repositories.payments import PaymentRepository
from app.repositories.picking import PickListRepository
from app.repositories.pricing import PricingRepository
from app.repositories.production import ProductionRepository
from app.repositories.products import PriceListRepository, ProductRepository
from app.repositories.purchasing import PurchasingRepository
from app.repositories.read_cache import MISSING, ReadCache
from app.repositories.report_after_sales_queries import AfterSalesQueries
from app.repositories.report_carrier_queries import ReportCarrierQueries
from app.repositories.report_check import ReportCheck
from app.repositories.report_queries import ReportQueries
from app.repositories.report_receivables_queries import ReceivablesQueries
from app.repositories.report_stock import ReportStock
from app.repositories.reservations import ReservationRepository
from app.repositories.returns import ReturnRepository
from app.repositories.reviews import ReviewRepository
from app.repositories.row_writer import PlainRows, plain_row, write_new_rows
from app.repositories.settings import SettingsRepository
from app.repositories.shipments import ShipmentRepository
from app.repositories.stock import StockRepository
from app.repositories.storefront_calls import StorefrontCallRepository
from app.repositories.storefront_repo import StorefrontRepository
from app.repositories.tracking import TrackingRepository
from app.repositories.transfers import TransferRepository
from app.repositories.users import ApiKeyRepository, UserRepository
from app.repositories.vehicles import VehicleRepository
from app.repositories.warehouses import WarehouseRepository
from app.repositories.webhook_deliveries import WebhookDeliveryRepository
from app.repositories.webhooks import WebhookEndpointRepository

T = TypeVar("T")


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique-constraint violation, on either engine."""
    if not isinstance(exc, IntegrityError):
        return False
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


def is_retryable(exc: BaseException) -> bool:
    """A transaction the database aborted to break a deadlock or a serialization conflict
    (PostgreSQL), or a lock wait that timed out (SQLite): running it again may succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(
        getattr(orig, "__cause__", None), "sqlstate", None
    )
    if state in RETRYABLE_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(orig)


class Reactions(Protocol):
    """What the unit of work needs of the message bus (``app.services.bus.MessageBus``)."""

    def dispatch(self, event: Event, uow: Any) -> Awaitable[None]: ...


class SqlAlchemyUnitOfWork:
    """Owns one session; repositories share it. Nothing commits but ``commit()``.

    Use cases ``record()`` domain events on it. ``publish()`` — which ``commit()`` runs first —
    writes each event's audit and outbox rows and lets the bus run its reactions, which may
    record further events, until none is left; all of it in this transaction."""

    session: AsyncSession

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        bus: Reactions | None = None,
        cache: ReadCache | None = None,
    ) -> None:
        self._factory = session_factory
        self.bus = bus
        self.cache = cache
        self._events: list[Event] = []
        self._written: set[str] = set()
        self._last_at: datetime | None = None
        self._rows: PlainRows = {}

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
        self._events = []
        self._written = set()
        self._rows = {}
        self.session = self._factory()
        self.users = UserRepository(self.session)
        self.api_keys = ApiKeyRepository(self.session)
        self.login_throttle = LoginThrottleRepository(self.session)
        self.customers = CustomerRepository(self.session)
        self.suppliers = SupplierRepository(self.session)
        self.products = ProductRepository(self.session)
        self.price_lists = PriceListRepository(self.session)
        self.warehouses = WarehouseRepository(self.session)
        self.carriers = CarrierRepository(self.session)
        self.vehicles = VehicleRepository(self.session)
        self.delivery_plans = DeliveryPlanRepository(self.session)
        self.exchange_rates = ExchangeRateRepository(self.session)
        self.stock = StockRepository(self.session)
        self.transfers = TransferRepository(self.session)
        self.pick_lists = PickListRepository(self.session)
        self.shipments = ShipmentRepository(self.session)
        self.tracking = TrackingRepository(self.session)
        self.purchasing = PurchasingRepository(self.session)
        self.orders = OrderRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.order_imports = OrderImportRepository(self.session)
        self.pricing = PricingRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.reviews = ReviewRepository(self.session)
        self.reservations = ReservationRepository(self.session)
        self.allocation = AllocationRepository(self.session)
        self.settings = SettingsRepository(self.session)
        self.invoices = InvoiceRepository(self.session)
        self.payments = PaymentRepository(self.session)
        self.ledger = LedgerRepository(self.session)
        self.bank_statements = BankStatementRepository(self.session)
        self.books = BooksRepository(self.session)
        self.notifications = NotificationRepository(self.session)
        self.alerts = AlertRepository(self.session)
        self.cases = CaseRepository(self.session)
        self.returns = ReturnRepository(self.session)
        self.production = ProductionRepository(self.session)
        self.alert_scan = AlertScanRepository(self.session)
        self.webhook_endpoints = WebhookEndpointRepository(self.session)
        self.webhook_deliveries = WebhookDeliveryRepository(self.session)
        self.storefronts = StorefrontRepository(self.session)
        self.storefront_calls = StorefrontCallRepository(self.session)
        self.outbox = OutboxRepository(self.session)
        self.reports = ReportQueries(self.session)
        self.report_stock = ReportStock(self.session)
        self.report_check = ReportCheck(self.session)
        self.report_after_sales = AfterSalesQueries(self.session)
        self.report_carriers = ReportCarrierQueries(self.session)
        self.report_receivables = ReceivablesQueries(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and, unlike rollback(), leaves loaded
        # objects readable (detached, not expired) for building the response.
        await self.session.close()

    def record(self, event: Event) -> None:
        """Note that ``event`` happened; it is written and reacted to when published."""
        self._events.append(event)

    async def publish(self) -> None:
        """Write and react to the events recorded so far, in order, including the ones the
        reactions record. A use case calls it itself only when it needs a reaction's effect
        before it goes on (an edit releases what the old lines held before replacing them)."""
        while self._events:
            event = self._events.pop(0)
            if self.bus is None:
                raise RuntimeError(
                    f"{type(event).__name__} was recorded on a unit of work without a message "
                    "bus; build it with app.bootstrap.unit_of_work()."
                )
            await self.bus.dispatch(event, self)
            self._write(event)

    def _write(self, event: Event) -> None:
        """Invariant 5, in one place: the audit row and (with a topic) the outbox row."""
        self._written.add(event.entity_type)
        if event.audited:
            before, after = event.images()
            self._add(
                AuditEvent,
                entity_type=event.entity_type,
                entity_id=str(event.entity_id),
                action=event.action,
                actor=event.actor,
                request_id=current_request_id(),
                at=self._tick(),
                before=jsonable(before) if before is not None else None,
                after=jsonable(after) if after is not None else None,
            )
        if event.topic is not None:
            self._add(
                OutboxEvent,
                event_type=event.topic,
                aggregate_type=event.entity_type,
                aggregate_id=str(event.entity_id),
                payload=jsonable(event.outbox_payload()),
            )

    def _add(self, model: type[Base], **values: Any) -> None:
        """A new row nothing in this command reads back: a plain row, no ORM object (the
        commit writes it with the rest)."""
        table = cast(Table, model.__table__)
        self._rows.setdefault(table, []).append(plain_row(table, values))

    def _tick(self) -> datetime:
        """Audit times strictly increase within a transaction, so a timeline sorted by time
        reads in the order the events were recorded."""
        now = datetime.now(UTC)
        if self._last_at is not None and now <= self._last_at:
            now = self._last_at + timedelta(microseconds=1)
        self._last_at = now
        return now

    async def commit(self) -> None:
        await self.publish()
        if not await write_new_rows(self.session, self._rows):
            await self.session.flush()
            for table, rows in self._rows.items():
                await self.session.execute(insert(table), rows)
        self._rows = {}
        await self.session.commit()
        if self.cache is not None:
            self.cache.invalidate(self._written)

    async def cached(self, tag: str, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s answer, kept in the process's read cache under the entity type
        ``tag`` (see :mod:`app.repositories.read_cache`); read afresh when there is no cache,
        or when this unit of work has written that entity type itself."""
        if self.cache is None or tag in self._written or self._pending(tag):
            return await load()
        value = self.cache.get(tag, key)
        if value is MISSING:
            value = await load()
            self.cache.put(tag, key, value)
        return value  # type: ignore[no-any-return]

    def _pending(self, tag: str) -> bool:
        return any(e.entity_type == tag for e in self._events)

    async def flush(self) -> None:
        await self.session.flush()

    def forget(self) -> None:
        """Drop every loaded row from memory (long read-only scans)."""
        self.session.expunge_all()

    async def schema_revisions(self) -> set[str]:
        """The migration revisions the database is at (also proves it answers)."""
        from app.migrate import current_revisions

        return await current_revisions(await self.session.connection())
