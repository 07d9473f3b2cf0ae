"""The ``lading`` command: serve, worker, db upgrade, seed-demo, create-user, check,
reports rebuild, fake-carrier, fake-mes, fake-shop."""

from __future__ import annotations

import argparse
import asyncio
import binascii
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from app.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    Sessions = async_sessionmaker[AsyncSession]

T = TypeVar("T")


def _with_sessionmaker(settings: Settings, work: Callable[[Sessions], Awaitable[T]]) -> T:
    """Run ``work(sessionmaker)`` against the configured database, then dispose the engine."""
    from app.db import create_engine, create_sessionmaker

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            return await work(create_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_config=None,
    )
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from app.observability import configure_logging
    from app.worker.dispatcher import run_forever

    configure_logging(settings.log_level, as_json=settings.log_json)

    async def work(sessionmaker: Sessions) -> None:
        await run_forever(sessionmaker, settings)

    with contextlib.suppress(KeyboardInterrupt):
        _with_sessionmaker(settings, work)
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from app import migrate

    if args.db_command == "upgrade":
        migrate.upgrade(settings.database_url, args.revision)
    elif args.db_command == "downgrade":
        migrate.downgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {settings.database_url.split('@')[-1]}")
    return 0


def cmd_create_user(args: argparse.Namespace, settings: Settings) -> int:
    from app.bootstrap import build_bus, unit_of_work
    from app.domain.errors import DomainError
    from app.services.auth.commands import CreateUser

    async def work(sessionmaker: Sessions) -> str:
        bus = build_bus(settings)
        command = CreateUser(
            actor="cli",
            username=args.name,
            password=args.password,
            roles=args.role,
            full_name=args.full_name,
        )
        user = await bus.handle(command, unit_of_work(sessionmaker, bus))
        return str(user.id)

    try:
        user_id = _with_sessionmaker(settings, work)
    except DomainError as exc:
        detail = "; ".join(f"{i.field}: {i.message}" for i in exc.issues) or exc.detail
        print(f"error: {detail}", file=sys.stderr)
        return 1
    print(f"created user {args.name} ({', '.join(args.role)}) id={user_id}")
    return 0


def cmd_seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from app.demo import seed_demo

    async def work(sessionmaker: Sessions) -> list[tuple[str, str, str]]:
        return await seed_demo(sessionmaker, settings)

    users = _with_sessionmaker(settings, work)
    print("Demo data loaded. Demo users (demo passwords, for trying Lading only):")
    for username, password, role in users:
        print(f"  {username:<16} {password:<20} {role}")
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from app.domain.stock import StockViolation
    from app.repositories.uow import SqlAlchemyUnitOfWork
    from app.services.check import check_invariants

    async def work(sessionmaker: Sessions) -> list[StockViolation]:
        return await check_invariants(SqlAlchemyUnitOfWork(sessionmaker))

    violations = _with_sessionmaker(settings, work)
    for v in violations:
        where = (
            f"order_line={v.order_line_id}"
            if v.order_line_id
            else f"warehouse={v.warehouse_id} product={v.product_id}"
        )
        if v.record_id is not None:
            where = f"{v.record_type}={v.record_id}"
        print(f"VIOLATION {v.rule}: {where}: {v.detail}")
    if violations:
        print(f"{len(violations)} invariant violation(s)", file=sys.stderr)
        return 1
    print("ok: every invariant holds")
    return 0


def cmd_reports(args: argparse.Namespace, settings: Settings) -> int:
    """``reports rebuild``: every summary recomputed from the transaction tables."""
    from app.worker.reports import rebuild

    count = _with_sessionmaker(settings, rebuild)
    print(f"ok: reports rebuilt from {count} orders")
    return 0


def cmd_fake_carrier(args: argparse.Namespace, settings: Settings) -> int:
    from app.fake_carrier.server import serve
    from app.fake_carrier.state import Switches

    switches = Switches(
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        timeout_rate=args.timeout_rate,
        malformed_rate=args.malformed_rate,
        webhook_secret=args.webhook_secret.encode(),
        webhook_url=args.webhook_url,
        easypost_webhook_url=args.easypost_webhook_url,
    )
    print(f"fake carrier on http://127.0.0.1:{args.port} (EasyPost /v2/... and generic JSON)")
    for kind, url in (("generic JSON", args.webhook_url), ("EasyPost", args.easypost_webhook_url)):
        if url:
            print(f"  {kind} labels' webhooks go to {url}")
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.port, switches)
    return 0


def cmd_fake_shop(args: argparse.Namespace, settings: Settings) -> int:
    from app.fake_shop.server import serve

    config = {
        "lading_url": args.lading_url,
        "code": args.connection,
        "secret": args.webhook_secret,
        "token": args.access_token,
    }
    print(f"fake Shopify shop on http://127.0.0.1:{args.port} (Admin GraphQL under /admin/api)")
    print(f"  its orders go to {args.lading_url}/api/v1/webhooks/storefronts/{args.connection}")
    print("  POST /_fake/order sends one more, GET /_fake/state shows what Lading sent back")
    serve(args.port, config, send_first=not args.no_order)
    return 0


