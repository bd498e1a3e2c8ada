"""The protected surface and its otherwise-valid requests (conformance.surface): pure logic, no server."""

from __future__ import annotations

import json

import pytest

from conformance import surface
from conformance.config import BUNDLED_SPEC, DEFAULT_PUBLIC_PATHS


@pytest.fixture(scope="module")
def document() -> dict:
    return json.loads(BUNDLED_SPEC.read_text())


@pytest.fixture
def resources() -> surface.Resources:
    return surface.Resources(
        graph_id="echo", assistant_id="a-1", thread_id="t-1", run_id="r-1", cron_id="c-1", checkpoint_id="k-1",
        store_namespace=("ns", "x"), store_key="item", tag={"conformance_run": "run"}, secret="s3cr3t",
    )


def test_the_protected_surface_is_every_operation_but_the_public_paths(document):
    everything = surface.operations(document)
    protected = surface.protected_operations(document, DEFAULT_PUBLIC_PATHS)
    assert len(everything) == 64
    assert len(protected) == 60
    assert not {op.path for op in protected} & set(DEFAULT_PUBLIC_PATHS)
    assert surface.Operation("GET", "/threads/{thread_id}") in protected


def test_public_paths_match_with_or_without_a_trailing_slash():
    assert surface.is_public("/ok/", ["/ok"])
    assert surface.is_public("/docs", ["/docs/"])
    assert not surface.is_public("/okay", ["/ok"])


def test_every_prepared_request_has_its_path_filled_and_its_required_parts(document, resources):
    for op in surface.protected_operations(document, DEFAULT_PUBLIC_PATHS):
        prepared = surface.prepare(op, resources, document)
        assert "{" not in prepared.path, op.label
        if op.spec.get("requestBody", {}).get("required"):
            assert prepared.json is not None, op.label
    run = surface.prepare(surface.Operation("GET", "/threads/{thread_id}/runs/{run_id}"), resources, document)
    assert run.path == "/threads/t-1/runs/r-1"


def test_prepared_bodies_address_the_given_resources(document, resources):
    ops = {op.label: op for op in surface.operations(document)}
    assert surface.prepare(ops["POST /threads/{thread_id}/runs"], resources, document).json["assistant_id"] == "a-1"
    store_get = surface.prepare(ops["GET /store/items"], resources, document)
    assert store_get.params == {"key": "item", "namespace": "ns.x"}
    a2a = surface.prepare(ops["POST /a2a/{assistant_id}"], resources, document)
    assert a2a.headers.get("Accept", "").startswith("application/json")


def test_prepared_requests_never_carry_the_secret(document, resources):
    for op in surface.operations(document):
        prepared = surface.prepare(op, resources, document)
        assert "s3cr3t" not in json.dumps([prepared.path, prepared.params, prepared.json]), op.label


def test_destructive_operations_are_sent_last(document):
    ordered = surface.in_sending_order(surface.operations(document))
    first_destructive = next(i for i, op in enumerate(ordered) if op.destructive)
    assert all(op.destructive for op in ordered[first_destructive:])
    assert surface.Operation("POST", "/threads/prune") in ordered[first_destructive:]


def test_streaming_operations_are_recognised(document):
    ops = {op.label: op for op in surface.operations(document)}
    assert ops["GET /threads/{thread_id}/stream"].streams
    assert not ops["GET /threads/{thread_id}"].streams


def test_minimal_value_takes_required_properties_refs_and_the_first_non_null_branch():
    document = {"components": {"schemas": {"Kind": {"type": "string", "enum": ["b", "c"]}}}}
    schema = {
        "type": "object",
        "required": ["kind", "items", "count", "maybe"],
        "properties": {
            "kind": {"$ref": "#/components/schemas/Kind"},
            "items": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 3}},
            "count": {"type": "integer"},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
            "optional": {"type": "string"},
        },
    }
    assert surface.minimal_value(schema, document) == {"kind": "b", "items": [3], "count": 1, "maybe": False}


def test_leaked_finds_the_secret_and_ids_the_request_did_not_carry(resources):
    body = b'{"detail": "Thread t-1 not found", "run": "r-1", "value": "s3cr3t"}'
    assert surface.leaked(body, resources, "/threads/t-1") == ["s3cr3t", "r-1"]
    assert surface.leaked(b'{"detail": "Missing or invalid API key"}', resources) == []
