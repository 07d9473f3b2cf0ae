"""The company settings: read (the header of every printed document, the default page size)
and changed by an admin, stored as one JSON settings document.

Versions work as the review settings' do: nothing stored means the defaults at version 0
(``ETag: "0"``), the first ``PUT`` with ``If-Match: "0"`` creates version 1, and a change that
alters nothing writes nothing and keeps the version."""

from __future__ import annotations

from app.domain.auth import Principal
from app.domain.documents.company import (
    COMPANY_KEY,
    DEFAULT_NAME,
    CompanySettings,
    audit_image,
    merged,
    settings_from_json,
    settings_to_json,
)
from app.domain.documents.events import CompanySettingsUpdated
from app.domain.documents.model import Company, PageSize
from app.domain.errors import StaleVersion
from app.repositories.settings import SettingRecord
from app.repositories.uow import is_unique_violation
from app.services.bus import Context
from app.services.documents.commands import UpdateCompanySettings
from app.services.unit_of_work import UnitOfWork

DEFAULTS_VERSION = 0
ADMIN = "admin"


async def load_company_settings(uow: UnitOfWork) -> tuple[CompanySettings, int]:
    """The settings and their version, in an already-entered unit of work (0: never set)."""
    record = await uow.settings.get(COMPANY_KEY)
    if record is None:
        return CompanySettings(), DEFAULTS_VERSION
    return settings_from_json(record.value), record.version


async def company_of(uow: UnitOfWork, default_name: str = DEFAULT_NAME) -> Company:
    """The issuing company as document headers print it (in an entered unit of work); named
    ``default_name`` (``LADING_COMPANY_NAME`` or "Lading") while no name is set."""
    settings, _ = await load_company_settings(uow)
    return settings.company(default_name)


async def default_page_size(uow: UnitOfWork) -> PageSize:
    """The page size documents print on unless the caller asks for another."""
    settings, _ = await load_company_settings(uow)
    return settings.page_size


async def get_company_settings(uow: UnitOfWork) -> tuple[CompanySettings, int]:
    async with uow:
        return await load_company_settings(uow)


async def update_company_settings(
    cmd: UpdateCompanySettings, uow: UnitOfWork, ctx: Context
) -> tuple[CompanySettings, int]:
    """Merge the changes into the settings, check them (a PNG logo within its limit, A4 or
    Letter), store and audit them."""
    cmd.principal.require(ADMIN)
    async with uow:
        record = await uow.settings.get(COMPANY_KEY)
        current, version = await load_company_settings(uow)
        if version != cmd.expected_version:
            raise StaleVersion(
                f"The company settings are at version {version}, not {cmd.expected_version}; "
                "reload and retry."
            )
        updated = merged(current, cmd.changes)
        if settings_to_json(updated) == settings_to_json(current):
            return current, version
        new_version = await _store(uow, record, updated, cmd.principal)
        uow.record(
            CompanySettingsUpdated(
                actor=cmd.principal.actor,
                entity_id=COMPANY_KEY,
                before=audit_image(current),
                after=audit_image(updated),
            )
        )
        await uow.commit()
    return updated, new_version


async def _store(
    uow: UnitOfWork, record: SettingRecord | None, s: CompanySettings, principal: Principal
) -> int:
    """Write the settings (the first write creates the record) and answer the new version."""
    value = settings_to_json(s)
    if record is None:
        record = SettingRecord(key=COMPANY_KEY, value=value, updated_by=principal.actor)
        uow.settings.add(record)
    else:
        record.value = value
        record.updated_by = principal.actor
    try:
        await uow.flush()
    except Exception as exc:
        # Two first writes at version 0 raced and this one lost the primary key.
        if is_unique_violation(exc):
            raise StaleVersion(
                "The company settings were changed by someone else meanwhile; reload and retry."
            ) from exc
        raise
    return record.version
