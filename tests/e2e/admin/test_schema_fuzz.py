"""Schemathesis against the live admin API, from the document it serves: every operation with generated
positive and negative data and at its documented boundaries (the coverage phase), then the links between
operations as a state machine. No 5xx, no answer the document does not describe (status, media type, body,
headers), no schema-invalid request accepted.

Deeper local run (the defaults keep `make test` quick):
    CENTAVO_FUZZ_EXAMPLES=300 CENTAVO_FUZZ_SCENARIOS=500 CI=true TEST_REDIS_DB=12 \\
        .venv/bin/python -m pytest -q tests/e2e/admin/test_schema_fuzz.py
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.schemas import OpenApiSchema

from bot.admin import operations as admin_operations
from bot.admin.idempotency import KEY_PATTERN
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.settings import Settings
from tests.conftest import PgDatabase, redis_database

pytestmark = pytest.mark.integration

EXAMPLES = int(os.environ.get("CENTAVO_FUZZ_EXAMPLES", "25"))
"""Generated cases per operation and mode (positive, negative)."""
SCENARIOS = int(os.environ.get("CENTAVO_FUZZ_SCENARIOS", "60"))
"""State machine runs, each up to STEPS linked calls."""
STEPS = 6
PLATFORM_KEY = "platform-" + "f" * 40

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # a schema-invalid request answers 4xx (judged on negative cases only)
]
"""Left out: positive_data_acceptance, because a schema-valid request may rightly be refused ("XXX" matches
the currency pattern and is no currency; a random UUID names no user: 422 and 404 are documented), and the
checks of what keys may do (ignored_auth, object_level_authorization): test_isolation covers them."""
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
COVERAGE_CHECKS = [*CHECKS, unsupported_method, allow_header_conformance, missing_required_header]

FUZZ_CONFIG = schemathesis.Config.from_dict(
    # Every case carries the right key: a negative case that drops or mangles Authorization only ever meets
    # the 401 before any validation, and keys have their own tests (test_isolation).
    {"generation": {"with-security-parameters": False}}
)


@dataclass
class LiveApi:
    """The app serving on 127.0.0.1, and the keys the fuzzer calls it with."""

    base_url: str
    platform_key: str
    tenant_key: str = ""

    def key_for(self, operation: dict[str, Any]) -> str:
        """The platform key for platform operations (their `security` names it), else the tenant's."""
        schemes = {name for requirement in operation.get("security", []) for name in requirement}
        return self.platform_key if "platform" in schemes else self.tenant_key

    def new_tenant(self) -> None:
        """A tenant made through POST /tenants; its first admin key becomes the one tenant calls use."""
        body = {
            "slug": f"fuzz-{uuid.uuid4().hex[:12]}",
            "name": "Fuzzed",
            "currency": "BRL",
            "locale": "pt_BR",
            "timezone": "America/Sao_Paulo",
        }
        headers = {"Authorization": f"Bearer {self.platform_key}"}
        response = requests.post(f"{self.base_url}/api/v1/tenants", json=body, headers=headers, timeout=30)
        assert response.status_code == 201, response.text
        self.tenant_key = response.json()["admin_key"]["key"]


class ServerThread:
    """The aiohttp app on a thread with its own event loop: schemathesis calls it synchronously (requests)."""

    def __init__(self, app: web.Application) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="live-api", daemon=True)
        self._runner = web.AppRunner(app, access_log=None)
        self.port = 0

    def _run(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=60)

    async def _start(self) -> int:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(self._runner.addresses[0][1])

    def __enter__(self) -> ServerThread:
        self._thread.start()
        self.port = self._run(self._start())
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._run(self._runner.cleanup())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()


@pytest.fixture(scope="module")
def module_redis_url() -> Iterator[str]:
    """This run's Redis database (TEST_REDIS_DB) for the whole module: the server outlives one test."""
    with redis_database() as url:
        yield url


@pytest.fixture(scope="module")
def live_api(pg_database: PgDatabase, module_redis_url: str) -> Iterator[LiveApi]:
    """The real app (PostgreSQL as the RLS-bound role, Redis) on a free port, with a tenant made through the
    API, and a rate limit no fuzzer reaches."""
    config = replace(
        Settings(),
        database_url=pg_database.app_url,
        redis_url=module_redis_url,
        platform_key=PLATFORM_KEY,
        api_rate_burst=1_000_000,
        api_rate_per_second=1_000_000.0,
    )
    with ServerThread(create_app(Bootstrap(config, agent=False))) as server:
        live = LiveApi(f"http://127.0.0.1:{server.port}", PLATFORM_KEY)
        live.new_tenant()
        yield live


