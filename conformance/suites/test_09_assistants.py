"""Assistants: what is created reads back, versions, latest, filters, the graph's description, deletion.

Every assistant the module makes carries a probe label of its own in its metadata, so searches
can be narrowed to them whatever else the deployment holds (graph-default assistants, other
runs'), and in its config's tags: Aegra refuses a second assistant with the same graph and config
(ASST-UNIQ in the research notes), which is not what these requirements are about. Fixtures only
fetch; every judgement is made in a test, under that test's requirement.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.checks import Violation, expect, expect_status, raise_all, require, require_json
from conformance.http import ApiClient, Exchange, segment
from conformance.laws_threads import differences, graph_shape, schema_properties, versions_newest_first

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.operations("POST /assistants", "GET /assistants/{assistant_id}"),
]

# The echo graph's state keys (the conformance graphs' contract).
ECHO_STATE_KEYS = {"text", "echo", "history"}


@pytest.fixture(scope="module")
def probe() -> str:
    """A label only this module's assistants carry (metadata `conformance_probe`)."""
    return uuid.uuid4().hex[:12]


def body(exchange: Exchange) -> dict:
    found = exchange.json_or_none()
    return found if isinstance(found, dict) else {}


def path(assistant_id: str, tail: str = "") -> str:
    return f"/assistants/{segment(assistant_id)}{tail}"


def create(api: ApiClient, payload: dict[str, Any], what: str) -> str:
    return require_json(api.post("/assistants", json=api.tag(payload)), what, "assistant_id")


def read_back(findings: list[Violation], rid: str, exchange: Exchange, what: str, expected: dict[str, Any]) -> None:
    """File a finding under `rid` for every field of `expected` that `exchange`'s assistant lacks."""
    for problem in differences(body(exchange), expected):
        findings.append(Violation(rid, f"{what}: {problem}", exchange))


# --- creation ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(graph_id: str, probe: str) -> dict[str, Any]:
    return {
        "graph_id": graph_id,
        "name": f"conformance read-back {probe}",
        "config": {"tags": ["conformance", probe], "recursion_limit": 7},
        "context": {"conformance_context": probe},
        "metadata": {"conformance_probe": probe, "purpose": "read-back"},
    }


@pytest.mark.requirement("ASST-001")
def test_an_assistant_reads_back_with_what_it_was_created_with(api, written):
    created = api.post("/assistants", json=api.tag(written))
    expect_status(created, 200, "ASST-001", "creating an assistant with graph_id, name, config, context and metadata")
    assistant_id = body(created).get("assistant_id")
    expect(isinstance(assistant_id, str) and assistant_id, "ASST-001", "the created assistant has no assistant_id", created)
    read = api.get(path(assistant_id))
    expect_status(read, 200, "ASST-001", "reading the assistant just created")
    findings: list[Violation] = []
    read_back(findings, "ASST-001", created, "the creation's answer", written)
    read_back(findings, "ASST-001", read, "the assistant read back", {**written, "assistant_id": assistant_id})
    raise_all(findings)


# --- versions ------------------------------------------------------------------------------

V1 = {"name": "conformance version one", "config": {"tags": ["v1"]}, "context": {"step": 1},
      "metadata": {"stage": "one", "kept": "from v1"}}
PATCH = {"name": "conformance version two", "config": {"tags": ["v2"]}, "context": {"step": 2},
         "metadata": {"stage": "two"}}


def tagged(config: dict, probe: str) -> dict:
    return {**config, "tags": [*config.get("tags", []), probe]}


