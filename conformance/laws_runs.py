"""Pure laws for runs, crons and streams: what a spec declares, which stream mode an event belongs
to, and whether a replayed stream resumes where it should. No I/O: the suites fetch, these judge,
and tests/unit/test_laws_runs.py proves them.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

# The stream modes of langgraph-api 0.16.7's spec (RunCreateStateful.stream_mode), used when a
# spec declares stream_mode without listing its values.
STREAM_MODES = ("values", "messages", "messages-tuple", "tasks", "checkpoints", "updates", "events", "debug", "custom")
# Events a stream may carry whatever modes were asked for: the run's metadata, a failure, a final
# `end` (Aegra) and feedback keys.
CONTROL_EVENTS = frozenset({"metadata", "error", "end", "feedback"})


# --- what a spec declares -------------------------------------------------------------------


def _resolve(document: Mapping[str, Any], schema: Any, seen: frozenset[str] = frozenset()) -> Any:
    """`schema` with a local `$ref` followed (cycles end in an empty schema)."""
    while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen = seen | {ref}
        node: Any = document
        for part in ref[2:].split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, Mapping) else None
        schema = node
    return schema


def schema_properties(document: Mapping[str, Any], schema: Any, _depth: int = 0) -> dict[str, Any]:
    """The properties a schema declares, through `$ref`, `allOf`, `anyOf` and `oneOf` (merged)."""
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping) or _depth > 20:
        return {}
    found: dict[str, Any] = {}
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key) or ():
            found.update(schema_properties(document, part, _depth + 1))
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        found.update(properties)
    return found


def _operation(document: Mapping[str, Any], label: str) -> Mapping[str, Any] | None:
    method, _, path = label.partition(" ")
    item = (document.get("paths") or {}).get(path)
    operation = item.get(method.lower()) if isinstance(item, Mapping) else None
    return operation if isinstance(operation, Mapping) else None


def request_properties(document: Mapping[str, Any], label: str) -> dict[str, Any]:
    """The properties of the JSON request body of operation `label` ("POST /runs"), {} when none."""
    operation = _operation(document, label)
    body = _resolve(document, operation.get("requestBody")) if operation else None
    content = body.get("content") if isinstance(body, Mapping) else None
    media = content.get("application/json") if isinstance(content, Mapping) else None
    schema = media.get("schema") if isinstance(media, Mapping) else None
    schema = _resolve(document, schema)
    if isinstance(schema, Mapping) and schema.get("type") == "array":
        schema = schema.get("items")  # a batch: the properties of one item
    return schema_properties(document, schema)


def answer_may_lack(document: Mapping[str, Any], label: str, name: str, status: str = "200") -> bool:
    """Whether the `status` JSON answer of `label` may be an object without property `name`: one of
    its alternatives (anyOf/oneOf) declares no such property (Aegra: a cron create answers Run or Cron).
    An answer the spec does not describe may not: the suite then holds it to the property."""
    operation = _operation(document, label)
    response = _resolve(document, ((operation or {}).get("responses") or {}).get(status))
    content = response.get("content") if isinstance(response, Mapping) else None
    media = content.get("application/json") if isinstance(content, Mapping) else None
    schema = _resolve(document, media.get("schema") if isinstance(media, Mapping) else None)
    if not isinstance(schema, Mapping):
        return False
    alternatives = [*(schema.get("anyOf") or ()), *(schema.get("oneOf") or ())]
    return any(name not in schema_properties(document, part) for part in alternatives)


def declares_property(document: Mapping[str, Any], label: str, name: str) -> bool:
    return name in request_properties(document, label)


def declares_parameter(document: Mapping[str, Any], label: str, name: str) -> bool:
    """Whether operation `label` declares the parameter `name` (query, header or path)."""
    operation = _operation(document, label)
    if operation is None:
        return False
    path = label.partition(" ")[2]
    shared = ((document.get("paths") or {}).get(path) or {}).get("parameters") or ()
    for parameter in (*shared, *(operation.get("parameters") or ())):
        parameter = _resolve(document, parameter)
        if isinstance(parameter, Mapping) and str(parameter.get("name", "")).lower() == name.lower():
            return True
    return False


def _enum_values(document: Mapping[str, Any], schema: Any, _depth: int = 0) -> list[str]:
    schema = _resolve(document, schema)
    if not isinstance(schema, Mapping) or _depth > 10:
        return []
    values = [v for v in schema.get("enum") or () if isinstance(v, str)]
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key) or ():
            values += _enum_values(document, part, _depth + 1)
    if "items" in schema:
        values += _enum_values(document, schema["items"], _depth + 1)
    return list(dict.fromkeys(values))


def declared_stream_modes(document: Mapping[str, Any], label: str = "POST /threads/{thread_id}/runs/stream") -> list[str]:
    """The stream modes the spec lists for `stream_mode` of operation `label`; the official spec's
    modes when it declares stream_mode without listing them; [] when it does not declare it."""
    properties = request_properties(document, label)
    if "stream_mode" not in properties:
        return []
    return _enum_values(document, properties["stream_mode"]) or list(STREAM_MODES)


# --- stream modes and event names ------------------------------------------------------------


def split_namespace(event: str) -> tuple[str, list[str]]:
    """`values|inner:abc|deeper:x` -> ("values", ["inner:abc", "deeper:x"])."""
    name, *namespace = event.split("|")
    return name, namespace


def mode_of_event(event: str) -> str | None:
    """The stream mode an event name belongs to (namespace aside), None for control events.

    `messages-tuple` streams events named `messages`; `messages` streams `messages/metadata`,
    `messages/partial` and `messages/complete` (langgraph-api, LangGraph.js and Aegra alike)."""
    name, _ = split_namespace(event)
    if name in CONTROL_EVENTS:
        return None
    if name == "messages":
        return "messages-tuple"
    if name.startswith("messages/"):
        return "messages"
    return name


def foreign_events(events: Iterable[str], requested: Sequence[str]) -> list[str]:
    """The event names of `events` that belong to none of the `requested` modes."""
    wanted = set(requested)
    return [e for e in events if (mode := mode_of_event(e)) is not None and mode not in wanted]


# --- resuming a stream -----------------------------------------------------------------------


def shared_ids(ids: Sequence[str | None]) -> dict[str, list[int]]:
    """{id: positions} for every id that more than one event carries."""
    positions: dict[str, list[int]] = {}
    for position, event_id in enumerate(ids):
        if event_id:
            positions.setdefault(event_id, []).append(position)
    return {i: p for i, p in positions.items() if len(p) > 1}


def strip_end(events: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The events without a trailing `end` event (Aegra sends one; SDKs read it as the close)."""
    out = list(events)
    while out and out[-1][0] == "end":
        out.pop()
    return out


