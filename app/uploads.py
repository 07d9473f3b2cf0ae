"""Request bodies too big for memory: spooled to a temporary file while being measured."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

from app.domain.errors import PayloadTooLarge

SPOOL_IN_MEMORY = 1024 * 1024


@dataclass
class SpooledUpload:
    file: IO[bytes]
    size: int
    valid_utf8: bool
    starts_with_bom: bool


async def spool(chunks: AsyncIterator[bytes], *, max_bytes: int) -> SpooledUpload:
    """Copy a body to a file that stays in memory up to 1 MiB, refusing more than
    ``max_bytes``; note on the way whether the bytes are valid UTF-8."""
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = 0
    valid = True
    head = b""
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            file.close()
            raise PayloadTooLarge(f"The upload exceeds the limit of {max_bytes} bytes.")
        if len(head) < 3:
            head += chunk[: 3 - len(head)]
        if valid:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        file.write(chunk)
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    file.seek(0)
    return SpooledUpload(file, size, valid, head.startswith(codecs.BOM_UTF8))


async def read_limited(chunks: AsyncIterator[bytes], *, max_bytes: int) -> bytes:
    """A small body (a signed webhook) read whole, refusing more than ``max_bytes``."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise PayloadTooLarge(f"The body exceeds the limit of {max_bytes} bytes.")
    return bytes(body)