@pytest.fixture(scope="module")
def versioned(api: ApiClient, graph_id: str, probe: str) -> dict[str, Any]:
    """An assistant made at version 1, patched to a version 2, listed, then set back to version 1."""
    v1 = {**V1, "config": tagged(V1["config"], probe), "metadata": {**V1["metadata"], "conformance_probe": probe}}
    patch = {**PATCH, "config": tagged(PATCH["config"], probe)}
    created = api.post("/assistants", json=api.tag({**v1, "graph_id": graph_id}))
    assistant_id = require_json(created, "creating the assistant to version", "assistant_id")
    out: dict[str, Any] = {"id": assistant_id, "created": created, "v1": v1, "patch": patch}
    out["patched"] = api.patch(path(assistant_id), json=patch)
    out["after_patch"] = api.get(path(assistant_id))
    # The SDK's body; the spec declares none (erratum) and Aegra ignores it.
    out["versions"] = api.post(path(assistant_id, "/versions"), json={"limit": 10, "offset": 0})
    version = body(created).get("version", 1)
    out["first_version"] = version
    # The SDK sends {"version": n} as a JSON body; the spec declares a query parameter: send both.
    out["latest"] = api.post(path(assistant_id, "/latest"), json={"version": version}, params={"version": version})
    out["after_latest"] = api.get(path(assistant_id))
    return out


@pytest.mark.requirement("ASST-002")
@pytest.mark.operations("PATCH /assistants/{assistant_id}")
def test_patching_an_assistant_creates_a_new_version(versioned):
    first = versioned["first_version"]
    expect(isinstance(first, int), "ASST-002", f"the created assistant's version should be an integer, received {first!r}",
           versioned["created"])
    expect_status(versioned["patched"], 200, "ASST-002", "patching the assistant's name, config, context and metadata")
    expect_status(versioned["after_patch"], 200, "ASST-002", "reading the patched assistant")
    patch = versioned["patch"]
    merged = {**versioned["v1"]["metadata"], **patch["metadata"]}
    expected = {"version": first + 1, "name": patch["name"], "config": patch["config"], "metadata": merged}
    findings: list[Violation] = []
    read_back(findings, "ASST-002", versioned["patched"], "the PATCH's answer", expected)
    read_back(findings, "ASST-002", versioned["after_patch"], "the assistant read after PATCH", expected)
    raise_all(findings)


@pytest.mark.requirement("ASST-003")
@pytest.mark.operations("PATCH /assistants/{assistant_id}", "POST /assistants/{assistant_id}/versions")
def test_the_version_listing_lists_every_version_newest_first(versioned):
    require(versioned["patched"], "patching the assistant to make a second version")
    listing = versioned["versions"]
    expect_status(listing, 200, "ASST-003", "listing the assistant's versions")
    versions = listing.json_or_none()
    expect(isinstance(versions, list), "ASST-003", "listing versions: expected a JSON array", listing)
    first = versioned["first_version"]
    numbers = [v.get("version") for v in versions if isinstance(v, dict)]
    expect(numbers == [first + 1, first], "ASST-003",
           f"an assistant made at version {first} and patched once should list versions {[first + 1, first]}, listed {numbers}",
           listing)
    ordered, detail = versions_newest_first(versions)
    expect(ordered, "ASST-003", "the versions are not listed newest first", listing, detail)
    findings: list[Violation] = []
    patch = versioned["patch"]
    for entry, values in zip(versions, ({**patch, "metadata": {**versioned["v1"]["metadata"], **patch["metadata"]}},
                                        versioned["v1"]), strict=True):
        for problem in differences(entry, {"name": values["name"], "config": values["config"], "metadata": values["metadata"]}):
            findings.append(Violation("ASST-003", f"version {entry.get('version')}: {problem}", listing))
    raise_all(findings)


@pytest.mark.requirement("ASST-004")
@pytest.mark.operations("PATCH /assistants/{assistant_id}", "POST /assistants/{assistant_id}/latest")
def test_setting_an_older_version_as_latest_makes_reads_return_it(versioned):
    require(versioned["patched"], "patching the assistant to make a second version")
    expect_status(versioned["latest"], 200, "ASST-004", "setting version 1 as the latest (body {\"version\": 1})")
    expect_status(versioned["after_latest"], 200, "ASST-004", "reading the assistant after setting its latest version")
    v1 = versioned["v1"]
    expected = {"version": versioned["first_version"], "name": v1["name"], "config": v1["config"], "metadata": v1["metadata"]}
    findings: list[Violation] = []
    read_back(findings, "ASST-004", versioned["latest"], "the answer to setting version 1 as latest", expected)
    read_back(findings, "ASST-004", versioned["after_latest"], "the assistant read after setting version 1 as latest", expected)
    raise_all(findings)


