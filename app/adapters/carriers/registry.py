"""Which gateway speaks for a carrier: built from its master data (adapter kind, endpoint,
credentials, timeout) over one shared ``httpx.AsyncClient``.

Credentials of the HTTP adapters are a JSON object, stored write-only:
``{"api_key": "...", "webhook_secret": "..."}`` (the webhook secret may be left out when the
carrier sends no webhooks)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from app.adapters.carriers.base import CarrierError, CarrierGateway
from app.adapters.carriers.easypost import BASE_URL as EASYPOST_URL
from app.adapters.carriers.easypost import EasyPostGateway
from app.adapters.carriers.generic_json import GenericJsonGateway
from app.adapters.carriers.table_rate import TableRateCarrier
from app.domain.carrier_selection import CarrierTerms

HTTP_KINDS = frozenset({"easypost", "generic_json"})
# Adapters whose signed tracking webhooks Lading verifies (the others' webhook route is a 404).
WEBHOOK_KINDS = HTTP_KINDS


def accepts_webhooks(adapter_kind: str) -> bool:
    return adapter_kind in WEBHOOK_KINDS


@dataclass(frozen=True)
class CarrierConfig:
    code: str
    adapter_kind: str
    terms: CarrierTerms
    services: tuple[str, ...]
    endpoint: str | None
    credentials: str | None
    timeout_s: float


@dataclass(frozen=True)
class ApiSecrets:
    api_key: str
    webhook_secret: bytes


def credentials_problem(adapter_kind: str, credentials: str | None) -> str | None:
    """Why credentials do not suit the adapter kind, or None when they do (or are absent)."""
    if adapter_kind not in HTTP_KINDS or credentials is None:
        return None
    try:
        data = json.loads(credentials)
    except ValueError:
        return 'Must be a JSON object: {"api_key": "...", "webhook_secret": "..."}.'
    if not isinstance(data, dict) or not isinstance(data.get("api_key"), str):
        return 'Must be a JSON object with a string "api_key".'
    if not isinstance(data.get("webhook_secret", ""), str):
        return '"webhook_secret" must be a string.'
    return None


def api_secrets(config: CarrierConfig) -> ApiSecrets:
    problem = credentials_problem(config.adapter_kind, config.credentials)
    if config.credentials is None or problem is not None:
        raise CarrierError(
            f"Carrier {config.code} has no usable credentials: {problem or 'none are stored.'}"
        )
    data = json.loads(config.credentials)
    return ApiSecrets(data["api_key"], str(data.get("webhook_secret", "")).encode())


def build_gateway(config: CarrierConfig, client: httpx.AsyncClient) -> CarrierGateway:
    """The carrier's gateway; ``CarrierError`` (not retryable) when it is not configured."""
    if config.adapter_kind == "table_rate":
        return TableRateCarrier(config.terms, services=config.services)
    if config.adapter_kind == "easypost":
        secrets = api_secrets(config)
        return EasyPostGateway(
            client,
            secrets.api_key,
            secrets.webhook_secret,
            base_url=config.endpoint or EASYPOST_URL,
            timeout_s=config.timeout_s,
        )
    if config.adapter_kind == "generic_json":
        if not config.endpoint:
            raise CarrierError(f"Carrier {config.code} has no endpoint configured.")
        secrets = api_secrets(config)
        return GenericJsonGateway(
            client,
            config.endpoint,
            api_key=secrets.api_key,
            webhook_secret=secrets.webhook_secret,
            carrier_code=config.code,
            timeout_s=config.timeout_s,
        )
    raise CarrierError(f"Carrier {config.code} has an unknown adapter kind {config.adapter_kind}.")