@pytest.fixture(scope="module")
def live_schema(live_api: LiveApi) -> OpenApiSchema:
    """The document as the live app serves it, with the right key on every generated request."""
    loaded = schemathesis.openapi.from_url(
        f"{live_api.base_url}/api/v1/openapi.json", config=FUZZ_CONFIG, timeout=30
    )

    @loaded.auth(refresh_interval=None)
    class _Keys:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return live_api.key_for(case.operation.definition.raw)

        def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return loaded


OPERATIONS = sorted(admin_operations(), key=lambda op: op.operation_id)
"""Known when tests are collected, so each operation is a test of its own, looked up in the live document."""
CASES = [
    pytest.param(op.operation_id, mode, id=f"{op.operation_id}-{mode}")
    for op in OPERATIONS
    for mode in GenerationMode
    # Negative data needs something to make invalid: GET /settings takes no input at all.
    if mode.is_positive or op.path_ids or op.query or op.body or op.method == "POST"
]


def test_the_live_document_has_every_operation(live_schema: OpenApiSchema) -> None:
    served = sorted(op.ok().definition.raw["operationId"] for op in live_schema.get_all_operations())
    assert served == [op.operation_id for op in OPERATIONS]


@pytest.mark.parametrize(("operation_id", "mode"), CASES)
def test_every_operation_answers_as_documented(
    live_schema: OpenApiSchema, live_api: LiveApi, operation_id: str, mode: GenerationMode
) -> None:
    @given(case=live_schema.find_operation_by_id(operation_id).as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found, and fast
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=live_api.base_url, checks=CHECKS, timeout=30)

    call()


@pytest.mark.parametrize("operation_id", [op.operation_id for op in OPERATIONS])
def test_every_operation_answers_as_documented_at_its_boundaries(
    live_schema: OpenApiSchema, live_api: LiveApi, operation_id: str
) -> None:
    """Schemathesis' coverage phase: each parameter and body field at and just past its documented bounds
    (lengths, ranges, patterns, types, missing and extra values, undeclared methods), valid and not."""
    operation = live_schema.find_operation_by_id(operation_id)
    cases = live_schema.iter_coverage_cases(
        operation,
        generation_modes=list(GenerationMode),
        generation_config=live_schema.config.generation_for(operation=operation, phase="coverage"),
    )
    key = live_api.key_for(operation.definition.raw)
    for case in cases:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {key}"}
        case.call_and_validate(base_url=live_api.base_url, checks=COVERAGE_CHECKS, timeout=30)


def _unique_idempotency_key(case: schemathesis.Case) -> None:
    """A fresh Idempotency-Key for a valid one. Generated keys repeat ("0"), so a creation could replay an
    earlier scenario's answer (by design), naming an item that scenario already deleted."""
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and re.fullmatch(KEY_PATTERN, key):
        case.headers["Idempotency-Key"] = f"{key[:200]}-{uuid.uuid4().hex}"


def test_linked_operations_answer_as_documented(live_schema: OpenApiSchema, live_api: LiveApi) -> None:
    """Scenarios that create something and follow the document's links from the answer (the item's GET,
    PATCH, DELETE and children), each in a tenant of its own so its steps do not depend on earlier ones."""
    machine = live_schema.as_state_machine()
    done: list[int] = []

    class Workflow(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            live_api.new_tenant()

        def teardown(self) -> None:
            done.append(1)

        def before_call(self, case: schemathesis.Case) -> None:
            _unique_idempotency_key(case)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": live_api.base_url, "timeout": 30}

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
            )

    for _attempt in range(5):
        try:
            Workflow.run(
                settings=settings(
                    max_examples=max(1, SCENARIOS - len(done)),
                    stateful_step_count=STEPS,
                    deadline=None,
                    database=None,
                    derandomize=False,  # a run that restarts (below) must not replay the same scenarios
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
            )
        except Flaky as exc:
            # The server's state is outside Hypothesis: a scenario replayed with the same draws can meet
            # other answers (a tenant slug taken by the first run) and take another turn. Schemathesis' own
            # runner restarts then, and so does this; a check that failed on the way is still reported.
            failures = exc.subgroup(FailureGroup) if isinstance(exc, BaseExceptionGroup) else None
            if failures is not None:
                raise failures.exceptions[0] from exc
        if len(done) >= SCENARIOS:
            break
    assert len(done) >= SCENARIOS / 2, f"only {len(done)} of {SCENARIOS} scenarios ran"
