"""Where a carrier's stored API key may be sent: only admins change an endpoint, a new endpoint
drops the stored credentials, endpoints are https and not private/link-local/metadata addresses
(unless allowed) when saved, and again when called (DNS may have changed since)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx
import pytest
from sqlalchemy import select

from app.adapters.outbound import GuardedTransport
from app.main import create_app
from app.repositories.events import AuditEvent
from tests.conftest import make_settings
from tests.integration.test_carriers import carrier_body
from tests.integration.test_labels import rates, shipment
from tests.integration.test_shipments import data as data  # the fixture
from tests.support import assert_problem

SECRET = "sk_live_endpoint-secret"
KEYS = json.dumps({"api_key": SECRET, "webhook_secret": "w"})
PUBLIC = "https://93.184.216.34/api"


class Names:
    """A resolver for tests (there is no DNS here): names → addresses, changeable."""

    def __init__(self, **names: list[str]) -> None:
        self.names = {k.replace("_", "."): v for k, v in names.items()}

    async def __call__(self, host: str) -> Sequence[str]:
        return self.names.get(host, [])


def generic(code: str, endpoint: str = PUBLIC, **overrides) -> dict:
    return carrier_body(
        code,
        adapter_kind="generic_json",
        endpoint=endpoint,
        credentials=KEYS,
        coverage={"CN": []},
        zone_rules={"default": "near"},
        **overrides,
    )


async def created(client, headers, body: dict) -> dict:
    response = await client.post("/api/v1/carriers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def patch(client, headers, carrier: dict, body: dict, version: int = 1) -> httpx.Response:
    return await client.patch(
        f"/api/v1/carriers/{carrier['id']}",
        json=body,
        headers={**headers, "If-Match": f'"{version}"'},
    )


async def test_only_admin_changes_an_endpoint(client, auth) -> None:
    admin = await auth.as_role("admin")
    carrier = await created(client, admin, generic("EP1"))
    for caller in (
        await auth.as_role("warehouse"),
        await auth.with_scopes("warehouses:write", "warehouses:read"),
    ):
        refused = await patch(client, caller, carrier, {"endpoint": "https://93.184.216.35"})
        assert_problem(refused, 403)
    got = await client.get(f"/api/v1/carriers/{carrier['id']}", headers=admin)
    assert got.json()["endpoint"] == PUBLIC and got.json()["has_credentials"] is True
    assert got.json()["version"] == 1
    # Other fields (and the same endpoint sent back unchanged) are still the warehouse's.
    warehouse = await auth.as_role("warehouse")
    renamed = await patch(client, warehouse, carrier, {"name": "Renamed", "endpoint": PUBLIC})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["has_credentials"] is True and renamed.json()["name"] == "Renamed"


async def test_a_new_endpoint_drops_the_stored_credentials(client, auth, sessionmaker) -> None:
    admin = await auth.as_role("admin")
    carrier = await created(client, admin, generic("EP2"))
    moved = await patch(client, admin, carrier, {"endpoint": "https://93.184.216.35/v2"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["endpoint"] == "https://93.184.216.35/v2"
    assert moved.json()["has_credentials"] is False
    # With new credentials in the same request they are kept.
    again = await patch(
        client, admin, carrier, {"endpoint": PUBLIC, "credentials": KEYS}, version=2
    )
    assert again.status_code == 200 and again.json()["has_credentials"] is True
    listed = await client.get("/api/v1/carriers", headers=admin)
    for response in (moved, again, listed):
        assert SECRET not in response.text and '"credentials"' not in response.text

    async with sessionmaker() as session:
        audits = (
            await session.scalars(select(AuditEvent).where(AuditEvent.entity_id == carrier["id"]))
        ).all()
    change = next(a for a in audits if a.after and a.after["endpoint"].endswith("/v2"))
    assert change.before["endpoint"] == PUBLIC and change.before["has_credentials"] is True
    assert change.after["has_credentials"] is False and change.actor.startswith("user:")
    assert SECRET not in repr([(a.before, a.after) for a in audits])


@pytest.mark.parametrize(
    ("endpoint", "rule"),
    [
        ("http://93.184.216.34", "https_required"),
        ("https://10.0.0.5", "private_address"),
        ("https://192.168.1.20:8443/api", "private_address"),
        ("https://169.254.10.1", "link_local_address"),
        ("https://169.254.169.254/latest", "metadata_address"),
        ("https://[fe80::1]", "link_local_address"),
        ("https://internal.example", "private_address"),
        ("https://nowhere.example", "unresolvable_host"),
    ],
)
async def test_forbidden_endpoints_are_422(client, app, auth, endpoint: str, rule: str) -> None:
    app.state.outbound_guard.resolve = Names(internal_example=["10.1.1.1"])
    admin = await auth.as_role("admin")
    refused = await client.post("/api/v1/carriers", json=generic("BAD", endpoint), headers=admin)
    assert_problem(refused, 422, field="endpoint")
    assert rule in refused.text
    carrier = await created(client, admin, generic("OK1"))
    changed = await patch(client, admin, carrier, {"endpoint": endpoint})
    assert_problem(changed, 422, field="endpoint")
    assert rule in changed.text
    got = await client.get(f"/api/v1/carriers/{carrier['id']}", headers=admin)
    assert got.json()["endpoint"] == PUBLIC and got.json()["version"] == 1
    assert got.json()["has_credentials"] is True


async def test_loopback_and_names_that_resolve_publicly_are_fine(client, app, auth) -> None:
    app.state.outbound_guard.resolve = Names(carrier_example=["93.184.216.34"])
    admin = await auth.as_role("admin")
    for code, endpoint in (
        ("LB1", "http://127.0.0.1:8099"),
        ("LB2", "http://localhost:8099"),
        ("PUB", "https://carrier.example/api"),
    ):
        assert (await created(client, admin, generic(code, endpoint)))["endpoint"] == endpoint


async def test_the_allow_list_lets_private_endpoints_through(database_url, sessionmaker) -> None:
    settings = make_settings(
        database_url, outbound_allowed_hosts=["10.0.0.0/8", "carrier.internal"]
    )
    app = create_app(settings, sessionmaker=sessionmaker)
    app.state.outbound_guard.resolve = Names(carrier_internal=["192.168.7.7"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        from tests.support import Auth

        admin = await Auth(client, sessionmaker, settings).as_role("admin")
        for code, endpoint in (("AL1", "https://10.2.3.4"), ("AL2", "https://carrier.internal")):
            assert (await created(client, admin, generic(code, endpoint)))["endpoint"] == endpoint
        refused = await client.post(
            "/api/v1/carriers", json=generic("AL3", "https://192.168.1.1"), headers=admin
        )
        assert_problem(refused, 422, field="endpoint")


async def test_a_carrier_whose_name_now_resolves_privately_is_not_called(
    client, app, auth, data
) -> None:
    names = Names(carrier_example=["93.184.216.34"])
    app.state.outbound_guard.resolve = names
    sent: list[httpx.Request] = []

    def carrier(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"rates": []})

    app.state.carrier_client = httpx.AsyncClient(
        transport=GuardedTransport(app.state.outbound_guard, httpx.MockTransport(carrier))
    )
    admin = await auth.as_role("admin")
    await created(client, admin, generic("DNS", "https://carrier.example"))
    ship = await shipment(client, auth)
    assert (await rates(client, auth, ship["id"])).status_code == 200
    assert len(sent) == 1  # asked while the name resolved publicly

    names.names["carrier.example"] = ["169.254.169.254"]  # DNS changed since it was saved
    response = await rates(client, auth, ship["id"])
    assert response.status_code == 200, response.text
    (failure,) = [f for f in response.json()["failures"] if f["carrier"] == "DNS"]
    assert "metadata service" in failure["reason"]
    assert len(sent) == 1  # nothing was sent, so no API key either
