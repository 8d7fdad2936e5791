"""The victim portal: open a case without a name, fingerprint images on the device, add links,
join a collective case, follow blocked re-uploads and notices, download the evidence bundle,
withdraw. Plain POST forms; only the fingerprinting step needs JavaScript (pdq.js)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bouclier.web import common

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return common.render(request, "portal/home.j2")
