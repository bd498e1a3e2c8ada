"""The protected surface of a deployment, and an otherwise-valid request for each of its operations.

The published spec declares no security schemes, so the suite derives the protected surface
itself: every operation of the loaded spec, minus the profile's public paths. For each operation
`prepare` builds a request that would succeed with the right credential (path parameters filled
with ids of real resources, a minimal valid body), so that an auth check is judged on a request
whose only defect is its credential. Pure logic: the resources are created by the suites.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import quote

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# Requests that remove or stop what they address: sent last, so earlier requests find their resources.
DESTRUCTIVE_SUFFIXES = ("/prune", "/cancel")


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the spec's path template
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def destructive(self) -> bool:
        return self.method == "DELETE" or self.path.endswith(DESTRUCTIVE_SUFFIXES)

    @property
    def streams(self) -> bool:
        """The operation may answer an event stream (some never end: read their headers only)."""
        for response in (self.spec.get("responses") or {}).values():
            if isinstance(response, dict) and "text/event-stream" in (response.get("content") or {}):
                return True
        return "/stream" in self.path


def operations(document: Mapping[str, Any]) -> list[Operation]:
    """Every operation of the spec, in document order."""
    out = []
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                out.append(Operation(method.upper(), path, item[method]))
    return out


def is_public(path: str, public_paths: Iterable[str]) -> bool:
    normalised = path.rstrip("/") or "/"
    return any(normalised == (p.rstrip("/") or "/") for p in public_paths)


def protected_operations(document: Mapping[str, Any], public_paths: Iterable[str]) -> list[Operation]:
    """The operations that must demand a credential: all of the spec's, minus the public paths."""
    public = tuple(public_paths)
    return [op for op in operations(document) if not is_public(op.path, public)]


def in_sending_order(ops: Iterable[Operation]) -> list[Operation]:
    """Destructive operations last, so the others still find the resources they address; runs that
    are waited for first, so they do not queue behind the runs other requests start on the thread."""
    return sorted(ops, key=lambda op: (op.destructive, not op.path.endswith(("/wait", "/join"))))


@dataclass(frozen=True)
class Resources:
    """Ids of real resources (created for the purpose) that requests address."""

    graph_id: str
    assistant_id: str = ""
    thread_id: str = ""
    run_id: str = ""
    cron_id: str = ""
    checkpoint_id: str = ""
    store_namespace: tuple[str, ...] = ("conformance",)
    store_key: str = "conformance"
    tag: Mapping[str, str] = field(default_factory=dict)  # metadata that marks what the suite creates
    secret: str = ""  # a value stored in the resources' data and never sent by a prepared request
    # Kinds that could not be created or read back, and why: checks of those kinds are not judged.
    missing: Mapping[str, str] = field(default_factory=dict)
    setup_failures: tuple[Any, ...] = ()  # the exchanges of the setup requests that failed

    def ids(self) -> tuple[str, ...]:
        return tuple(i for i in (self.assistant_id, self.thread_id, self.run_id, self.cron_id, self.checkpoint_id) if i)

    def path_value(self, name: str) -> str:
        """The value for a path parameter named `name`; an unknown one gets a fresh UUID."""
        known = {
            "assistant_id": self.assistant_id,
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "cron_id": self.cron_id,
            "checkpoint_id": self.checkpoint_id,
            "namespace": "conformance",
            "key": self.store_key,
        }
        return known.get(name) or str(uuid.uuid4())


@dataclass
class PreparedRequest:
    operation: Operation
    method: str
    path: str  # parameters filled in
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # required non-auth headers (e.g. Accept)


def _run_body(r: Resources) -> dict[str, Any]:
    return {"assistant_id": r.assistant_id, "input": {"text": "conformance"}, "metadata": dict(r.tag)}


def _cron_body(r: Resources) -> dict[str, Any]:
    # Once a year: a cron the suite creates must never fire while it exists. An input always: the
    # official spec makes it optional, Aegra's requires it.
    return {"assistant_id": r.assistant_id, "schedule": "0 0 1 1 *", "input": {"text": "conformance"}, "metadata": dict(r.tag)}


