"""Rendering off the event loop: a PDF is CPU-bound work, done in a worker thread once the
unit of work that read the document's data has closed."""

from __future__ import annotations

import asyncio

from app.documents.render import render
from app.domain.documents.model import Document


async def pdf_of(document: Document) -> bytes:
    """``document`` rendered to PDF in a worker thread."""
    return await asyncio.to_thread(render, [document])
