"""The pagination laws and discovery, on hand-made pages and specs: no server needed."""

from __future__ import annotations

import json

import pytest

from conformance import pagination as laws
from conformance.config import BUNDLED_SPEC
from conformance.pagination import Bound, Page, PaginatedOperation


def page(offset: int, limit: int, ids: str, **kw) -> Page:
    return Page(offset, limit, ids.split(), **kw)


# --- discovery ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def official() -> dict[str, PaginatedOperation]:
    document = json.loads(BUNDLED_SPEC.read_text())
    return {op.key: op for op in laws.discover(document)}


def test_discovery_finds_every_paginated_operation_of_the_official_spec(official):
    assert set(official) == {
        "POST /assistants/search", "POST /threads/search", "POST /runs/crons/search",
        "POST /store/items/search", "POST /store/namespaces", "GET /threads/{thread_id}/runs",
        "GET /threads/{thread_id}/history", "POST /threads/{thread_id}/history",
    }


def test_discovery_reads_bounds_sorts_and_defaults(official):
    search = official["POST /assistants/search"]
    assert search.location == "body"
    assert search.limit == Bound(1, 1000, True)
    assert search.offset == Bound(0, None, True)
    assert "name" in search.sort_by and search.sort_orders == ("asc", "desc")
    assert search.default_sort is None
    assert "metadata" in search.filters and "select" not in search.filters
    assert official["POST /runs/crons/search"].default_sort == ("created_at", "desc")
    runs = official["GET /threads/{thread_id}/runs"]
    assert runs.location == "query" and not runs.declares_bounds
    assert official["GET /threads/{thread_id}/history"].offset is None


