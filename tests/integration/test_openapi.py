"""The OpenAPI document is a product surface: unique operation ids, tags, typed responses and
documented problems on every route, and every non-public route requires credentials."""

from __future__ import annotations

import httpx
import pytest

PUBLIC = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1/auth/token",
    # A carrier's signature is its credential; the tracking token is the customer's.
    "/api/v1/webhooks/carriers/{carrier_code}",
    "/api/v1/track/{token}",
}


@pytest.fixture
def spec(app) -> dict:
    return app.openapi()


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_operation_has_unique_id_tag_and_summary(spec: dict) -> None:
    ids = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(ids) == len(set(ids))
    declared = {t["name"] for t in spec["tags"]}
    for path, method, op in _operations(spec):
        assert op.get("tags"), (path, method)
        assert set(op["tags"]) <= declared, (path, method, op["tags"])
        assert op.get("summary") and op.get("description"), (path, method)
        assert op["operationId"].startswith(op["tags"][0].replace("-", "_") + "_")


def test_every_operation_documents_its_success_and_problems(spec: dict) -> None:
    for path, method, op in _operations(spec):
        responses = op["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (path, method)
        content = responses[success[0]].get("content", {})
        assert content, (path, method)
        assert "500" in responses, (path, method)
        problem = responses["500"]["content"]
        assert "application/problem+json" in problem, (path, method)
        if path not in PUBLIC:
            assert "401" in responses, (path, method)
        if method in {"post", "put", "patch"} and path not in PUBLIC:
            assert "422" in responses, (path, method)
        if method == "patch":
            assert {"412", "428"} <= set(responses), (path, method)


def test_lists_are_pages(spec: dict) -> None:
    for path, method, op in _operations(spec):
        if method == "get" and op["operationId"].endswith("_list"):
            schema = op["responses"]["200"]["content"]["application/json"]["schema"]
            ref = schema["$ref"].rsplit("/", 1)[-1]
            assert ref.startswith("Page_"), (path, ref)
            names = {p["name"] for p in op.get("parameters", [])}
            assert {"limit", "cursor"} <= names, path


async def test_every_protected_route_refuses_anonymous_callers(
    spec: dict, client: httpx.AsyncClient
) -> None:
    import uuid

    for path, method, _ in _operations(spec):
        if path in PUBLIC:
            continue
        concrete = path
        while "{" in concrete:
            start, end = concrete.index("{"), concrete.index("}")
            concrete = concrete[:start] + str(uuid.uuid4()) + concrete[end + 1 :]
        response = await client.request(method.upper(), concrete, json={})
        assert response.status_code == 401, (method, path, response.status_code)
