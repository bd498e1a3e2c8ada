"""Contract: every operation of the deployment's own spec, exercised with generated requests
(schemathesis over hypothesis), every response held to the spec (with its documented errata, or
none under --strict-spec); deleted resources stay deleted; linked sequences keep the contract."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

import pytest

from conformance import contract as wiring
from conformance.capabilities import capability_of
from conformance.checks import expect, expect_status, not_claimed, not_exercised, require_cron_id, require_json
from conformance.cleanup import store_namespace
from conformance.http import ApiClient, segment
from conformance.session import run_of
from conformance.spec import SPEC_BUNDLED

pytestmark = pytest.mark.filterwarnings("ignore")  # schemathesis/hypothesis warn about generation details

GENERATED = ("CON-001", "CON-002", "CON-003", "CON-004", "CON-005", "CON-006", "CON-007", "CON-008", "CON-009")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per operation of the target's spec, known only once the target is resolved."""
    if "operation" not in metafunc.fixturenames:
        return
    run = run_of(metafunc.config)
    labels = wiring.operation_labels(run.spec.document) if run is not None and run.spec is not None else []
    metafunc.parametrize("operation", labels, ids=labels)


@pytest.fixture(scope="session")
def contract(target, spec) -> dict[str, Any]:
    """The corrected spec as a schemathesis schema (built once per process), and what is excluded."""
    overlay = wiring.corrected(spec.document, target)
    schema = wiring.build_schema(overlay, target)
    return {"overlay": overlay, "schema": schema, "excluded": {**wiring.UNSAFE, **overlay.excluded}}


@pytest.fixture
def record(request: pytest.FixtureRequest):
    """What this test did, handed to the controller (contract.json is assembled there, over all workers)."""
    made = wiring.ContractRecord()
    yield made
    request.node.user_properties.append(("contract", made.to_property()))


def _settings(examples: int, target: Any):
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        max_examples=examples,
        deadline=None,  # network latency is not a property of the generated data
        database=wiring.hypothesis_database(target),
        phases=(Phase.explicit, Phase.reuse, Phase.generate),  # no shrinking: findings are collected, not raised
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,
    )


def _exercise(operation_obj: Any, mode: Any, examples: int, seed: int, act, target: Any) -> int:
    """Run `act(case)` over `examples` generated cases of one mode; returns how many were sent."""
    from hypothesis import given
    from hypothesis import seed as fix_seed
    from hypothesis.errors import Unsatisfiable
    from schemathesis.core.control import SkipTest

    sent = [0]

    @given(case=operation_obj.as_strategy(generation_mode=mode))
    def generated(case: Any) -> None:
        sent[0] += 1
        act(case)

    test = fix_seed(seed)(_settings(examples, target)(generated))  # the run's seed replays the run
    try:
        test()
    except (SkipTest, Unsatisfiable):
        pass  # an operation without inputs: no invalid request exists, and one valid request is all there is
    return sent[0]


@pytest.mark.requirement(*GENERATED, "CON-012")
def test_every_operation_answers_generated_requests_within_its_contract(operation, contract, record, target, api, spec, capabilities, request):
    from schemathesis.generation import GenerationMode

    record.operation = operation
    # Held to another implementation's spec, CON-012 judges what CON-002..005 judge against one's own.
    foreign = spec.kind == SPEC_BUNDLED
    unclaimed = ({rid: "the run holds the deployment to the bundled spec of another implementation (CON-012 judges that)"
                  for rid in wiring.OWN_SPEC_ONLY} if foreign else
                 {wiring.FOREIGN_SPEC_REQUIREMENT: "the run holds the deployment to its own spec (CON-002..005 judge that)"})
    request.node.user_properties.append(("unclaimed", json.dumps(unclaimed)))
    if operation in contract["excluded"]:
        record.excluded = contract["excluded"][operation]
        not_exercised(f"excluded from generated calls: {record.excluded}")
    method, path = operation.split(" ", 1)
    capability = capability_of(path)
    if capability and not capabilities.has(capability):
        not_claimed(f"{operation} belongs to {capability}, which the target does not have ({capabilities.why.get(capability, '')})")
    operation_obj = contract["schema"][path][method]
    base_url = target.base_url
    known = lambda: wiring.known_resource_ids(target.graph_ids)  # noqa: E731
    findings: dict[tuple, wiring.Finding] = {}
    pipeline = wiring.Pipeline(api, base_url, known)
    request.addfinalizer(pipeline.close)

    def act(case: Any) -> None:
        record.sending(case, target.run_id)
        wiring.prepare(case, api, target.seed, len(record.sent))
        pipeline.submit(case)

    positive = max(1, math.ceil(target.examples / 2))
    negative = max(1, target.examples - positive)
    modes = [(GenerationMode.POSITIVE, positive), (GenerationMode.NEGATIVE, negative)]
    if operation in contract["overlay"].positive_only:
        modes = [(GenerationMode.POSITIVE, target.examples)]  # documented in the erratum that says why
    sent = {"positive": 0, "negative": 0, "coverage": 0}
    for case in wiring.coverage_cases(operation_obj, contract["schema"], target.coverage_cases):
        if operation in contract["overlay"].positive_only and not case.meta.generation.mode.is_positive:
            continue
        act(case)
        sent["coverage"] += 1
    record.add("coverage", sent["coverage"])
    for mode, budget in modes:
        sent[mode.value] = _exercise(operation_obj, mode, budget, wiring.operation_seed(target.seed, operation, mode.value), act, target)
        record.add(mode.value, sent[mode.value])
    for finding in pipeline.drain():
        findings.setdefault(finding.distinct_key(target.profile.deviations), finding)
    if spec.kind == SPEC_BUNDLED:
        for finding in findings.values():
            if finding.requirement in wiring.OWN_SPEC_ONLY:
                finding.requirement = wiring.FOREIGN_SPEC_REQUIREMENT
    record.note(findings.values())
    violation = wiring.findings_to_violations(list(findings.values()))
    if violation is not None:
        raise violation
    if not any(sent.values()):
        not_exercised(f"{operation}: no request could be generated from its schema")
    if not sent.get("positive") and not sent.get("coverage"):
        record.unexercised = "no valid request could be generated"


