"""The ``lading fake-*`` commands: local stand-ins for a carrier, a Shopify shop and a
production system (MES), for the demo and for trying integrations without the real ones."""

from __future__ import annotations

import argparse
import binascii
import contextlib
import os
import sys
from typing import Any

from app.settings import Settings


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


def add_fake_commands(sub: Any) -> None:
    """The fake-carrier, fake-shop and fake-mes subcommands on ``sub`` (argparse's)."""
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
