"""Schemathesis walks every operation of the OpenAPI schema, in process, and no answer is a 5xx.

Cases are generated from the schema (valid and invalid bodies, parameters and uploads) and sent
with an admin key, which may call every route, on a SQLite database with fake detectors. The
examples are derandomized and few, so that CI is quick and a failure replays the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi

from bouclier.api import create_app
from bouclier.api.services import Services
from bouclier.detectors.registry import Registry
from bouclier.settings import load_settings
from tests.analysis.fakes import FakeDetector, nudity


@pytest.fixture(scope="module")
def app_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[schemathesis.schemas.BaseSchema]:
    data = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        load_settings(
            data_dir=data,
            database_url=f"sqlite:///{data / 'bouclier.db'}",
            max_image_bytes=200_000,
            rate_limit_per_second=0,  # the admin key makes every call; a 429 would hide routes
        ),
        detectors=Registry([nudity(), FakeDetector("provenance")]),
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the lifespan
    yield schema
    asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
def admin(app_schema: schemathesis.schemas.BaseSchema) -> dict[str, str]:
    services: Services = app_schema.app.state.services
    return {"Authorization": f"Bearer {services.keys.create('fuzz', 'admin')[1]}"}


BANK = "victims"
#: 5xx found here in routes owned elsewhere and reported to their owner: these operations are still
#: walked, but their failures do not fail the test. Delete an entry once its route is fixed.
KNOWN_5XX: dict[str, str] = {}  # operation label -> why it may still answer 5xx (none now)


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_no_route_answers_5xx(
    app_schema: schemathesis.schemas.BaseSchema, admin: dict[str, str], mode: GenerationMode
) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in app_schema.get_all_operations()]
    assert len(operations) >= 13
    services: Services = app_schema.app.state.services
    for operation in operations:
        # Random bank names only ever meet 404: valid cases name a bank that exists.
        fixed = (
            {"name": BANK}
            if mode is GenerationMode.POSITIVE and "{name}" in operation.path
            else None
        )
        if BANK not in {bank.name for bank in services.store.banks()}:  # a DELETE may have run
            services.store.create(BANK, "victim", None)
            services.refresh_matcher()

        @given(case=operation.as_strategy(mode, path_parameters=fixed))
        @settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def walk(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=dict(admin), checks=[not_a_server_error])

        try:
            walk()
        except Unsatisfiable:  # nothing to make invalid in an operation without input
            assert mode is GenerationMode.NEGATIVE
        except Exception as exc:  # one report naming every operation that failed
            if operation.label not in KNOWN_5XX:
                failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
