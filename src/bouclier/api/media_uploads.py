"""Uploads that may be an image or a video (``/v1/hash``, ``/v1/match``), streamed.

The body is parsed as it arrives (Starlette's multipart parser spools a file past 1 MiB to a
temporary file, never holding a video in memory) and cut at the larger of
BOUCLIER_MAX_IMAGE_BYTES and BOUCLIER_MAX_VIDEO_BYTES plus the multipart framing (the gate
refuses an honest ``Content-Length`` over it first). The file's first bytes decide: a video
(MP4/QuickTime, WebM/Matroska) is copied to a private temporary file within the video limit and
handed over as its path, deleted when the answer is sent; anything else is read as an image
within the image limit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from bouclier.api.services import Services
from bouclier.api.uploads import FRAMING, UPLOAD_BODY
from bouclier.errors import InputError, MediaError
from bouclier.media.video import sniff_video

#: The bytes of a file's start that decide whether it is a video.
VIDEO_SNIFF = 64

#: The OpenAPI description of an image-or-video upload; the gate's limit reads ``x-media``.
MEDIA_UPLOAD_BODY: dict[str, Any] = {**UPLOAD_BODY, "x-media": True}


@dataclass(frozen=True, slots=True)
class VideoUpload:
    """An uploaded video, in a temporary file that lives as long as the request."""

    path: Path


def media_limit(image_bytes: int, video_bytes: int) -> int:
    """The most bytes an image-or-video upload's body may have."""
    return max(image_bytes, video_bytes) + FRAMING


def _too_large(limit: int) -> MediaError:
    return MediaError(
        f"the upload is larger than the limit of {limit} bytes", code="media.too_large"
    )


def not_multipart() -> InputError:
    return InputError(
        "send multipart/form-data with the image or video in a field named 'file'",
        code="invalid_request",
    )


def malformed() -> InputError:
    return InputError(
        "the multipart body is malformed; send the file in a field named 'file'",
        code="invalid_request",
    )


def no_file() -> InputError:
    return InputError(
        "no image or video: send it in a multipart field named 'file'", code="invalid_request"
    )


def _empty() -> MediaError:
    return MediaError("the uploaded 'file' has no bytes", code="media.empty")


async def _bounded(request: Request, allowed: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > allowed:
            raise _too_large(allowed - FRAMING)
        yield chunk


async def _to_file(upload: UploadFile, limit: int) -> Path:
    handle, name = tempfile.mkstemp(prefix="bouclier-upload-", suffix=".video")
    written = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := await upload.read(1 << 20):
                written += len(chunk)
                if written > limit:
                    raise _too_large(limit)
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


async def read_media(request: Request) -> AsyncGenerator[bytes | VideoUpload, None]:
    """The uploaded field ``file``: image bytes, or a :class:`VideoUpload` (a dependency with
    cleanup: the video's temporary file is deleted after the answer)."""
    services: Services = request.app.state.services
    image_limit = services.limits.max_bytes
    video_limit = services.settings.max_video_bytes
    allowed = media_limit(image_limit, video_limit)
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > allowed:
        raise _too_large(allowed - FRAMING)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise not_multipart()
    parser = MultiPartParser(
        request.headers, _bounded(request, allowed), max_files=1, max_fields=16
    )
    try:
        form = await parser.parse()
    except MultiPartException:
        raise malformed() from None
    video: Path | None = None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise no_file()
        head = await upload.read(VIDEO_SNIFF)
        await upload.seek(0)
        if not head:
            raise _empty()
        if sniff_video(head) is not None:
            video = await _to_file(upload, video_limit)
            found: bytes | VideoUpload = VideoUpload(video)
        else:
            found = await upload.read(image_limit + 1)
            if len(found) > image_limit:
                raise _too_large(image_limit)
    finally:
        await form.close()
        # A file part cut short (no boundary after it) is in no form: Starlette leaves it open.
        for spooled in getattr(parser, "_files_to_close_on_error", ()):
            spooled.close()
    try:
        yield found
    finally:
        if video is not None:
            video.unlink(missing_ok=True)


def media_of(data: bytes, image_limit: int, video_limit: int) -> bytes | VideoUpload:
    """What :func:`read_media` makes of a file's bytes once parsed, for a file already in memory
    (the lean path's own parser, bouclier.api.form_data): the same checks and errors; a video is
    written to a temporary file, which the caller deletes."""
    if not data:
        raise _empty()
    if sniff_video(data[:VIDEO_SNIFF]) is None:
        if len(data) > image_limit:
            raise _too_large(image_limit)
        return data
    if len(data) > video_limit:
        raise _too_large(video_limit)
    handle, name = tempfile.mkstemp(prefix="bouclier-upload-", suffix=".video")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return VideoUpload(Path(name))