def created_cron_id(client: Any, exchange: Any, metadata: Mapping[str, Any]) -> str:
    """The id of the cron a create made: from its answer (a Cron), else, from a server that answers
    with the cron's first Run instead (Aegra, whose spec says Run or Cron), the one cron that its own
    `metadata` finds. "" when the create failed or the cron cannot be told apart."""
    body = exchange.json_or_none() if 200 <= exchange.status < 300 else None
    if not isinstance(body, dict):
        return ""
    if isinstance(body.get("cron_id"), str) and body["cron_id"]:
        return body["cron_id"]
    found = client.post("/runs/crons/search", json={"metadata": dict(metadata), "limit": 2})
    items = found.json_or_none() if found.status == 200 else None
    ids = [c.get("cron_id") for c in items if isinstance(c, dict)] if isinstance(items, list) else []
    return ids[0] if len(ids) == 1 and isinstance(ids[0], str) and ids[0] else ""


# Minimal valid bodies for the official server's operations; others are derived from the schema.
BODIES: dict[str, Callable[[Resources], Any]] = {
    "POST /assistants": lambda r: {"graph_id": r.graph_id, "metadata": dict(r.tag), "config": {"tags": [f"conformance-{uuid.uuid4().hex[:12]}"]}},
    "POST /assistants/search": lambda r: {"limit": 1},
    "POST /assistants/count": lambda r: {},
    "PATCH /assistants/{assistant_id}": lambda r: {"metadata": {**r.tag, "conformance_patched": True}},
    "POST /assistants/{assistant_id}/versions": lambda r: {"limit": 1},
    # The official server reads `version` from a JSON body, though its spec declares a query parameter.
    "POST /assistants/{assistant_id}/latest": lambda r: {"version": 1},
    "POST /threads": lambda r: {"metadata": dict(r.tag)},
    "POST /threads/search": lambda r: {"limit": 1},
    "POST /threads/count": lambda r: {},
    "POST /threads/prune": lambda r: {"thread_ids": [r.thread_id]},
    "POST /threads/{thread_id}/state": lambda r: {"values": {"text": "conformance"}},
    "POST /threads/{thread_id}/state/checkpoint": lambda r: {"checkpoint": {"checkpoint_id": r.checkpoint_id}},
    "POST /threads/{thread_id}/history": lambda r: {"limit": 1},
    "PATCH /threads/{thread_id}": lambda r: {"metadata": {**r.tag, "conformance_patched": True}},
    "POST /threads/{thread_id}/stream/events": lambda r: {"channels": ["values"]},
    "POST /threads/{thread_id}/runs": _run_body,
    "POST /threads/{thread_id}/runs/stream": _run_body,
    "POST /threads/{thread_id}/runs/wait": _run_body,
    "POST /threads/{thread_id}/runs/crons": _cron_body,
    "POST /threads/{thread_id}/commands": lambda r: {"id": 1, "method": "conformance.ping"},
    "POST /runs": _run_body,
    "POST /runs/stream": _run_body,
    "POST /runs/wait": _run_body,
    "POST /runs/batch": lambda r: [_run_body(r)],
    "POST /runs/cancel": lambda r: {"thread_id": r.thread_id, "run_ids": [r.run_id]},
    "POST /runs/crons": _cron_body,
    "POST /runs/crons/search": lambda r: {"limit": 1},
    "POST /runs/crons/count": lambda r: {},
    "PATCH /runs/crons/{cron_id}": lambda r: {"metadata": {**r.tag, "conformance_patched": True}},
    "PUT /store/items": lambda r: {"namespace": list(r.store_namespace), "key": r.store_key, "value": {"conformance": True}},
    "DELETE /store/items": lambda r: {"namespace": list(r.store_namespace), "key": r.store_key},
    "POST /store/items/search": lambda r: {"namespace_prefix": list(r.store_namespace), "limit": 1},
    "POST /store/namespaces": lambda r: {"prefix": list(r.store_namespace), "limit": 1},
    "POST /a2a/{assistant_id}": lambda r: {"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"id": "conformance"}},
    "POST /mcp/": lambda r: {"jsonrpc": "2.0", "id": 1, "method": "ping"},
}

# Query parameters a request needs to be valid, by name.
QUERY_VALUES: dict[str, Callable[[Resources], Any]] = {
    "version": lambda r: 1,
    "key": lambda r: r.store_key,
    "namespace": lambda r: ".".join(r.store_namespace),
}

# Header parameters a request needs to be valid (MCP and A2A negotiate JSON or an event stream).
HEADER_VALUES = {"accept": "application/json, text/event-stream"}


def prepare(op: Operation, resources: Resources, document: Mapping[str, Any]) -> PreparedRequest:
    """A request for `op` whose only possible defect is its credential."""
    path = op.path
    params: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for parameter in _parameters(op, document):
        name, where = parameter.get("name", ""), parameter.get("in")
        if where == "path":
            path = path.replace("{" + name + "}", quote(resources.path_value(name), safe=""))
        elif where == "query" and (parameter.get("required") or name in QUERY_VALUES and op.path == "/store/items"):
            maker = QUERY_VALUES.get(name)
            params[name] = maker(resources) if maker else minimal_value(parameter.get("schema") or {}, document)
        elif where == "header" and parameter.get("required"):
            headers[name] = HEADER_VALUES.get(name.lower(), "application/json")
    # Placeholders the spec forgot to declare as parameters are filled all the same.
    path = re.sub(r"\{([^}/]+)\}", lambda m: quote(resources.path_value(m.group(1)), safe=""), path)
    body: Any = None
    if op.label in BODIES:
        body = BODIES[op.label](resources)
    else:
        schema = _json_body_schema(op, document)
        if schema is not None:
            body = minimal_value(schema, document)
    return PreparedRequest(op, op.method, path, params, body, headers)


def _parameters(op: Operation, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for parameter in op.spec.get("parameters") or []:
        parameter = resolve_ref(parameter, document)
        if isinstance(parameter, dict):
            out.append(parameter)
    return out


def _json_body_schema(op: Operation, document: Mapping[str, Any]) -> Any:
    body = resolve_ref(op.spec.get("requestBody") or {}, document)
    content = (body or {}).get("content") or {}
    for media, entry in content.items():
        if "json" in media and isinstance(entry, dict):
            return entry.get("schema") or {}
    return None


def resolve_ref(node: Any, document: Mapping[str, Any], depth: int = 0) -> Any:
    """`node` with a local `$ref` followed (a few hops at most)."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and depth < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, depth = target, depth + 1
    return node


def minimal_value(schema: Any, document: Mapping[str, Any], depth: int = 0) -> Any:
    """The smallest value a schema accepts, as far as it can tell: required properties only,
    the first enum value or example, the first branch of a union."""
    schema = resolve_ref(schema, document)
    if not isinstance(schema, dict) or depth > 8:
        return {}
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    for key in ("allOf", "anyOf", "oneOf"):
        branches = [b for b in schema.get(key) or [] if resolve_ref(b, document).get("type") != "null"]
        if branches:
            if key == "allOf":
                merged: dict[str, Any] = {}
                for branch in branches:
                    value = minimal_value(branch, document, depth + 1)
                    if isinstance(value, dict):
                        merged.update(value)
                return merged
            return minimal_value(branches[0], document, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "array":
        count = schema.get("minItems", 0)
        return [minimal_value(schema.get("items") or {}, document, depth + 1) for _ in range(count)]
    if kind == "string":
        if schema.get("format") == "uuid":
            return str(uuid.uuid4())
        return "c" * max(1, schema.get("minLength", 1))
    if kind in ("integer", "number"):
        return max(schema.get("minimum", 1), 1) if "maximum" not in schema else schema.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    properties = schema.get("properties") or {}
    return {
        name: minimal_value(properties.get(name) or {}, document, depth + 1)
        for name in schema.get("required") or []
    }


def leaked(body: bytes, resources: Resources, request_text: str = "") -> list[str]:
    """Data of `resources` found in a response body: their secret, or an id the request did not
    itself carry (a server may echo what it was sent without leaking anything)."""
    text = body.decode("utf-8", "replace")
    candidates = [resources.secret, *(i for i in resources.ids() if i not in request_text)]
    return [c for c in candidates if c and c in text]


# --- I/O: creating the resources that requests address ---------------------------------------


# The kinds of resource a tenant owns, and what each needs of the target (conformance.capabilities).
KINDS = {"assistant": ("assistants", "graph"), "thread": ("threads",), "run": ("runs", "graph"),
         "cron": ("crons", "graph"), "store item": ("store",)}


def create_resources(client: Any, graph_id: str, *, secret: str, tag: Mapping[str, str], run_id: str,
                     have: Callable[[str], bool] = lambda name: True) -> Resources:
    """Real resources owned by `client`'s tenant, each carrying `secret` in its data and read back
    by their owner (the positive control: a check that nothing leaks must first see the thing it
    guards). What cannot be created or read back is named in `missing`, with why."""
    missing: dict[str, str] = {}
    failures: list[Any] = []

    def created(exchange: Any, key: str, kind: str) -> str:
        body = exchange.json_or_none() if 200 <= exchange.status < 300 else None
        if isinstance(body, dict) and isinstance(body.get(key), str) and body[key]:
            return body[key]
        missing[kind] = f"{exchange.method} {exchange.url.split('?')[0].removeprefix(client.base_url)} answered {exchange.status}"
        failures.append(exchange)
        return ""

    def lacking(kind: str) -> bool:
        """A kind the target does not claim is not made (and not missed); one the suite cannot make is missed."""
        if any(not have(name) for name in KINDS[kind] if name != "graph"):
            return True
        if "graph" in KINDS[kind] and not graph_id:
            missing[kind] = "no graph id is known"
            return True
        return False

    metadata = {**tag, "conformance_secret": secret}
    assistant_id = thread_id = run = checkpoint_id = cron_id = ""
    if not lacking("assistant"):
        assistant_id = created(client.post("/assistants", json={"graph_id": graph_id, "metadata": metadata, "config": {"tags": [f"conformance-{secret[:12]}"]}}), "assistant_id", "assistant")
    if not lacking("thread"):
        thread_id = created(client.post("/threads", json={"metadata": metadata}), "thread_id", "thread")
    if not lacking("run"):
        if thread_id and assistant_id:
            made = client.post(
                f"/threads/{quote(thread_id, safe='')}/runs",
                json={"assistant_id": assistant_id, "input": {"text": secret}, "metadata": metadata},
            )
            run = created(made, "run_id", "run")
            if run:
                client.get(f"/threads/{quote(thread_id, safe='')}/runs/{quote(run, safe='')}/join", timeout=60)
            state = client.get(f"/threads/{quote(thread_id, safe='')}/state").json_or_none()
            checkpoint = state.get("checkpoint") if isinstance(state, dict) else None
            if isinstance(checkpoint, dict) and isinstance(checkpoint.get("checkpoint_id"), str):
                checkpoint_id = checkpoint["checkpoint_id"]
        else:
            missing["run"] = "its thread or assistant could not be created"
    if not lacking("cron"):
        if assistant_id:
            cron_body = {"assistant_id": assistant_id, "schedule": "0 0 1 1 *", "input": {"text": secret}, "metadata": metadata}
            made = client.post("/runs/crons", json=cron_body)
            cron_id = created_cron_id(client, made, metadata)
            if not cron_id:
                missing["cron"] = f"POST /runs/crons answered {made.status}" + (" without a cron_id the cron's metadata could find"
                                                                              if 200 <= made.status < 300 else "")
                failures.append(made)
        else:
            missing["cron"] = "its assistant could not be created"
    namespace = ("conformance", run_id or "run", secret[:12])
    key = f"item-{secret[:8]}"
    if not lacking("store item"):
        put = client.put("/store/items", json={"namespace": list(namespace), "key": key, "value": {"secret": secret}})
        if not 200 <= put.status < 300:
            missing["store item"] = f"PUT /store/items answered {put.status}"
            failures.append(put)
    resources = Resources(
        graph_id=graph_id, assistant_id=assistant_id, thread_id=thread_id, run_id=run, cron_id=cron_id,
        checkpoint_id=checkpoint_id, store_namespace=namespace, store_key=key, tag=dict(tag), secret=secret,
        missing=missing, setup_failures=tuple(failures),
    )
    for kind, problem in read_back(client, resources).items():
        missing.setdefault(kind, problem)
    return resources


def read_back(client: Any, r: Resources) -> dict[str, str]:
    """{kind: problem} for each created resource its owner cannot read back with its secret."""
    q = lambda value: quote(value, safe="")  # noqa: E731
    reads = {
        "assistant": f"/assistants/{q(r.assistant_id)}" if r.assistant_id else "",
        "thread": f"/threads/{q(r.thread_id)}" if r.thread_id else "",
        "run": f"/threads/{q(r.thread_id)}/runs/{q(r.run_id)}" if r.run_id else "",
    }
    problems = {}
    for kind, path in reads.items():
        if path and kind not in r.missing:
            exchange = client.get(path)
            if exchange.status != 200 or r.secret not in exchange.text:
                problems[kind] = f"its owner reading GET {path} got {exchange.status} without the secret it holds"
    if r.cron_id and "cron" not in r.missing:
        found = client.post("/runs/crons/search", json={"assistant_id": r.assistant_id, "limit": 100})
        if found.status != 200 or r.cron_id not in found.text:
            problems["cron"] = f"its owner searching crons got {found.status} without it"
    if "store item" not in r.missing:
        item = client.get("/store/items", params={"namespace": ".".join(r.store_namespace), "key": r.store_key})
        if item.status != 200 or r.secret not in item.text:
            problems["store item"] = f"its owner reading it back got {item.status} without the secret it holds"
    return problems