def cmd_fake_mes(args: argparse.Namespace, settings: Settings) -> int:
    from app.fake_mes.server import serve
    from app.fake_mes.state import FakeMesSettings

    configured = settings.mes_webhook_secret
    report_secret = args.report_secret or (configured.get_secret_value() if configured else None)
    missing = [
        flag
        for flag, value in (
            ("--report-secret (or LADING_MES_WEBHOOK_SECRET)", report_secret),
            (
                "--endpoint-secret (the secret of its webhook endpoint in Lading)",
                args.endpoint_secret,
            ),
        )
        if not value
    ]
    if missing:
        print(f"error: the fake MES needs {' and '.join(missing)}", file=sys.stderr)
        return 2
    assert report_secret is not None
    try:
        _whsec(report_secret)
    except argparse.ArgumentTypeError as exc:
        print(f"error: LADING_MES_WEBHOOK_SECRET: {exc}", file=sys.stderr)
        return 2
    fake = FakeMesSettings(
        lading_url=args.lading_url,
        report_secret=report_secret,
        endpoint_secret=args.endpoint_secret,
    )
    print(f"fake MES on http://127.0.0.1:{args.port}")
    print(f"  register http://127.0.0.1:{args.port}/lading/events as a webhook endpoint")
    print(f"  taking production.released; reports go to {fake.report_url}")
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.port, fake)
    return 0


def _whsec(value: str) -> str:
    """A Standard Webhooks secret: ``whsec_`` and base64."""
    from app.domain.webhooks import SECRET_PREFIX, secret_key

    try:
        key = secret_key(value)
    except (binascii.Error, ValueError) as exc:
        raise argparse.ArgumentTypeError("a secret is whsec_<base64>") from exc
    if not value.startswith(SECRET_PREFIX) or not key:
        raise argparse.ArgumentTypeError("a secret is whsec_<base64>")
    return value


def _rate(value: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return rate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run the outbox dispatcher")
    worker.set_defaults(func=cmd_worker)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate to a revision (default: head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="migrate down to a revision")
    down.add_argument("revision")
    db.set_defaults(func=cmd_db)

    seed = sub.add_parser("seed-demo", help="load demo data and print the demo users")
    seed.set_defaults(func=cmd_seed_demo)

    user = sub.add_parser("create-user", help="create a user")
    user.add_argument("name")
    user.add_argument("--role", action="append", required=True, help="repeat for several")
    user.add_argument("--password", required=True)
    user.add_argument("--full-name", default="")
    user.set_defaults(func=cmd_create_user)

    check = sub.add_parser("check", help="verify the invariants; exit 1 on any violation")
    check.set_defaults(func=cmd_check)

    reports = sub.add_parser("reports", help="the reports' summaries")
    reports_sub = reports.add_subparsers(dest="reports_command", required=True)
    reports_sub.add_parser("rebuild", help="recompute every summary from the transactions")
    reports.set_defaults(func=cmd_reports)

    fake = sub.add_parser(
        "fake-carrier", help="serve a fake carrier (EasyPost and generic JSON) on 127.0.0.1"
    )
    fake.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"])
    fake.add_argument("--port", type=int, default=8099)
    fake.add_argument("--latency-ms", type=int, default=0)
    fake.add_argument("--fail-rate", type=_rate, default=0.0, help="share of 503 answers")
    fake.add_argument("--timeout-rate", type=_rate, default=0.0, help="share of stalled answers")
    fake.add_argument("--malformed-rate", type=_rate, default=0.0, help="share of broken bodies")
    fake.add_argument("--webhook-secret", default="fake-carrier-secret")
    fake.add_argument(
        "--webhook-url",
        default=os.environ.get("LADING_FAKE_CARRIER_WEBHOOK_URL"),
        help="where /_fake/scan sends generic JSON labels' webhooks, e.g. "
        "http://127.0.0.1:8000/api/v1/webhooks/carriers/REGIONAL",
    )
    fake.add_argument(
        "--easypost-webhook-url",
        default=os.environ.get("LADING_FAKE_CARRIER_EASYPOST_WEBHOOK_URL"),
        help="where /_fake/scan sends EasyPost labels' webhooks",
    )
    fake.set_defaults(func=cmd_fake_carrier)

    shop = sub.add_parser(
        "fake-shop",
        help="serve a fake Shopify shop on 127.0.0.1 that sends Lading one signed order",
    )
    shop.add_argument("--port", type=int, default=8097)
    shop.add_argument("--lading-url", default="http://127.0.0.1:8000")
    shop.add_argument("--connection", default="DEMO-SHOP", help="the connection's code")
    shop.add_argument("--webhook-secret", default="fake-shop-secret")
    shop.add_argument("--access-token", default="shpat_fake-shop-token")
    shop.add_argument("--no-order", action="store_true", help="send no order at start")
    shop.set_defaults(func=cmd_fake_shop)

    mes = sub.add_parser(
        "fake-mes",
        help="serve a fake production system (MES) speaking Lading's JSON protocol on 127.0.0.1",
    )
    mes.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1"])
    mes.add_argument("--port", type=int, default=8098)
    mes.add_argument(
        "--lading-url",
        default=os.environ.get("LADING_FAKE_MES_LADING_URL", "http://127.0.0.1:8000"),
        help="Lading's base URL; reports go to its /api/v1/webhooks/production",
    )
    mes.add_argument(
        "--report-secret",
        type=_whsec,
        default=None,
        help="whsec_... the reports are signed with (default LADING_MES_WEBHOOK_SECRET)",
    )
    mes.add_argument(
        "--endpoint-secret",
        type=_whsec,
        default=os.environ.get("LADING_FAKE_MES_ENDPOINT_SECRET"),
        help="whsec_... of the fake's webhook endpoint in Lading (verifies its deliveries)",
    )
    mes.set_defaults(func=cmd_fake_mes)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