@pytest.mark.requirement("ASST-005")
@pytest.mark.operations("PATCH /assistants/{assistant_id}", "POST /assistants/{assistant_id}/latest")
def test_setting_an_older_version_as_latest_restores_its_context(versioned):
    require(versioned["patched"], "patching the assistant to make a second version")
    after = require(versioned["after_latest"], "reading the assistant after setting its latest version")
    require(versioned["latest"], "setting version 1 as the latest")
    context = body(after).get("context")
    expect(context == V1["context"], "ASST-005",
           f"after setting version 1 as latest the context should be version 1's {V1['context']}, received {context!r}", after)


# --- search and count ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def filtered(api: ApiClient, graphs: dict[str, str], probe: str) -> dict[str, Any]:
    """Two assistants of this module only (metadata `conformance_probe`), of different graphs, names and colours."""
    label = f"filter-{probe}"
    alpha = create(api, {"graph_id": graphs["echo"], "name": f"Conformance Alpha {probe}", "config": {"tags": [label]},
                         "metadata": {"conformance_probe": label, "colour": "red"}}, "creating the assistant alpha")
    beta = create(api, {"graph_id": graphs["stream"], "name": f"conformance beta {probe}", "config": {"tags": [label]},
                        "metadata": {"conformance_probe": label, "colour": "blue"}}, "creating the assistant beta")
    mine = {"conformance_probe": label}
    # (what the filter is, the filter, the assistants it must find)
    cases = [
        ("metadata of both", {"metadata": mine}, {alpha, beta}),
        ("graph_id", {"metadata": mine, "graph_id": graphs["echo"]}, {alpha}),
        ("name, as a substring in another case", {"metadata": mine, "name": f"ALPHA {probe.upper()}"}, {alpha}),
        ("a second metadata pair", {"metadata": {**mine, "colour": "blue"}}, {beta}),
    ]
    return {"alpha": alpha, "beta": beta, "cases": cases}


def _names(ids: set[str], filtered: dict[str, Any]) -> list[str]:
    names = {filtered["alpha"]: "alpha", filtered["beta"]: "beta"}
    return sorted(names.get(i, i) for i in ids)


@pytest.mark.requirement("ASST-006")
@pytest.mark.operations("POST /assistants/search")
def test_searching_assistants_by_graph_name_and_metadata_finds_exactly_the_matches(api, filtered):
    findings: list[Violation] = []
    for what, query, want in filtered["cases"]:
        answer = api.post("/assistants/search", json={**query, "limit": 100})
        if answer.status != 200 or not isinstance(answer.json_or_none(), list):
            findings.append(Violation("ASST-006", f"searching by {what}: expected 200 with a JSON array, received {answer.status}", answer))
            continue
        found = {a.get("assistant_id") for a in answer.json() if isinstance(a, dict)}
        if found != want:
            findings.append(Violation("ASST-006", f"searching by {what} ({query}) should find {_names(want, filtered)}, "
                                                  f"found {_names(found, filtered)}", answer))
    raise_all(findings)


@pytest.mark.requirement("ASST-007")
@pytest.mark.operations("POST /assistants/count")
def test_counting_assistants_by_graph_name_and_metadata_counts_the_matches(api, filtered):
    findings: list[Violation] = []
    for what, query, want in filtered["cases"]:
        answer = api.post("/assistants/count", json=query)
        count = answer.json_or_none()
        if answer.status != 200 or count != len(want) or isinstance(count, bool):
            findings.append(Violation("ASST-007", f"counting by {what} ({query}) should answer 200 with {len(want)}, "
                                                  f"received {answer.status} {count!r}", answer))
    raise_all(findings)


