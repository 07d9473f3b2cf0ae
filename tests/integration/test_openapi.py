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
    # a shop's signature over its webhook is its credential
    "/api/v1/webhooks/storefronts/{connection}",
    "/api/v1/track/{token}",
    "/api/v1/track/{token}/cases",
    "/api/v1/track/{token}/cases/{case_token}",
    "/api/v1/track/{token}/cases/{case_token}/messages",
    "/api/v1/track/{token}/feedback",
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


def _problem_only(response: dict) -> bool:
    content = response.get("content", {})
    return list(content) == ["application/problem+json"] and content["application/problem+json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Problem"}


def test_every_error_is_a_documented_problem(spec: dict) -> None:
    """Each 4xx/5xx is problem+json with the Problem schema; FastAPI's HTTPValidationError (never
    sent) is gone; what holds for every operation is documented on every one."""
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    for path, method, op in _operations(spec):
        responses = op["responses"]
        for code, response in responses.items():
            if code[0] in "45":
                assert _problem_only(response), (method, path, code, response)
        expected = set()
        if "requestBody" in op:
            expected |= {"400", "413", "415", "422"}
        if op.get("parameters"):
            expected.add("422")
        if op.get("security"):
            expected |= {"401", "403"}
        assert expected <= set(responses), (method, path, expected - set(responses))


def test_one_schema_per_name_and_title(spec: dict) -> None:
    """No pydantic -Input/-Output twins: generators name models by title and drop duplicates."""
    schemas = spec["components"]["schemas"]
    assert not [n for n in schemas if n.endswith(("-Input", "-Output"))]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))
    ship_to = schemas["OrderRead"]["properties"]["ship_to"]
    assert ship_to == {"$ref": "#/components/schemas/DeliveryAddress"}


def test_if_match_and_etag_are_documented_headers(spec: dict) -> None:
    patch = spec["paths"]["/api/v1/orders/{order_id}"]["patch"]
    (if_match,) = [p for p in patch["parameters"] if p["in"] == "header"]
    assert if_match["name"] == "If-Match" and if_match["required"] is True
    assert "428" in patch["responses"]
    for path, method in [
        ("/api/v1/orders/{order_id}", "get"),
        ("/api/v1/orders/{order_id}", "patch"),
        ("/api/v1/customers", "post"),
    ]:
        success = next(
            r for c, r in spec["paths"][path][method]["responses"].items() if c[0] == "2"
        )
        assert "ETag" in success.get("headers", {}), (method, path)
    for path, method, op in _operations(spec):
        if op.get("parameters") and any(p["name"].lower() == "if-match" for p in op["parameters"]):
            assert method in {"patch", "put"}, (method, path)


def test_order_import_documents_a_file_upload(spec: dict) -> None:
    body = spec["paths"]["/api/v1/orders/imports"]["post"]["requestBody"]
    schema = body["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary"}
