"""Service cases and delivery feedback through HTTP on both engines: a complaint worked from
open to resolved with its timeline, overdue cases, and the customer's side from the tracking
link (their own case only, never internal notes; one rating per delivered shipment)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from app.repositories.cases import ServiceCase
from app.repositories.customers import Customer
from app.repositories.shipments import Shipment
from tests.integration.after_sales.support import data, delivered
from tests.support import assert_problem

__all__ = ["data"]
CASES = "/api/v1/cases"


async def _customer_id(sessionmaker) -> str:
    async with sessionmaker() as session:
        return str(await session.scalar(select(Customer.id).where(Customer.code == "ACME")))


async def _token(sessionmaker, shipment_id: str) -> str:
    async with sessionmaker() as session:
        token = await session.scalar(
            select(Shipment.tracking_token).where(Shipment.id == uuid.UUID(shipment_id))
        )
    assert token
    return str(token)


async def test_a_complaint_goes_from_open_to_resolved_with_its_timeline(
    client, auth, data, sessionmaker
) -> None:
    order, shipment = await delivered(client, auth, {"S-1": "2"})
    sales = await auth.as_role("sales")
    opened = await client.post(
        CASES,
        headers=sales,
        json={
            "customer_id": await _customer_id(sessionmaker),
            "order_id": order["id"],
            "shipment_id": shipment["id"],
            "lines": [{"order_line_id": order["lines"][0]["id"], "quantity": "1"}],
            "kind": "complaint",
            "priority": "high",
            "subject": "外箱破损",
            "description": "The box arrived crushed.",
        },
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["number"].startswith("SC-") and case["state"] == "open"
    due = datetime.fromisoformat(case["response_due_at"]) - datetime.fromisoformat(
        case["opened_at"]
    )
    assert due == timedelta(hours=4)  # high: 4 h to answer
    url = f"{CASES}/{case['id']}"

    async def move(state: str, **body) -> dict:
        response = await client.post(
            f"{url}/transition", headers=sales, json={"state": state, **body}
        )
        assert response.status_code == 200, response.text
        return response.json()

    await move("in_progress")
    note = await client.post(
        f"{url}/messages",
        headers=sales,
        json={"body": "Check the carrier", "visibility": "internal"},
    )
    assert note.status_code == 201 and note.json()["first_response_at"] is None
    told = await client.post(f"{url}/messages", headers=sales, json={"body": "Photos please?"})
    assert told.json()["first_response_at"] is not None
    await move("waiting_customer")
    no_reason = await client.post(f"{url}/transition", headers=sales, json={"state": "resolved"})
    assert_problem(no_reason, 422, field="reason")
    closed_too_early = await client.post(
        f"{url}/transition", headers=sales, json={"state": "closed"}
    )
    assert_problem(closed_too_early, 409, code="invalid_case_transition")
    resolved = await move("resolved", reason="Replacement sent")
    assert resolved["state"] == "resolved" and resolved["resolution_reason"] == "Replacement sent"
    assert [(e["kind"], e["visibility"], e["changes"]) for e in resolved["timeline"]] == [
        ("change", "customer", {"state": ["open", "in_progress"]}),
        ("note", "internal", None),
        ("message", "customer", None),
        ("change", "customer", {"state": ["in_progress", "waiting_customer"]}),
        ("change", "customer", {"state": ["waiting_customer", "resolved"]}),
    ]
    viewer = await client.get(url, headers=await auth.as_role("viewer"))
    assert viewer.status_code == 200 and viewer.json()["state"] == "resolved"
    forbidden = await client.post(
        f"{url}/messages", headers=await auth.as_role("viewer"), json={"body": "x"}
    )
    assert_problem(forbidden, 403)


async def test_cases_past_their_targets_are_overdue(client, auth, data, sessionmaker) -> None:
    sales = await auth.as_role("sales")
    customer_id = await _customer_id(sessionmaker)
    ids = []
    for subject in ("late", "on time"):
        response = await client.post(
            CASES,
            headers=sales,
            json={
                "customer_id": customer_id,
                "kind": "inquiry",
                "subject": subject,
                "description": "Where is my invoice?",
            },
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    async with sessionmaker() as session:
        await session.execute(
            update(ServiceCase)
            .where(ServiceCase.id == uuid.UUID(ids[0]))
            .values(response_due_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    overdue = await client.get(CASES, params={"overdue": "true"}, headers=sales)
    assert [x["id"] for x in overdue.json()["items"]] == [ids[0]]
    answered = await client.post(f"{CASES}/{ids[0]}/messages", headers=sales, json={"body": "Hi"})
    assert answered.status_code == 201
    assert (await client.get(CASES, params={"overdue": "true"}, headers=sales)).json()[
        "items"
    ] == []


async def test_bad_cases_name_the_field(client, auth, data, sessionmaker) -> None:
    sales = await auth.as_role("sales")
    body = {"kind": "complaint", "subject": "x", "description": "y"}
    unknown = await client.post(
        CASES, headers=sales, json={"customer_id": str(uuid.uuid4()), **body}
    )
    assert_problem(unknown, 422, field="customer_id")
    customer_id = await _customer_id(sessionmaker)
    nobody = await client.post(
        CASES, headers=sales, json={"customer_id": customer_id, "assignee": "nobody", **body}
    )
    assert_problem(nobody, 422, field="assignee")
    kind = await client.post(
        CASES, headers=sales, json={"customer_id": customer_id, **body, "kind": "rant"}
    )
    assert_problem(kind, 422, field="kind")
    assert (await client.get(CASES, headers=sales)).json()["items"] == []


async def test_the_customer_opens_a_case_and_rates_the_delivery_from_the_tracking_link(
    client, auth, data, sessionmaker
) -> None:
    order, shipment = await delivered(client, auth, {"S-1": "1"})
    token = await _token(sessionmaker, shipment["id"])
    opened = await client.post(
        f"/api/v1/track/{token}/cases",
        json={"kind": "complaint", "subject": "Scratched", "description": "Scratch on top"},
    )
    assert opened.status_code == 201, opened.text
    mine = opened.json()
    case_token = mine["case_token"]
    assert case_token and mine["state"] == "open"
    [case] = (await client.get(CASES, headers=await auth.as_role("sales"))).json()["items"]
    assert case["source"] == "tracking_page" and case["order_id"] == order["id"]

    sales = await auth.as_role("sales")
    await client.post(
        f"{CASES}/{case['id']}/messages",
        headers=sales,
        json={"body": "SECRET internal: customer is difficult", "visibility": "internal"},
    )
    await client.post(f"{CASES}/{case['id']}/messages", headers=sales, json={"body": "Sorry!"})
    await client.post(
        f"{CASES}/{case['id']}/transition", headers=sales, json={"state": "waiting_customer"}
    )
    public = f"/api/v1/track/{token}/cases/{case_token}"
    reply = await client.post(f"{public}/messages", json={"body": "Here is a photo"})
    assert reply.status_code == 201, reply.text
    page = (await client.get(public)).json()
    assert page["state"] == "in_progress" and page["case_token"] is None
    assert "SECRET" not in str(page) and "user:" not in str(page)
    assert [e["author"] for e in page["timeline"]] == [
        "customer",
        "staff",
        "staff",
        "customer",
        "customer",
    ]
    assert (await client.get(f"/api/v1/track/{token}/cases/not-mine")).status_code == 404

    feedback = f"/api/v1/track/{token}/feedback"
    out_of_range = await client.post(feedback, json={"rating": 6})
    assert_problem(out_of_range, 422, field="rating")
    rated = await client.post(feedback, json={"rating": 4, "comment": "快"})
    assert rated.status_code == 201, rated.text
    again = await client.post(feedback, json={"rating": 5})
    assert_problem(again, 409, code="feedback_exists")
    listed = await client.get(f"{CASES}/feedback", headers=await auth.as_role("viewer"))
    assert [(x["rating"], x["comment"]) for x in listed.json()["items"]] == [(4, "快")]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


async def test_attachments_are_checked_by_type_bytes_and_size(
    client, auth, data, sessionmaker, app
) -> None:
    sales = await auth.as_role("sales")
    opened = await client.post(
        CASES,
        headers=sales,
        json={
            "customer_id": await _customer_id(sessionmaker),
            "kind": "complaint",
            "subject": "Damaged",
            "description": "See photo",
        },
    )
    url = f"{CASES}/{opened.json()['id']}/attachments"

    async def send(name: str, content: bytes, kind: str):
        return await client.post(url, headers=sales, files={"file": (name, content, kind)})

    stored = await send("damage.png", PNG, "image/png")
    assert stored.status_code == 201, stored.text
    meta = stored.json()
    assert meta["size"] == len(PNG) and meta["visibility"] == "internal"
    got = await client.get(f"{url}/{meta['id']}", headers=await auth.as_role("viewer"))
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"

    wrong_type = await send("notes.txt", b"hello", "text/plain")
    assert_problem(wrong_type, 422, field="file")
    mismatched = await send("damage.png", JPEG, "image/png")
    assert_problem(mismatched, 422, field="file")
    limit = app.state.settings.case_attachment_max_bytes
    too_big = await send("big.png", PNG + b"\x00" * limit, "image/png")
    assert_problem(too_big, 413)
    timeline = (await client.get(f"{CASES}/{opened.json()['id']}", headers=sales)).json()
    assert [e["body"] for e in timeline["timeline"]] == ["Attached damage.png"]


async def test_a_case_is_reassigned_and_its_priority_moves_its_targets(
    client, auth, data, sessionmaker
) -> None:
    sales = await auth.as_role("sales")
    opened = await client.post(
        CASES,
        headers=sales,
        json={
            "customer_id": await _customer_id(sessionmaker),
            "kind": "inquiry",
            "subject": "Where is my invoice?",
            "description": "Need it for accounting",
        },
    )
    assert opened.status_code == 201, opened.text
    url = f"{CASES}/{opened.json()['id']}"
    read = await client.get(url, headers=sales)
    etag = read.headers["ETag"]
    assert_problem(await client.patch(url, headers=sales, json={"priority": "urgent"}), 428)
    bad = await client.patch(url, headers={**sales, "If-Match": etag}, json={"assignee": "nobody"})
    assert_problem(bad, 422, field="assignee")
    agent = await auth.user("sales", username="li.lei")
    response = await client.patch(
        url,
        headers={**sales, "If-Match": etag},
        json={"assignee": agent.username, "priority": "urgent"},
    )
    assert response.status_code == 200, response.text
    case = response.json()
    assert case["assignee"] == "li.lei" and case["priority"] == "urgent"
    opened_at = datetime.fromisoformat(case["opened_at"])
    assert datetime.fromisoformat(case["response_due_at"]) - opened_at == timedelta(hours=1)
    assert case["timeline"][-1]["visibility"] == "internal"
    assert case["timeline"][-1]["changes"] == {
        "assignee": [None, "li.lei"],
        "priority": ["normal", "urgent"],
    }
    stale = await client.patch(url, headers={**sales, "If-Match": etag}, json={"assignee": None})
    assert_problem(stale, 412)
    unassigned = await client.patch(
        url, headers={**sales, "If-Match": response.headers["ETag"]}, json={"assignee": None}
    )
    assert unassigned.status_code == 200 and unassigned.json()["assignee"] is None
