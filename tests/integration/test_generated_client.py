"""A Python client generated from the application's OpenAPI document (openapi-python-client,
with no warning) drives one order from intake to delivery, own fleet, on both engines: every
answer parses into its typed model, and an error into ``Problem``."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from app.main import create_app
from tests.conftest import make_settings

pytestmark = pytest.mark.contract

PACKAGE = "lading_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """Generate the client into a temporary folder and import it."""
    root = tmp_path_factory.mktemp("client")
    spec = create_app(make_settings("sqlite+aiosqlite://")).openapi()
    (root / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    # Printed documents answer application/pdf, which the generator reads only as bytes when
    # told so (it knows JSON, text/* and application/octet-stream).
    config = {"content_type_overrides": {"application/pdf": "application/octet-stream"}}
    (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    run = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(root / "openapi.json"),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(root / "config.json"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower() and "error" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


def _api(name: str) -> Any:
    """The generated module of an operation id (``api/<tag>/<operation id>.py``)."""
    base = Path(str(importlib.import_module(f"{PACKAGE}.api").__file__)).parent
    (path,) = base.glob(f"*/{name}.py")
    return importlib.import_module(f"{PACKAGE}.api.{path.parent.name}.{name}")


def _model(name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


async def _call(operation: str, expected: str, status: int, **kwargs: Any) -> Any:
    """Call one generated operation; its answer has this status and parses into this model."""
    response = await _api(operation).asyncio_detailed(**kwargs)
    assert response.status_code == status, (operation, response.content)
    assert isinstance(response.parsed, _model(expected)), (operation, response.parsed)
    return response


async def test_an_order_from_intake_to_delivery_through_the_generated_client(
    generated: ModuleType, app: Any, auth: Any, unique: str
) -> None:
    token = (await auth.as_role("admin"))["Authorization"].split(" ", 1)[1]
    client = generated.AuthenticatedClient(base_url="http://test", token=token)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client.set_async_httpx_client(
        httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        )
    )
    m = _model
    sku, wh, customer = f"GC-{unique}", f"GC{unique}", f"GC-C-{unique}"
    address = {"country": "CN", "city": "上海市", "street": "张江路 88 号"}
    async with client:
        # Master data and stock.
        await _call(
            "products_create",
            "ProductRead",
            201,
            client=client,
            body=m("ProductCreate").from_dict(
                {"sku": sku, "name": "Widget", "currency": "CNY", "list_price": "10.00"}
            ),
        )
        await _call(
            "warehouses_create",
            "WarehouseRead",
            201,
            client=client,
            body=m("WarehouseCreate").from_dict(
                {"code": wh, "name": "Shanghai", "address": address, "latitude": "31.2"}
            ),
        )
        created = await _call(
            "customers_create",
            "CustomerRead",
            201,
            client=client,
            body=m("CustomerCreate").from_dict(
                {"code": customer, "name": "Acme", "currency": "CNY", "credit_limit": "100000"}
            ),
        )
        etag = created.headers["ETag"]
        await _call(
            "customers_update",
            "CustomerRead",
            200,
            client=client,
            customer_id=created.parsed.id,
            if_match=etag,
            body=m("CustomerUpdate").from_dict({"ship_to": [address]}),
        )
        await _call(
            "stock_create_movement",
            "StockMovementRecorded",
            201,
            client=client,
            body=m("StockMovementCreate").from_dict(
                {"warehouse": wh, "sku": sku, "kind": "receipt", "quantity": "5"}
            ),
        )

        # Intake (a storefront pushes a paid order, submitted at once): reviewed, reserved.
        placed = await _call(
            "orders_create",
            "OrderRead",
            201,
            client=client,
            idempotency_key=f"shop-{unique}",
            body=m("OrderCreate").from_dict(
                {
                    "channel": "storefront",
                    "external_ref": f"SHOP-{unique}",
                    "customer": {"code": customer},
                    "lines": [{"sku": sku, "quantity": "3"}],
                    "payment": {"status": "paid", "reference": "PAY-1", "amount": "30.00"},
                    "submit": True,
                }
            ),
        )
        order = placed.parsed
        assert order.status.value == "approved" and order.fulfillment_status.value == "reserved"
        assert isinstance(order.ship_to, m("DeliveryAddress")) and order.ship_to.city == "上海市"

        # Pick, pack, verify, confirm, deliver by hand (own fleet).
        pick = await _call(
            "pick_lists_create",
            "PickListRead",
            201,
            client=client,
            body=m("PickListCreate").from_dict({"warehouse": wh, "order_ids": [str(order.id)]}),
        )
        await _call(
            "pick_lists_confirm",
            "PickListRead",
            200,
            client=client,
            pick_list_id=pick.parsed.id,
            body=m("PickListConfirm").from_dict({"lines": [{"sku": sku, "picked": "3"}]}),
        )
        package = {
            "weight_kg": "2.5",
            "length_cm": "40",
            "width_cm": "30",
            "height_cm": "20",
            "contents": [{"sku": sku, "quantity": "3"}],
        }
        shipment = await _call(
            "shipments_create",
            "ShipmentRead",
            201,
            client=client,
            body=m("ShipmentCreate").from_dict(
                {"order_id": str(order.id), "warehouse": wh, "packages": [package]}
            ),
        )
        shipment_id = shipment.parsed.id
        assert shipment.parsed.own_fleet is True
        await _call(
            "shipments_verify",
            "ShipmentRead",
            200,
            client=client,
            shipment_id=shipment_id,
            body=m("ShipmentVerify").from_dict({"lines": [{"sku": sku, "quantity": "3"}]}),
        )
        await _call(
            "shipments_confirm",
            "ShipmentRead",
            200,
            client=client,
            shipment_id=shipment_id,
            body=m("ShipmentConfirm").from_dict({}),
        )
        delivered = await _call(
            "shipments_deliver",
            "ShipmentRead",
            200,
            client=client,
            shipment_id=shipment_id,
            body=m("ShipmentDeliver").from_dict({"receiver_name": "王五"}),
        )
        assert delivered.parsed.status.value == "delivered"

        final = await _call("orders_get", "OrderRead", 200, client=client, order_id=order.id)
        assert final.parsed.fulfillment_status.value == "delivered"
        assert [line.delivered for line in final.parsed.lines] == ["3"]
        events = await _call(
            "orders_events", "PageOrderEvent", 200, client=client, order_id=order.id
        )
        assert events.parsed.items

        # An error parses into Problem.
        missing = await _call("orders_get", "Problem", 404, client=client, order_id=uuid.uuid4())
        assert missing.parsed.code == "not_found"


async def test_the_live_stream_through_the_generated_client(
    generated: ModuleType, app: Any, auth: Any
) -> None:
    """A bounded stream arrives as its SSE text; a bad Last-Event-ID as a Problem."""
    token = (await auth.as_role("viewer"))["Authorization"].split(" ", 1)[1]
    client = generated.AuthenticatedClient(base_url="http://test", token=token)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client.set_async_httpx_client(
        httpx.AsyncClient(
            transport=transport,
            base_url="http://test",
            headers={"Authorization": f"Bearer {token}"},
        )
    )
    operation = _api("stream_events")
    async with client:
        answer = await operation.asyncio_detailed(client=client, max_seconds=0.2)
        assert answer.status_code == 200
        assert isinstance(answer.parsed, str) and answer.parsed.startswith("retry: 1000")
        bad = await operation.asyncio_detailed(client=client, last_event_id="x")
        assert bad.status_code == 422
        assert isinstance(bad.parsed, _model("Problem"))
