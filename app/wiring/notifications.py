"""Notification templates on the bus."""

from __future__ import annotations

from app.services.bus import CommandHandler
from app.services.notifications import templates
from app.services.notifications.commands import ResetTemplate, SaveTemplate

COMMANDS: dict[type, CommandHandler] = {
    SaveTemplate: templates.save_template,
    ResetTemplate: templates.reset_template,
}
