"""The unit of work as use cases see it: repositories, events, one commit.

``app.repositories.uow.SqlAlchemyUnitOfWork`` implements it; ``tests/fakes.py`` has an
in-memory one for the bus's own tests. Use cases type their ``uow`` with this protocol.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Protocol, Self, TypeVar

from app.domain.events import Event
from app.repositories.alert_scan import AlertScanRepository
from app.repositories.alerts import AlertRepository
from app.repositories.allocation import AllocationRepository
from app.repositories.bank_statements import BankStatementRepository
from app.repositories.books import BooksRepository
from app.repositories.carriers import CarrierRepository
from app.repositories.cases import CaseRepository
from app.repositories.customers import CustomerRepository, SupplierRepository
from app.repositories.delivery_plans import DeliveryPlanRepository
from app.repositories.events import AuditRepository
from app.repositories.exchange_rates import ExchangeRateRepository
from app.repositories.idempotency import IdempotencyRepository
from app.repositories.invoices import InvoiceRepository
from app.repositories.ledger import LedgerRepository
from app.repositories.login_throttle import LoginThrottleRepository
from app.repositories.notifications import NotificationRepository
from app.repositories.order_imports import OrderImportRepository
from app.repositories.orders import OrderRepository
from app.repositories.payments import PaymentRepository
from app.repositories.picking import PickListRepository
from app.repositories.pricing import PricingRepository
from app.repositories.production import ProductionRepository
from app.repositories.products import PriceListRepository, ProductRepository
from app.repositories.purchasing import PurchasingRepository
from app.repositories.report_after_sales_queries import AfterSalesQueries
from app.repositories.report_carrier_queries import ReportCarrierQueries
from app.repositories.report_check import ReportCheck
from app.repositories.report_queries import ReportQueries
from app.repositories.report_receivables_queries import ReceivablesQueries
from app.repositories.report_stock import ReportStock
from app.repositories.reservations import ReservationRepository
from app.repositories.returns import ReturnRepository
from app.repositories.reviews import ReviewRepository
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


class UnitOfWork(Protocol):
    users: UserRepository
    api_keys: ApiKeyRepository
    login_throttle: LoginThrottleRepository
    customers: CustomerRepository
    suppliers: SupplierRepository
    products: ProductRepository
    price_lists: PriceListRepository
    warehouses: WarehouseRepository
    carriers: CarrierRepository
    vehicles: VehicleRepository
    delivery_plans: DeliveryPlanRepository
    exchange_rates: ExchangeRateRepository
    stock: StockRepository
    transfers: TransferRepository
    pick_lists: PickListRepository
    shipments: ShipmentRepository
    tracking: TrackingRepository
    purchasing: PurchasingRepository
    orders: OrderRepository
    idempotency: IdempotencyRepository
    order_imports: OrderImportRepository
    pricing: PricingRepository
    audit: AuditRepository
    reviews: ReviewRepository
    reservations: ReservationRepository
    allocation: AllocationRepository
    settings: SettingsRepository
    invoices: InvoiceRepository
    payments: PaymentRepository
    ledger: LedgerRepository
    bank_statements: BankStatementRepository
    books: BooksRepository
    notifications: NotificationRepository
    alerts: AlertRepository
    cases: CaseRepository
    returns: ReturnRepository
    production: ProductionRepository
    alert_scan: AlertScanRepository
    webhook_endpoints: WebhookEndpointRepository
    webhook_deliveries: WebhookDeliveryRepository
    storefronts: StorefrontRepository
    storefront_calls: StorefrontCallRepository
    reports: ReportQueries
    report_stock: ReportStock
    report_check: ReportCheck
    report_after_sales: AfterSalesQueries
    report_carriers: ReportCarrierQueries
    report_receivables: ReceivablesQueries

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def record(self, event: Event) -> None:
        """Note that ``event`` happened (written and reacted to when published)."""

    async def publish(self) -> None:
        """Write and react to the events recorded so far (``commit`` does it first)."""

    async def flush(self) -> None: ...

    def forget(self) -> None:
        """Drop every loaded row from memory (long read-only scans)."""

    async def schema_revisions(self) -> set[str]:
        """The migration revisions the database is at (also proves it answers)."""

    async def commit(self) -> None: ...

    async def cached(self, tag: str, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s answer, kept briefly in the process under the entity type ``tag``
        (``app.repositories.read_cache``): for what every order reads and rarely changes."""
        ...
