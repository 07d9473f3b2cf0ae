"""Company settings: only an admin reads or changes them; the logo is a PNG within its limit,
checked by its bytes; changes need If-Match and are audited and sent to the outbox."""

from __future__ import annotations

import base64
import io
import random

import httpx
from PIL import Image
from sqlalchemy import select

from app.domain.documents.company import LOGO_MAX_BYTES
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.documents.company import company_of, default_page_size
from tests.support import assert_problem

URL = "/api/v1/settings/company"


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


DETAILS = {
    "name": "上海拉丁供应链有限公司",
    "address": "上海市浦东新区张江路 88 号\n邮编 201203",
    "tax_id": "91350100M000100Y43",
    "phone": "021-5555 0100",
    "bank_name": "招商银行上海张江支行",
    "bank_account": "1219 0888 0000 123",
    "page_size": "Letter",
}


async def test_admin_sets_and_reads_the_company(client: httpx.AsyncClient, auth) -> None:
    admin = await auth.as_role("admin")
    empty = await client.get(URL, headers=admin)
    assert empty.status_code == 200, empty.text
    assert empty.headers["etag"] == '"0"'
    assert empty.json() == {
        "name": None,
        "address": None,
        "tax_id": None,
        "phone": None,
        "bank_name": None,
        "bank_account": None,
        "logo": None,
        "page_size": "A4",
        "version": 0,
    }
    logo = png()
    body = {**DETAILS, "logo": base64.b64encode(logo).decode()}
    put = await client.put(URL, json=body, headers={**admin, "If-Match": '"0"'})
    assert put.status_code == 200, put.text
    assert put.headers["etag"] == '"1"'
    got = await client.get(URL, headers=admin)
    assert got.json() == {**body, "version": 1}

    # Left out stays; null clears.
    again = await client.put(
        URL, json={"logo": None, "phone": None}, headers={**admin, "If-Match": '"1"'}
    )
    assert again.status_code == 200, again.text
    assert again.json()["logo"] is None and again.json()["phone"] is None
    assert again.json()["name"] == DETAILS["name"] and again.json()["version"] == 2


async def test_the_company_documents_print(client, auth, sessionmaker) -> None:
    admin = await auth.as_role("admin")
    logo = png()
    body = {**DETAILS, "logo": base64.b64encode(logo).decode()}
    assert (await client.put(URL, json=body, headers={**admin, "If-Match": '"0"'})).is_success
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        company = await company_of(uow)
        page = await default_page_size(uow)
    assert company.name == DETAILS["name"]
    assert company.tax_id == DETAILS["tax_id"]
    assert company.bank_account == "招商银行上海张江支行 1219 0888 0000 123"
    assert company.logo_png == logo
    assert page.value == "Letter"


async def test_never_set_the_company_is_the_default_name(sessionmaker) -> None:
    async with SqlAlchemyUnitOfWork(sessionmaker) as uow:
        assert (await company_of(uow)).name == "Lading"
        assert (await company_of(uow, "Acme")).name == "Acme"


async def test_only_an_admin_reads_or_changes_it(client, auth) -> None:
    for role in ("finance", "viewer", "warehouse"):
        headers = await auth.as_role(role)
        assert_problem(await client.get(URL, headers=headers), 403)
        denied = await client.put(URL, json={"name": "X"}, headers={**headers, "If-Match": '"0"'})
        assert_problem(denied, 403)
    assert (await client.get(URL, headers=await auth.as_role("admin"))).json()["version"] == 0


async def test_a_logo_that_is_no_png_or_too_big_is_refused_naming_it(client, auth) -> None:
    admin = {**(await auth.as_role("admin")), "If-Match": '"0"'}
    jpeg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(jpeg, format="JPEG")
    fake = b"\x89PNG\r\n\x1a\n" + b"not really a png at all, no IHDR"
    # A real PNG over the limit: noise does not compress.
    big = io.BytesIO()
    noise = random.Random(19).randbytes(600 * 400 * 3)
    Image.frombytes("RGB", (600, 400), noise).save(big, format="PNG")
    assert len(big.getvalue()) > LOGO_MAX_BYTES
    for data in (jpeg.getvalue(), fake, big.getvalue()):
        response = await client.put(
            URL, json={"logo": base64.b64encode(data).decode()}, headers=admin
        )
        problem = assert_problem(response, 422)
        assert any("logo" in e["field"] for e in problem["errors"]), problem
    not_base64 = await client.put(URL, json={"logo": "%%%"}, headers=admin)
    problem = assert_problem(not_base64, 422)
    assert any("logo" in e["field"] for e in problem["errors"]), problem
    label = await client.put(URL, json={"page_size": "label_100x150"}, headers=admin)
    assert_problem(label, 422)
    assert (await client.get(URL, headers=admin)).json()["version"] == 0


async def test_a_stale_or_missing_if_match_changes_nothing(client, auth) -> None:
    admin = await auth.as_role("admin")
    first = await client.put(URL, json={"name": "A"}, headers={**admin, "If-Match": '"0"'})
    assert first.status_code == 200, first.text
    stale = await client.put(URL, json={"name": "B"}, headers={**admin, "If-Match": '"0"'})
    assert_problem(stale, 412)
    missing = await client.put(URL, json={"name": "B"}, headers=admin)
    assert_problem(missing, 428)
    assert (await client.get(URL, headers=admin)).json()["name"] == "A"


async def test_changes_are_audited_and_sent_without_the_logo_bytes(
    client, auth, sessionmaker
) -> None:
    admin = await auth.as_role("admin")
    logo = png()
    body = {"name": "A", "logo": base64.b64encode(logo).decode()}
    assert (await client.put(URL, json=body, headers={**admin, "If-Match": '"0"'})).is_success
    same = await client.put(URL, json={"name": "A"}, headers={**admin, "If-Match": '"1"'})
    assert same.json()["version"] == 1  # nothing changed, nothing written
    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "settings", AuditEvent.entity_id == "company"
                )
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == "company"))
        ).all()
    assert [a.action for a in audits] == ["updated"]
    assert audits[0].before["name"] is None and audits[0].after["name"] == "A"
    assert audits[0].after["logo"]["bytes"] == len(logo)
    assert [e.event_type for e in outbox] == ["company_settings.updated"]
    assert "logo_png" not in str(outbox[0].payload)