# --- deleted resources are gone ----------------------------------------------------------------

DELETABLE = (
    pytest.param("assistant", marks=pytest.mark.needs("assistants", "graph")),
    pytest.param("thread", marks=pytest.mark.needs("threads")),
    pytest.param("run", marks=pytest.mark.needs("runs", "graph")),
    pytest.param("cron", marks=pytest.mark.needs("crons", "graph")),
    pytest.param("store item", marks=pytest.mark.needs("store")),
)


def _create(kind: str, api: ApiClient, graph_id: str) -> tuple[str, str, dict | None]:
    """Create one `kind` (a setup step: a refusal leaves CON-010 not judged); returns (read path, delete path, delete body)."""
    if kind == "assistant":
        made = api.post("/assistants", json=api.assistant_body(graph_id, name="conformance contract"))
        path = f"/assistants/{segment(require_json(made, 'creating an assistant', 'assistant_id'))}"
        return path, path, None
    if kind in ("thread", "run"):
        made = api.post("/threads", json=api.tag())
        path = f"/threads/{segment(require_json(made, 'creating a thread', 'thread_id'))}"
        if kind == "thread":
            return path, path, None
        run = api.post(f"{path}/runs", json={"assistant_id": graph_id, "input": {"text": "contract"}})
        run_path = f"{path}/runs/{segment(require_json(run, 'creating a run', 'run_id'))}"
        api.get(f"{run_path}/join", timeout=60)  # a finished run can be deleted
        return run_path, run_path, None
    if kind == "cron":
        metadata = {"conformance_run": api.run_id, "conformance_cron": uuid.uuid4().hex}
        made = api.post("/runs/crons", json={"assistant_id": graph_id, "schedule": "0 0 1 1 *", "input": {"text": "contract"},
                                             "metadata": metadata})
        path = f"/runs/crons/{segment(require_cron_id(api, made, metadata, 'creating a cron'))}"
        return path, path, None
    namespace, key = store_namespace(api.run_id, "contract"), uuid.uuid4().hex
    made = api.put("/store/items", json={"namespace": namespace, "key": key, "value": {"run": api.run_id}})
    require_json(made, "putting a store item")
    query = f"/store/items?namespace={'.'.join(namespace)}&key={key}"
    return query, "/store/items", {"namespace": namespace, "key": key}


_KIND_PATHS = {
    "assistant": ("GET /assistants/{assistant_id}", "DELETE /assistants/{assistant_id}"),
    "thread": ("GET /threads/{thread_id}", "DELETE /threads/{thread_id}"),
    "run": ("GET /threads/{thread_id}/runs/{run_id}", "DELETE /threads/{thread_id}/runs/{run_id}"),
    "cron": ("DELETE /runs/crons/{cron_id}",),
    "store item": ("GET /store/items", "DELETE /store/items"),
}


def _gone(exchange) -> bool:
    # A store item that is gone reads back as 404, or as an empty 200 (the official server answers null).
    return exchange.status == 404 or (exchange.status == 200 and exchange.body.strip() in (b"null", b""))


@pytest.mark.requirement("CON-010")
@pytest.mark.parametrize("kind", DELETABLE)
def test_a_deleted_resource_is_gone_when_read_again(kind, spec, api, capabilities):
    from conformance.checks import require_operations

    require_operations(spec, *_KIND_PATHS[kind])
    if kind == "cron" and not _declares(spec, "GET /runs/crons/{cron_id}"):
        not_claimed("the spec declares no GET /runs/crons/{cron_id} to read a cron back with")
    read, delete, body = _create(kind, api, capabilities.graph_id)
    before = api.get(read)
    expect_status(before, 200, "CON-010", f"reading the {kind} just created")
    expect(not _gone(before), "CON-010", f"the {kind} just created reads back empty", before)
    deleted = api.request("DELETE", delete, json=body)
    expect(200 <= deleted.status < 300, "CON-010", f"deleting the {kind}: expected 2xx, received {deleted.status}", deleted)
    after = api.get(read)
    expect(_gone(after), "CON-010", f"the deleted {kind} was read again: expected 404, received {after.status}", after)


def _declares(spec, label: str) -> bool:
    from conformance.checks import declared

    return declared(spec, label)


# --- linked sequences ---------------------------------------------------------------------------


@pytest.mark.requirement("CON-011", "CON-010", "CON-001", "CON-012")
def test_linked_operation_sequences_over_real_resources_keep_the_contract(contract, record, target, api, spec, request):
    if spec.kind != SPEC_BUNDLED:
        unclaimed = {wiring.FOREIGN_SPEC_REQUIREMENT: "the run holds the deployment to its own spec (CON-011 judges that)"}
        request.node.user_properties.append(("unclaimed", json.dumps(unclaimed)))
    if not target.stateful:
        not_exercised(f"the {target.budget} budget runs no stateful sequences")
    exercised: set[str] = set()
    findings = wiring.run_stateful(contract["schema"], record, target, api, contract["excluded"],
                                   foreign_spec=spec.kind == SPEC_BUNDLED, exercised=exercised)
    request.node.user_properties.extend(("operation", label) for label in sorted(exercised))
    record.note(findings)
    violation = wiring.findings_to_violations(findings)
    if violation is not None:
        raise violation
