"""Routes for generative-AI providers: check an edit request before generating, and its output
after (``bouclier.guard``). Both answer ``{"decision": "allow"|"refuse", "score", "reasons"}``.

``/v1/guard/request`` takes JSON (``{"prompt", "minor", "enrolled", "context", "uncovered"}``)
for text alone, or multipart with the prompt and flags and the input photo in ``image``: a real
photographed face raises the stakes. ``context`` lists the conversation's previous requests
(oldest first, up to 10); ``uncovered`` is the action for a language the guard does not cover
(refuse, allow or review; default ``BOUCLIER_GUARD_UNCOVERED``). ``/v1/guard/requests`` takes a
batch of up to 256 such JSON requests and answers in their order.
``/v1/guard/output`` takes the input photo and the generated image (multipart
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
from bouclier.api.uploads import BULK_BODY, read_form
from bouclier.errors import InputError
from bouclier.guard.decision import Action
from bouclier.guard.request import MAX_PROMPT_CHARS
from bouclier.guard.stages import MAX_CONTEXT, EditRequest
from bouclier.text_input import refuse_control
from bouclier.vocabulary import GUARD_UNCOVERED_ACTIONS

router = APIRouter(prefix="/v1/guard", tags=["guard"])
_providers = [Depends(require("ai-provider"))]

_FLAGS = {
    "minor": {"type": "boolean", "default": False, "description": "the person is a minor"},
    "enrolled": {"type": "boolean", "default": False, "description": "an enrolled person"},
}
_FIELDS = frozenset({"prompt", "minor", "enrolled", "context", "uncovered"})  # and "image"
MAX_BATCH = 256
_PROMPT = {"type": "string", "maxLength": MAX_PROMPT_CHARS, "description": "the edit request"}
_CONTEXT = {
    "type": "array",
    "maxItems": MAX_CONTEXT,
    "items": {"type": "string", "maxLength": MAX_PROMPT_CHARS},
    "description": "the conversation's previous requests, oldest first",
}
_UNCOVERED = {
    "type": "string",
    "enum": list(GUARD_UNCOVERED_ACTIONS),
    "description": "the action for a language the guard does not cover",
}
_ONE = {
    "type": "object",
    "required": ["prompt"],
    "properties": {"prompt": _PROMPT, **_FLAGS, "context": _CONTEXT, "uncovered": _UNCOVERED},
}
_BATCH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["requests"],
                    "properties": {
                        "requests": {"type": "array", "maxItems": MAX_BATCH, "items": _ONE}
                    },
                }
            }
        },
    }
}
_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _ONE},
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


def _prompt(value: Any, name: str = "prompt") -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be a non-empty string", code="invalid_request")
    if len(value) > MAX_PROMPT_CHARS:
        raise InputError(
            f"{name} is longer than {MAX_PROMPT_CHARS} characters", code="invalid_request"
        )
    try:
        return refuse_control(value, multiline=True)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}", code="invalid_request") from None


def _context(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_CONTEXT:
        raise InputError(
            f"context must be a list of at most {MAX_CONTEXT} previous prompts",
            code="invalid_request",
        )
    return tuple(_prompt(item, "context item") for item in value)


def _uncovered(value: Any) -> Action | None:
    if value is None:
        return None
    if value not in GUARD_UNCOVERED_ACTIONS:
        raise InputError(
            f"uncovered must be one of {', '.join(GUARD_UNCOVERED_ACTIONS)}", code="invalid_request"
        )
    return Action(value)


def _json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested to blow the stack
        raise InputError("the body is not JSON", code="invalid_request") from None


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
        values = _json_body(await request.body())
        if not isinstance(values, dict):
            raise InputError("the body must be a JSON object", code="invalid_request")
    _known_fields(values)
    prompt = _prompt(values.get("prompt"))
    default = "false" if form else False
    minor, enrolled = (
        _flag(values.get("minor", default), "minor", form=form),
        _flag(values.get("enrolled", default), "enrolled", form=form),
    )
    if form and ("context" in values or "uncovered" in values):
        raise InputError(
            "context and uncovered are JSON fields (send the request as JSON)",
            code="invalid_request",
        )
    context, uncovered = _context(values.get("context")), _uncovered(values.get("uncovered"))
    if image is not None:
        services.check_models()
    decision = await run_in_threadpool(
        services.guard.check_request,
        prompt,
        image,
        minor=minor,
        enrolled=enrolled,
        context=context,
        uncovered=uncovered,
    )
    return decision.to_dict()


def _edit_request(index: int, value: Any) -> tuple[EditRequest, Action | None]:
    if not isinstance(value, dict):
        raise InputError(f"requests[{index}] must be a JSON object", code="invalid_request")
    try:
        _known_fields(value)
        request = EditRequest(
            _prompt(value.get("prompt")),
            minor=_flag(value.get("minor", False), "minor", form=False),
            enrolled=_flag(value.get("enrolled", False), "enrolled", form=False),
            context=_context(value.get("context")),
        )
        return request, _uncovered(value.get("uncovered"))
    except InputError as exc:
        raise InputError(f"requests[{index}]: {exc.message}", code=exc.code) from None


@router.post(
    "/requests",
    dependencies=_providers,
    openapi_extra={**_BATCH_BODY, **BULK_BODY},  # up to BOUCLIER_MAX_BULK_BODY_BYTES
    response_model=schemas.GuardBatchOut,
)
async def guard_requests(request: Request) -> dict[str, Any]:
    """Refuse or allow up to 256 text requests at once, answered in their order."""
    services = _services(request)
    body = _json_body(await request.body())
    if not isinstance(body, dict) or set(body) != {"requests"}:
        raise InputError('the body must be {"requests": [...]}', code="invalid_request")
    items = body["requests"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise InputError(
            f"requests must be a list of 1 to {MAX_BATCH} requests", code="invalid_request"
        )
    parsed = [_edit_request(i, item) for i, item in enumerate(items)]
    guard = services.guard
    groups: dict[Action | None, list[int]] = {}
    for i, (_, uncovered) in enumerate(parsed):
        groups.setdefault(uncovered, []).append(i)
    results: list[dict[str, object]] = [{} for _ in parsed]
    for uncovered, indexes in groups.items():
        decisions = await run_in_threadpool(
            guard.check_requests, [parsed[i][0] for i in indexes], uncovered=uncovered
        )
        for i, decision in zip(indexes, decisions, strict=True):
            results[i] = decision.to_dict()
    return {"results": results}


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
