"""Benign images, a throwaway C2PA certificate authority and imwatermark's own dwtDct code."""

from __future__ import annotations

import datetime
import importlib.util
import io
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image

from bouclier.detectors import Sample
from bouclier.media import decode

AI_GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
AI_EDITED = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"


def sample_of(data: bytes, **options: Any) -> Sample:
    return Sample(data, decode(data, **options))


def smooth_picture(seed: int, size: tuple[int, int] = (512, 512)) -> np.ndarray:
    """A benign picture of soft colour waves, kept away from 0 and 255 so that a watermark's
    small changes are not clipped."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    channels = []
    for _ in range(3):
        fx, fy, phase = rng.uniform(1, 4, size=3)
        channels.append(np.sin(x / w * fx * 6.3 + phase) * np.cos(y / h * fy * 6.3) * 60 + 128)
    picture = np.stack(channels, axis=2) + rng.normal(0, 3, size=(h, w, 3))
    return np.clip(picture, 40, 215).astype(np.uint8)


def encode(pixels: np.ndarray, fmt: str = "PNG", **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, fmt, **options)
    return buffer.getvalue()


def imwatermark_dwtdct() -> ModuleType:
    """imwatermark's ``maxDct`` module (its dwtDct encoder and decoder), loaded from its file:
    ``import imwatermark`` needs torch, for the RivaGAN mark Bouclier does not use."""
    spec = importlib.util.find_spec("imwatermark")
    assert spec is not None
    assert spec.submodule_search_locations
    path = f"{next(iter(spec.submodule_search_locations))}/maxDct.py"
    module_spec = importlib.util.spec_from_file_location("imwatermark_maxdct", path)
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def dwtdct() -> ModuleType:
    return imwatermark_dwtdct()


@dataclass(frozen=True)
class ThrowawaySigner:
    chain_pem: bytes  # signing certificate, then the CA
    key_pem: bytes
    ca_pem: bytes


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bouclier tests"),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


@pytest.fixture(scope="session")
def test_signer() -> ThrowawaySigner:
    """A throwaway CA and an EC P-256 signing certificate with what c2pa-rs asks of one: an end
    entity (not self-signed) with the digitalSignature key usage and an allowed extended key usage
    (emailProtection), its key identifiers, and the CA's certificate in the chain."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Bouclier Test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Bouclier Test Signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    return ThrowawaySigner(
        chain_pem=cert.public_bytes(serialization.Encoding.PEM) + ca_pem,
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        ca_pem=ca_pem,
    )


def sign_jpeg(signer: ThrowawaySigner, jpeg: bytes, source_type: str, action: str) -> bytes:
    """``jpeg`` with an embedded C2PA manifest whose action declares ``source_type``: for
    ``c2pa.edited``, the image itself is added as the parent ingredient (C2PA requires an edit
    to follow ``c2pa.opened`` of a parent)."""
    import c2pa

    manifest = {
        "claim_generator_info": [{"name": "BouclierTestGenerator", "version": "9.8.7"}],
        "title": "generated.jpg",
        "format": "image/jpeg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        *(
                            [{"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}]
                            if action == "c2pa.edited"
                            else []
                        ),
                        {
                            "action": action,
                            "digitalSourceType": source_type,
                            "softwareAgent": {"name": "TestModel", "version": "2"},
                        },
                    ]
                },
            }
        ],
    }
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, signer.chain_pem, signer.key_pem, None)
    output = io.BytesIO()
    with c2pa.Signer.from_info(info) as c2pa_signer, c2pa.Builder(manifest) as builder:
        if action == "c2pa.edited":
            parent = {"title": "parent.jpg", "relationship": "parentOf", "label": "parent"}
            builder.add_ingredient(parent, "image/jpeg", io.BytesIO(jpeg))
        builder.sign(c2pa_signer, "image/jpeg", io.BytesIO(jpeg), output)
    return output.getvalue()
