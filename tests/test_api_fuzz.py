"""A property-based fuzz of the whole API from its own OpenAPI document (schemathesis): every
operation, signed in as an administrator, with a fixed seed and a bounded number of cases. It
fails on any 5xx, any status or response shape the document does not declare, and any request
the document calls invalid that the API accepts.

``API_FUZZ_EXAMPLES`` sets the cases per operation and mode (default 12; the long run: 150).
The test makes an account first, so paths that name account 1 find one."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from auth_support import ADMIN_TOKEN

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_every_operation_answers_as_documented(app, admin):
    from erp_integrations.accounts import create_account

    create_account("tiktok_shop", {"name": "Fuzzed", "region": "US", "app_key": "abcd1234", "app_secret": "fuzz-secret-value"})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, cases = {}, 0
    for result, mode in ((r, m) for r in schema.get_all_operations() for m in GenerationMode):
        operation = result.ok()

        # Positive cases: valid per the document; negative ones: invalid, and must be refused.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):
            nonlocal cases
            cases += 1
            # A schema-valid request may still be refused: a connector's config is an object in
            # the document, and its fields are the connector's (422 with a message per field).
            case.call_and_validate(headers=AUTH, excluded_checks=[positive_data_acceptance])

        try:
            fuzz()
        except BaseException as exc:  # noqa: BLE001 - collected (hypothesis raises groups), so one run reports every failing operation
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures[f"{operation.label} ({mode.value})"] = str(exc)[:1500]
    print(f"API fuzz: {cases} cases over {len(list(schema.get_all_operations()))} operations, positive and negative")
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
