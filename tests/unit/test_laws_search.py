"""The search laws and filter discovery, on hand-made results and specs: no server needed."""

from __future__ import annotations

import json

import pytest

from conformance import laws_search as laws
from conformance.config import BUNDLED_SPEC


@pytest.fixture(scope="module")
def official() -> dict[str, laws.SearchFilter]:
    return {f.key: f for f in laws.discover_filters(json.loads(BUNDLED_SPEC.read_text()))}


def test_discovery_finds_the_filters_of_the_official_spec_and_leaves_out_options(official):
    assert {"POST /threads/search ids", "POST /threads/search values", "POST /threads/search status",
            "POST /assistants/search graph_id", "POST /runs/crons/search enabled", "GET /threads/{thread_id}/runs status",
            "POST /store/items/search filter", "POST /store/namespaces suffix"} <= set(official)
    names = {f.name for f in official.values()}
    assert not names & {"select", "extract", "refresh_ttl", "max_depth", "limit", "offset", "sort_by", "sort_order"}


def test_discovery_pairs_a_filter_with_the_count_that_declares_it(official):
    assert official["POST /threads/search status"].count_path == "/threads/count"
    assert official["POST /assistants/search name"].count_path == "/assistants/count"
    assert official["POST /threads/search ids"].count_path == ""  # ThreadCountRequest has no ids
    assert official["POST /runs/crons/search enabled"].count_path == ""  # nor CronCountRequest an enabled
    assert official["GET /threads/{thread_id}/runs status"].count_path == ""


def test_id_filters_are_the_ones_naming_resources_not_graphs(official):
    ids = {key for key, f in official.items() if f.names_an_id}
    assert ids == {"POST /threads/search ids", "POST /runs/crons/search assistant_id", "POST /runs/crons/search thread_id"}


def test_a_count_is_found_only_beside_a_declared_search():
    document = {"paths": {
        "/things/search": {"post": {"requestBody": {"content": {"application/json": {"schema": {
            "properties": {"limit": {"type": "integer"}, "colour": {"type": "string"}}}}}}}},
        "/things/count": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/C"}}}}}},
        "/others/search": {"post": {"requestBody": {"content": {"application/json": {"schema": {
            "properties": {"limit": {"type": "integer"}, "size": {"type": "string"}}}}}}}},
    }, "components": {"schemas": {"C": {"properties": {"colour": {"type": "string"}}}}}}
    found = {f.key: f.count_path for f in laws.discover_filters(document)}
    assert found == {"POST /things/search colour": "/things/count", "POST /others/search size": ""}


def test_narrowing_needs_every_match_and_nothing_else():
    labels = {"a": "T1", "b": "T2", "c": "T3"}
    assert laws.narrowing_problem(["b"], {"b"}, labels) is None
    assert laws.narrowing_problem(["b", "a"], {"a", "b"}, labels) is None
    missing = laws.narrowing_problem([], {"b"}, labels)
    assert missing and "T2" in missing and "not found" in missing
    extra = laws.narrowing_problem(["b", "c", "zzzzzzzzzz"], {"b"}, labels)
    assert extra and "T3" in extra and "?zzzzzzzz" in extra and "not found" not in extra


def test_nothing_found_is_200_and_empty():
    assert laws.nothing_found_problem(200, []) is None
    assert laws.nothing_found_problem(200, 0) is None
    assert "1 item" in laws.nothing_found_problem(200, [{"id": 1}])
    assert "3 item" in laws.nothing_found_problem(200, 3)
    assert "404" in laws.nothing_found_problem(404, None)
    assert laws.nothing_found_problem(200, False) is not None  # a boolean is no count
    assert laws.nothing_found_problem(200, {"items": []}) is not None


def test_a_splitting_pair_selects_a_proper_part():
    metadatas = [{"source": "loop", "step": 1}, {"source": "loop", "step": 0}, {"source": "input", "step": -1}]
    assert laws.splitting_pair(metadatas) == ("source", "loop")
    assert laws.splitting_pair([{"step": 1}, {"step": 2}]) == ("step", 1)
    assert laws.splitting_pair([{"source": "x"}, {"source": "x"}]) is None  # everyone holds it
    assert laws.splitting_pair([{"flag": True}, {"flag": False}]) is None  # booleans are not chosen
    assert laws.splitting_pair([None, {"other": "y"}]) == ("other", "y")