# --- the graph's description ---------------------------------------------------------------


@pytest.mark.requirement("ASST-008")
@pytest.mark.operations("GET /assistants/{assistant_id}/graph")
def test_an_assistants_graph_lists_its_nodes_and_edges(api, assistants):
    answer = api.get(path(assistants["echo"], "/graph"))
    expect_status(answer, 200, "ASST-008", "reading the echo assistant's graph")
    nodes, problems = graph_shape(answer.json_or_none())
    expect(not problems, "ASST-008", "the graph is not a graph of nodes and edges: " + "; ".join(problems[:5]), answer)
    expect("copy_text" in nodes, "ASST-008", f"the echo graph's nodes should include copy_text, listed {sorted(nodes)}", answer)


@pytest.mark.requirement("ASST-009")
@pytest.mark.operations("GET /assistants/{assistant_id}/schemas")
def test_an_assistants_schemas_declare_its_graphs_state(api, assistants, graphs):
    answer = api.get(path(assistants["echo"], "/schemas"))
    expect_status(answer, 200, "ASST-009", "reading the echo assistant's schemas")
    schemas = body(answer)
    expect(schemas.get("graph_id") == graphs["echo"], "ASST-009",
           f"the schemas should name the graph {graphs['echo']}, named {schemas.get('graph_id')!r}", answer)
    findings: list[Violation] = []
    for name, keys in (("state_schema", ECHO_STATE_KEYS), ("input_schema", {"text"}), ("output_schema", {"echo"})):
        declared = schema_properties(schemas.get(name))
        if not keys <= declared:
            findings.append(Violation("ASST-009", f"{name} should declare {sorted(keys)}, declares {sorted(declared)}", answer))
    raise_all(findings)


@pytest.mark.requirement("ASST-010")
@pytest.mark.operations("GET /assistants/{assistant_id}/subgraphs")
def test_an_assistants_subgraphs_name_the_subgraphs_of_its_graph(api, assistants):
    nested = api.get(path(assistants["stream"], "/subgraphs"))
    expect_status(nested, 200, "ASST-010", "reading the stream assistant's subgraphs")
    expect(isinstance(nested.json_or_none(), dict) and "inner" in nested.json(), "ASST-010",
           "the stream graph's subgraphs should name its subgraph `inner`", nested)
    flat = api.get(path(assistants["echo"], "/subgraphs"))
    expect_status(flat, 200, "ASST-010", "reading the echo assistant's subgraphs")
    expect(flat.json_or_none() == {}, "ASST-010", "the echo graph has no subgraph: its subgraphs should be {}", flat)


# --- deletion ------------------------------------------------------------------------------


@pytest.mark.requirement("ASST-011")
@pytest.mark.operations("DELETE /assistants/{assistant_id}", "POST /assistants/search")
def test_a_deleted_assistant_reads_404_and_is_no_longer_listed(api, graph_id, probe):
    label = f"delete-{probe}"
    assistant_id = create(api, {"graph_id": graph_id, "config": {"tags": [label]}, "metadata": {"conformance_probe": label}},
                          "creating the assistant to delete")
    search = {"metadata": {"conformance_probe": label}, "limit": 10}
    before = require(api.post("/assistants/search", json=search), "searching for the assistant before deleting it")
    listed = [a.get("assistant_id") for a in before.json_or_none() or [] if isinstance(a, dict)]
    expect(listed == [assistant_id], "ASST-011", f"before deletion the search should list the assistant, listed {listed}", before)
    deleted = api.delete(path(assistant_id))
    expect_status(deleted, range(200, 300), "ASST-011", "deleting the assistant")
    read = api.get(path(assistant_id))
    expect_status(read, 404, "ASST-011", "reading the assistant after deleting it")
    after = api.post("/assistants/search", json=search)
    expect_status(after, 200, "ASST-011", "searching for the assistant after deleting it")
    expect(after.json_or_none() == [], "ASST-011", "a deleted assistant should no longer be listed", after)
