"""Fuzz the API from its own OpenAPI schema (schemathesis), bounded: no input may cause a 5xx."""
import itertools

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from tests.api.test_app import start_seed_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, real_embedder):
    server = start_seed_server(tmp_path_factory.mktemp("fuzz"), real_embedder)
    yield schemathesis.openapi.from_url(server.url + "/openapi.json")
    server.stop()


def test_no_input_causes_a_server_error(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    tried = []
    for operation, mode in itertools.product(operations, list(GenerationMode)):

        @given(case=operation.as_strategy(mode))
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case):
            response = case.call(timeout=120)
            tried.append(response.status_code)
            assert response.status_code < 500, \
                f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"

        try:
            check()
        except Unsatisfiable:  # an operation without inputs has no invalid form
            assert mode is GenerationMode.NEGATIVE
    assert 422 in tried or 400 in tried
    print(f"\nfuzz: {len(tried)} requests over {len(operations)} operations, valid and invalid, "
          f"statuses {sorted(set(tried))}")