def test_discovery_follows_refs_and_sees_declared_headers():
    document = {
        "paths": {"/things": {"get": {
            "parameters": [{"$ref": "#/components/parameters/Limit"}],
            "responses": {"200": {"headers": {"X-Pagination-Next": {"schema": {"type": "integer"}}}}},
        }}},
        "components": {"parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "exclusiveMinimum": 0}}}},
    }
    (op,) = laws.discover(document)
    assert op.key == "GET /things" and op.limit.minimum == 1 and op.declares_headers


def test_out_of_bounds_probes_only_where_bounds_are_declared(official):
    probes = laws.out_of_bounds_probes(official["POST /assistants/search"])
    assert ("limit", 0, "below the declared minimum 1") in probes
    assert ("limit", 1001, "above the declared maximum 1000") in probes
    assert ("offset", -1, "below the declared minimum 0") in probes
    assert any(name == "limit" and value == 2.5 for name, value, _ in probes)
    assert laws.out_of_bounds_probes(official["POST /store/items/search"]) == []


def test_parse_sort():
    assert laws.parse_sort("updated_at desc") == ("updated_at", "desc")
    with pytest.raises(ValueError):
        laws.parse_sort("updated_at downwards")


# --- the laws -------------------------------------------------------------------------------


def test_page_size():
    assert laws.page_size_problem(page(0, 3, "A1 A2 A3")) is None
    assert "more than limit=2" in laws.page_size_problem(page(0, 2, "A1 A2 A3"))


def test_filter():
    assert laws.filter_problem(["A2", "A4"], ["A2", "A4", "A6"]) is None
    assert "A3" in laws.filter_problem(["A2", "A3"], ["A2", "A4"])


def test_walk_sees_duplicates_gaps_and_strangers():
    expected = "A1 A2 A3 A4 A5".split()
    assert laws.walk_problem([page(0, 2, "A1 A2"), page(2, 2, "A3 A4"), page(4, 2, "A5")], expected) is None
    repeated = laws.walk_problem([page(0, 2, "A1 A2"), page(2, 2, "A2 A3"), page(4, 2, "A4 A5")], expected)
    assert "visited more than once: A2" in repeated
    gap = laws.walk_problem([page(0, 2, "A1 A2"), page(2, 2, "A4 A5")], expected)
    assert "never visited: A3" in gap
    stranger = laws.walk_problem([page(0, 9, "A1 A2 A3 A4 A5 ?x")], expected)
    assert "not in the full listing: ?x" in stranger


def test_end_page():
    assert laws.end_problem(page(5, 3, "")) is None
    assert "answered 404" in laws.end_problem(page(5, 3, "", status=404))
    assert "holds 1 item" in laws.end_problem(page(5, 3, "A5"))


def test_order_compares_timestamps_as_instants_and_skips_nulls():
    ids = ["A1", "A2", "A3"]
    keys = ["2026-01-01T10:00:00.5+00:00", "2026-01-01T11:00:00+01:00", "2026-01-01T10:30:00+00:00"]
    # 11:00+01:00 is 10:00Z: before 10:00:00.5Z, although its text sorts after it.
    assert laws.order_problem(ids, keys, "asc", "created_at") is not None
    assert laws.order_problem(["A2", "A1", "A3"], [keys[1], keys[0], keys[2]], "asc", "created_at") is None
    assert laws.order_problem(["A1", "A2", "A3"], ["b", None, "a"], "desc", "name") is None
    assert "A1 ('a') comes before A2 ('b')" in laws.order_problem(["A1", "A2"], ["a", "b"], "desc", "name")


def test_reversal_ignores_ties_and_sees_an_ignored_sort_order():
    keys = {"A1": "x", "A2": "y", "A3": "y", "A4": "z"}
    assert laws.reversal_problem(["A1", "A2", "A3", "A4"], ["A4", "A2", "A3", "A1"], keys, "name") is None
    problem = laws.reversal_problem(["A1", "A2", "A4"], ["A1", "A2", "A4"], keys, "name")
    assert "same order in asc and in desc" in problem


def test_stability():
    assert laws.stability_problem(["A1", "A2"], ["A1", "A2"]) is None
    assert "[A1 A2] then [A2 A1]" in laws.stability_problem(["A1", "A2"], ["A2", "A1"])


@pytest.mark.parametrize(
    "p, matching, sends, verdict",
    [
        (page(0, 3, "A1 A2 A3", next="3"), 5, True, None),
        (page(3, 3, "A4 A5"), 5, True, None),
        (page(3, 3, "A4 A5", next="6"), 5, True, "sent on the last page"),
        (page(0, 3, "A1 A2 A3", next="4"), 5, True, "expected offset + limit = 3"),
        (page(0, 3, "A1 A2 A3"), 5, True, "no X-Pagination-Next was sent"),
        (page(0, 3, "A1 A2 A3"), 5, False, None),  # a server that never sends it is not judged here
        (page(2, 3, "A3 A4 A5", next="5"), 5, True, "sent on the last page"),  # exactly full, yet last
    ],
)
def test_next_header(p, matching, sends, verdict):
    problem = laws.next_header_problem(p, matching, sends)
    assert (problem is None) if verdict is None else (verdict in problem)


def test_total_header_in_both_meanings():
    # The official server: offset + returned, +1 when more exist.
    assert laws.total_header_problem(page(0, 2, "A1 A2", total="3"), 5, "offset-plus-returned") is None
    assert laws.total_header_problem(page(4, 2, "A5", total="5"), 5, "offset-plus-returned") is None
    assert laws.total_header_problem(page(0, 2, "A1 A2", total="5"), 5, "total") is None
    # LangGraph.js: offset + total matches.
    assert "expected 5" in laws.total_header_problem(page(1, 3, "A2 A3 A4", total="6"), 5, "total")
    assert laws.total_header_problem(page(0, 2, "A1 A2"), 5, "total") is None


def test_count():
    assert laws.count_problem(5, 5) is None
    assert "says 6" in laws.count_problem(6, 5)
    assert "not an integer" in laws.count_problem(True, 1)


def test_items_of_bare_and_wrapped_lists():
    assert laws.items_of([1, 2]) == [1, 2]
    assert laws.items_of({"items": [1]}) == [1]
    assert laws.items_of({"namespaces": [["a"]]}) == [["a"]]
    assert laws.items_of({"a": [], "b": []}) is None
    assert laws.items_of("nope") is None


def test_counterexample_names_the_request_and_every_page():
    text = laws.describe_pages([page(0, 2, "A1 A2", next="2", total="3"), page(2, 2, "A2 A3")])
    assert "offset=0 limit=2 -> 200 [A1 A2] next=2 total=3" in text
    assert "offset=2 limit=2 -> 200 [A2 A3]" in text
    assert laws.describe_request(2, 4, ("name", "asc"), "odd") == "limit=2 offset=4 sort=name asc filter=odd"
