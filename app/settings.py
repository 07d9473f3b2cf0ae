"""Settings: one class, read from ``LADING_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.domain.outbound_urls import OutboundPolicy
from app.domain.webhooks import SECRET_PREFIX, secret_key

PLACEHOLDER_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    """Every setting of Lading; the README lists them with their defaults."""

    model_config = SettingsConfigDict(
        env_prefix="LADING_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///var/lading.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_echo: bool = False
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Password guessing: this many failed sign-ins for one user name within the window lock it
    # (429 with Retry-After) for the lockout, which doubles for each lockout that follows soon
    # after another, up to the cap. A client address gets its own, larger allowance (an office
    # behind one NAT address shares it). The counters live in the database, so every process
    # sees the same ones.
    login_max_failures: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=60, ge=1)
    login_lockout_max_seconds: int = Field(default=3600, ge=1)
    log_level: str = "INFO"
    log_json: bool = True
    # The outbox dispatcher runs inside the API process (embedded default); set false when
    # separate `lading worker` processes do it.
    inprocess_dispatcher: bool = True
    dispatcher_interval_seconds: float = Field(default=1.0, gt=0)
    dispatcher_batch_size: int = Field(default=50, ge=1)
    dispatcher_max_attempts: int = Field(default=8, ge=1)
    # How long a claimed batch is held; renewed after each event sent, so a killed dispatcher
    # delays the rest of its batch by this much. Must exceed one delivery's timeout.
    dispatcher_lease_seconds: float = Field(default=30.0, gt=0)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    # Outbound webhook endpoints: one whose every delivery failed for this long is disabled
    # (410 Gone disables it at once); after a secret's rotation the old one still signs
    # beside the new one for the overlap unless the rotation names its own.
    webhook_disable_after_hours: float = Field(default=24.0, gt=0)
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0, le=720)
    # Deliveries one worker process sends at once (receivers are slow: each waits for its
    # answer, up to LADING_WEBHOOK_TIMEOUT_SECONDS).
    webhook_concurrency: int = Field(default=8, ge=1, le=100)
    # The delivery log (attempts, settled deliveries) is kept this long, then purged.
    webhook_log_retention_days: int = Field(default=30, ge=1)
    # Storefront connectors: a SKU whose available stock changed is pushed to the shops this
    # many seconds after its first change (later changes within it ride in the same push,
    # batched per shop); the worker sends due calls back to shops this often.
    storefront_stock_debounce_seconds: float = Field(default=30.0, ge=0, le=86400)
    storefront_round_seconds: float = Field(default=5.0, gt=0, le=3600)
    # Where secrets may be sent (carrier endpoints, webhook endpoints): https, and no private,
    # link-local or metadata address unless allowed here (host names, IPs or CIDR networks,
    # comma-separated). Plain http is always allowed to loopback (the fake carrier).
    outbound_allow_http: bool = False
    outbound_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Carriers without webhooks are polled about a shipment at most this often; the worker's
    # carrier round (label retries, polls) runs this often.
    tracking_poll_minutes: int = Field(default=30, ge=1)
    carrier_round_seconds: float = Field(default=10.0, gt=0)
    # How often the worker raises ``invoice.overdue`` for invoices that passed their due date.
    overdue_round_seconds: float = Field(default=300.0, gt=0)
    # Periodic invoicing (月结): the worker bills a closed week or month from this hour (UTC)
    # of the day after it ends, so confirmations of its last day are in.
    periodic_invoicing_hour: int = Field(default=2, ge=0, le=23)
    page_size_max: int = Field(default=200, ge=1)
    order_max_lines: int = Field(default=500, ge=1)
    # How long a process keeps a verified API key, the review policy and the active warehouses
    # (app/repositories/read_cache.py): a revocation or change made in another process takes
    # effect within this many seconds (at once in the process that made it). 0: read each time.
    read_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    # Allocation: nearest_single, min_split or priority; whether ship_complete orders that no
    # single warehouse can fill may be consolidated by a transfer; how long an unpaid prepaid
    # order's reservation lasts.
    allocation_strategy: Literal["nearest_single", "min_split", "priority"] = "nearest_single"
    allocation_consolidation_transfers: bool = True
    unpaid_reservation_minutes: int = Field(default=60, ge=1)
    # Idempotency keys are answered for at least this long, then purged by the worker.
    idempotency_retention_hours: int = Field(default=48, ge=24)
    # Largest JSON or form body a route parses (413 beyond; imports have import_max_bytes).
    # 3 MiB holds the largest legitimate body: a proof of delivery with a 2 MiB photo.
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=64 * 1024)
    import_max_orders: int = Field(default=10_000, ge=1)
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    # Largest bank statement file accepted (413 beyond); a statement holds at most 5,000 lines.
    bank_statement_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1)
    # Whether unit prices (list prices, price lists, overrides) include tax.
    prices_include_tax: bool = False
    # The highest credit limit a customer may be created with without the customers:credit
    # permission (in the customer's currency); 0: new customers are cash only until finance
    # decides.
    new_customer_credit_limit_max: Decimal = Field(default=Decimal(0), ge=0)
    # How far above the ordered quantity a purchase order line may be received, in percent.
    po_over_receipt_tolerance_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    # Carriers: rates in other currencies are converted into this one to be ranked; the
    # shipper's company name and phone go on every carrier shipment's sender address.
    reporting_currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    company_name: str | None = Field(default=None, max_length=200)
    shipper_phone: str | None = Field(default=None, max_length=50)
    # Exception alerts (app.domain.alerts): the thresholds of the rules, and how often the
    # worker's scan raises the time-based ones and resolves those whose condition cleared. A
    # shipment not shipped by the day's cutoff (local time in alert_timezone; warehouses
    # have no cutoff of their own) raises an alert once the cutoff passed.
    alert_backorder_days: int = Field(default=3, ge=1)
    alert_unallocated_hours: int = Field(default=4, ge=1)
    alert_approval_hours: int = Field(default=8, ge=1)
    alert_label_pending_minutes: int = Field(default=30, ge=1)
    alert_tracking_silent_hours: int = Field(default=48, ge=1)
    alert_ship_cutoff: str = Field(default="17:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    alert_timezone: str = Field(default="Asia/Shanghai", min_length=1)
    alert_scan_seconds: float = Field(default=300.0, gt=0)

    # --- After-sales (app.domain.after_sales) --------------------------------------------
    # Days after delivery goods may be returned: storefront orders (无理由退货) and others; a
    # product's own return_window_days overrides both. Case targets override the defaults of
    # app.domain.after_sales.cases, as JSON keyed "priority" or "kind.priority", each
    # [response hours, resolution hours]: {"complaint.urgent": [1, 12]}. Attachments: the
    # largest accepted, in bytes.
    return_window_days: int = Field(default=30, ge=0, le=3650)
    storefront_return_window_days: int = Field(default=7, ge=0, le=3650)
    case_targets: dict[str, tuple[float, float]] = Field(default_factory=dict)
    case_attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)

    # --- Make-to-order (app.services.production) ------------------------------------------
    # The secret the production system (MES) signs its reports with (whsec_..., Standard
    # Webhooks); without it POST /webhooks/production refuses every report.
    mes_webhook_secret: SecretStr | None = None
    # Days goods take from the production warehouse to the customer: a make-to-order request
    # is due this long before the order's requested delivery date.
    production_transit_days: int = Field(default=1, ge=0, le=60)

    # --- Delivery planning for the own fleet (app.services.routing) -----------------------
    # The solver (PyVRP) stops after this many seconds, or after ROUTING_ITERATIONS
    # iterations, whichever comes first; with the iteration budget reached first, the same
    # seed gives the same plan on any machine.
    routing_time_limit_seconds: float = Field(default=3.0, gt=0, le=60)
    routing_iterations: int | None = Field(default=2000, ge=1, le=10_000_000)
    routing_seed: int = Field(default=1, ge=0, le=2**31 - 1)

    # --- Customer notifications (app.services.notifications) ------------------------------
    # Email goes over SMTP when a host is set, SMS through Twilio when an account is set;
    # a channel without a provider writes its messages to the log (the demo).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    notification_email_from: str = "Lading <noreply@localhost>"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_base_url: str = "https://api.twilio.com"
    # Sending: batch per round, round interval when idle, how long a claimed message is held
    # (a worker killed while sending is retried after it), attempts before it is dead.
    notification_batch_size: int = Field(default=20, ge=1)
    notification_round_seconds: float = Field(default=5.0, gt=0)
    notification_lease_seconds: float = Field(default=120.0, gt=0)
    notification_max_attempts: int = Field(default=8, ge=1)
    # The public tracking link in shipping notifications: this base + /api/v1/track/{token}.
    public_base_url: str = "http://localhost:8000"
    # Overdue reminders (催款) at these days past the due date, checked this often.
    dunning_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [1, 7, 14])
    dunning_round_seconds: float = Field(default=3600.0, gt=0)
    # Alerts by email: addresses of each role's staff, as JSON ({"warehouse": ["a@x.cn"]}),
    # in this language.
    staff_emails: dict[str, list[str]] = Field(default_factory=dict)
    staff_language: Literal["zh-CN", "en"] = "zh-CN"
    # The live stream (GET /api/v1/stream, Server-Sent Events): each open stream reads the
    # event stream from the database every poll (one short session each), sends a comment
    # line as heartbeat after this long without an event, and ends after at most
    # stream_max_seconds (the client reconnects with Last-Event-ID and loses nothing).
    stream_poll_seconds: float = Field(default=1.0, gt=0)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    stream_max_seconds: float = Field(default=300.0, gt=0)
    stream_batch_size: int = Field(default=100, ge=1)
    # Events onto NATS JetStream: when nats_url is set, the worker publishes every routed event
    # to the stream nats_stream (created if missing, subjects "<prefix>.>") as subject
    # "<nats_subject_prefix>.<event type>"; nats_timeout_seconds bounds connecting and each
    # publish's acknowledgement.
    nats_url: str | None = None
    nats_stream: str = Field(default="LADING", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    nats_subject_prefix: str = Field(
        default="lading", pattern=r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$"
    )
    nats_interval_seconds: float = Field(default=1.0, gt=0)
    nats_batch_size: int = Field(default=100, ge=1)
    nats_timeout_seconds: float = Field(default=5.0, gt=0)

    # --- Reports (app.worker.reports, app.services.reports) ------------------------------
    # The longest range a report answers, how often the worker's projector looks for new
    # events when it found none, and how many events one of its steps reads.
    reports_max_range_days: int = Field(default=731, ge=1, le=36600)
    reports_interval_seconds: float = Field(default=2.0, gt=0)
    reports_batch_size: int = Field(default=1000, ge=1)

    # --- Delivery planning for the own fleet (app.adapters.routing) ----------------------
    # Travel distances and times come from OSRM's table service at osrm_url (http(s), e.g. a
    # server on the private network: only coordinates are sent, so the outbound policy for
    # secrets does not apply); unset, they are estimated from the great circle with each
    # depot's road factor and average speed. osrm_timeout_seconds bounds each request.
    osrm_url: str | None = None
    osrm_timeout_seconds: float = Field(default=10.0, gt=0)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def outbound_policy(self) -> OutboundPolicy:
        return OutboundPolicy.of(
            allow_http=self.outbound_allow_http, allowed=self.outbound_allowed_hosts
        )

    @field_validator("outbound_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("mes_webhook_secret")
    @classmethod
    def _whsec(cls, value: SecretStr | None) -> SecretStr | None:
        """The production system's secret is a Standard Webhooks one: whsec_<base64>."""
        if value is None:
            return None
        raw = value.get_secret_value()
        try:
            ok = raw.startswith(SECRET_PREFIX) and len(secret_key(raw)) >= 16
        except ValueError:  # binascii.Error is a ValueError
            ok = False
        if not ok:
            raise ValueError("must be whsec_ followed by the base64 of at least 16 bytes")
        return value

    @field_validator("dunning_days", mode="before")
    @classmethod
    def _split_days(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.split(",") if part.strip()]
        return value

    @field_validator("dunning_days")
    @classmethod
    def _days_past_due(cls, value: list[int]) -> list[int]:
        if any(d < 1 for d in value):
            raise ValueError("LADING_DUNNING_DAYS: each step is at least 1 day past due")
        return sorted(set(value))

    @field_validator("staff_emails")
    @classmethod
    def _staff_addresses(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        bad = [a for addresses in value.values() for a in addresses if "@" not in a]
        if bad:
            raise ValueError(f"LADING_STAFF_EMAILS: not email addresses: {bad}")
        return value

    @field_validator("osrm_url")
    @classmethod
    def _osrm_url(cls, value: str | None) -> str | None:
        """An http(s) URL with a host, kept without trailing slashes; blank means unset."""
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("LADING_OSRM_URL must be an http(s) URL with a host")
        if parts.query or parts.fragment:
            raise ValueError("LADING_OSRM_URL takes no query or fragment")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("LADING_PUBLIC_BASE_URL must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _check_outbound(self) -> Settings:
        """A malformed allowed network refuses to start."""
        try:
            self.outbound_policy  # noqa: B018 - parsed to be checked
        except ValueError as exc:
            raise ValueError(f"LADING_OUTBOUND_ALLOWED_HOSTS: {exc}") from exc
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_delivery(self) -> Settings:
        if self.dispatcher_lease_seconds <= self.webhook_timeout_seconds:
            raise ValueError(
                "LADING_DISPATCHER_LEASE_SECONDS must exceed LADING_WEBHOOK_TIMEOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _lockout_cap_covers_the_first_lockout(self) -> Settings:
        if self.login_lockout_max_seconds < self.login_lockout_seconds:
            raise ValueError(
                "LADING_LOGIN_LOCKOUT_MAX_SECONDS must not be below LADING_LOGIN_LOCKOUT_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment != "development":
            value = self.secret_key.get_secret_value()
            if value == PLACEHOLDER_SECRET or len(value) < 32:
                raise ValueError(
                    "LADING_SECRET_KEY must be set to a random value of at least "
                    "32 characters outside development"
                )
        return self

    @field_validator("alert_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """An unknown time zone for the shipping cutoff refuses to start."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"LADING_ALERT_TIMEZONE: unknown time zone {value!r}") from exc
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
