"""Image uploads: one multipart field ``file``, its size limit enforced while the body is read.

The body is read chunk by chunk and refused with 413 ``media.too_large`` as soon as it passes
BOUCLIER_MAX_IMAGE_BYTES (plus room for the multipart framing), before any of it is parsed; an
honest ``Content-Length`` over the limit is refused before a byte is read. The bytes are kept in
memory only for the request and never written anywhere by Bouclier.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from bouclier.api.services import Services
from bouclier.errors import InputError, MediaError

#: Room for the multipart boundaries and headers around the image.
FRAMING = 64 * 1024

#: The OpenAPI description of an upload body (routes read it themselves, see ``read_image``).
UPLOAD_BODY: dict[str, Any] = {
    "x-body": "upload",  # its size limit (bouclier.api.gate): BOUCLIER_MAX_IMAGE_BYTES per file
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "an image"}
                    },
                }
            }
        },
    },
}


#: The ``openapi_extra`` of a bulk JSON route (thousands of entries at once): its body may have
#: BOUCLIER_MAX_BULK_BODY_BYTES (bouclier.api.gate), not the BOUCLIER_MAX_BODY_BYTES of the others.
BULK_BODY: dict[str, Any] = {"x-body": "bulk"}


def _too_large(limit: int) -> MediaError:
    return MediaError(
        f"the upload is larger than the limit of {limit} bytes", code="media.too_large"
    )


async def read_form(
    request: Request, files: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, bytes]]:
    """The text fields and the named files of a multipart body read within the size limit (all
    files together). A missing file is simply absent from the result; an empty one is refused."""
    services: Services = request.app.state.services
    limit = services.limits.max_bytes
    allowed = limit * len(files) + FRAMING
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > allowed:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > allowed:
            raise _too_large(limit)
    request._body = bytes(body)  # Starlette parses the form from the body already read
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InputError(
            f"send multipart/form-data with the image in a field named '{files[0]}'",
            code="invalid_request",
        )
    form = await request.form(max_files=len(files), max_fields=16)
    fields: dict[str, str] = {}
    found: dict[str, bytes] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key not in files:
                    continue
                data = await value.read(limit + 1)
                if len(data) > limit:
                    raise _too_large(limit)
                if not data:
                    raise MediaError(f"the uploaded '{key}' has no bytes", code="media.empty")
                found[key] = data
            else:
                fields[key] = value
    finally:
        await form.close()
    return fields, found


async def read_image(request: Request) -> bytes:
    """The bytes of the uploaded field ``file``; InputError/MediaError when there is none."""
    _, found = await read_form(request, ("file",))
    if "file" not in found:
        raise InputError(
            "no image: send it in a multipart field named 'file'", code="invalid_request"
        )
    return found["file"]
