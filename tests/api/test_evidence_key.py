"""``GET /v1/evidence/signing-key``: the instance publishes the key that signs its bundles."""

from __future__ import annotations

from bouclier.cases import Cases
from bouclier.cases.bundle_check import verify_bundle
from bouclier.cases.evidence import export_bundle
from tests.api.conftest import Api


def test_the_published_key_is_the_one_that_signs_bundles(api: Api) -> None:
    answer = api.client.get("/v1/evidence/signing-key")  # no key: anyone may check a bundle
    assert answer.status_code == 200
    published = answer.json()
    assert published["algorithm"] == "Ed25519"
    assert "BEGIN PUBLIC KEY" in published["public_key_pem"]
    assert api.client.get("/v1/evidence/signing-key").json() == published  # kept, not remade
    services = api.services
    cases = Cases(services.db, services.settings, banks=services.store)
    case, _ = cases.create()
    result = verify_bundle(
        export_bundle(cases, case.number, actor="analyst"), expected_key=published["fingerprint"]
    )
    assert result.ok, result.problems
    assert result.signer is not None
    assert result.signer.encoded == published["public_key"]
    schema = api.client.get("/openapi.json").json()
    assert schema["paths"]["/v1/evidence/signing-key"]["get"]["security"] == []
