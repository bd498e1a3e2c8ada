"""Smoke: the whole path from configuration to verdict works against the target."""

from __future__ import annotations

import pytest

from conformance.checks import expect, expect_status, not_claimed, require_operations, violate
from conformance.discovery import ECHO_GRAPH

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CORE_PATHS = ("/assistants", "/threads", "/store/items")


@pytest.mark.requirement("SMOKE-001")
def test_GET_ok_answers_200_with_ok_true(api, spec):
    require_operations(spec, "GET /ok")
    exchange = api.get("/ok")
    expect_status(exchange, 200, "SMOKE-001", "GET /ok")
    body = exchange.json_or_none()
    expect(isinstance(body, dict) and body.get("ok") is True, "SMOKE-001", "GET /ok: expected a JSON body with ok: true", exchange)


@pytest.mark.requirement("SMOKE-002")
def test_GET_info_answers_200_with_a_json_object(api, spec):
    require_operations(spec, "GET /info")
    exchange = api.get("/info")
    expect_status(exchange, 200, "SMOKE-002", "GET /info")
    expect(isinstance(exchange.json_or_none(), dict), "SMOKE-002", "GET /info: expected a JSON object", exchange)


@pytest.mark.requirement("SMOKE-003")
def test_the_spec_is_valid_openapi_3_and_declares_the_core_paths(spec):
    from conformance.spec import SPEC_BUNDLED, schema_errors

    if spec.kind == SPEC_BUNDLED:
        not_claimed("the run holds the deployment to the bundled spec of another implementation, not to one of its own")
    errors = schema_errors(spec.document)
    expect(not errors, "SMOKE-003", f"the spec from {spec.source} breaks the OpenAPI meta-schema", detail="\n".join(errors))
    paths = spec.document["paths"]
    missing = [p for p in CORE_PATHS if p not in paths]
    if "/threads/{thread_id}/runs" not in paths and "/runs" not in paths:
        missing.append("/threads/{thread_id}/runs or /runs")
    expect(not missing, "SMOKE-003", f"the spec does not declare the core paths: {', '.join(missing)}")


@pytest.mark.requirement("SMOKE-004")
def test_an_assistant_runs_on_a_new_thread_and_join_returns_its_final_state(api, spec, graph_id):
    require_operations(spec, "POST /assistants", "POST /threads", "POST /threads/{thread_id}/runs",
                       "GET /threads/{thread_id}/runs/{run_id}/join")
    created = api.post("/assistants", json=api.assistant_body(graph_id, name="conformance smoke"))
    expect_status(created, 200, "SMOKE-004", "creating an assistant")
    assistant_id = created.json()["assistant_id"]
    thread = api.post("/threads", json=api.tag())
    expect_status(thread, 200, "SMOKE-004", "creating a thread")
    thread_id = thread.json()["thread_id"]
    run = api.post(f"/threads/{thread_id}/runs", json={"assistant_id": assistant_id, "input": {"text": "smoke"}})
    expect_status(run, 200, "SMOKE-004", "creating a run")
    run_id = run.json()["run_id"]
    joined = api.get(f"/threads/{thread_id}/runs/{run_id}/join", timeout=60)
    expect_status(joined, 200, "SMOKE-004", "joining the run")
    state = joined.json_or_none()
    expect(isinstance(state, dict), "SMOKE-004", "joining the run: expected the final state as a JSON object", joined)
    if graph_id == ECHO_GRAPH and state.get("echo") != "smoke":
        violate("SMOKE-004", "the echo graph's final state should echo the input text 'smoke'", joined)


@pytest.mark.requirement("SMOKE-005")
def test_the_deployment_serves_its_spec_at_openapi_json_or_from_its_docs_page(target, api):
    from conformance.http import ForeignOrigin
    from conformance.spec import spec_link_in_docs

    own = api.get("/openapi.json")
    if own.status == 200 and isinstance(own.json_or_none(), dict) and "openapi" in own.json():
        return
    docs = api.get("/docs")
    link = spec_link_in_docs(docs.text, docs.url) if docs.status == 200 else None
    if link:
        try:
            linked = api.get(link)
        except ForeignOrigin:
            linked = None  # a spec elsewhere is not the deployment's own
        if linked is not None and linked.status == 200:
            return
    violate("SMOKE-005", f"the deployment serves no spec: GET /openapi.json answered {own.status}, GET /docs answered "
            f"{docs.status}{' and names no spec' if docs.status == 200 and not link else ''}", own)
