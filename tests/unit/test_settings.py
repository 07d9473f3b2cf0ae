from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.settings import PLACEHOLDER_SECRET, Settings


def test_development_accepts_the_placeholder_secret() -> None:
    settings = Settings(_env_file=None, environment="development")  # type: ignore[call-arg]
    assert settings.secret_key.get_secret_value() == PLACEHOLDER_SECRET
    assert settings.database_url.startswith("sqlite+aiosqlite:///var/")


@pytest.mark.parametrize("environment", ["production", "test"])
def test_placeholder_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="LADING_SECRET_KEY"):
        Settings(_env_file=None, environment=environment)  # type: ignore[call-arg]


def test_short_secret_is_refused_in_production() -> None:
    with pytest.raises(ValidationError):
        Settings(  # type: ignore[call-arg]
            _env_file=None, environment="production", secret_key="short"
        )


def test_settings_come_from_lading_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LADING_DATABASE_URL", "postgresql+asyncpg://u@db/lading")
    monkeypatch.setenv("LADING_ACCESS_TOKEN_MINUTES", "30")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "postgresql+asyncpg://u@db/lading"
    assert settings.access_token_minutes == 30
    assert not settings.is_sqlite


def test_the_dispatcher_lease_must_outlast_one_delivery() -> None:
    with pytest.raises(ValidationError, match="LADING_DISPATCHER_LEASE_SECONDS"):
        Settings(  # type: ignore[call-arg]
            _env_file=None, dispatcher_lease_seconds=5, webhook_timeout_seconds=5
        )
    assert Settings(_env_file=None).dispatcher_lease_seconds == 30  # type: ignore[call-arg]


def test_the_lockout_cap_may_not_be_below_the_first_lockout() -> None:
    with pytest.raises(ValidationError, match="LADING_LOGIN_LOCKOUT_MAX_SECONDS"):
        Settings(  # type: ignore[call-arg]
            _env_file=None, login_lockout_seconds=600, login_lockout_max_seconds=60
        )


def test_outbound_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LADING_OUTBOUND_ALLOWED_HOSTS", "10.0.0.0/8, carrier.internal")
    monkeypatch.setenv("LADING_OUTBOUND_ALLOW_HTTP", "true")
    monkeypatch.setenv("LADING_TRACKING_POLL_MINUTES", "5")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.outbound_allowed_hosts == ["10.0.0.0/8", "carrier.internal"]
    policy = settings.outbound_policy
    assert policy.allow_http and policy.hosts == {"carrier.internal"}
    assert settings.tracking_poll_minutes == 5


def test_a_malformed_allowed_network_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="LADING_OUTBOUND_ALLOWED_HOSTS"):
        Settings(_env_file=None, outbound_allowed_hosts=["10.0.0.0/33"])  # type: ignore[call-arg]


def test_the_production_systems_secret_is_a_standard_webhooks_one() -> None:
    from app.domain.webhooks import new_secret

    good = new_secret()
    settings = Settings(_env_file=None, mes_webhook_secret=good)  # type: ignore[call-arg]
    assert settings.mes_webhook_secret is not None
    assert settings.mes_webhook_secret.get_secret_value() == good
    for bad in ("secret", "whsec_!!!", "whsec_" + "QUFB"):  # not base64, too short
        with pytest.raises(ValidationError, match="mes_webhook_secret"):
            Settings(_env_file=None, mes_webhook_secret=bad)  # type: ignore[call-arg]


def test_the_osrm_url_is_unset_by_default_and_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.osrm_url, settings.osrm_timeout_seconds) == (None, 10.0)
    monkeypatch.setenv("LADING_OSRM_URL", "http://osrm:5000/")
    monkeypatch.setenv("LADING_OSRM_TIMEOUT_SECONDS", "3")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.osrm_url, settings.osrm_timeout_seconds) == ("http://osrm:5000", 3.0)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://maps.example.cn/osrm/", "https://maps.example.cn/osrm"),
        ("http://10.0.0.7:5000", "http://10.0.0.7:5000"),
        ("  ", None),
    ],
)
def test_the_osrm_url_is_kept_without_trailing_slashes(given: str, kept: str | None) -> None:
    assert Settings(_env_file=None, osrm_url=given).osrm_url == kept  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "url", ["osrm:5000", "ftp://osrm.example.cn", "http://", "http://osrm:5000/?x=1"]
)
def test_an_osrm_url_that_is_not_http_refuses_to_start(url: str) -> None:
    with pytest.raises(ValidationError, match="LADING_OSRM_URL"):
        Settings(_env_file=None, osrm_url=url)  # type: ignore[call-arg]


def test_the_osrm_timeout_is_above_zero() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, osrm_timeout_seconds=0)  # type: ignore[call-arg]
