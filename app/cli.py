"""The ``lading`` command: serve, worker, db upgrade, seed-demo, create-user, check,
reports rebuild, fake-carrier, fake-mes, fake-shop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from app.cli_fakes import add_fake_commands
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
        "app.main:serve_app",
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

    add_fake_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    result: int = args.func(args, settings)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
