"""Routes for generative-AI providers: check an edit request before generating, and its output
after (``bouclier.guard``). Both answer ``{"decision": "allow"|"refuse", "score", "reasons"}``.

``/v1/guard/request`` takes JSON (``{"prompt", "minor", "enrolled"}``) for text alone, or
multipart with the same fields and the input photo in ``image``: a real photographed face raises
the stakes. ``/v1/guard/output`` takes the input photo and the generated image (multipart
``input`` and ``output``). The images are kept in memory for the request only.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from bouclier.api import schemas
from bouclier.api.auth import require
from bouclier.api.services import Services
from bouclier.api.uploads import read_form
from bouclier.errors import InputError
from bouclier.guard.request import MAX_PROMPT_CHARS
from bouclier.text_input import refuse_control

router = APIRouter(prefix="/v1/guard", tags=["guard"])
_providers = [Depends(require("ai-provider"))]

_FLAGS = {
    "minor": {"type": "boolean", "default": False, "description": "the person is a minor"},
    "enrolled": {"type": "boolean", "default": False, "description": "an enrolled person"},
}
_FIELDS = frozenset({"prompt", "minor", "enrolled"})  # and the file "image" in a form
_PROMPT = {"type": "string", "maxLength": MAX_PROMPT_CHARS, "description": "the edit request"}
_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["prompt"],
                    "properties": {"prompt": _PROMPT, **_FLAGS},
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["prompt"],
                    "properties": {
                        "prompt": _PROMPT,
                        **_FLAGS,
                        "image": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}
_OUTPUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["input", "output"],
                    "properties": {
                        "input": {"type": "string", "format": "binary"},
                        "output": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _flag(value: Any, name: str, *, form: bool) -> bool:
    """A JSON boolean, or in a multipart form exactly ``true`` or ``false``: nothing else is
    taken for one (``"yes"``, ``1`` or ``"0"`` must not decide whether a person is a minor)."""
    if isinstance(value, bool) and not form:
        return value
    if form and value in ("true", "false"):
        return bool(value == "true")
    expected = "the text true or false" if form else "a JSON boolean, true or false"
    raise InputError(f"{name} must be {expected}", code="invalid_request")


def _prompt(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("prompt must be a non-empty string", code="invalid_request")
    if len(value) > MAX_PROMPT_CHARS:
        raise InputError(
            f"prompt is longer than {MAX_PROMPT_CHARS} characters", code="invalid_request"
        )
    try:
        return refuse_control(value, multiline=True)
    except ValueError as exc:
        raise InputError(f"prompt: {exc}", code="invalid_request") from None


def _known_fields(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - _FIELDS)
    if unknown:
        shown = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise InputError(
            f"unknown fields: {shown} (the fields are {', '.join(sorted(_FIELDS))})",
            code="invalid_request",
        )


@router.post(
    "/request",
    dependencies=_providers,
    openapi_extra=_REQUEST_BODY,
    response_model=schemas.GuardOut,
)
async def guard_request(request: Request) -> dict[str, Any]:
    """Refuse or allow an edit request before a pixel is generated."""
    services = _services(request)
    image: bytes | None = None
    form = request.headers.get("content-type", "").startswith("multipart/form-data")
    if form:
        fields, files = await read_form(request, ("image",))
        values: dict[str, Any] = dict(fields)
        image = files.get("image")
    else:
        try:
            values = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InputError("the body is not JSON", code="invalid_request") from None
        if not isinstance(values, dict):
            raise InputError("the body must be a JSON object", code="invalid_request")
    _known_fields(values)
    prompt = _prompt(values.get("prompt"))
    default = "false" if form else False
    minor, enrolled = (
        _flag(values.get("minor", default), "minor", form=form),
        _flag(values.get("enrolled", default), "enrolled", form=form),
    )
    if image is not None:
        services.check_models()
    decision = await run_in_threadpool(
        services.guard.check_request, prompt, image, minor=minor, enrolled=enrolled
    )
    return decision.to_dict()


@router.post(
    "/output", dependencies=_providers, openapi_extra=_OUTPUT_BODY, response_model=schemas.GuardOut
)
async def guard_output(request: Request) -> dict[str, Any]:
    """Block an output that shows the input's person (or any real face) nude or in underwear."""
    services = _services(request)
    _, files = await read_form(request, ("input", "output"))
    missing = [name for name in ("input", "output") if name not in files]
    if missing:
        raise InputError(
            f"send both images as multipart fields 'input' and 'output' (missing: "
            f"{', '.join(missing)})",
            code="invalid_request",
        )
    services.check_models()
    decision = await run_in_threadpool(services.guard.check_output, files["input"], files["output"])
    return decision.to_dict()
