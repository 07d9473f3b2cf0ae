"""Printed documents on the bus: the company settings their header prints."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.documents.commands import UpdateCompanySettings
from app.services.documents.company import update_company_settings

COMMANDS: dict[type, CommandHandler] = {
    UpdateCompanySettings: update_company_settings,
}
