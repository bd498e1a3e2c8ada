"""Pure laws for the assistants and threads suites: what was written is contained in what reads
back, history pages tile the history, version listings run newest first, what a spec declares.

No I/O here: the suites fetch, these functions judge, and tests/unit/test_laws_threads.py proves them.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, Mapping, Sequence

from .surface import resolve_ref


def differences(actual: Any, expected: Any, where: str = "") -> list[str]:
    """How `actual` fails to contain `expected`: objects by their keys (a server may add keys of
    its own, e.g. an owner in metadata or a mirrored config.configurable), anything else by equality."""
    label = where or "the value"
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{label}: expected an object holding {dict(expected)}, received {actual!r}"]
        out: list[str] = []
        for key, value in expected.items():
            inner = f"{where}.{key}" if where else str(key)
            if key not in actual:
                out.append(f"{inner}: missing (expected {value!r})")
            else:
                out += differences(actual[key], value, inner)
        return out
    if actual != expected:
        return [f"{label}: expected {expected!r}, received {actual!r}"]
    return []


def contains(actual: Any, expected: Any) -> bool:
    return not differences(actual, expected)


def checkpoint_id_of(entry: Any) -> str | None:
    """The checkpoint id of a thread state (a history entry, a state read): `checkpoint.checkpoint_id`,
    else the top-level `checkpoint_id`."""
    if not isinstance(entry, Mapping):
        return None
    checkpoint = entry.get("checkpoint")
    if isinstance(checkpoint, Mapping) and isinstance(checkpoint.get("checkpoint_id"), str):
        return checkpoint["checkpoint_id"]
    value = entry.get("checkpoint_id")
    return value if isinstance(value, str) else None


def before_forms(entry: Any) -> list[tuple[str, Any]]:
    """The ways a POST history body can name the checkpoint a page ends at, the declared one first:
    the CheckpointConfig the spec declares, the id string (LangGraph.js takes only that), and the
    RunnableConfig the official server passes `before` on as (it takes only that)."""
    checkpoint = entry.get("checkpoint") if isinstance(entry, Mapping) else None
    cid = checkpoint_id_of(entry)
    declared = dict(checkpoint) if isinstance(checkpoint, Mapping) else {"checkpoint_id": cid}
    return [("the CheckpointConfig the spec declares", declared), ("the checkpoint id", cid),
            ("a RunnableConfig", {"configurable": declared})]


def pages_tile(full: Sequence[str], pages: Sequence[Sequence[str]], limit: int) -> tuple[bool, str]:
    """Whether pages read with `limit` and `before` = the last id of the page before give back the
    full history: each page holds at most `limit` entries, every page but the last exactly `limit`,
    and the pages in order are the full history, entry for entry."""
    for number, page in enumerate(pages, start=1):
        if len(page) > limit:
            return False, f"page {number} holds {len(page)} entries, more than the limit {limit}"
    pages = list(pages)
    while pages and not pages[-1]:
        pages.pop()  # the walk may end on an empty page
    for number, page in enumerate(pages[:-1], start=1):
        if len(page) != limit:
            return False, f"page {number} holds {len(page)} entries, not the limit {limit}, though more came after it"
    walked = [entry for page in pages for entry in page]
    if walked != list(full):
        return False, f"the pages give {walked}, the full history is {list(full)}"
    return True, ""


def versions_newest_first(versions: Sequence[Any]) -> tuple[bool, str]:
    """Whether an assistant's version listing runs newest first (strictly decreasing `version`)."""
    numbers = [v.get("version") if isinstance(v, Mapping) else None for v in versions]
    if not all(isinstance(n, int) for n in numbers):
        return False, f"every listed version needs an integer `version`, received {numbers}"
    for position, (newer, older) in enumerate(pairwise(numbers), start=1):
        if older >= newer:
            return False, f"version {older} (entry {position + 1}) does not come after a newer one: {numbers}"
    return True, ""


def schema_properties(schema: Any) -> set[str]:
    """The property names a JSON schema of a graph's state declares (top level, and through allOf)."""
    if not isinstance(schema, Mapping):
        return set()
    names = set(schema.get("properties") or {}) if isinstance(schema.get("properties"), Mapping) else set()
    for part in schema.get("allOf") or []:
        names |= schema_properties(part)
    return names


def graph_shape(graph: Any) -> tuple[set[str], list[str]]:
    """(node ids, problems) of a drawable graph `{nodes: [{id}], edges: [{source, target}]}`: every
    edge must join two listed nodes."""
    if not isinstance(graph, Mapping) or not isinstance(graph.get("nodes"), list) or not isinstance(graph.get("edges"), list):
        return set(), ["expected an object with `nodes` and `edges` arrays"]
    nodes = {str(n.get("id")) for n in graph["nodes"] if isinstance(n, Mapping) and n.get("id") is not None}
    problems = []
    for edge in graph["edges"]:
        if not isinstance(edge, Mapping):
            problems.append(f"an edge is not an object: {edge!r}")
            continue
        for end in ("source", "target"):
            if str(edge.get(end)) not in nodes:
                problems.append(f"edge {edge.get('source')!r} -> {edge.get('target')!r}: its {end} is no listed node")
    return nodes, problems


# --- what a spec declares -------------------------------------------------------------------


def _operation(document: Mapping[str, Any], method: str, path: str) -> Mapping[str, Any]:
    item = (document.get("paths") or {}).get(path)
    operation = item.get(method.lower()) if isinstance(item, Mapping) else None
    return operation if isinstance(operation, Mapping) else {}


def declares_header(document: Mapping[str, Any], method: str, path: str, name: str) -> bool:
    """Whether the spec declares the request header `name` on the operation (or its path item)."""
    item = (document.get("paths") or {}).get(path)
    parameters = [*(_operation(document, method, path).get("parameters") or []),
                  *((item.get("parameters") or []) if isinstance(item, Mapping) else [])]
    for parameter in parameters:
        parameter = resolve_ref(parameter, document)
        if isinstance(parameter, Mapping) and parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == name.lower():
            return True
    return False


def body_declares(document: Mapping[str, Any], method: str, path: str, prop: str) -> bool:
    """Whether the operation's JSON request body declares the property `prop` (through $ref and allOf)."""
    body = resolve_ref(_operation(document, method, path).get("requestBody") or {}, document)
    content = body.get("content") if isinstance(body, Mapping) else None
    for media, entry in (content or {}).items():
        if "json" in media and isinstance(entry, Mapping):
            return prop in _properties(entry.get("schema"), document)
    return False


def _properties(schema: Any, document: Mapping[str, Any], depth: int = 0) -> set[str]:
    schema = resolve_ref(schema, document)
    if not isinstance(schema, Mapping) or depth > 10:
        return set()
    names = set(schema.get("properties") or {}) if isinstance(schema.get("properties"), Mapping) else set()
    for part in schema.get("allOf") or []:
        names |= _properties(part, document, depth + 1)
    return names
