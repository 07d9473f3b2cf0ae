"""Request bodies too big for memory: spooled to a temporary file while being measured."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.requests import Request
from starlette.types import Message, Receive

from app.domain.errors import PayloadTooLarge, RuleViolation

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


@dataclass
class UploadedFile:
    """A file sent as the raw body or as the ``file`` part of a multipart form."""

    upload: SpooledUpload
    media_type: str
    filename: str | None


def _limited(receive: Receive, max_bytes: int) -> Receive:
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > max_bytes:
            raise PayloadTooLarge(f"The upload exceeds the limit of {max_bytes} bytes.")
        return message

    return limited


async def _file_chunks(file: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := file.read(64 * 1024):
        yield chunk


async def receive_file(request: Request, *, max_bytes: int) -> UploadedFile:
    """The uploaded file, whether the body is the file itself or a ``multipart/form-data``
    form whose ``file`` part is (then the part's own media type and file name tell its kind)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        return UploadedFile(await spool(request.stream(), max_bytes=max_bytes), media_type, None)
    # The form's boundaries and headers take a little room beside the file itself.
    limited = Request(request.scope, _limited(request.receive, max_bytes + 64 * 1024))
    async with limited.form(max_files=1, max_fields=0) as form:
        part = form.get("file")
        if not isinstance(part, StarletteUploadFile):
            raise RuleViolation.on("body.file", "missing", "Send the file as the form's file part.")
        upload = await spool(_file_chunks(part.file), max_bytes=max_bytes)
        part_type = (part.content_type or "").split(";")[0].strip().lower()
        return UploadedFile(upload, part_type, part.filename)