def replay_problem(sent: Sequence[tuple[str, str]], after: int, replayed: Sequence[tuple[str, str]]) -> str:
    """'' when `replayed` is exactly the events of `sent` after position `after` (0-based), else
    what differs: events replayed again (duplicates), events lost (gaps), others out of place.
    Events are (name, data) pairs."""
    expected, got = strip_end(sent[after + 1:]), strip_end(replayed)
    if got == expected:
        return ""
    earlier = list(sent[:after + 1])
    duplicates = [e for e in got if e in earlier and e not in expected]
    missing = [e for e in expected if e not in got]
    strangers = [e for e in got if e not in expected and e not in earlier]
    parts = []
    if duplicates:
        parts.append(f"{len(duplicates)} event(s) at or before the resume point came again: {_names(duplicates)}")
    if missing:
        parts.append(f"{len(missing)} event(s) after it never came: {_names(missing)}")
    if strangers:
        parts.append(f"{len(strangers)} event(s) the run never streamed: {_names(strangers)}")
    if not parts:
        parts.append(f"the events came in another order: {_names(got)}, expected {_names(expected)}")
    return "; ".join(parts)


def _names(events: Sequence[tuple[str, str]], limit: int = 8) -> str:
    shown = ", ".join(f"`{name}`" for name, _ in events[:limit])
    return shown + (f" and {len(events) - limit} more" if len(events) > limit else "")


# --- webhooks ---------------------------------------------------------------------------------


def webhook_problem(calls: Sequence[Any], run_id: str, thread_id: str) -> str:
    """'' when `calls` (the JSON bodies the receiver got) is exactly one call about the run, carrying
    its run_id, thread_id and a final status; else what is wrong."""
    if not calls:
        return "the webhook was never called"
    if len(calls) > 1:
        return f"the webhook was called {len(calls)} times for one run"
    body = calls[0]
    if not isinstance(body, Mapping):
        return f"the webhook's body is not a JSON object: {str(body)[:200]}"
    wrong = []
    if body.get("run_id") != run_id:
        wrong.append(f"run_id {body.get('run_id')!r} (expected {run_id!r})")
    if body.get("thread_id") != thread_id:
        wrong.append(f"thread_id {body.get('thread_id')!r} (expected {thread_id!r})")
    if body.get("status") not in ("success", "error", "timeout", "interrupted"):
        wrong.append(f"status {body.get('status')!r} (expected the run's final status)")
    return ("the webhook's body carries " + ", ".join(wrong)) if wrong else ""
