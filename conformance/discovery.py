"""What the run finds out about its target before any test: run once, by the controller.

Reachability (its health path), its spec, /info, whether its keys are accepted, its capabilities
(declared or detected: conformance.capabilities) and a graph the key may run. Every finding says
how it was made, for the report; xdist workers receive the result instead of asking again.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .capabilities import Capabilities, detect
from .config import TargetConfig
from .errors import CredentialsRefused
from .http import ApiClient, Exchange
from .redact import redact
from .spec import LoadedSpec, check_reachable, load_spec

CONFORMANCE_GRAPHS = ("conformance_echo", "conformance_interrupt", "conformance_fail", "conformance_slow", "conformance_stream")
ECHO_GRAPH = CONFORMANCE_GRAPHS[0]
# Requests that show whether a key is accepted (the first the spec declares is used).
_KEY_PROBES = (("POST", "/threads/search", {"limit": 1}), ("POST", "/assistants/search", {"limit": 1}),
               ("POST", "/store/namespaces", {"limit": 1}))
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class Discovery:
    spec: LoadedSpec
    capabilities: Capabilities
    info: Any = None
    notes: list[str] = field(default_factory=list)  # how things were found, for the report

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec.to_json(), "capabilities": self.capabilities.to_json(), "info": self.info, "notes": self.notes}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Discovery":
        s = data["spec"]
        return cls(LoadedSpec(s["document"], s["source"], s["kind"], s["how"]), Capabilities.from_json(data["capabilities"]),
                   data.get("info"), list(data.get("notes", [])))

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json()), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "Discovery":
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def without_operations(spec: LoadedSpec, labels: tuple[str, ...]) -> LoadedSpec:
    """The spec minus operations the implementation does not serve (a path left with none goes)."""
    document = copy.deepcopy(spec.document)
    paths = document.get("paths") or {}
    for label in labels:
        method, path = label.split(" ", 1)
        item = paths.get(path)
        if isinstance(item, dict):
            item.pop(method.lower(), None)
            if not any(k in item for k in ("get", "put", "post", "delete", "patch", "options", "head", "trace")):
                paths.pop(path)
    return LoadedSpec(document, spec.source, spec.kind, spec.how)


def _probe(client: ApiClient, spec_paths: set[str]) -> Exchange | None:
    for method, path, body in _KEY_PROBES:
        if path in spec_paths:
            return client.request(method, path, json=body, record=False, track=False)
    return None


def discover(config: TargetConfig, main: ApiClient, alt: ApiClient | None) -> Discovery:
    check_reachable(config)
    spec = load_spec(config)
    notes = [f"spec: {spec.title} {spec.version}, {spec.how} ({redact(spec.source)})"]
    if config.profile.absent_operations:
        spec = without_operations(spec, config.profile.absent_operations)
        notes.append("the profile says the deployment does not serve: " + ", ".join(config.profile.absent_operations))
    paths = set(spec.paths)
    answer = main.get("/info", record=False, track=False)
    info = answer.json_or_none() if answer.status == 200 else None
    info = info if isinstance(info, dict) else None

    if config.auth_enabled:
        auth_reason = "a key is given" if config.profile.auth_enabled is None else "the profile sets [auth] enabled = true"
    elif config.profile.auth_enabled is False:
        auth_reason = "the profile sets [auth] enabled = false"
    else:
        auth_reason = "no key is given: the run treats the deployment as open"
    declared = dict(config.profile.capabilities)
    host = (urlsplit(config.base_url or "").hostname or "").lower()
    loopback_webhooks = config.profile.webhooks_to_loopback and host in _LOOPBACK
    caps = detect(paths, info, declared, auth=config.auth_enabled, auth_reason=auth_reason,
                  webhooks_to_loopback=loopback_webhooks)
    if not loopback_webhooks and not caps.why.get("webhooks"):
        caps.why["webhooks"] = "the target is not on this machine: a webhook receiver here cannot be reached"

    rejected = config.profile.rejection_statuses
    if config.auth_enabled:
        probe = _probe(main, paths)
        if probe is not None and probe.status in rejected:
            raise CredentialsRefused(
                f"the deployment refused the API key: {probe.method} {probe.url.removeprefix(config.base_url or '')} answered {probe.status}",
                "give a key the deployment accepts with --api-key (and the header it reads: the profile's [auth] header)",
            )
    caps.have["second_tenant"] = False
    if not config.auth_enabled:
        caps.why["second_tenant"] = "auth is off: there are no tenants"
    elif alt is None:
        caps.why["second_tenant"] = "no second key is given"
    else:
        probe = _probe(alt, paths)
        if probe is not None and probe.status in rejected:
            caps.why["second_tenant"] = f"the second tenant's key was refused ({probe.method} {probe.url.removeprefix(config.base_url or '')} answered {probe.status})"
        else:
            caps.have["second_tenant"], caps.why["second_tenant"] = True, "a second key is given and accepted"

    _find_graphs(config, main, caps, paths, notes)
    caps.have["key_in_url_probes"] = config.probe_key_in_url
    caps.why["key_in_url_probes"] = "" if config.probe_key_in_url else "--probe-key-in-url is not given"
    caps.have["slow_checks"] = config.slow_checks
    caps.why["slow_checks"] = "" if config.slow_checks else f"the budget is {config.budget}"
    notes.append("capabilities: " + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in sorted(caps.have.items())))
    return Discovery(spec, caps, info, notes)


def _visible_graph_ids(main: ApiClient, paths: set[str]) -> list[str]:
    if "/assistants/search" not in paths:
        return []
    listed = main.post("/assistants/search", json={"limit": 100}, record=False, track=False)
    items = listed.json_or_none() if listed.status == 200 else None
    return list(dict.fromkeys(a["graph_id"] for a in items or [] if isinstance(a, dict) and isinstance(a.get("graph_id"), str)))


def _can_create_assistant(main: ApiClient, graph_id: str, paths: set[str]) -> bool:
    """Whether the key may make an assistant of `graph_id` (then deleted with the run's other resources)."""
    if "/assistants" not in paths:
        return False
    made = main.post("/assistants", json=main.assistant_body(graph_id, name="conformance discovery"), record=False)
    return 200 <= made.status < 300 and isinstance(made.json_or_none(), dict)


def _find_graphs(config: TargetConfig, main: ApiClient, caps: Capabilities, paths: set[str], notes: list[str]) -> None:
    declared = config.conformance_graphs
    # The key's assistants are listed only when the graphs were neither given nor declared.
    visible = _visible_graph_ids(main, paths) if declared is None or not config.graph_ids else []
    if declared is True:
        caps.conformance_graphs, how = True, "declared (--conformance-graphs or the profile)"
    elif declared is False:
        caps.conformance_graphs, how = False, "the profile says they are not deployed"
    elif ECHO_GRAPH in visible:
        caps.conformance_graphs, how = True, f"found: the key sees assistants of {ECHO_GRAPH}"
    elif _can_create_assistant(main, ECHO_GRAPH, paths):
        caps.conformance_graphs, how = True, f"found: the key may create an assistant of {ECHO_GRAPH}"
    else:
        caps.conformance_graphs, how = False, f"not found: no assistant of {ECHO_GRAPH} is visible and none could be created"
    caps.have["conformance_graphs"] = caps.conformance_graphs
    caps.why["conformance_graphs"] = how
    notes.append(f"conformance graphs: {how}")

    if config.graph_ids:
        graph, how = config.graph_ids[0], "given (--graph-id or the profile)"
    elif caps.conformance_graphs:
        graph, how = ECHO_GRAPH, "the conformance graphs"
    elif visible:
        graph, how = visible[0], "the graph of an assistant the key sees"
    else:
        graph, how = "", "the key sees no assistant to take a graph id from"
    caps.graph_id = graph
    caps.have["graph"] = bool(graph)
    caps.why["graph"] = how
    notes.append(f"graph: {graph or 'none'} ({how})")
