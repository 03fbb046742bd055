"""Schemathesis over /api/schema/: a few generated requests per operation (valid and invalid data), as a
secretary and as a system admin, through the WSGI app. Every answer is documented (status, content type,
body shape) and none is a server error. Deterministic: Hypothesis is derandomized."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from giaoban.core.access import Role
from giaoban.reporting import services
from tests.access import api_token_key

# Not positive_data_acceptance: a request valid for the schema can still be refused by a business rule
# (a wrong password, an unknown period). Not negative_data_rejection: lists ignore a bad page_size or
# an empty enum filter on purpose.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# A few per operation keep `make test` quick; API_FUZZ_EXAMPLES=100 for a deeper run by hand.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "4"))


def run_operation(operation, mode, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the report shows the first failure
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.fixture
def world(tree, committees):
    """The shared tree and committees, the reporting catalog, and a draft, a submitted and an approved
    report of commune N1, so ids in paths can hit real rows."""
    from tests.reporting.conftest import Catalog

    catalog = Catalog()
    for period, status in (("2026W10", "draft"), ("2026W11", "submitted"), ("2026W12", "approved")):
        s = services.submission_open(unit=tree.n1, form=catalog.weekly, period=period)
        s = services.submission_save_draft(submission=s, values={"POSTS": 3}, expected_version=s.version)
        if status != "draft":
            s = services.submission_submit(submission=s)
        if status == "approved":
            services.submission_approve(submission=s)
    return tree


@pytest.fixture
def wsgi_app():
    """Django's WSGI app, keeping the test's database connection open between requests (as Django's
    test client does): closing it would end the transaction the test runs in."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.SYSTEM_ADMIN])
def test_it_answers_generated_requests_as_documented_and_never_with_a_server_error(role, world, make_user, wsgi_app):
    unit = world.n1 if role == Role.SECRETARY else world.vn
    key = api_token_key(make_user(role, unit))
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    headers = {"Authorization": f"Token {key}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                run_operation(operation, mode, headers)
            except Unsatisfiable:
                continue  # no invalid value exists for a free-text path parameter
            except BaseExceptionGroup as exc:  # schemathesis's FailureGroup
                failures.append(f"{operation.label} [{mode}]: {exc}")
            except AssertionError as exc:
                failures.append(f"{operation.label} [{mode}]: {exc}")
    assert not failures, "\n\n".join(failures)
