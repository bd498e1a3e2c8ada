"""The pure laws of the assistants and threads suites, on hand-made values."""

from __future__ import annotations

from conformance.laws_threads import (
    body_declares,
    checkpoint_id_of,
    contains,
    declares_header,
    differences,
    graph_shape,
    pages_tile,
    schema_properties,
    versions_newest_first,
)


def test_what_was_written_is_contained_in_what_reads_back():
    written = {"tags": ["a"], "recursion_limit": 7, "nested": {"k": 1}}
    assert contains({**written, "configurable": {"x": 1}, "nested": {"k": 1, "extra": 2}}, written)
    assert not contains({"tags": ["a", "b"], "recursion_limit": 7, "nested": {"k": 1}}, written)  # lists are equal or not
    assert differences({"tags": ["a"], "nested": {"k": 2}}, written, "config") == [
        "config.recursion_limit: missing (expected 7)", "config.nested.k: expected 1, received 2"]
    assert differences(None, {"a": 1}, "metadata") == ["metadata: expected an object holding {'a': 1}, received None"]
    assert contains("x", "x") and not contains("x", "y")


def test_a_state_names_its_checkpoint_nested_or_at_the_top():
    assert checkpoint_id_of({"checkpoint": {"checkpoint_id": "c1"}, "checkpoint_id": "c0"}) == "c1"
    assert checkpoint_id_of({"checkpoint": None, "checkpoint_id": "c2"}) == "c2"
    assert checkpoint_id_of({"checkpoint": {}}) is None
    assert checkpoint_id_of([]) is None


def test_history_pages_must_tile_the_full_history():
    full = ["c5", "c4", "c3", "c2", "c1"]
    assert pages_tile(full, [["c5", "c4"], ["c3", "c2"], ["c1"]], 2) == (True, "")
    assert pages_tile(full, [["c5", "c4"], ["c3", "c2"], ["c1"], []], 2)[0]
    ok, detail = pages_tile(full, [["c5", "c4", "c3"], ["c2", "c1"]], 2)
    assert not ok and "more than the limit" in detail
    ok, detail = pages_tile(full, [["c5"], ["c4", "c3"], ["c2", "c1"]], 2)
    assert not ok and "not the limit" in detail
    assert not pages_tile(full, [["c5", "c4"], ["c5", "c4"], ["c1"]], 2)[0]  # `before` ignored
    assert not pages_tile(full, [["c5", "c4"], ["c2", "c1"]], 2)[0]  # an entry skipped


def test_versions_must_be_listed_newest_first():
    assert versions_newest_first([{"version": 3}, {"version": 2}, {"version": 1}]) == (True, "")
    assert not versions_newest_first([{"version": 1}, {"version": 2}])[0]
    assert not versions_newest_first([{"version": 2}, {"version": 2}])[0]
    assert not versions_newest_first([{"version": "2"}])[0]
    assert versions_newest_first([])[0]


def test_state_keys_are_read_from_a_schemas_properties():
    assert schema_properties({"properties": {"text": {}, "echo": {}}}) == {"text", "echo"}
    assert schema_properties({"allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}]}) == {"a", "b"}
    assert schema_properties(None) == set()


def test_a_graph_lists_its_nodes_and_edges_join_them():
    graph = {"nodes": [{"id": "__start__"}, {"id": "copy_text"}, {"id": "__end__"}],
             "edges": [{"source": "__start__", "target": "copy_text"}, {"source": "copy_text", "target": "__end__"}]}
    assert graph_shape(graph) == ({"__start__", "copy_text", "__end__"}, [])
    nodes, problems = graph_shape({"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]})
    assert nodes == {"a"} and problems == ["edge 'a' -> 'b': its target is no listed node"]
    assert graph_shape({"nodes": []})[1]


SPEC = {
    "paths": {
        "/threads/{thread_id}": {
            "parameters": [{"$ref": "#/components/parameters/Prefer"}],
            "patch": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/P"}}}}},
            "get": {"parameters": [{"name": "include", "in": "query"}]},
        },
        "/threads/prune": {
            "post": {"requestBody": {"content": {"application/json": {"schema": {
                "allOf": [{"$ref": "#/components/schemas/P"}, {"properties": {"thread_ids": {}}}]}}}}},
        },
        "/threads": {"post": {}},
    },
    "components": {
        "parameters": {"Prefer": {"name": "prefer", "in": "header"}},
        "schemas": {"P": {"properties": {"metadata": {}}}},
    },
}


def test_a_spec_declares_a_header_on_the_operation_or_its_path():
    assert declares_header(SPEC, "PATCH", "/threads/{thread_id}", "Prefer")
    assert not declares_header(SPEC, "POST", "/threads", "Prefer")
    assert not declares_header(SPEC, "PATCH", "/nowhere", "Prefer")
    assert not declares_header(SPEC, "GET", "/threads/{thread_id}", "include")  # a query parameter


def test_a_spec_declares_a_body_property_through_refs():
    assert body_declares(SPEC, "POST", "/threads/prune", "thread_ids")
    assert body_declares(SPEC, "PATCH", "/threads/{thread_id}", "metadata")
    assert not body_declares(SPEC, "PATCH", "/threads/{thread_id}", "thread_ids")
    assert not body_declares(SPEC, "POST", "/threads", "thread_ids")  # no body declared
