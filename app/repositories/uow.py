"""The unit of work: one request, one transaction. It rolls back unless ``commit()`` ran."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.carriers import CarrierRepository
from app.repositories.customers import CustomerRepository, SupplierRepository
from app.repositories.events import AuditEvent, AuditRepository, OutboxEvent
from app.repositories.exchange_rates import ExchangeRateRepository
from app.repositories.login_throttle import LoginThrottleRepository
from app.repositories.orders import (
    IdempotencyRepository,
    OrderImportRepository,
    OrderRepository,
)
from app.repositories.picking import PickListRepository
from app.repositories.pricing import PricingRepository
from app.repositories.products import PriceListRepository, ProductRepository
from app.repositories.purchasing import PurchasingRepository
from app.repositories.reservations import AllocationRepository, ReservationRepository
from app.repositories.reviews import ReviewRepository
from app.repositories.settings import SettingsRepository
from app.repositories.shipments import ShipmentRepository
from app.repositories.stock import StockRepository
from app.repositories.tracking import TrackingRepository
from app.repositories.transfers import TransferRepository
from app.repositories.users import ApiKeyRepository, UserRepository
from app.repositories.warehouses import WarehouseRepository


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


class SqlAlchemyUnitOfWork:
    """Owns one session; repositories share it. Nothing commits but ``commit()``."""

    session: AsyncSession

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory

    async def __aenter__(self) -> SqlAlchemyUnitOfWork:
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

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()

    async def schema_revisions(self) -> set[str]:
        """The migration revisions the database is at (also proves it answers)."""
        from app.migrate import current_revisions

        return await current_revisions(await self.session.connection())

    def add_audit(self, event: AuditEvent) -> None:
        self.session.add(event)

    def add_outbox(self, event: OutboxEvent) -> None:
        self.session.add(event)
