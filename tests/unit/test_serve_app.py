"""The application as `lading serve` builds it in each worker process."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from app.main import serve_app


def test_what_the_served_app_loaded_is_frozen_out_of_the_collector() -> None:
    gc.unfreeze()
    try:
        app = serve_app()
        assert isinstance(app, FastAPI)
        # the app, its routes and every module loaded are in the permanent generation now
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
