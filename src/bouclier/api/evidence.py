"""The key that signs this instance's evidence bundles, published: ``GET /v1/evidence/signing-key``.

Public (``security: []``): whoever receives a bundle (a police officer, a court, a platform) pins
this fingerprint in ``bouclier evidence verify --expect-key``. Only the public half is answered;
the private key stays in its file (:mod:`bouclier.signing_key`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from bouclier.api.auth import PUBLIC, Public
from bouclier.api.images import services_of
from bouclier.signing_key import load_signing_key

router = APIRouter(prefix="/v1/evidence", tags=["cases"])


class SigningKeyOut(BaseModel):
    algorithm: str = Field(description="Ed25519.")
    public_key: str = Field(description="The 32 bytes of the public key, base64.")
    fingerprint: str = Field(description="SHA256: and the SHA-256 of those bytes, in hex.")
    public_key_pem: str = Field(description="The same key as PEM (SubjectPublicKeyInfo).")


@router.get(
    "/signing-key",
    dependencies=[Depends(Public())],
    openapi_extra=PUBLIC,
    response_model=SigningKeyOut,
)
async def signing_key(request: Request) -> dict[str, Any]:
    """The public key that signs evidence bundles, and its fingerprint."""
    settings = services_of(request).settings
    key = await run_in_threadpool(load_signing_key, settings)
    assert key is not None  # made when missing
    return key.public.to_dict()
